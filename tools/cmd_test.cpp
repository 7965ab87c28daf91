// tools/cmd_test.cpp: `casex test`: runs rule test files (YAML cases) against a
// rule set: PASS/FAIL per case with the differences, JUnit XML, rule coverage.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "casex/tooling.hpp"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

namespace bj = boost::json;

struct TestOptions {
  std::vector<std::string> paths;
  std::string rules_dir, junit, format = "text";
  bool coverage = false;
  double min_coverage = -1;
};

bj::object coverage_json(const RuleTestReport& cov) {
  bj::object o;
  bj::array groups;
  for (const auto& g : cov.coverage) {
    int fired = 0;
    bj::array missed;
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
      if (g.hits[i] > 0)
        ++fired;
      else
        missed.push_back(bj::string(g.ids[i]));
    }
    int total = static_cast<int>(g.ids.size());
    groups.push_back({{"name", g.name},
                      {"fired", fired},
                      {"total", total},
                      {"percent", coverage_percent(fired, total)},
                      {"not_fired", std::move(missed)}});
  }
  o["groups"] = std::move(groups);
  o["fired"] = cov.fired;
  o["total"] = cov.total;
  o["percent"] = coverage_percent(cov.fired, cov.total);
  return o;
}

void print_coverage(const RuleTestReport& cov) {
  io::outf(
      "\nCoverage: rules that fired in at least one case (tables, workflow moves, target entries, "
      "incoming rules)\n");
  std::vector<std::string> missed;
  for (const auto& g : cov.coverage) {
    int fired = 0;
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
      if (g.hits[i] > 0)
        ++fired;
      else
        missed.push_back(g.ids[i]);
    }
    int total = static_cast<int>(g.ids.size());
    io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", g.name, fired, total, coverage_percent(fired, total));
  }
  io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", "total", cov.fired, cov.total,
           coverage_percent(cov.fired, cov.total));
  if (!missed.empty()) io::outf("  never fired: {}\n", fmt::join(missed, ", "));
}

int run(const TestOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  std::vector<std::string> paths = o.paths;
  if (paths.empty()) paths.push_back("tests/rules");
  RuleTestReport report = run_rule_tests(*loaded.rules, paths);
  for (const auto& e : report.errors) io::errf("casex test: {}\n", e);
  if (!report.errors.empty()) return 2;
  const auto& ran = report.cases;
  int failed = report.failed();
  const auto& cov = report;
  bool enough = o.min_coverage < 0 || coverage_reaches(cov.fired, cov.total, o.min_coverage);
  if (o.format == "json") {
    bj::array list;
    for (const auto& x : ran) {
      bj::array diffs;
      for (const auto& d : x.differences) diffs.push_back(bj::string(d));
      list.push_back({{"file", x.file},
                      {"line", x.line},
                      {"name", x.name},
                      {"status", x.passed ? "pass" : "fail"},
                      {"differences", std::move(diffs)},
                      {"actual", x.actual}});
    }
    bj::object doc{{"cases", std::move(list)},
                   {"passed", static_cast<int>(ran.size()) - failed},
                   {"failed", failed}};
    if (o.coverage || o.min_coverage >= 0) doc["coverage"] = coverage_json(cov);
    if (o.min_coverage >= 0) doc["min_coverage_met"] = enough;
    io::outf("{}\n", bj::serialize(doc));
  } else {
    for (const auto& x : ran) {
      io::outf("{} {}:{}: {}\n", x.passed ? "PASS" : "FAIL", x.file, x.line, x.name);
      if (!x.passed) io::outf("{}", failure_text(x));
    }
    io::outf("\n{} case{}: {} passed, {} failed\n", ran.size(), ran.size() == 1 ? "" : "s",
             static_cast<int>(ran.size()) - failed, failed);
    if (o.coverage || o.min_coverage >= 0) print_coverage(cov);
    if (!enough)
      io::outf("coverage {}% is below the minimum {}%\n", coverage_percent(cov.fired, cov.total),
               o.min_coverage);
  }
  std::string junit_error;
  if (!o.junit.empty() && !io::write_file(o.junit, junit_xml(report), junit_error)) {
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
      "Run rule test files: YAML cases, each an input (the `casex eval` shape, written as YAML) "
      "and\n"
      "the expected result (partial: only what the case names is compared). Prints PASS/FAIL per\n"
      "case with the differences. Exit status: 0 all pass (and coverage reached), 1 a case fails "
      "or\n"
      "coverage is below --min-coverage, 2 unreadable test files, rules that do not load, an "
      "output\n"
      "(standard output or --junit FILE) that cannot be written, or an internal error.");
  cmd->add_option("PATH", o->paths,
                  "Rule test files or directories of them (default: tests/rules)");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to FILE");
  cmd->add_flag(
      "--coverage", o->coverage,
      "Report which rules fired in at least one case, per table and in total (workflow moves,\n"
      "target entries and incoming rules included)");
  cmd->add_option("--min-coverage", o->min_coverage,
                  "Fail when the total coverage is below N percent (exact)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &status] { status = io::guarded("test", 2, [&] { return run(*o); }); });
}

}  // namespace casex::cli
