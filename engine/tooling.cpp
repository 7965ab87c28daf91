// engine/tooling.cpp: include/casex/tooling.hpp over the engine's explain,
// lint, render and rule test code (the `casex` command calls only this).
#include "casex/tooling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <iterator>

#include "engine/api_internal.h"
#include "engine/common/diagnostics.h"
#include "engine/common/markup.h"
#include "engine/explain/explain.h"
#include "engine/json/input_check.h"
#include "engine/load/load.h"
#include "engine/render/render.h"
#include "engine/ruletest/ruletest.h"

namespace casex {

Explanation explain_document(const RuleSet& rules, std::string_view document) {
  Explanation out;
  boost::json::object e;
  if (!detail::explain_document(detail::compiled(rules), document, e, out.error)) return out;
  out.ok = true;
  out.rules_error = e.contains("error");
  out.json = boost::json::serialize(e);
  out.text = detail::explanation_text(e);
  return out;
}

std::string origin_note(const RuleSet& rules, std::string_view document) {
  namespace bj = boost::json;
  bj::error_code ec;
  bj::value v = bj::parse(document, ec);
  const bj::object* o = ec ? nullptr : v.if_object();
  if (!o) return "";
  const bj::value* origin = o->if_contains("origin");
  if (!origin || !origin->is_string() || o->contains("operation")) return "";
  std::vector<std::string_view> systems;
  if (const auto* g = o->if_contains("groups"); g && g->is_object())
    for (const auto& kv : g->get_object())
      if (kv.value().is_string()) systems.push_back(kv.value().get_string());
  if (const auto* r = o->if_contains("external_reference"); r && r->is_object())
    if (const auto* s = r->get_object().if_contains("system"); s && s->is_string())
      systems.push_back(s->get_string());
  return detail::origin_note(detail::compiled(rules), origin->get_string(), systems);
}

std::vector<std::string> ignored_keys(const RuleSet& rules, std::string_view document) {
  return detail::ignored_keys(detail::compiled(rules).rules.vocabulary, document);
}

std::vector<DiagnosticCode> diagnostic_codes() {
  std::vector<DiagnosticCode> codes;
  codes.reserve(detail::kCodeCount);
  for (int i = 0; i < detail::kCodeCount; ++i) {
    auto c = static_cast<detail::Code>(i);
    codes.push_back({detail::code_name(c), detail::code_severity(c), detail::code_description(c),
                     detail::code_explanation(c)});
  }
  return codes;
}

std::vector<SourceFile> read_rule_files(const std::vector<std::string>& paths,
                                        std::vector<Diagnostic>& problems) {
  return detail::read_rule_paths(paths, problems);
}

LoadResult lint_paths(const std::vector<std::string>& paths, bool* unreadable) {
  std::vector<Diagnostic> problems;
  std::vector<SourceFile> files =
      paths.empty() ? RuleSet::builtin_sources() : read_rule_files(paths, problems);
  LoadResult r;
  if (problems.empty())
    r = lint_texts(files);
  else
    r.sources = std::move(files);
  if (unreadable) *unreadable = !problems.empty();
  r.diagnostics.insert(r.diagnostics.begin(), problems.begin(), problems.end());
  return r;
}

std::string lint_json(const std::vector<Diagnostic>& diagnostics, std::size_t files) {
  namespace bj = boost::json;
  auto severity_name = [](Severity s) {
    return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "info";
  };
  int errors = 0, warnings = 0, infos = 0;
  bj::array list;
  for (const auto& d : diagnostics) {
    errors += d.severity == Severity::Error;
    warnings += d.severity == Severity::Warning;
    infos += d.severity == Severity::Info;
    // A witness is a change document (JSON text); text that is not JSON (never
    // expected) stays a string rather than being lost.
    bj::value witness = nullptr;
    if (!d.witness.empty()) {
      bj::error_code ec;
      witness = bj::parse(d.witness, ec);
      if (ec) witness = bj::string(d.witness);
    }
    list.push_back(
        bj::object{{"code", d.code},
                   {"severity", severity_name(d.severity)},
                   {"file", d.file},
                   {"line", d.line},
                   {"column", d.column},
                   {"message", d.message},
                   {"help", d.help.empty() ? bj::value(nullptr) : bj::value(bj::string(d.help))},
                   {"witness", std::move(witness)}});
  }
  bj::object doc{
      {"diagnostics", std::move(list)},
      {"summary",
       bj::object{{"files", files}, {"errors", errors}, {"warnings", warnings}, {"infos", infos}}}};
  return bj::serialize(doc) + "\n";
}

std::string render_rules_html(const RuleSet& rules, const std::vector<Diagnostic>& findings,
                              const RenderOptions& options) {
  detail::RenderOptions ro;
  ro.title = options.title;
  ro.source = options.source;
  return detail::render_html(detail::compiled(rules), findings, ro);
}

std::string vocabulary_json(const RuleSet& rules) {
  const auto& v = detail::compiled(rules).rules.vocabulary;
  boost::json::object o;
  o["version"] = rules.version();
  o["record"] = v.record;  // the key of a change's id, of an incoming snapshot and of its result
  boost::json::array metaphases(v.metaphases.begin(), v.metaphases.end());
  o["metaphases"] = std::move(metaphases);
  std::vector<std::vector<std::string>> aliases(v.phases.size());  // sorted: the map has no order
  for (const auto& [name, id] : v.phase_ids)
    if (id >= 0 && static_cast<std::size_t>(id) < v.phases.size() && name != v.phases[id])
      aliases[id].push_back(name);
  boost::json::array phases;
  for (std::size_t p = 0; p < v.phases.size(); ++p) {
    std::sort(aliases[p].begin(), aliases[p].end());
    phases.push_back(
        boost::json::object{{"name", v.phases[p]},
                            {"metaphase", v.metaphases[v.phase_metaphase[p]]},
                            {"aliases", boost::json::array(aliases[p].begin(), aliases[p].end())}});
  }
  o["phases"] = std::move(phases);
  boost::json::array fields;
  for (const auto& f : v.fields)
    fields.push_back(
        boost::json::object{{"name", f.name},
                            {"type", detail::type_name(f.type)},
                            {"values", boost::json::array(f.values.begin(), f.values.end())}});
  o["fields"] = std::move(fields);
  o["events"] = boost::json::array(v.events.begin(), v.events.end());
  o["operations"] =
      boost::json::object{{"outgoing", boost::json::array(v.outgoing.begin(), v.outgoing.end())},
                          {"incoming", boost::json::array(v.incoming.begin(), v.incoming.end())}};
  return boost::json::serialize(o) + "\n";
}

RuleTestReport run_rule_tests(const RuleSet& rules, const std::vector<std::string>& paths) {
  RuleTestReport report;
  const auto& compiled = detail::compiled(rules);
  std::vector<detail::RuleTestCase> cases;
  for (const auto& f : detail::rule_test_files(paths, report.errors)) {
    auto more = detail::read_rule_tests(f, compiled.rules.vocabulary, report.errors);
    std::move(more.begin(), more.end(), std::back_inserter(cases));
  }
  if (!report.errors.empty()) return report;
  detail::RuleTestRunner runner(compiled);
  for (const auto& c : cases) {
    auto t0 = std::chrono::steady_clock::now();
    detail::RuleTestResult r = runner.run(c);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.cases.push_back({c.file, c.name, c.line, r.passed, std::move(r.differences),
                            std::move(r.actual), s, c.input, boost::json::serialize(c.expect)});
  }
  const auto& cov = runner.coverage();
  for (const auto& g : cov.groups) report.coverage.push_back({g.name, g.ids, g.hits});
  report.fired = cov.fired();
  report.total = cov.total();
  const auto& cc = runner.conditions();
  const auto& v = compiled.rules.vocabulary;
  for (std::size_t t = 0; t < compiled.tables.size(); ++t) {
    const auto& dt = compiled.tables[t];
    const auto& ct = compiled.rules.tables[t];
    for (std::size_t r = 0; r < ct.rules.size(); ++r) {
      RuleConditionCoverage rc;
      rc.table = ct.id;
      rc.rule = ct.rules[r].id;
      if (r < cc.tables[t].rule_atoms.size())
        for (uint32_t a : cc.tables[t].rule_atoms[r]) {
          const auto& seen = cc.tables[t].atoms[a];
          std::string text = detail::expr_text(dt.atoms[a], v);
          rc.conditions.push_back({text, seen.seen_true, seen.seen_false});
          for (std::size_t m = 0; m < seen.matched.size(); ++m)
            rc.members.push_back(
                {text, detail::expr_text(dt.atoms[a].args[m + 1], v), seen.matched[m]});
        }
      report.conditions_covered += rc.covered();
      report.conditions_total += rc.total();
      report.conditions.push_back(std::move(rc));
    }
  }
  return report;
}

bool coverage_reaches(int fired, int total, double percent) {
  return detail::coverage_reaches(fired, total, percent);
}

std::string coverage_percent(int fired, int total) {
  return detail::coverage_percent(fired, total);
}

std::string failure_text(const RuleTestCaseResult& result) {
  std::string out;
  for (const auto& d : result.differences) out += "    " + d + "\n";
  out += "    actual: " + result.actual + "\n";
  return out;
}

std::string junit_xml(const RuleTestReport& report) {
  // Text for an XML 1.0 attribute value or element content: the one escaper
  // (engine/common/markup.h), which also replaces what XML 1.0 cannot carry.
  auto xml = [](std::string_view s) { return detail::escape_markup(s, detail::Markup::Xml10); };
  const auto& ran = report.cases;
  std::string out;
  std::vector<std::string> files;
  for (const auto& x : ran)
    if (std::find(files.begin(), files.end(), x.file) == files.end()) files.push_back(x.file);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"casex test\" tests=\"{}\" failures=\"{}\">\n", ran.size(),
                     report.failed());
  for (const auto& f : files) {
    int n = 0, failed = 0;
    double seconds = 0;
    for (const auto& x : ran)
      if (x.file == f) ++n, failed += !x.passed, seconds += x.seconds;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.6f}\">\n",
                       xml(f), n, failed, seconds);
    for (const auto& x : ran) {
      if (x.file != f) continue;
      out += fmt::format(
          "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.6f}\"",
          xml(std::filesystem::path(f).stem().string()), xml(x.name), xml(f), x.line, x.seconds);
      if (x.passed) {
        out += "/>\n";
      } else {
        std::string first = x.differences.empty() ? "failed" : x.differences.front();
        out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                           xml(first.substr(0, first.find('\n'))), xml(failure_text(x)));
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::vector<Diagnostic> check_rule_test_file(const std::vector<SourceFile>& rules,
                                             const SourceFile& test) {
  detail::Diagnostics diags;  // the rule files' own problems are lint's, not the test file's
  detail::RawRuleSet raw = detail::load_rule_files(rules, diags);
  return detail::check_rule_test_names(test.name, test.text, raw);
}

}  // namespace casex
