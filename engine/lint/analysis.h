// engine/lint/analysis.h: what every lint rule of a table starts from
// (TableAnalysis): the rows as literal sets, which rows can match at all, which
// pairs of rows can match one change (found through an index, not all pairs),
// and where each condition is written in the rule files.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/eval/eval.h"
#include "engine/json/json_io.h"
#include "engine/lint/theory.h"
#include "engine/load/raw.h"

namespace casex::detail::lint {

/// A row's domain for one variable, for the quick test that two rows conflict.
struct VarDomain {
  int var = -1;
  bool finite = false;
  std::vector<int> vals;  // finite: allowed values; else: excluded values
};

/// The constants of a table's theory, for writing witnesses: every text and
/// number, and those that ordering comparisons name (a fresh value is written
/// at its place among them). Extended as the theory grows, not rebuilt per witness.
struct ValueCatalog {
  std::set<std::string> texts, text_bounds;
  std::set<double> numbers, number_bounds;
  double max_number = 0;
  std::size_t values = 0, atoms = 0;  // how many of the theory's values and atoms are in
  void update(const TableTheory& t);
};

/// The parts of a change document that a model sets: everything but the phases.
struct ModelDocument {
  std::string record, before_fields, after_fields, rest;
  /// The change document with these phases (ids of `v`).
  std::string with_phases(const Vocabulary& v, int before, int after) const;
};

/// Writes a model as a change document (fresh values named by their role,
/// placed among the constants of ordering comparisons); the model's phases are
/// the caller's to choose (lint's witnesses, casex diff's).
ModelDocument model_document(const TableTheory& theory, ValueCatalog& catalog, const Model& model);

/// Rewrites an expression into a theory's vocabulary (casex diff: the new
/// rules' slots into the merged vocabulary); empty: the expression as it is.
using ExprMap = std::function<TExpr(const TExpr&)>;

/// One way the operation of a rule finds its system: the rule's own
/// `system:` (entry -1), or a targets: entry whose `when` holds (units, one
/// row of its DNF) while every earlier entry's fails (clauses).
struct TargetChoice {
  Conj units;
  std::vector<Clause> clauses;
  TExpr system;
  int entry = -1;
};
/// Every way, in order, the operation of `rule` finds its system.
std::vector<TargetChoice> target_choices(TableTheory& theory, const CompiledRules& rules,
                                         const CheckedRule& rule, const ExprMap& map = {});

/// The analysis of one compiled table, shared by the lint rules.
class TableAnalysis {
 public:
  TableAnalysis(const CompiledRules& rules, int table, const RawRuleSet* raw,
                JsonEvaluator& evaluator, std::size_t budget_steps = Budget::kDefault,
                const std::function<bool()>* cancel = nullptr);

  const CompiledRules& rules;
  const int table;
  const CheckedTable& checked;
  const DecisionTable& compiled;
  TableTheory theory;
  Budget
      budget;  // the work this table's analysis may do (see Budget); lint reports when it ran out
  Solver solver;

  std::vector<Conj> rows;                        // per row of the compiled table
  std::vector<std::vector<uint32_t>> rule_rows;  // per rule, its rows
  std::vector<Sat> row_sat;                      // can the row match some change?
  std::vector<std::vector<uint32_t>>
      overlaps;  // per row, the rows that may match one change with it (sorted)
  // per row, the first row with the same literals (and, under priority, the same
  // priority), or the row itself. The index pairs only the first rows: a later
  // copy overlaps its first row (and the first row its copies), nothing else is
  // listed for it; rules of copies are reported once, against the first.
  // Under first and priority, a row that differs from a row that wins over it
  // only in ordering comparisons of one variable, with a range inside that
  // row's, is listed the same way (it never fires where the other does not:
  // N rules `x > "S<i>"` are N-1 pairs, not N²/2).
  std::vector<uint32_t> first_copy;
  std::vector<char> dead;  // per rule: proven never to fire (set by the lint rules)
  std::vector<char>
      too_complex;  // per rule: no rows, its scenario exceeds kMaxRowsPerRule (not analysed)
  std::size_t candidate_pairs = 0;  // pairs the index let through to the solver

  /// The rows `wanted` keeps that the quick test does not rule out meeting `units`
  /// (a superset of the rows that can match a change together with them).
  std::vector<uint32_t> rows_meeting(const Conj& units,
                                     const std::function<bool(uint32_t row)>& wanted) const;

  /// Frees what only the lint rules of the table read (the solver's memo, the
  /// overlaps); `dead` stays for the rule-set-wide rules.
  void release();

  /// Whether rule `a` wins over rule `b` when both match (first, priority); never for unique,
  /// collect.
  bool beats(uint32_t a, uint32_t b) const;
  /// Whether a rule can match at all: Yes if a row can, No if none can.
  Sat rule_sat(uint32_t rule) const;

  /// A literal as written in rule `rule` ("not is_external(before.assignment)").
  std::string text(uint32_t rule, Lit l) const;
  /// A literal as written in the first rule that writes it ("" if none does).
  std::string text_any(Lit l) const;
  /// Where a literal's condition is written in rule `rule` (the rule's position if unknown).
  Location where(uint32_t rule, uint32_t atom) const;
  /// Where the rule's condition is (all of it), where its id is, and where the table's id is.
  Location rule_location(uint32_t rule) const;
  Location id_location(uint32_t rule) const;
  Location table_location() const;

  /// What a witness must show: the trace of the table's step, the evaluation
  /// (ok, and the result document or the error).
  using StepCheck = std::function<bool(const EvalTrace::Step& step, const EvalTrace& trace, bool ok,
                                       const std::string& result)>;
  /// The change document of a model, checked with the evaluator: "" when no
  /// choice of phases makes the table's step show what `check` asks.
  std::string witness(const Model& model, const StepCheck& check);
  /// Whether a row matches in a step's atom bits.
  bool row_matches(const EvalTrace::Step& step, uint32_t row) const;
  /// The clauses that make the operation of rule `rule` find a target system
  /// (alternatives: each a conjunction of units plus clauses).
  struct Alternative {
    Conj units;
    std::vector<Clause> clauses;
  };
  std::vector<Alternative> target_alternatives(uint32_t rule);

 private:
  void index_overlaps();
  const ast::Span* span_of(uint32_t rule, uint32_t atom) const;

  void contain_ranges();

  std::vector<std::vector<VarDomain>> sums_;  // per row: its variables' domains
  ValueCatalog catalog_;
  const RawRuleSet* raw_;
  const RawTable* raw_table_ = nullptr;
  std::vector<const RawRule*> raw_rules_;  // per rule, or null
  JsonEvaluator& evaluator_;
};

}  // namespace casex::detail::lint
