// tools/cmd_test.cpp: `casex test`: runs rule test files (YAML cases) against a
// rule set: PASS/FAIL per case with the differences, JUnit XML, rule coverage.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "engine/common/markup.h"
#include "engine/ruletest/ruletest.h"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

struct TestOptions {
  std::vector<std::string> paths;
  std::string rules_dir, junit, format = "text";
  bool coverage = false;
  double min_coverage = -1;
};

struct Ran {
  const detail::RuleTestCase* c;
  detail::RuleTestResult r;
  double seconds;
};

// The .yaml/.yml files of the paths given (directories: their files, sorted),
// walked without throwing (engine/ruletest: a symlink loop is an error, not an abort).
std::vector<std::string> test_files(const std::vector<std::string>& paths, std::vector<std::string>& errors) {
  return detail::rule_test_files(paths, errors);
}

// Text for an XML 1.0 attribute value or element content: the one escaper
// (engine/common/markup.h), which also replaces what XML 1.0 cannot carry.
std::string xml(std::string_view s) { return detail::escape_markup(s, detail::Markup::Xml10); }

std::string failure_text(const Ran& x) {
  std::string out;
  for (const auto& d : x.r.differences) out += "    " + d + "\n";
  out += "    actual: " + x.r.actual + "\n";
  return out;
}

// The results as JUnit XML, written to `path` (flushed and closed, checked);
// false with `error` when it cannot be written.
bool write_junit(const std::string& path, const std::vector<Ran>& ran, std::string& error) {
  std::string out;
  std::vector<std::string> files;
  for (const auto& x : ran)
    if (std::find(files.begin(), files.end(), x.c->file) == files.end()) files.push_back(x.c->file);
  int failures = 0;
  for (const auto& x : ran) failures += !x.r.passed;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"casex test\" tests=\"{}\" failures=\"{}\">\n", ran.size(), failures);
  for (const auto& f : files) {
    int n = 0, failed = 0;
    double seconds = 0;
    for (const auto& x : ran)
      if (x.c->file == f) ++n, failed += !x.r.passed, seconds += x.seconds;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.6f}\">\n", xml(f), n, failed,
                       seconds);
    for (const auto& x : ran) {
      if (x.c->file != f) continue;
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.6f}\"",
                         xml(fs::path(f).stem().string()), xml(x.c->name), xml(f), x.c->line, x.seconds);
      if (x.r.passed) {
        out += "/>\n";
      } else {
        std::string first = x.r.differences.empty() ? "failed" : x.r.differences.front();
        out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                           xml(first.substr(0, first.find('\n'))), xml(failure_text(x)));
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return io::write_file(path, out, error);
}

bj::object coverage_json(const detail::RuleCoverage& cov) {
  bj::object o;
  bj::array groups;
  for (const auto& g : cov.groups) {
    int fired = 0;
    bj::array missed;
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
      if (g.hits[i] > 0) ++fired;
      else missed.push_back(bj::string(g.ids[i]));
    }
    int total = static_cast<int>(g.ids.size());
    groups.push_back({{"name", g.name}, {"fired", fired}, {"total", total},
                      {"percent", detail::coverage_percent(fired, total)}, {"not_fired", std::move(missed)}});
  }
  o["groups"] = std::move(groups);
  o["fired"] = cov.fired();
  o["total"] = cov.total();
  o["percent"] = detail::coverage_percent(cov.fired(), cov.total());
  return o;
}

void print_coverage(const detail::RuleCoverage& cov) {
  io::outf("\nCoverage: rules that fired in at least one case (tables, workflow moves, target entries, "
             "incoming rules)\n");
  std::vector<std::string> missed;
  for (const auto& g : cov.groups) {
    int fired = 0;
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
      if (g.hits[i] > 0) ++fired;
      else missed.push_back(g.ids[i]);
    }
    int total = static_cast<int>(g.ids.size());
    io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", g.name, fired, total, detail::coverage_percent(fired, total));
  }
  io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", "total", cov.fired(), cov.total(),
             detail::coverage_percent(cov.fired(), cov.total()));
  if (!missed.empty()) io::outf("  never fired: {}\n", fmt::join(missed, ", "));
}

int run(const TestOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  const auto& rules = loaded.rules->compiled();
  std::vector<std::string> errors;
  std::vector<std::string> paths = o.paths;
  if (paths.empty()) paths.push_back("tests/rules");
  std::vector<detail::RuleTestCase> cases;
  for (const auto& f : test_files(paths, errors)) {
    auto more = detail::read_rule_tests(f, rules.rules.vocabulary, errors);
    std::move(more.begin(), more.end(), std::back_inserter(cases));
  }
  for (const auto& e : errors) io::errf("casex test: {}\n", e);
  if (!errors.empty()) return 2;
  detail::RuleTestRunner runner(rules);
  std::vector<Ran> ran;
  int failed = 0;
  for (const auto& c : cases) {
    auto t0 = std::chrono::steady_clock::now();
    detail::RuleTestResult r = runner.run(c);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    failed += !r.passed;
    ran.push_back({&c, std::move(r), s});
  }
  const auto& cov = runner.coverage();
  bool enough = o.min_coverage < 0 || detail::coverage_reaches(cov.fired(), cov.total(), o.min_coverage);
  if (o.format == "json") {
    bj::array list;
    for (const auto& x : ran) {
      bj::array diffs;
      for (const auto& d : x.r.differences) diffs.push_back(bj::string(d));
      list.push_back({{"file", x.c->file}, {"line", x.c->line}, {"name", x.c->name},
                      {"status", x.r.passed ? "pass" : "fail"}, {"differences", std::move(diffs)},
                      {"actual", x.r.actual}});
    }
    bj::object doc{{"cases", std::move(list)},
                   {"passed", static_cast<int>(ran.size()) - failed},
                   {"failed", failed}};
    if (o.coverage || o.min_coverage >= 0) doc["coverage"] = coverage_json(cov);
    if (o.min_coverage >= 0) doc["min_coverage_met"] = enough;
    io::outf("{}\n", bj::serialize(doc));
  } else {
    for (const auto& x : ran) {
      io::outf("{} {}:{}: {}\n", x.r.passed ? "PASS" : "FAIL", x.c->file, x.c->line, x.c->name);
      if (!x.r.passed) io::outf("{}", failure_text(x));
    }
    io::outf("\n{} case{}: {} passed, {} failed\n", ran.size(), ran.size() == 1 ? "" : "s",
               static_cast<int>(ran.size()) - failed, failed);
    if (o.coverage || o.min_coverage >= 0) print_coverage(cov);
    if (!enough)
      io::outf("coverage {}% is below the minimum {}%\n", detail::coverage_percent(cov.fired(), cov.total()),
                 o.min_coverage);
  }
  std::string junit_error;
  if (!o.junit.empty() && !write_junit(o.junit, ran, junit_error)) {
    io::errf("casex test: {}\n", junit_error);
    return 2;
  }
  return failed || !enough ? 1 : 0;
}

}  // namespace

void add_test_command(CLI::App& app, int& status) {
  auto o = std::make_shared<TestOptions>();
  auto* cmd = app.add_subcommand(
      "test",
      "Run rule test files: YAML cases, each an input (the `casex eval` shape, written as YAML) and\n"
      "the expected result (partial: only what the case names is compared). Prints PASS/FAIL per\n"
      "case with the differences. Exit status: 0 all pass (and coverage reached), 1 a case fails or\n"
      "coverage is below --min-coverage, 2 unreadable test files, rules that do not load, an output\n"
      "(standard output or --junit FILE) that cannot be written, or an internal error.");
  cmd->add_option("PATH", o->paths, "Rule test files or directories of them (default: tests/rules)");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to FILE");
  cmd->add_flag("--coverage", o->coverage,
                "Report which rules fired in at least one case, per table and in total (workflow moves,\n"
                "target entries and incoming rules included)");
  cmd->add_option("--min-coverage", o->min_coverage, "Fail when the total coverage is below N percent (exact)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--format", o->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &status] { status = io::guarded("test", 2, [&] { return run(*o); }); });
}

}  // namespace casex::cli
