// engine/compile/compile.cpp: turns each table's scenarios into atoms and
// care/value rows (disjunctive normal form), and builds the lookups.
#include "engine/compile/compile.h"

#include "engine/compile/dnf.h"

#include "engine/common/compiler.h"

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

// Decodes the common shapes of atoms for the evaluator.
DecisionTable::AtomCode decode(const TExpr& e) {
  using K = DecisionTable::AtomCode::Kind;
  DecisionTable::AtomCode a;
  auto field = [](const TExpr& x) { return x.op == Op::Field && x.side != Side::Incident; };
  switch (e.op) {
    case Op::Changed:
      a.kind = K::Changed;
      a.slot = e.slot;
      break;
    case Op::Event:
      a.kind = K::Event;
      a.slot = e.slot;
      break;
    case Op::Entered:
      a.kind = K::Entered;
      a.slot = e.slot;
      break;
    case Op::RefExists: a.kind = K::RefExists; break;
    case Op::HasValue:
      if (field(e.args[0])) {
        a.kind = K::HasField;
        a.side = e.args[0].side;
        a.slot = e.args[0].slot;
      }
      break;
    case Op::IsExternal:
      if (field(e.args[0])) {
        a.kind = K::IsExternal;
        a.side = e.args[0].side;
        a.slot = e.args[0].slot;
      }
      break;
    case Op::Eq:
    case Op::Ne: {
      const TExpr* f = &e.args[0];
      const TExpr* k = &e.args[1];
      if (f->op == Op::RefSystem) std::swap(f, k);
      if (k->op == Op::RefSystem && f->op == Op::ExternalSystem && field(f->args[0])) {
        a.kind = K::RefIsSystem;
        a.negate = e.op == Op::Ne;
        a.side = f->args[0].side;
        a.slot = f->args[0].slot;
        break;
      }
      if (f->op == Op::Const) std::swap(f, k);
      if (k->op != Op::Const) break;
      a.negate = e.op == Op::Ne;
      a.ckind = k->kind;
      a.sym = k->slot;
      a.boolean = k->boolean;
      a.number = k->number;
      if (k->kind == ConstKind::Text) a.text = k->text;
      if (field(*f)) {
        a.kind = K::FieldEq;
        a.side = f->side;
        a.slot = f->slot;
      } else if (f->op == Op::MetaphaseOf && field(f->args[0]) && k->kind == ConstKind::Sym) {
        a.kind = K::MetaphaseEq;
        a.side = f->args[0].side;
        a.slot = f->args[0].slot;
      }
      break;
    }
    default: break;
  }
  return a;
}

// Minimum number of `field == "text"` atoms on one field for an EqIndex (as GoRules ZEN's 8+ rows).
constexpr std::size_t kIndexFrom = 8;

// Builds the evaluator's fast form of a table: atom codes, EqIndexes, row candidates, sparse rows.
void finish(DecisionTable& t) {
  using K = DecisionTable::AtomCode::Kind;
  t.code.clear();
  for (const auto& a : t.atoms) t.code.push_back(decode(a));
  // Group `field == "text"` atoms by field.
  std::map<std::pair<int, int>, std::vector<uint32_t>> by_field;
  for (uint32_t i = 0; i < t.code.size(); ++i) {
    const auto& c = t.code[i];
    if (c.kind == K::FieldEq && !c.negate && c.ckind == ConstKind::Text)
      by_field[{static_cast<int>(c.side), c.slot}].push_back(i);
  }
  std::vector<int> in_index(t.code.size(), 0);
  for (const auto& [key, atoms] : by_field) {
    if (atoms.size() < kIndexFrom) continue;
    DecisionTable::EqIndex ix;
    ix.side = static_cast<Side>(key.first);
    ix.slot = key.second;
    for (uint32_t a : atoms) {
      ix.atom_of.emplace_back(t.code[a].text, a);
      in_index[a] = 1;
    }
    std::sort(ix.atom_of.begin(), ix.atom_of.end());
    t.eq_index.push_back(std::move(ix));
  }
  for (uint32_t i = 0; i < t.code.size(); ++i)
    if (!in_index[i]) t.direct.push_back(i);
  t.indexed = !t.eq_index.empty();
  t.anchored.assign(t.indexed ? t.atoms.size() : 0, {});
  t.sparse_begin.clear();
  for (uint32_t r = 0; r < t.rows.size(); ++r) {
    const uint64_t* care = &t.pool[t.rows[r].offset];
    const uint64_t* value = care + t.words;
    t.sparse_begin.push_back(static_cast<uint32_t>(t.sparse.size()));
    int anchor = -1;
    for (uint32_t w = 0; w < t.words; ++w) {
      if (!care[w]) continue;
      t.sparse.push_back({w, care[w], value[w]});
      for (uint64_t m = care[w] & value[w]; m && anchor < 0; m &= m - 1) {
        uint32_t atom = w * 64 + lowest_bit(m);
        if (t.indexed && in_index[atom]) anchor = static_cast<int>(atom);
      }
    }
    if (!t.indexed) continue;
    if (anchor >= 0)
      t.anchored[anchor].push_back(r);
    else
      t.free_rows.push_back(r);
  }
  t.sparse_begin.push_back(static_cast<uint32_t>(t.sparse.size()));
  t.rows1.clear();
  t.eager = 0;
  if (t.words == 1) {
    for (const auto& row : t.rows)
      t.rows1.push_back({t.pool[row.offset], t.pool[row.offset + 1], row.rule});
    for (uint32_t i = 0; i < t.code.size(); ++i)
      if (t.code[i].kind != K::Generic) t.eager |= uint64_t{1} << i;
  }
}

// The table of a list of conditions, one rule each. Returns the indices of
// the conditions too complex to expand (their rule then never matches).
DecisionTable build_table(const std::vector<const TExpr*>& conditions,
                          std::vector<std::size_t>& too_complex) {
  DecisionTable t;
  AtomNumbering atom_of(t);
  std::vector<Dnf> dnfs;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    Dnf d;
    if (!to_dnf(*conditions[i], false, d, kMaxRowsPerRule, atom_of)) {
      too_complex.push_back(i);
      d.clear();
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
  finish(t);
  return t;
}

DecisionTable build_table(const CheckedTable& table, Diagnostics& diags) {
  std::vector<const TExpr*> conditions;
  for (const auto& r : table.rules) conditions.push_back(&r.when);
  std::vector<std::size_t> too_complex;
  DecisionTable t = build_table(conditions, too_complex);
  for (std::size_t i : too_complex) {
    const auto& r = table.rules[i];
    diags.report(Code::ScenarioTooComplex, r.loc,
                 fmt::format("the scenario of rule \"{}\" expands to more than {} alternatives",
                             r.id, kMaxRowsPerRule),
                 "split it into several rules");
  }
  return t;
}

// The rule set's facts: the distinct atoms of the moves and of every table
// in one word, and each table's rows over it. Left off (facts.on false) when
// there are more than 64, and the evaluator runs each table on its own.
void build_facts(CompiledRules& c) {
  using K = DecisionTable::AtomCode::Kind;
  Facts& f = c.facts;
  std::map<std::string, uint32_t> index;
  std::vector<DecisionTable*> tables;
  if (c.moves.words == 1) tables.push_back(&c.moves);
  for (auto& t : c.tables) tables.push_back(&t);
  std::vector<std::vector<uint32_t>> bit_of(tables.size());
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const DecisionTable& t = *tables[k];
    if (t.words != 1) {
      f = Facts{};
      return;
    }
    for (const auto& a : t.atoms) {
      std::string key;
      atom_key(a, key);
      auto [it, fresh] = index.emplace(std::move(key), static_cast<uint32_t>(f.atoms.size()));
      if (fresh) {
        if (f.atoms.size() == 64) {
          f = Facts{};
          return;
        }
        f.atoms.push_back(a);
      }
      bit_of[k].push_back(it->second);
    }
  }
  auto remap = [](uint64_t m, const std::vector<uint32_t>& bits) {
    uint64_t out = 0;
    for (; m; m &= m - 1) out |= uint64_t{1} << bits[lowest_bit(m)];
    return out;
  };
  const auto& v = c.rules.vocabulary;
  f.entered.assign(v.phases.size(), 0);
  for (const auto& a : f.atoms) f.code.push_back(decode(a));
  // Each cheap atom goes to the moves' group if they read it, else to the group of every table that
  // does.
  const bool with_moves = c.moves.words == 1;
  f.tables.assign(c.tables.size(), {});
  uint64_t in_moves = 0;
  for (uint32_t b : with_moves ? bit_of[0] : std::vector<uint32_t>{}) in_moves |= uint64_t{1} << b;
  uint64_t moves_lazy = 0;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const bool moves = with_moves && k == 0;
    DecisionTable& t = *tables[k];
    Facts::Group& g = moves ? f.moves : f.tables[k - (with_moves ? 1 : 0)];
    // A group lookup the first row reads is done up front; others only when a row needs them.
    const uint64_t first_row = t.rows1.empty() ? 0 : remap(t.rows1[0].care, bit_of[k]);
    for (uint32_t i : bit_of[k]) {
      const uint64_t bit = uint64_t{1} << i;
      if (!moves && (in_moves & bit)) {
        t.fact_lazy |= moves_lazy & bit;
        continue;
      }
      const auto& a = f.code[i];
      const Facts::Probe p{static_cast<uint16_t>(a.slot < 0 ? 0 : a.slot), a.side,
                           static_cast<uint8_t>(i)};
      if (a.kind == K::MetaphaseEq || (a.kind == K::FieldEq && a.ckind == ConstKind::Sym)) {
        auto it = std::find_if(g.by_phase.begin(), g.by_phase.end(), [&](const Facts::ByPhase& b) {
          return b.at.side == p.side && b.at.slot == p.slot;
        });
        if (it == g.by_phase.end()) {
          g.by_phase.push_back({p, std::vector<uint64_t>(v.phases.size(), 0), 0});
          it = g.by_phase.end() - 1;
        }
        for (std::size_t ph = 0; ph < v.phases.size(); ++ph) {
          const bool eq = a.kind == K::MetaphaseEq ? v.phase_metaphase[ph] == a.sym
                                                   : static_cast<int>(ph) == a.sym;
          if (eq != a.negate) it->bits[ph] |= bit;
        }
        if (a.negate) it->none |= bit;
        continue;
      }
      switch (a.kind) {
        case K::Changed: g.changed.push_back(p); break;
        case K::Event: g.events.push_back(p); break;
        case K::HasField: g.has_field.push_back(p); break;
        case K::FieldEq: g.compare.push_back(p); break;
        case K::RefExists: g.ref_exists |= bit; break;
        case K::Entered:
          f.entered[static_cast<std::size_t>(a.slot)] |= bit;
          f.entered_all |= bit;
          break;
        case K::IsExternal:
          if (first_row & bit) {
            g.is_external.push_back(p);
            break;
          }
          [[fallthrough]];
        case K::MetaphaseEq:
        case K::RefIsSystem:
        case K::Generic: t.fact_lazy |= bit; break;
      }
    }
    if (moves) moves_lazy = t.fact_lazy;
  }
  for (std::size_t k = 0; k < tables.size(); ++k) {
    DecisionTable& t = *tables[k];
    const CheckedTable* ct =
        with_moves && k == 0 ? nullptr : &c.rules.tables[k - (with_moves ? 1 : 0)];
    t.fact_rows.clear();
    for (std::size_t r = 0; r < t.rows1.size();) {
      std::size_t e = r + 1;  // the rows of one rule are consecutive
      while (e < t.rows1.size() && t.rows1[e].rule == t.rows1[r].rule) ++e;
      std::vector<DecisionTable::FactRow> rows;
      for (std::size_t i = r; i < e; ++i)
        rows.push_back({remap(t.rows1[i].care, bit_of[k]), remap(t.rows1[i].value, bit_of[k]), 0,
                        t.rows1[i].rule});
      // Rows that share a part and add one positive, cheap literal each: one row with `any`.
      uint64_t common = ~uint64_t{0}, any = 0;
      for (const auto& row : rows) common &= row.care;
      bool merge = rows.size() > 1;
      for (const auto& row : rows) {
        const uint64_t extra = row.care & ~common;
        merge = merge && extra && !(extra & (extra - 1)) && (row.value & extra) &&
                !(extra & (t.fact_lazy | any)) && (row.value & common) == (rows[0].value & common);
        any |= extra;
      }
      if (merge)
        t.fact_rows.push_back({common, rows[0].value & common, any, rows[0].rule});
      else
        t.fact_rows.insert(t.fact_rows.end(), rows.begin(), rows.end());
      if (ct)
        for (std::size_t i = t.fact_rows.size();
             i-- > 0 && t.fact_rows[i].rule == t.rows1[r].rule;) {
          const CheckedRule& cr = ct->rules[t.fact_rows[i].rule];
          t.fact_rows[i].op = static_cast<int16_t>(cr.operation);
          t.fact_rows[i].own_system = cr.system.has_value();
        }
      r = e;
    }
  }
  f.on = true;
}

// Folds constant atoms (mask `known`, values `value`) into rows: a row they
// falsify is dropped, the others lose those literals.
std::vector<DecisionTable::FactRow> fold(const std::vector<DecisionTable::FactRow>& rows,
                                         uint64_t known, uint64_t value) {
  std::vector<DecisionTable::FactRow> out;
  for (auto row : rows) {
    if ((value ^ row.value) & row.care & known) continue;
    row.care &= ~known;
    row.value &= ~known;
    if (row.any) {
      if (row.any & known & value) {
        row.any = 0;  // one of its alternatives holds
      } else {
        row.any &= ~known;
        if (!row.any) continue;  // every alternative is false
      }
    }
    out.push_back(row);
  }
  return out;
}

// The bits of the atoms a ByPhase entry computes.
uint64_t bits_of(const Facts::ByPhase& b) {
  uint64_t bits = b.none;
  for (uint64_t x : b.bits) bits |= x;
  return bits;
}

// Adds the probes of `from` that `into` does not have (by bit).
void merge_group(Facts::Group& into, const Facts::Group& from, uint64_t& have) {
  auto add = [&have](std::vector<Facts::Probe>& to, const std::vector<Facts::Probe>& probes) {
    for (const auto& p : probes) {
      const uint64_t bit = uint64_t{1} << p.bit;
      if (have & bit) continue;
      have |= bit;
      to.push_back(p);
    }
  };
  add(into.changed, from.changed);
  add(into.events, from.events);
  add(into.has_field, from.has_field);
  add(into.is_external, from.is_external);
  add(into.compare, from.compare);
  for (const auto& b : from.by_phase) {
    into.by_phase.push_back(b);  // only atoms on fields other than the phase field reach here
    have |= bits_of(b);
  }
  into.ref_exists |= from.ref_exists;
  have |= from.ref_exists;
}

// Drops the probes of atoms no row reads; returns the bits the group still computes.
uint64_t needed_only(Facts::Group& g, uint64_t needed) {
  uint64_t have = 0;
  for (auto* probes : {&g.changed, &g.events, &g.has_field, &g.is_external, &g.compare}) {
    probes->erase(
        std::remove_if(probes->begin(), probes->end(),
                       [needed](const Facts::Probe& p) { return !(needed >> p.bit & 1); }),
        probes->end());
    for (const auto& p : *probes) have |= uint64_t{1} << p.bit;
  }
  g.by_phase.erase(
      std::remove_if(g.by_phase.begin(), g.by_phase.end(),
                     [needed](const Facts::ByPhase& b) { return !(bits_of(b) & needed); }),
      g.by_phase.end());
  for (const auto& b : g.by_phase) have |= bits_of(b);
  g.ref_exists &= needed;
  have |= g.ref_exists;
  return have;
}

// Moves the probes that have a faster form to it (see Facts::Group).
void finish_group(Facts::Group& g, Facts& f, const Vocabulary& v) {
  auto text_field = [&v](const Facts::Probe& p) { return v.fields[p.slot].type == Type::Text; };
  for (const auto& p : g.changed)
    if (text_field(p)) g.changed_text.push_back(p);
  g.changed.erase(std::remove_if(g.changed.begin(), g.changed.end(), text_field), g.changed.end());
  for (const auto& p : g.events)
    if (p.slot < 64) {
      g.event_slots |= uint64_t{1} << p.slot;
      f.event_bit[p.slot] = p.bit;
    }
  g.events.erase(std::remove_if(g.events.begin(), g.events.end(),
                                [](const Facts::Probe& p) { return p.slot < 64; }),
                 g.events.end());
  for (const auto& p : g.is_external) {
    if (p.slot >= 64) continue;  // SystemMemo holds fields 0..63
    auto it = std::find_if(g.lookups.begin(), g.lookups.end(),
                           [&p](const Facts::Lookup& l) { return l.slot == p.slot; });
    if (it == g.lookups.end()) it = g.lookups.insert(g.lookups.end(), Facts::Lookup{p.slot, 0, 0});
    (p.side == Side::Before ? it->before : it->after) |= uint64_t{1} << p.bit;
  }
  g.is_external.erase(std::remove_if(g.is_external.begin(), g.is_external.end(),
                                     [](const Facts::Probe& p) { return p.slot < 64; }),
                      g.is_external.end());
  auto text_compare = [&](const Facts::Probe& p) {
    const auto& a = f.code[p.bit];
    return text_field(p) && a.ckind == ConstKind::Text && !a.text.empty() &&
           p.side != Side::Incident;
  };
  for (const auto& p : g.compare)
    if (text_compare(p)) {
      const auto& a = f.code[p.bit];
      g.compare_text.push_back(
          {a.text.data(), static_cast<uint32_t>(a.text.size()), p.slot, p.side, p.bit, a.negate});
    }
  g.compare.erase(std::remove_if(g.compare.begin(), g.compare.end(), text_compare),
                  g.compare.end());
  for (auto* probes :
       {&g.changed, &g.events, &g.has_field, &g.is_external, &g.compare, &g.changed_text})
    probes->shrink_to_fit();
  g.lookups.shrink_to_fit();
  g.compare_text.shrink_to_fit();
}

// The rule set specialized per (before.phase, after.phase): see Facts::Path.
void build_paths(CompiledRules& c) {
  using K = DecisionTable::AtomCode::Kind;
  Facts& f = c.facts;
  const auto& v = c.rules.vocabulary;
  const std::size_t n = v.phases.size();
  if (!f.on || n == 0 || n > kMaxPathPhases || v.phase_field < 0) return;
  if (!c.rules.moves.empty() && c.moves.words != 1) return;  // moves interpreted
  // The atoms on the phase field: constants for a pair of phases.
  uint64_t phase_atoms = 0;
  for (uint32_t i = 0; i < f.code.size(); ++i) {
    const auto& a = f.code[i];
    if ((a.kind == K::MetaphaseEq || (a.kind == K::FieldEq && a.ckind == ConstKind::Sym)) &&
        a.slot == v.phase_field)
      phase_atoms |= uint64_t{1} << i;
  }
  auto phase_value = [&](int p0, int p1) {
    uint64_t out = 0;
    for (uint64_t m = phase_atoms; m; m &= m - 1) {
      const uint32_t i = lowest_bit(m);
      const auto& a = f.code[i];
      const int x = a.side == Side::Before ? p0 : p1;
      const bool eq = a.kind == K::MetaphaseEq ? v.phase_metaphase[x] == a.sym : x == a.sym;
      if (eq != a.negate) out |= uint64_t{1} << i;
    }
    return out;
  };
  // A group without its phase-field atoms (they are folded).
  auto strip = [&](Facts::Group g) {
    g.by_phase.erase(
        std::remove_if(g.by_phase.begin(), g.by_phase.end(),
                       [&](const Facts::ByPhase& b) { return b.at.slot == v.phase_field; }),
        g.by_phase.end());
    return g;
  };
  // Each pair's specialization; pairs that come out alike share one.
  std::map<std::string, uint16_t> index;
  f.path_of.assign(n * n, 0);
  for (std::size_t p0 = 0; p0 < n; ++p0)
    for (std::size_t p1 = 0; p1 < n; ++p1) {
      Facts::Path path;
      path.phases = phase_value(static_cast<int>(p0), static_cast<int>(p1));
      uint64_t have = 0;
      merge_group(path.group, strip(f.moves), have);
      path.moves = fold(c.moves.fact_rows, phase_atoms | f.entered_all, path.phases);
      path.moves_lazy = c.moves.fact_lazy;
      // The plan of each outcome of the moves: no move, or each move that may still apply.
      std::vector<int> outcomes = {-1};
      for (const auto& row : path.moves)
        if (std::find(outcomes.begin(), outcomes.end(), static_cast<int>(row.rule)) ==
            outcomes.end())
          outcomes.push_back(static_cast<int>(row.rule));
      path.plans.assign(c.rules.moves.size() + 1, {});
      for (int m : outcomes) {
        const int np = m < 0 ? static_cast<int>(p1) : c.rules.moves[static_cast<std::size_t>(m)].to;
        Facts::Path::Plan& plan = path.plans[static_cast<std::size_t>(m + 1)];
        plan.phase = m < 0 ? -1 : np;
        auto step = [&](int table, bool at_new_phase, bool entered) {
          if (table < 0) return;
          Facts::Path::Step st;
          st.table = table;
          st.policy = c.rules.tables[static_cast<std::size_t>(table)].policy;
          st.at_new_phase = at_new_phase;
          st.entered = entered;
          const uint64_t known = phase_atoms | f.entered_all;
          const uint64_t value =
              path.phases | (entered ? f.entered[static_cast<std::size_t>(np)] : 0);
          const DecisionTable& dt = c.tables[static_cast<std::size_t>(table)];
          st.rows = fold(dt.fact_rows, known, value);
          merge_group(path.group, strip(f.tables[static_cast<std::size_t>(table)]), have);
          st.lazy = dt.fact_lazy;
          plan.steps.push_back(std::move(st));
        };
        const StepPlan steps = c.plan_steps(static_cast<int>(p0), np);
        for (int i = 0; i < steps.count; ++i)
          step(steps.steps[i].table, steps.steps[i].at_new_phase, steps.steps[i].entered);
      }
      // Only the facts some remaining row reads are computed (the others were folded away).
      uint64_t needed = 0;
      for (const auto& row : path.moves) needed |= row.care | row.any;
      for (const auto& plan : path.plans)
        for (const auto& st : plan.steps)
          for (const auto& row : st.rows) needed |= row.care | row.any;
      have = needed_only(path.group, needed);
      // A lookup made up front for the path needs no lazy evaluation in its steps.
      for (auto& plan : path.plans)
        for (auto& st : plan.steps) st.lazy &= ~have;
      path.moves_lazy &= ~have;
      // Its content as a key.
      std::string key;
      auto put = [&key](const auto& x) { key.append(reinterpret_cast<const char*>(&x), sizeof x); };
      auto put_group = [&](const Facts::Group& g) {
        for (const auto* probes :
             {&g.changed, &g.events, &g.has_field, &g.is_external, &g.compare}) {
          put(probes->size());
          for (const auto& p : *probes) {
            put(p.slot);
            put(p.side);
            put(p.bit);
          }
        }
        put(g.by_phase.size());
        for (const auto& b : g.by_phase) {
          put(b.at.slot);
          put(b.at.side);
          put(b.none);
          for (uint64_t x : b.bits) put(x);
        }
        put(g.ref_exists);
      };
      auto put_rows = [&](const std::vector<DecisionTable::FactRow>& rows) {
        put(rows.size());
        for (const auto& r : rows) {
          put(r.care);
          put(r.value);
          put(r.any);
          put(r.rule);
        }
      };
      put_group(path.group);
      put(path.phases);
      put_rows(path.moves);
      put(path.moves_lazy);
      for (const auto& plan : path.plans) {
        put(plan.phase);
        put(plan.steps.size());
        for (const auto& st : plan.steps) {
          put(st.table);
          put(st.at_new_phase);
          put(st.entered);
          put(st.lazy);
          put_rows(st.rows);
        }
      }
      auto [it, fresh] = index.emplace(std::move(key), static_cast<uint16_t>(f.paths.size()));
      if (fresh) f.paths.push_back(std::move(path));
      f.path_of[p0 * n + p1] = it->second;
    }
  // The unspecialized facts path and the tables' fast forms are not run any
  // more (the traced path interprets atoms and tests the reference rows): free
  // what only they read. The moves keep theirs, which the traced path runs.
  f.moves = {};
  std::vector<Facts::Group>().swap(f.tables);
  std::vector<DecisionTable::FactRow>().swap(c.moves.fact_rows);
  for (auto& t : c.tables) {
    std::vector<DecisionTable::FactRow>().swap(t.fact_rows);
    std::vector<DecisionTable::AtomCode>().swap(t.code);
    std::vector<DecisionTable::Row1>().swap(t.rows1);
    std::vector<DecisionTable::EqIndex>().swap(t.eq_index);
    std::vector<uint32_t>().swap(t.direct);
    std::vector<uint32_t>().swap(t.free_rows);
    std::vector<std::vector<uint32_t>>().swap(t.anchored);
    t.indexed = false;
    t.eager = 0;
  }
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
    if (t.from >= 0 && t.to >= 0)
      c.transition_table[t.from * v.phases.size() + t.to] = static_cast<int>(i);
  }
  // The workflow moves as a first-hit table; a move too complex to expand
  // leaves the table empty (words 0), and the evaluator interprets the moves.
  std::vector<const TExpr*> moves;
  for (const auto& m : c.rules.moves) moves.push_back(&m.when);
  std::vector<std::size_t> too_complex;
  c.moves = build_table(moves, too_complex);
  if (!too_complex.empty()) {
    c.moves = DecisionTable();
    c.moves.words = 0;
  }
  c.max_words = std::max(c.max_words, c.moves.words);
  if (!diags.has_errors()) {  // a rule set with errors is never run: no fast forms for it
    build_facts(c);
    build_paths(c);
    Facts& f = c.facts;
    if (!f.paths.empty()) {
      for (auto& p : f.paths) finish_group(p.group, f, v);
    } else if (f.on) {
      finish_group(f.moves, f, v);
      for (auto& g : f.tables) finish_group(g, f, v);
    }
  }
  c.incoming_rule.assign(v.incoming.size(), -1);
  for (std::size_t i = 0; i < c.rules.incoming.size(); ++i)
    for (int op : c.rules.incoming[i].operations) c.incoming_rule[op] = static_cast<int>(i);
  for (const auto& t : c.rules.targets) {
    CompiledRules::TargetCode tc;
    using W = CompiledRules::TargetCode::When;
    using S = CompiledRules::TargetCode::System;
    tc.when = !t.when ? W::Always : t.when->op == Op::RefExists ? W::RefExists : W::Generic;
    const TExpr& sys = t.system;
    if (sys.op == Op::RefSystem) {
      tc.system = S::RefSystem;
    } else if (sys.op == Op::ExternalSystem && sys.args[0].op == Op::Field &&
               sys.args[0].side != Side::Incident) {
      tc.system = S::FieldSystem;
      tc.side = sys.args[0].side;
      tc.slot = sys.args[0].slot;
    }
    c.target_code.push_back(tc);
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
    for (uint32_t e : entries) c.target_run.push_back({c.target_code[e], e});
  }
  c.target_begin.push_back(static_cast<uint32_t>(c.target_run.size()));
  return c;
}

}  // namespace casex::detail
