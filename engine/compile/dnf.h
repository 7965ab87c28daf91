// engine/compile/dnf.h: a boolean expression in disjunctive normal form over
// atoms, the one expansion that compile (a rule's rows) and lint and diff (the
// solver's alternatives) share.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/check/checked.h"

namespace casex::detail {

/// An atom and the truth it must have.
struct Literal {
  uint32_t atom = 0;
  bool value = true;
  bool operator==(const Literal& o) const { return atom == o.atom && value == o.value; }
  bool operator<(const Literal& o) const {
    return atom != o.atom ? atom < o.atom : value < o.value;
  }
};
using Conjunction = std::vector<Literal>;  // sorted by atom, each atom once

/// Adds a literal to a conjunction; false when it holds the atom with the other value.
inline bool add_literal(Conjunction& c, Literal l) {
  auto it = std::lower_bound(c.begin(), c.end(), l,
                             [](const Literal& a, const Literal& b) { return a.atom < b.atom; });
  if (it != c.end() && it->atom == l.atom) return it->value == l.value;
  c.insert(it, l);
  return true;
}

/// Appends the disjunctive normal form of `e` (of its negation when `negate`)
/// to `out`: `not` pushed to the leaves, `changed_to` by its meaning, a
/// contradictory conjunction dropped. Every other leaf is an atom, numbered by
/// `atom_of(leaf)`. Returns false when `out` would exceed `limit` conjunctions.
template <class AtomOf>
bool to_dnf(const TExpr& e, bool negate, std::vector<Conjunction>& out, std::size_t limit,
            AtomOf& atom_of) {
  switch (e.op) {
    case Op::Not: return to_dnf(e.args[0], !negate, out, limit, atom_of);
    case Op::And:
    case Op::Or: {
      if ((e.op == Op::And) == negate) {  // a disjunction
        for (const auto& a : e.args)
          if (!to_dnf(a, negate, out, limit, atom_of) || out.size() > limit) return false;
        return true;
      }
      std::vector<Conjunction> acc{Conjunction{}};
      for (const auto& a : e.args) {
        std::vector<Conjunction> part, next;
        if (!to_dnf(a, negate, part, limit, atom_of)) return false;
        for (const auto& x : acc)
          for (const auto& y : part) {
            Conjunction c = x;
            bool ok = true;
            for (const Literal& l : y) ok = ok && add_literal(c, l);
            if (ok) next.push_back(std::move(c));
            if (next.size() > limit) return false;
          }
        acc = std::move(next);
      }
      out.insert(out.end(), acc.begin(), acc.end());
      return out.size() <= limit;
    }
    case Op::Const:
      if ((e.kind == ConstKind::Bool && e.boolean) != negate) out.push_back({});
      return out.size() <= limit;
    case Op::ChangedTo: return to_dnf(changed_to_meaning(e), negate, out, limit, atom_of);
    default: out.push_back({{atom_of(e), !negate}}); return out.size() <= limit;
  }
}

}  // namespace casex::detail
