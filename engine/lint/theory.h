// engine/lint/theory.h: the meaning of a decision table's atoms for the lint:
// each atom as a constraint over the values of a change (TableTheory), and a
// solver that decides conjunctions and clause sets of atom literals, with a model.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/compile/dnf.h"
#include "engine/compile/program.h"

namespace casex::detail::lint {

/// An atom literal: the atom's index in the TableTheory and the truth it must have.
using Lit = Literal;
using Conj = Conjunction;         // sorted by atom
using Clause = std::vector<Lit>;  // a disjunction

/// The kinds of values a variable of a change takes.
enum class Sort : uint8_t { Text, Number, Bool, Phase, Truth };

/// A value of the theory: "no value", a constant of the rules, or a fresh value
/// (a text or number that no rule names). Fresh values of texts and numbers are
/// ordered against the constants (ordering comparisons read it): a fresh value
/// lies above every constant (kAbove, the first choice of the search), below
/// every one (kBelow), or just above constant `anchor` and below every
/// constant greater than it; the witness writer picks a real text or number
/// there (engine/lint/analysis.cpp).
struct TheoryValue {
  enum class Kind : uint8_t { None, Const, Fresh } kind = Kind::None;
  Sort sort = Sort::Text;
  ConstKind const_kind = ConstKind::None;
  std::string text;
  double number = 0;
  bool boolean = false;
  int sym = -1;  // phase id
  static constexpr int kAbove = -2, kBelow = -1;
  int anchor = kAbove;  // Fresh: kAbove, kBelow, or the value id of a constant
  int k = 0;            // Fresh: which of the distinct fresh values at that place
};

/// What a change has that an atom reads.
struct Var {
  enum class Kind : uint8_t {
    Field,
    Ref,
    RefSystem,
    RefId,
    Origin,
    Record,
    Event,
    Entered,
    ExtSys,
    Sent,  // sent_before(operation[, system]): a boolean of the change's `sent` list
    Opaque
  };
  Kind kind = Kind::Field;
  Sort sort = Sort::Text;
  Side side = Side::After;
  int slot = -1;       // field or event slot
  int arg_var = -1;    // ExtSys: the group, a variable...
  int arg_value = -1;  // ...or a constant
  std::string key;
  std::string sent_op, sent_system;  // Sent: the operation, and the system (empty: any)
};

/// An atom as a constraint: var in set, var == var2, var OP constant (Range:
/// `<`, `<=`, `>`, `>=` as the evaluator orders texts and numbers; false when
/// the variable has no value), or a free boolean.
struct AtomDef {
  enum class Kind : uint8_t { Domain, Equal, Opaque, True, False, Range } kind = Kind::Opaque;
  int var = -1, var2 = -1;
  std::vector<int> set;  // sorted value ids (Domain)
  int bound = -1;        // Range: the constant's value id
  bool upper = false;    // Range: var < bound or var <= bound (else var > / >= bound)
  bool strict = false;   // Range: < or > (else <= or >=)
  bool neg = false;      // the atom is the negation of the constraint
  bool exact = true;     // false: the theory treats it as a free boolean (sound, not complete)
};

/// Where the table is consulted: a metaphase's step or a transition's.
struct TableScope {
  int metaphase = -1;
  std::vector<std::pair<int, int>> pairs;  // a transition table's pairs of phases
};

/// A model: a value id for each variable the query reads (sorted by variable);
/// the others are not constrained by it.
struct Model {
  std::vector<std::pair<int, int>> value;  // (variable, value id)
  /// The value of `var`, or -1 when the model does not assign it.
  int at(int var) const {
    auto it = std::lower_bound(value.begin(), value.end(), std::make_pair(var, INT_MIN));
    return it != value.end() && it->first == var ? it->second : -1;
  }
};

/// The theory of one table: its variables, values and atom constraints.
class TableTheory {
 public:
  TableTheory(const CompiledRules& rules, int table);
  /// A theory with no atoms yet, over `vocab` (which must outlive it), in
  /// `scope` (none: the phases and entered() are not tied to a table's step;
  /// a caller that fixes them adds their literals, as `casex diff` does).
  explicit TableTheory(const Vocabulary& vocab, TableScope scope = {});

  /// Interns an atom (a boolean expression that is not and/or/not) and returns its index.
  uint32_t atom(const TExpr& e);
  /// Converts a boolean expression to DNF over atoms; false when it exceeds `limit` rows.
  bool dnf(const TExpr& e, bool negate, std::vector<Conj>& out, std::size_t limit = 64);

  const std::vector<AtomDef>& atoms() const { return atoms_; }
  const std::vector<TExpr>& atom_exprs() const { return exprs_; }
  const std::vector<Var>& vars() const { return vars_; }
  const std::vector<TheoryValue>& values() const { return values_; }
  const Vocabulary& vocabulary() const { return vocab_; }
  const TableScope& scope() const { return scope_; }
  int var_index(std::string_view key) const;
  /// The value id of phase `p`.
  int phase(int p);
  /// A fresh value of a sort, number k (0-based), interned: above every constant.
  int fresh(Sort s, int k);
  /// The k-th fresh value of a sort at a place (TheoryValue::kBelow, or just above constant
  /// `anchor`).
  int gap(Sort s, int anchor, int k);
  /// Orders two values as the evaluator orders texts and numbers: -1, 0, 1, or 2
  /// when they cannot be ordered (no value, other sorts, two fresh values at one place).
  int order(int a, int b) const;
  /// Whether value `v` satisfies the range of a Range atom (not negated).
  bool in_range(int v, const AtomDef& d) const;
  /// Whether a literal holds in a model (variables not in the model take their default).
  bool holds(const Model& m, Lit l) const;
  /// The value a model gives a variable, or its default ("no value", false).
  int value_of(const Model& m, int var) const;

  static constexpr int kNone = 0, kFalse = 1, kTrue = 2;

 private:
  int var(Var v);
  int value(TheoryValue v);
  // A value expression as a variable (>= 0) or a constant (-2 - value id); -1: not modelled.
  int term(const TExpr& e);
  AtomDef define(const TExpr& e);

  const Vocabulary& vocab_;
  TableScope scope_;
  std::vector<AtomDef> atoms_;
  std::vector<TExpr> exprs_;
  std::unordered_map<std::string, uint32_t> atom_index_;
  std::vector<Var> vars_;
  std::unordered_map<std::string, int> var_index_;
  std::vector<TheoryValue> values_;
  std::unordered_map<std::string, int> value_index_;
};

/// Outcome of a satisfiability question.
enum class Sat : uint8_t { Yes, No, Unknown };

/// The work the analysis of one table may do, in solver steps: a node of the
/// small-model or the DPLL search, a literal handed to the solver, a value of a
/// model kept, a pair of rows the overlap index tests, a witness run through the
/// evaluator (kEvalSteps). Time and memory grow with the steps spent, so the
/// budget bounds both; past it every question is Unknown, the lint rules stop,
/// and lint reports `analysis-incomplete` for the table.
struct Budget {
  static constexpr std::size_t kDefault = 4'000'000;
  static constexpr std::size_t kRun = 4 * kDefault;  // every table of one lint run together
  static constexpr std::size_t kEvalSteps = 200;     // a witness run through the evaluator
  static constexpr std::size_t kMemoSteps = 16;      // an answer kept in the solver's memo

  std::size_t limit = kDefault;
  std::size_t used = 0;
  std::string stage;      // the analysis running now ("the overlap index", a lint code)
  int rule = -1;          // the rule it is at (-1: none)
  std::string stopped;    // the stage that ran out first ("" while within the budget)
  int stopped_rule = -1;  // and the rule it was at
  /// Asked every kCancelSteps steps: true stops the analysis (the budget is then
  /// exhausted and `cancelled` set). Null: never stopped.
  const std::function<bool()>* cancel = nullptr;
  bool cancelled = false;
  static constexpr std::size_t kCancelSteps = 4096;

  /// Spends `n` steps; false once the budget is exhausted (or the analysis cancelled).
  bool spend(std::size_t n) {
    std::size_t before = used;
    used += n;
    if (cancel && before / kCancelSteps != used / kCancelSteps && !cancelled && (*cancel)()) {
      cancelled = true;
      limit = 0;
    }
    if (used <= limit) return true;
    if (stopped.empty()) {
      stopped = stage;
      stopped_rule = rule;
    }
    return false;
  }
  bool exhausted() const { return used > limit; }
};

/// Decides conjunctions of literals (exactly for the modelled atoms, treating the
/// others as free booleans) and conjunctions plus clauses (DPLL guided by models).
/// Answers are memoized; a node budget bounds each question (then Unknown).
struct SearchScratch;  // theory.cpp

class Solver {
 public:
  explicit Solver(TableTheory& theory, Budget* budget = nullptr);
  ~Solver();

  /// Is the conjunction satisfiable in the table's scope? Fills `model` when Yes;
  /// `also` names atoms whose variables the model must assign too.
  Sat conj(const Conj& units, Model* model, const std::vector<uint32_t>& also = {});
  /// The same question, asked once: the answer is not kept (the overlap index's pairs).
  Sat conj_once(const Conj& units);
  /// Is units AND every clause satisfiable?
  Sat solve(const Conj& units, const std::vector<Clause>& clauses, Model* model);
  /// A smallest-so-far subset of `units` that is still unsatisfiable (deletion-based).
  Conj core(const Conj& units);

  std::size_t queries() const { return queries_; }
  /// Frees the answers kept (once the table's lint rules have run).
  void forget();

 private:
  Sat search(Conj& units, const std::vector<Clause>& clauses, Model* model, std::size_t& budget);
  Sat model_search(const Conj& units, const std::vector<uint32_t>& also, Model* model,
                   bool remember = true);

  bool spend(std::size_t n) { return !budget_ || budget_->spend(n); }
  bool out_of_budget() const { return budget_ && budget_->exhausted(); }

  TableTheory& t_;
  Budget* budget_;
  struct Memo {
    Sat sat;
    bool has_model = false;  // the model is kept only when a caller asked for one
    Model model;
  };
  std::unordered_map<std::string, Memo> memo_;
  std::unique_ptr<SearchScratch> scratch_;
  std::size_t queries_ = 0;
};

/// The canonical text of an expression: equal texts, equal atoms (as engine/compile keys them).
std::string atom_key(const TExpr& e);

}  // namespace casex::detail::lint
