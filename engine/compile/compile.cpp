// engine/compile/compile.cpp: turns each table's scenarios into atoms and
// care/value rows (disjunctive normal form: the reference form), and builds
// the lookups; engine/plan builds the compiled form from them.
#include "engine/compile/compile.h"

#include "engine/compile/dnf.h"
#include "engine/plan/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace casex::detail {

// A canonical text of an expression, so that equal atoms are stored once.
void atom_key(const TExpr& e, std::string& out) {
  out += fmt::format("({} {} {} {} {} {} {}", static_cast<int>(e.op), static_cast<int>(e.side),
                     static_cast<int>(e.kind), e.slot, e.number, e.boolean, e.text.size());
  out += e.text;
  for (const auto& a : e.args) atom_key(a, out);
  out += ')';
}

namespace {

using Dnf = std::vector<Conjunction>;

// Numbers a table's atoms: equal atoms (by atom_key) share one index.
class AtomNumbering {
 public:
  explicit AtomNumbering(DecisionTable& t) : t_(t) {}
  uint32_t operator()(const TExpr& e) {
    std::string k;
    atom_key(e, k);
    auto [it, fresh] = index_.emplace(std::move(k), static_cast<uint32_t>(t_.atoms.size()));
    if (fresh) t_.atoms.push_back(e);
    return it->second;
  }

 private:
  DecisionTable& t_;
  std::map<std::string, uint32_t> index_;
};

// The table of a list of conditions, one rule each. Returns the indices of
// the conditions too complex to expand: their rule then never matches, or,
// when `opaque`, is one row on the whole condition as a single atom.
DecisionTable build_table(const std::vector<const TExpr*>& conditions,
                          std::vector<std::size_t>& too_complex, bool opaque) {
  DecisionTable t;
  AtomNumbering atom_of(t);
  std::vector<Dnf> dnfs;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    Dnf d;
    if (!to_dnf(*conditions[i], false, d, kMaxRowsPerRule, atom_of)) {
      too_complex.push_back(i);
      d.clear();
      if (opaque) d.push_back({{atom_of(*conditions[i]), true}});
    }
    dnfs.push_back(std::move(d));
  }
  t.words = static_cast<uint32_t>(std::max<std::size_t>(1, (t.atoms.size() + 63) / 64));
  std::size_t rows = 0;
  for (const auto& d : dnfs) rows += d.size();
  t.rows.reserve(rows);
  t.pool.reserve(rows * 2 * t.words);
  for (std::size_t r = 0; r < dnfs.size(); ++r) {
    for (const auto& conj : dnfs[r]) {
      DecisionTable::Row row;
      row.rule = static_cast<uint32_t>(r);
      row.offset = static_cast<uint32_t>(t.pool.size());
      t.pool.resize(t.pool.size() + 2 * t.words, 0);
      for (const auto& [atom, value] : conj) {
        t.pool[row.offset + atom / 64] |= uint64_t{1} << (atom % 64);
        if (value) t.pool[row.offset + t.words + atom / 64] |= uint64_t{1} << (atom % 64);
      }
      t.rows.push_back(row);
    }
  }
  return t;
}

DecisionTable build_table(const CheckedTable& table, Diagnostics& diags) {
  std::vector<const TExpr*> conditions;
  for (const auto& r : table.rules) conditions.push_back(&r.when);
  std::vector<std::size_t> too_complex;
  DecisionTable t = build_table(conditions, too_complex, false);
  for (std::size_t i : too_complex) {
    const auto& r = table.rules[i];
    diags.report(Code::ScenarioTooComplex, r.loc,
                 fmt::format("the scenario of rule \"{}\" expands to more than {} alternatives",
                             r.id, kMaxRowsPerRule),
                 "split it into several rules");
  }
  return t;
}

}  // namespace

CompiledRules compile_rules(CheckedRuleSet checked, Diagnostics& diags) {
  CompiledRules c;
  c.rules = std::move(checked);
  const auto& v = c.rules.vocabulary;
  c.metaphase_table.assign(v.metaphases.size(), -1);
  c.transition_table.assign(v.phases.size() * v.phases.size(), -1);
  for (std::size_t i = 0; i < c.rules.tables.size(); ++i) {
    const auto& t = c.rules.tables[i];
    c.tables.push_back(build_table(t, diags));
    c.max_words = std::max(c.max_words, c.tables.back().words);
    if (t.metaphase >= 0) c.metaphase_table[t.metaphase] = static_cast<int>(i);
    for (const auto& [from, to] : t.pairs)
      c.transition_table[from * v.phases.size() + to] = static_cast<int>(i);
  }
  // The workflow moves as a first-hit table; a move too complex to expand is
  // one row on its whole condition.
  std::vector<const TExpr*> moves;
  for (const auto& m : c.rules.moves) moves.push_back(&m.when);
  std::vector<std::size_t> too_complex;
  c.moves = build_table(moves, too_complex, true);
  c.max_words = std::max(c.max_words, c.moves.words);
  if (!diags.has_errors()) c.fast = build_plan(c);  // a rule set with errors is never run
  c.incoming_rule.assign(v.incoming.size(), -1);
  for (std::size_t i = 0; i < c.rules.incoming.size(); ++i)
    for (int op : c.rules.incoming[i].operations) c.incoming_rule[op] = static_cast<int>(i);
  std::vector<CompiledRules::TargetCode> target_code;  // parallel to rules.targets
  for (const auto& t : c.rules.targets) {
    CompiledRules::TargetCode tc;
    using W = CompiledRules::TargetCode::When;
    using S = CompiledRules::TargetCode::System;
    tc.when = !t.when ? W::Always : t.when->op == Op::RefExists ? W::RefExists : W::Generic;
    const TExpr& sys = t.system;
    if (sys.op == Op::RefSystem) {
      tc.system = S::RefSystem;
    } else if (sys.op == Op::ExternalSystem && sys.args[0].op == Op::Field &&
               sys.args[0].side != Side::Record) {
      tc.system = S::FieldSystem;
      tc.side = sys.args[0].side;
      tc.slot = sys.args[0].slot;
    }
    target_code.push_back(tc);
  }
  c.op_targets.resize(v.outgoing.size());
  for (std::size_t i = 0; i < c.rules.targets.size(); ++i) {
    const auto& ops = c.rules.targets[i].operations;
    for (std::size_t op = 0; op < v.outgoing.size(); ++op)
      if (ops.empty() || std::find(ops.begin(), ops.end(), static_cast<int>(op)) != ops.end())
        c.op_targets[op].push_back(static_cast<uint32_t>(i));
  }
  for (const auto& entries : c.op_targets) {
    c.target_begin.push_back(static_cast<uint32_t>(c.target_run.size()));
    for (uint32_t e : entries) c.target_run.push_back({target_code[e], e});
  }
  c.target_begin.push_back(static_cast<uint32_t>(c.target_run.size()));
  return c;
}

}  // namespace casex::detail
