// engine/ruletest/ruletest.h: rule test files -> case results and rule coverage.
// A rule test file (YAML) holds named cases: an input in the `casex eval` shape and
// the expected result, partial (only what a case names is compared).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "engine/compile/program.h"
#include "engine/json/json_io.h"

namespace casex::detail {

struct RawRuleSet;  // engine/load/raw.h

/// One case of a rule test file.
struct RuleTestCase {
  std::string file;  // the test file, as given
  std::string name;
  int line = 0;                // 1-based line of the case in its file
  std::string input;           // the input as a JSON document
  boost::json::object expect;  // the expected result (partial), or {"error": SUBSTRING}
};

/// The rule test files of `paths`: a directory's *.yaml and *.yml files at any
/// depth (sorted; entries so named that are not directories are files to read,
/// whatever they are), a file as given. Never throws: a directory that cannot be
/// listed, or holds no test file, goes to `errors` as "path: message".
std::vector<std::string> rule_test_files(const std::vector<std::string>& paths,
                                         std::vector<std::string>& errors);

/// Reads the cases of one rule test file; each problem found goes to `errors`
/// as "file:line: message". `v` gives the field types for reading scalars.
std::vector<RuleTestCase> read_rule_tests(const std::string& path, const Vocabulary& v,
                                          std::vector<std::string>& errors);

/// The names a rule test file (`path`, given as `text`) writes that the rule
/// set `raw` does not declare, as diagnostics at their scalars: a phase
/// (unknown-phase: `phase` of input.before, input.after, expect and expect's
/// operations) and a rule id (unknown-rule: `rule` of expect and of expect's
/// operations and suppressed entries). A file that is not YAML gives the
/// loader's yaml-syntax diagnostic; a file of another shape gives nothing
/// (casex test reports it).
std::vector<Diagnostic> check_rule_test_names(const std::string& path, const std::string& text,
                                              const RawRuleSet& raw);

/// The outcome of one case.
struct RuleTestResult {
  bool passed = false;
  std::vector<std::string> differences;  // "path: expected X, got Y", one per mismatch
  std::string actual;                    // the result document, or "error: MESSAGE"
};

/// Which rules fired in at least one case: per table, workflow moves, target
/// entries and incoming rules.
struct RuleCoverage {
  struct Group {
    std::string name;  // "table resolution", "workflow moves", "targets", "incoming"
    std::vector<std::string> ids;
    std::vector<int> hits;  // parallel to ids: how many times each fired
  };
  std::vector<Group> groups;
  int fired() const;
  int total() const;
};

/// Condition coverage of the tables' rules, from the evaluator's trace: per
/// table, each atom (an atomic condition of the compiled table) seen true and
/// seen false at a step of some case, and each member of an atom `x in [...]`
/// (or `not in`) matched; per rule, the atoms of its rows.
struct ConditionCoverage {
  struct Atom {
    bool seen_true = false, seen_false = false;
    std::vector<bool> matched;  // `in`/`not in`: per member of the list
  };
  struct Table {
    std::vector<Atom> atoms;                        // parallel to DecisionTable::atoms
    std::vector<std::vector<uint32_t>> rule_atoms;  // per rule: its atoms, ascending
  };
  std::vector<Table> tables;  // parallel to CompiledRules::tables
};

/// Whether fired/total reaches `percent` (exact: 999/1000 does not reach 100).
bool coverage_reaches(int fired, int total, double percent);
/// fired/total as a percentage rounded down to one decimal ("99.9", "100").
std::string coverage_percent(int fired, int total);

/// Runs cases against one rule set and accumulates coverage.
class RuleTestRunner {
 public:
  explicit RuleTestRunner(const CompiledRules& rules);
  RuleTestResult run(const RuleTestCase& c);
  const RuleCoverage& coverage() const { return coverage_; }
  const ConditionCoverage& conditions() const { return conditions_; }

 private:
  const CompiledRules& rules_;
  JsonEvaluator evaluator_;
  RuleCoverage coverage_;
  ConditionCoverage conditions_;
  void count_conditions(const EvalTrace& trace);
  std::size_t moves_ = 0, targets_ = 0, incoming_ = 0;  // group indices
};

}  // namespace casex::detail
