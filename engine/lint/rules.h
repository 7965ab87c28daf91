// engine/lint/rules.h: the one interface every lint rule implements (one file
// per rule, engine/lint/rule_*.cpp), and the sink they report findings into.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/lint/analysis.h"
#include "engine/lint/lint.h"

namespace casex::detail::lint {

/// Collects the findings of the lint rules, in the one Diagnostic shape.
class Sink {
 public:
  /// Adds a finding; the reference (valid until the next report) lets the
  /// caller add the places it relates to.
  Diagnostic& report(Code code, const Location& at, std::string message, std::string help = {},
                     std::string witness = {});
  std::vector<Diagnostic>& items() { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

/// What a rule-set-wide lint rule sees: the rule set and every table's analysis
/// (null for a table that was not analysed because its rules do not all compile).
struct RuleSetView {
  const CompiledRules& rules;
  const RawRuleSet* raw;
  const std::vector<std::unique_ptr<TableAnalysis>>& tables;
  bool has_errors;  // the rule set has load errors: some rules may be missing
};

/// A lint rule: checks each table, then the whole rule set. The rules run in the
/// order of all_rules(); a rule may read what earlier ones recorded (`dead`).
class Rule {
 public:
  virtual ~Rule() = default;
  /// The code of the rule's findings.
  virtual Code code() const = 0;
  /// Checks one analysed table.
  virtual void check_table(TableAnalysis&, Sink&) {}
  /// Checks the rule set once every table has been checked.
  virtual void check_rule_set(const RuleSetView&, Sink&) {}
};

std::unique_ptr<Rule> unsatisfiable_scenario_rule();  // rule_unsatisfiable.cpp
std::unique_ptr<Rule> shadowed_rule_rule();           // rule_shadowed.cpp
std::unique_ptr<Rule> unique_overlap_rule();          // rule_unique_overlap.cpp
std::unique_ptr<Rule> incomplete_table_rule();        // rule_incomplete.cpp
std::unique_ptr<Rule> redundant_condition_rule();     // rule_redundant_condition.cpp
std::unique_ptr<Rule> unused_operation_rule();        // rule_unused_operation.cpp

/// Every lint rule, in the order they run.
std::vector<std::unique_ptr<Rule>> all_rules();

/// Reports analysis-incomplete for a table whose budget ran out.
void report_incomplete(const TableAnalysis& a, Sink& sink);
/// Reports analysis-incomplete for a table left unanalysed: the run's budget is spent.
void report_not_analysed(const CompiledRules& rules, int table, const RawRuleSet* raw, Sink& sink);

/// Rule ids as a list for messages: "a", "a" and "b", "a", "b" and "c".
std::string quoted_list(const std::vector<std::string>& ids);

}  // namespace casex::detail::lint
