// engine/compile/compile.cpp: turns each table's scenarios into atoms and
// care/value rows (disjunctive normal form), and builds the lookups.
#include "engine/compile/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace casex::detail {

namespace {

// A canonical text of an expression, so that equal atoms are stored once.
void key_of(const TExpr& e, std::string& out) {
  out += fmt::format("({} {} {} {} {} {} {}", static_cast<int>(e.op), static_cast<int>(e.side),
                     static_cast<int>(e.kind), e.slot, e.number, e.boolean, e.text.size());
  out += e.text;
  for (const auto& a : e.args) key_of(a, out);
  out += ')';
}

using Literal = std::pair<uint32_t, bool>;  // atom, wanted value
using Conj = std::vector<Literal>;          // sorted by atom
using Dnf = std::vector<Conj>;

class DnfBuilder {
 public:
  explicit DnfBuilder(DecisionTable& t) : t_(t) {}

  // Returns false when the expansion exceeds kMaxRowsPerRule.
  bool build(const TExpr& e, bool negate, Dnf& out) {
    switch (e.op) {
      case Op::Not: return build(e.args[0], !negate, out);
      case Op::And:
      case Op::Or: {
        bool conj = (e.op == Op::And) != negate;
        if (!conj) {
          for (const auto& a : e.args) {
            Dnf part;
            if (!build(a, negate, part)) return false;
            out.insert(out.end(), part.begin(), part.end());
            if (out.size() > kMaxRowsPerRule) return false;
          }
          return true;
        }
        Dnf acc{Conj{}};
        for (const auto& a : e.args) {
          Dnf part;
          if (!build(a, negate, part)) return false;
          Dnf next;
          for (const auto& x : acc)
            for (const auto& y : part) {
              Conj c;
              if (merge(x, y, c)) next.push_back(std::move(c));
              if (next.size() > kMaxRowsPerRule) return false;
            }
          acc = std::move(next);
        }
        out.insert(out.end(), acc.begin(), acc.end());
        return out.size() <= kMaxRowsPerRule;
      }
      case Op::Const:
        if (e.boolean != negate) out.push_back({});
        return true;
      default: out.push_back({{atom(e), !negate}}); return true;
    }
  }

 private:
  static bool merge(const Conj& a, const Conj& b, Conj& out) {
    out = a;
    for (const auto& l : b) {
      auto it = std::lower_bound(out.begin(), out.end(), Literal{l.first, false},
                                 [](const Literal& x, const Literal& y) { return x.first < y.first; });
      if (it != out.end() && it->first == l.first) {
        if (it->second != l.second) return false;  // a and not a
      } else {
        out.insert(it, l);
      }
    }
    return true;
  }

  uint32_t atom(const TExpr& e) {
    std::string k;
    key_of(e, k);
    auto [it, fresh] = index_.emplace(std::move(k), static_cast<uint32_t>(t_.atoms.size()));
    if (fresh) t_.atoms.push_back(e);
    return it->second;
  }

  DecisionTable& t_;
  std::map<std::string, uint32_t> index_;
};

DecisionTable build_table(const CheckedTable& table, Diagnostics& diags) {
  DecisionTable t;
  DnfBuilder builder(t);
  std::vector<Dnf> dnfs;
  for (const auto& r : table.rules) {
    Dnf d;
    if (!builder.build(r.when, false, d)) {
      diags.report(Code::ScenarioTooComplex, r.loc,
                   fmt::format("the scenario of rule \"{}\" expands to more than {} alternatives", r.id,
                               kMaxRowsPerRule),
                   "split it into several rules");
      d.clear();
    }
    dnfs.push_back(std::move(d));
  }
  t.words = static_cast<uint32_t>(std::max<std::size_t>(1, (t.atoms.size() + 63) / 64));
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
    if (t.from >= 0 && t.to >= 0) c.transition_table[t.from * v.phases.size() + t.to] = static_cast<int>(i);
  }
  c.incoming_rule.assign(v.incoming.size(), -1);
  for (std::size_t i = 0; i < c.rules.incoming.size(); ++i)
    for (int op : c.rules.incoming[i].operations) c.incoming_rule[op] = static_cast<int>(i);
  c.op_targets.resize(v.outgoing.size());
  for (std::size_t i = 0; i < c.rules.targets.size(); ++i) {
    const auto& ops = c.rules.targets[i].operations;
    for (std::size_t op = 0; op < v.outgoing.size(); ++op)
      if (ops.empty() || std::find(ops.begin(), ops.end(), static_cast<int>(op)) != ops.end())
        c.op_targets[op].push_back(static_cast<uint32_t>(i));
  }
  return c;
}

}  // namespace casex::detail
