// engine/lint/theory.h: the meaning of a decision table's atoms for the lint:
// each atom as a constraint over the values of a change (TableTheory), and a
// solver that decides conjunctions and clause sets of atom literals, with a model.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/compile/program.h"

namespace casex::detail::lint {

/// An atom literal: the atom's index in the TableTheory and the truth it must have.
struct Lit {
  uint32_t atom = 0;
  bool value = true;
  bool operator==(const Lit& o) const { return atom == o.atom && value == o.value; }
  bool operator<(const Lit& o) const { return atom != o.atom ? atom < o.atom : value < o.value; }
};
using Conj = std::vector<Lit>;  // sorted by atom
using Clause = std::vector<Lit>;  // a disjunction

/// The kinds of values a variable of a change takes.
enum class Sort : uint8_t { Text, Number, Bool, Phase, Truth };

/// A value of the theory: "no value", a constant of the rules, or a fresh value
/// (a text or number that no rule names).
struct TheoryValue {
  enum class Kind : uint8_t { None, Const, Fresh } kind = Kind::None;
  Sort sort = Sort::Text;
  ConstKind const_kind = ConstKind::None;
  std::string text;
  double number = 0;
  bool boolean = false;
  int sym = -1;  // phase id
};

/// What a change has that an atom reads.
struct Var {
  enum class Kind : uint8_t { Field, Ref, RefSystem, RefId, Origin, Incident, Event, Entered, ExtSys, Opaque };
  Kind kind = Kind::Field;
  Sort sort = Sort::Text;
  Side side = Side::After;
  int slot = -1;       // field or event slot
  int arg_var = -1;    // ExtSys: the group, a variable...
  int arg_value = -1;  // ...or a constant
  std::string key;
};

/// An atom as a constraint: var in set, var == var2, or a free boolean.
struct AtomDef {
  enum class Kind : uint8_t { Domain, Equal, Opaque, True, False } kind = Kind::Opaque;
  int var = -1, var2 = -1;
  std::vector<int> set;  // sorted value ids (Domain)
  bool neg = false;      // the atom is the negation of the constraint
  bool exact = true;     // false: the theory treats it as a free boolean (sound, not complete)
};

/// Where the table is consulted: a metaphase's step or a transition's.
struct TableScope {
  int metaphase = -1;
  int from = -1, to = -1;
};

/// A model: a value id per variable (-1: not constrained by the query).
struct Model {
  std::vector<int> value;
};

/// The theory of one table: its variables, values and atom constraints.
class TableTheory {
 public:
  TableTheory(const CompiledRules& rules, int table);

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
  /// A fresh value of a sort, number k (0-based), interned.
  int fresh(Sort s, int k);
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

/// Decides conjunctions of literals (exactly for the modelled atoms, treating the
/// others as free booleans) and conjunctions plus clauses (DPLL guided by models).
/// Answers are memoized; a node budget bounds each question (then Unknown).
class Solver {
 public:
  explicit Solver(TableTheory& theory) : t_(theory) {}

  /// Is the conjunction satisfiable in the table's scope? Fills `model` when Yes;
  /// `also` names atoms whose variables the model must assign too.
  Sat conj(const Conj& units, Model* model, const std::vector<uint32_t>& also = {});
  /// Is units AND every clause satisfiable?
  Sat solve(const Conj& units, const std::vector<Clause>& clauses, Model* model);
  /// A smallest-so-far subset of `units` that is still unsatisfiable (deletion-based).
  Conj core(const Conj& units);

  std::size_t queries() const { return queries_; }

 private:
  Sat search(Conj& units, const std::vector<Clause>& clauses, Model* model, std::size_t& budget);
  Sat model_search(const Conj& units, const std::vector<uint32_t>& also, Model* model);

  TableTheory& t_;
  struct Memo {
    Sat sat;
    Model model;
  };
  std::unordered_map<std::string, Memo> memo_;
  std::size_t queries_ = 0;
};

/// The canonical text of an expression: equal texts, equal atoms (as engine/compile keys them).
std::string atom_key(const TExpr& e);

/// Adds a literal to a sorted conjunction; false if it contradicts one there.
bool add_lit(Conj& c, Lit l);

}  // namespace casex::detail::lint
