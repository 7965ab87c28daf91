// tests/ruletest_test.cpp: `casex test`: rule test files read from YAML, partial
// expectations, readable differences, exact coverage, and the command's exit status and JUnit.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "casex/casex.hpp"
#include "casex/tooling.hpp"
#include "engine/api_internal.h"
#include "engine/ruletest/ruletest.h"

namespace fs = std::filesystem;

namespace {

const casex::RuleSet& builtin() {
  static casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  return rules;
}

// Writes a rule test file into a fresh temporary directory and returns its path.
std::string write_tests(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("casex-ruletest-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / (name + ".yaml"), std::ios::binary) << text;
  return (dir / (name + ".yaml")).string();
}

std::vector<casex::detail::RuleTestCase> read(const std::string& path,
                                              std::vector<std::string>& errors) {
  return casex::detail::read_rule_tests(path, casex::detail::compiled(builtin()).rules.vocabulary,
                                        errors);
}

const char* kSolution = R"(
cases:
  - name: a solution sends Update then Resolve
    input:
      before: {phase: InitialSupport, assignment: SM Tier 2}
      after: {phase: InitialSupport, assignment: SM Tier 2, solution: Rebooted}
      groups: {SM Tier 2: SM}
    expect:
      phase: Review
      operations: [Update to SM, {operation: Resolve, rule: validation.resolve}]
)";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("rule tests: a partial expectation compares only what the case names") {
  std::vector<std::string> errors;
  auto cases = read(write_tests("partial", kSolution), errors);
  REQUIRE(errors.empty());
  REQUIRE(cases.size() == 1);
  CHECK(cases[0].line == 3);
  casex::detail::RuleTestRunner runner(casex::detail::compiled(builtin()));
  auto r = runner.run(cases[0]);
  INFO(r.actual);
  CHECK(r.passed);
}

TEST_CASE(
    "rule tests: a failing case lists each difference with its path, expected and actual values") {
  std::string text = kSolution;
  text.replace(text.find("Update to SM"), 12, "Update to VENDOR");
  text.replace(text.find("phase: Review"), 13, "phase: Close");
  std::vector<std::string> errors;
  auto cases = read(write_tests("failing", text), errors);
  REQUIRE(cases.size() == 1);
  casex::detail::RuleTestRunner runner(casex::detail::compiled(builtin()));
  auto r = runner.run(cases[0]);
  CHECK_FALSE(r.passed);
  REQUIRE(r.differences.size() == 2);
  CHECK(r.differences[0] == R"(phase: expected "Close", got "Review")");
  CHECK(r.differences[1] == R"(operations[0].system: expected "VENDOR", got "SM")");
}

TEST_CASE(
    "rule tests: a plain number is text in a text field, and an expected error matches its "
    "message") {
  std::string text = R"(
cases:
  - name: a numeric group name is a group name
    input:
      before: {phase: InitialSupport, assignment: 42}
      after: {phase: InitialSupport, assignment: 7}
      groups: {7: 1234}
    expect:
      operations: [Assign to 1234]
  - name: an unknown phase is an input error
    input: {before: {phase: Reveiw}, after: {phase: Review}}
    expect: {error: unknown phase "Reveiw"}
)";
  std::vector<std::string> errors;
  auto cases = read(write_tests("typing", text), errors);
  REQUIRE(cases.size() == 2);
  casex::detail::RuleTestRunner runner(casex::detail::compiled(builtin()));
  for (const auto& c : cases) {
    auto r = runner.run(c);
    INFO(c.name << ": " << r.actual);
    CHECK(r.passed);
  }
}

TEST_CASE("rule tests: unknown keys and missing parts are reported with file and line") {
  std::string text =
      "cases:\n  - name: x\n    input: {before: {phase: Log}, after: {phase: Log}}\n"
      "    expect: {operatoins: []}\n  - name: y\n    inptu: {}\n";
  std::vector<std::string> errors;
  std::string path = write_tests("errors", text);
  auto cases = read(path, errors);
  CHECK(cases.empty());
  REQUIRE(errors.size() == 4);
  CHECK(errors[0] ==
        path +
            ":2: unknown key \"operatoins\" under expect (its keys: phase, operations, suppressed, "
            "incident, comments, external_reference, rule, error)");
  CHECK(errors[1].rfind(path + ":5: unknown key \"inptu\"", 0) == 0);
  CHECK(errors[2] == path + ":5: the case has no `input`");
  CHECK(errors[3] == path + ":5: the case has no `expect`");
}

TEST_CASE("rule tests: coverage is exact: 999 of 1000 is 99.9% and does not reach 100") {
  using casex::detail::coverage_percent;
  using casex::detail::coverage_reaches;
  CHECK(coverage_percent(999, 1000) == "99.9");
  CHECK(coverage_percent(1999, 2000) == "99.9");  // 99.95 rounds down, never up to 100
  CHECK(coverage_percent(2, 3) == "66.6");
  CHECK(coverage_percent(23, 23) == "100");
  CHECK_FALSE(coverage_reaches(999, 1000, 100));
  CHECK_FALSE(coverage_reaches(1999, 2000, 100));
  CHECK(coverage_reaches(1999, 2000, 99.95));
  CHECK(coverage_reaches(2, 3, 66.6));
  CHECK_FALSE(coverage_reaches(2, 3, 66.7));
}

TEST_CASE(
    "rule tests: coverage counts table rules, workflow moves, target entries and incoming rules") {
  std::vector<std::string> errors;
  auto cases = read(write_tests("coverage", kSolution), errors);
  casex::detail::RuleTestRunner runner(casex::detail::compiled(builtin()));
  runner.run(cases.at(0));
  const auto& cov = runner.coverage();
  CHECK(cov.total() == 23);  // 11 table rules, 1 move, 4 target entries, 7 incoming rules
  CHECK(cov.fired() == 4);   // resolution.update, validation.resolve, the move, targets entry 4
}

TEST_CASE("rule tests: casex test exits 1 on a failing case and writes JUnit XML naming it") {
  std::string text = kSolution;
  text.replace(text.find("phase: Review"), 13, "phase: Close");
  std::string path = write_tests("junit", text);
  std::string junit = path + ".xml";
  std::string cmd =
      std::string(CASEX_BINARY) + " test " + path + " --junit " + junit + " > /dev/null";
  int status = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(status) == 1);
  std::string xml = slurp(junit);
  CHECK(xml.find("<testsuites name=\"casex test\" tests=\"1\" failures=\"1\">") !=
        std::string::npos);
  CHECK(xml.find("name=\"a solution sends Update then Resolve\"") != std::string::npos);
  CHECK(
      xml.find("<failure message=\"phase: expected &quot;Close&quot;, got &quot;Review&quot;\">") !=
      std::string::npos);
}

TEST_CASE(
    "rule tests: casex test --min-coverage fails below the minimum even when every case passes") {
  std::string path = write_tests("mincov", kSolution);
  std::string base = std::string(CASEX_BINARY) + " test " + path + " > /dev/null";
  CHECK(WEXITSTATUS(std::system(base.c_str())) == 0);
  CHECK(WEXITSTATUS(std::system((base + " --min-coverage 17.3").c_str())) == 0);  // 4/23 = 17.39%
  CHECK(WEXITSTATUS(std::system((base + " --min-coverage 17.4").c_str())) == 1);
}

namespace {

const casex::RuleConditionCoverage& rule_of(const casex::RuleTestReport& r, const std::string& id) {
  for (const auto& rc : r.conditions)
    if (rc.rule == id) return rc;
  FAIL("no rule " << id);
  return r.conditions.front();
}

}  // namespace

TEST_CASE(
    "rule tests: condition coverage: a rule that fires can still leave a member of its `in` list "
    "unmatched and a condition never false") {
  const std::string data = std::string(CASEX_TEST_DATA_DIR) + "/coverage";
  auto rules = casex::RuleSet::load_directory(data + "/rules");
  REQUIRE(rules.rules);
  casex::RuleTestReport r = casex::run_rule_tests(*rules.rules, {data + "/cases.yaml"});
  REQUIRE(r.errors.empty());
  CHECK(r.failed() == 0);
  // Every rule of the Validation table fires: the rule figure is complete there.
  for (const auto& g : r.coverage)
    if (g.name == "table validation")
      for (int h : g.hits) CHECK(h > 0);
  const auto& cancel = rule_of(r, "validation.cancel");
  CHECK(cancel.table == "validation");
  REQUIRE(cancel.conditions.size() == 2);
  CHECK(cancel.conditions[0].text == "changed(completion_code)");
  CHECK(cancel.conditions[0].seen_true);
  CHECK(cancel.conditions[0].seen_false);  // the comment case
  REQUIRE(cancel.members.size() == 2);
  CHECK(cancel.members[0].value == "\"WithdrawnbyUser\"");
  CHECK(cancel.members[0].matched);
  CHECK(cancel.members[1].value == "\"CompletionCodeAbandonedByUser\"");
  CHECK_FALSE(cancel.members[1].matched);  // no case for the code the admin added
  CHECK(cancel.covered() == 5);
  CHECK(cancel.total() == 6);
  // A table no case reaches: its conditions are never seen either way.
  const auto& close = rule_of(r, "done.close");
  CHECK(close.covered() == 0);
  CHECK(close.total() > 0);
  int covered = 0, total = 0;
  for (const auto& rc : r.conditions) covered += rc.covered(), total += rc.total();
  CHECK(r.conditions_covered == covered);
  CHECK(r.conditions_total == total);
}

TEST_CASE(
    "rule tests: condition coverage comes from the trace: a case reaching a table sees each "
    "of its conditions true or false") {
  std::vector<std::string> errors;
  auto cases = read(write_tests("conditions", kSolution), errors);
  casex::detail::RuleTestRunner runner(casex::detail::compiled(builtin()));
  runner.run(cases.at(0));
  const auto& compiled = casex::detail::compiled(builtin());
  const auto& cc = runner.conditions();
  REQUIRE(cc.tables.size() == compiled.tables.size());
  for (std::size_t t = 0; t < compiled.tables.size(); ++t) {
    const std::string& id = compiled.rules.tables[t].id;
    bool reached = id == "resolution" || id == "validation";  // the case's two steps
    for (const auto& a : cc.tables[t].atoms) CHECK((a.seen_true || a.seen_false) == reached);
  }
}
