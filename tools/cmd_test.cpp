// tools/cmd_test.cpp: `casex test`: runs rule test files (YAML cases) against a
// rule set: PASS/FAIL per case with the differences, JUnit XML, rule coverage.
#include <fmt/format.h>
#include <boost/json.hpp>
#include <cstdlib>

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
  std::vector<std::string> min_coverage;  // "N" (rules) or "conditions=N"
  double min_rules = -1, min_conditions = -1;
};

// --min-coverage N (the rule figure) or conditions=N (the condition figure);
// "" when it reads, else why not.
std::string read_min_coverage(const std::string& arg, double& rules, double& conditions) {
  std::string number = arg;
  double* into = &rules;
  if (arg.rfind("conditions=", 0) == 0) {
    number = arg.substr(11);
    into = &conditions;
  } else if (arg.rfind("rules=", 0) == 0) {
    number = arg.substr(6);
  }
  char* end = nullptr;
  double v = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  if (number.empty() || *end || !(v >= 0 && v <= 100))
    return "expected N, rules=N or conditions=N with N a percentage from 0 to 100, got \"" + arg +
           "\"";
  *into = v;
  return "";
}

bj::object conditions_json(const RuleTestReport& r) {
  bj::array rules;
  for (const auto& rc : r.conditions) {
    bj::array conds, members;
    for (const auto& c : rc.conditions)
      conds.push_back(
          {{"condition", c.text}, {"seen_true", c.seen_true}, {"seen_false", c.seen_false}});
    for (const auto& m : rc.members)
      members.push_back({{"condition", m.condition}, {"member", m.value}, {"matched", m.matched}});
    rules.push_back({{"table", rc.table},
                     {"rule", rc.rule},
                     {"covered", rc.covered()},
                     {"total", rc.total()},
                     {"percent", coverage_percent(rc.covered(), rc.total())},
                     {"conditions", std::move(conds)},
                     {"members", std::move(members)}});
  }
  return {{"rules", std::move(rules)},
          {"covered", r.conditions_covered},
          {"total", r.conditions_total},
          {"percent", coverage_percent(r.conditions_covered, r.conditions_total)}};
}

// What a rule's conditions still miss, e.g. `changed(solution) never false`.
std::vector<std::string> condition_gaps(const RuleConditionCoverage& rc) {
  std::vector<std::string> gaps;
  for (const auto& c : rc.conditions) {
    if (!c.seen_true && !c.seen_false)
      gaps.push_back(c.text + " never evaluated");
    else if (!c.seen_true)
      gaps.push_back(c.text + " never true");
    else if (!c.seen_false)
      gaps.push_back(c.text + " never false");
  }
  for (const auto& m : rc.members)
    if (!m.matched) gaps.push_back(fmt::format("{} never matched {}", m.condition, m.value));
  return gaps;
}

void print_conditions(const RuleTestReport& r) {
  io::outf(
      "\nCondition coverage: each condition of a rule seen true and false, each member of an `in "
      "[...]` list matched\n");
  std::vector<std::string> gaps;
  for (const auto& rc : r.conditions) {
    if (rc.total() == 0) continue;
    io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", rc.rule, rc.covered(), rc.total(),
             coverage_percent(rc.covered(), rc.total()));
    auto g = condition_gaps(rc);
    if (!g.empty()) gaps.push_back(fmt::format("    {}: {}", rc.rule, fmt::join(g, "; ")));
  }
  io::outf("  {:<34} {:>3}/{:<3} {:>5}%\n", "total", r.conditions_covered, r.conditions_total,
           coverage_percent(r.conditions_covered, r.conditions_total));
  if (!gaps.empty()) io::outf("  not covered:\n{}\n", fmt::join(gaps, "\n"));
}

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

int run(TestOptions o) {
  for (const auto& m : o.min_coverage) {
    std::string why = read_min_coverage(m, o.min_rules, o.min_conditions);
    if (!why.empty()) {
      io::errf("casex test: --min-coverage: {}\n", why);
      return 2;
    }
  }
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
  bool enough_rules = o.min_rules < 0 || coverage_reaches(cov.fired, cov.total, o.min_rules);
  bool enough_conditions =
      o.min_conditions < 0 ||
      coverage_reaches(report.conditions_covered, report.conditions_total, o.min_conditions);
  bool enough = enough_rules && enough_conditions;
  bool show = o.coverage || o.min_rules >= 0 || o.min_conditions >= 0;
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
    if (show) {
      bj::object c = coverage_json(cov);
      c["conditions"] = conditions_json(report);
      doc["coverage"] = std::move(c);
    }
    if (o.min_rules >= 0) doc["min_coverage_met"] = enough_rules;
    if (o.min_conditions >= 0) doc["min_condition_coverage_met"] = enough_conditions;
    io::outf("{}\n", bj::serialize(doc));
  } else {
    io::out(rules_line(o.rules_dir, loaded.rules->version()));
    for (const auto& x : ran) {
      io::outf("{} {}:{}: {}\n", x.passed ? "PASS" : "FAIL", x.file, x.line, x.name);
      if (!x.passed) io::outf("{}", failure_text(x));
    }
    io::outf("\n{} case{}: {} passed, {} failed\n", ran.size(), ran.size() == 1 ? "" : "s",
             static_cast<int>(ran.size()) - failed, failed);
    if (show) print_coverage(cov);
    if (show) print_conditions(report);
    if (!enough_rules)
      io::outf("coverage {}% is below the minimum {}%\n", coverage_percent(cov.fired, cov.total),
               o.min_rules);
    if (!enough_conditions)
      io::outf("condition coverage {}% is below the minimum {}%\n",
               coverage_percent(report.conditions_covered, report.conditions_total),
               o.min_conditions);
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
      "target entries and incoming rules included), and the condition coverage of each rule:\n"
      "each condition seen true and false, each member of an `in [...]` list matched");
  cmd->add_option("--min-coverage", o->min_coverage,
                  "N: fail when the rule coverage (total) is below N percent (exact);\n"
                  "conditions=N: when the condition coverage (total) is; may be given twice")
      ->expected(1)
      ->allow_extra_args(false)  // one value per --min-coverage: PATHs stay PATHs
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &status] { status = io::guarded("test", 2, [&] { return run(*o); }); });
}

}  // namespace casex::cli
