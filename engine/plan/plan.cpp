// engine/plan/plan.cpp: the compiled form of a checked and compiled rule set
// (engine/plan/plan.h): the rule set specialized per pair of phases over one
// word of facts (Facts), or each table's decoded atoms, index and sparse rows
// (WideForm).
#include "engine/plan/plan.h"

#include "engine/common/compiler.h"
#include "engine/compile/compile.h"

#include <algorithm>
#include <map>
#include <optional>

namespace casex::detail {

namespace {

// Decodes the common shapes of atoms for the evaluator.
AtomCode decode(const TExpr& e) {
  using K = AtomCode::Kind;
  AtomCode a;
  auto field = [](const TExpr& x) { return x.op == Op::Field && x.side != Side::Record; };
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

// The compiled form of a table beyond the facts word: atom codes, EqIndexes, row candidates, sparse
// rows.
TableCode table_code(const DecisionTable& t) {
  using K = AtomCode::Kind;
  TableCode tc;
  for (const auto& a : t.atoms) tc.code.push_back(decode(a));
  // Group `field == "text"` atoms by field.
  std::map<std::pair<int, int>, std::vector<uint32_t>> by_field;
  for (uint32_t i = 0; i < tc.code.size(); ++i) {
    const auto& c = tc.code[i];
    if (c.kind == K::FieldEq && !c.negate && c.ckind == ConstKind::Text)
      by_field[{static_cast<int>(c.side), c.slot}].push_back(i);
  }
  std::vector<int> in_index(tc.code.size(), 0);
  for (const auto& [key, atoms] : by_field) {
    if (atoms.size() < kIndexFrom) continue;
    TableCode::EqIndex ix;
    ix.side = static_cast<Side>(key.first);
    ix.slot = key.second;
    for (uint32_t a : atoms) {
      ix.atom_of.emplace_back(tc.code[a].text, a);
      in_index[a] = 1;
    }
    std::sort(ix.atom_of.begin(), ix.atom_of.end());
    tc.eq_index.push_back(std::move(ix));
  }
  for (uint32_t i = 0; i < tc.code.size(); ++i)
    if (!in_index[i]) tc.direct.push_back(i);
  const bool indexed = !tc.eq_index.empty();
  tc.anchored.assign(indexed ? t.atoms.size() : 0, {});
  for (uint32_t r = 0; r < t.rows.size(); ++r) {
    const uint64_t* care = &t.pool[t.rows[r].offset];
    const uint64_t* value = care + t.words;
    tc.sparse_begin.push_back(static_cast<uint32_t>(tc.sparse.size()));
    int anchor = -1;
    for (uint32_t w = 0; w < t.words; ++w) {
      if (!care[w]) continue;
      tc.sparse.push_back({w, care[w], value[w]});
      for (uint64_t m = care[w] & value[w]; m && anchor < 0; m &= m - 1) {
        uint32_t atom = w * 64 + lowest_bit(m);
        if (indexed && in_index[atom]) anchor = static_cast<int>(atom);
      }
    }
    if (!indexed) continue;
    if (anchor >= 0)
      tc.anchored[anchor].push_back(r);
    else
      tc.free_rows.push_back(r);
  }
  tc.sparse_begin.push_back(static_cast<uint32_t>(tc.sparse.size()));
  return tc;
}

// The facts word before it is specialized per pair of phases: each cheap atom
// in the group of the moves or of the tables that read it, each table's rows
// over the word, and the bits of entered() by phase.
struct FactsDraft {
  Facts facts;  // its atoms, codes and event bits
  Facts::Group moves;
  std::vector<Facts::Group> tables;
  std::vector<std::vector<FactRow>> rows;  // [0]: the moves, [1 + t]: table t
  std::vector<uint64_t> lazy;     // likewise: the atoms evaluated only when a row needs them
  std::vector<uint64_t> entered;  // per phase: the bits of entered(phase)
  uint64_t entered_all = 0;
};

// The rule set's facts: the distinct atoms of the moves and of every table
// in one word, and each table's rows over it. None when there are more than
// 64, or a table is wider than one word.
std::optional<FactsDraft> draft_facts(const CompiledRules& c) {
  using K = AtomCode::Kind;
  FactsDraft d;
  Facts& f = d.facts;
  std::map<std::string, uint32_t> index;
  std::vector<const DecisionTable*> tables{&c.moves};
  for (const auto& t : c.tables) tables.push_back(&t);
  std::vector<std::vector<uint32_t>> bit_of(tables.size());
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const DecisionTable& t = *tables[k];
    if (t.words != 1) return std::nullopt;
    for (const auto& a : t.atoms) {
      std::string key;
      atom_key(a, key);
      auto [it, fresh] = index.emplace(std::move(key), static_cast<uint32_t>(f.atoms.size()));
      if (fresh) {
        if (f.atoms.size() == 64) return std::nullopt;
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
  d.entered.assign(v.phases.size(), 0);
  for (const auto& a : f.atoms) f.code.push_back(decode(a));
  // Each cheap atom goes to the moves' group if they read it, else to the group of every table that
  // does.
  d.tables.assign(c.tables.size(), {});
  d.lazy.assign(tables.size(), 0);
  uint64_t in_moves = 0;
  for (uint32_t b : bit_of[0]) in_moves |= uint64_t{1} << b;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const bool moves = k == 0;
    const DecisionTable& t = *tables[k];
    Facts::Group& g = moves ? d.moves : d.tables[k - 1];
    uint64_t& lazy = d.lazy[k];
    // A group lookup the first row reads is done up front; others only when a row needs them.
    const uint64_t first_row = t.rows.empty() ? 0 : remap(t.pool[t.rows[0].offset], bit_of[k]);
    for (uint32_t i : bit_of[k]) {
      const uint64_t bit = uint64_t{1} << i;
      if (!moves && (in_moves & bit)) {
        lazy |= d.lazy[0] & bit;
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
          d.entered[static_cast<std::size_t>(a.slot)] |= bit;
          d.entered_all |= bit;
          break;
        case K::IsExternal:
          if (first_row & bit) {
            g.is_external.push_back(p);
            break;
          }
          [[fallthrough]];
        case K::MetaphaseEq:
        case K::RefIsSystem:
        case K::Generic: lazy |= bit; break;
      }
    }
  }
  d.rows.assign(tables.size(), {});
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const DecisionTable& t = *tables[k];
    const CheckedTable* ct = k == 0 ? nullptr : &c.rules.tables[k - 1];
    std::vector<FactRow>& out = d.rows[k];
    for (std::size_t r = 0; r < t.rows.size();) {
      std::size_t e = r + 1;  // the rows of one rule are consecutive
      while (e < t.rows.size() && t.rows[e].rule == t.rows[r].rule) ++e;
      std::vector<FactRow> rows;
      for (std::size_t i = r; i < e; ++i) {
        const uint64_t* m = &t.pool[t.rows[i].offset];
        rows.push_back({remap(m[0], bit_of[k]), remap(m[1], bit_of[k]), 0, t.rows[i].rule});
      }
      // Rows that share a part and add one positive, cheap literal each: one row with `any`.
      uint64_t common = ~uint64_t{0}, any = 0;
      for (const auto& row : rows) common &= row.care;
      bool merge = rows.size() > 1;
      for (const auto& row : rows) {
        const uint64_t extra = row.care & ~common;
        merge = merge && extra && !(extra & (extra - 1)) && (row.value & extra) &&
                !(extra & (d.lazy[k] | any)) && (row.value & common) == (rows[0].value & common);
        any |= extra;
      }
      if (merge)
        out.push_back({common, rows[0].value & common, any, rows[0].rule});
      else
        out.insert(out.end(), rows.begin(), rows.end());
      if (ct)
        for (std::size_t i = out.size(); i-- > 0 && out[i].rule == t.rows[r].rule;) {
          const CheckedRule& cr = ct->rules[out[i].rule];
          out[i].op = static_cast<int16_t>(cr.operation);
          out[i].own_system = cr.system.has_value();
        }
      r = e;
    }
  }
  return d;
}

// Folds constant atoms (mask `known`, values `value`) into rows: a row they
// falsify is dropped, the others lose those literals.
std::vector<FactRow> fold(const std::vector<FactRow>& rows, uint64_t known, uint64_t value) {
  std::vector<FactRow> out;
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
    return text_field(p) && a.ckind == ConstKind::Text && !a.text.empty() && p.side != Side::Record;
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
// None when the vocabulary has no phase field, or the pairs need more
// distinct specializations than path_of can number.
std::optional<Facts> build_paths(const CompiledRules& c, FactsDraft& d) {
  using K = AtomCode::Kind;
  Facts& f = d.facts;
  const auto& v = c.rules.vocabulary;
  const std::size_t n = v.phases.size();
  if (n == 0 || v.phase_field < 0) return std::nullopt;
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
  const std::size_t moves = c.rules.moves.size();
  // What a pair's specialization depends on: the folded phase atoms and, for
  // each outcome of the moves, its steps and the entered() bits they fold.
  // Pairs with equal signatures share one specialization, built once.
  auto signature = [&](int p0, int p1) {
    std::string key;
    auto put = [&key](const auto& x) { key.append(reinterpret_cast<const char*>(&x), sizeof x); };
    put(phase_value(p0, p1));
    for (int m = -1; m < static_cast<int>(moves); ++m) {
      const int np = m < 0 ? p1 : c.rules.moves[static_cast<std::size_t>(m)].to;
      const StepPlan steps = c.plan_steps(p0, np);
      for (int i = 0; i < steps.count; ++i) {
        const StepPlan::Step& st = steps.steps[i];
        put(st.table);
        put(st.at_new_phase);
        put(st.entered ? d.entered[static_cast<std::size_t>(np)] : uint64_t{0});
      }
      put(-2);
    }
    return key;
  };
  // One pair's specialization.
  auto build = [&](int p0, int p1) {
    Facts::Path path;
    path.phases = phase_value(p0, p1);
    uint64_t have = 0;
    merge_group(path.group, strip(d.moves), have);
    path.moves = fold(d.rows[0], phase_atoms | d.entered_all, path.phases);
    path.moves_lazy = d.lazy[0];
    // The plan of each outcome of the moves: no move, or each move that may still apply.
    std::vector<int> outcomes = {-1};
    for (const auto& row : path.moves)
      if (std::find(outcomes.begin(), outcomes.end(), static_cast<int>(row.rule)) == outcomes.end())
        outcomes.push_back(static_cast<int>(row.rule));
    path.plans.assign(moves + 1, {});
    for (int m : outcomes) {
      const int np = m < 0 ? p1 : c.rules.moves[static_cast<std::size_t>(m)].to;
      Facts::Path::Plan& plan = path.plans[static_cast<std::size_t>(m + 1)];
      plan.phase = m < 0 ? -1 : np;
      const StepPlan steps = c.plan_steps(p0, np);
      for (int i = 0; i < steps.count; ++i) {
        const StepPlan::Step& s = steps.steps[i];
        if (s.table < 0) continue;
        const auto t = static_cast<std::size_t>(s.table);
        Facts::Path::Step st;
        st.table = s.table;
        st.policy = c.rules.tables[t].policy;
        st.at_new_phase = s.at_new_phase;
        st.entered = s.entered;
        const uint64_t known = phase_atoms | d.entered_all;
        const uint64_t value =
            path.phases | (s.entered ? d.entered[static_cast<std::size_t>(np)] : 0);
        st.rows = fold(d.rows[1 + t], known, value);
        merge_group(path.group, strip(d.tables[t]), have);
        st.lazy = d.lazy[1 + t];
        plan.steps.push_back(std::move(st));
      }
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
    finish_group(path.group, f, v);
    return path;
  };
  std::map<std::string, uint16_t> by_signature;
  f.path_of.assign(n * n, 0);
  for (std::size_t p0 = 0; p0 < n; ++p0)
    for (std::size_t p1 = 0; p1 < n; ++p1) {
      const int b = static_cast<int>(p0), a = static_cast<int>(p1);
      auto [it, fresh] = by_signature.emplace(signature(b, a), uint16_t{0});
      if (fresh) {
        if (f.paths.size() > UINT16_MAX) return std::nullopt;
        it->second = static_cast<uint16_t>(f.paths.size());
        f.paths.push_back(build(b, a));
      }
      f.path_of[p0 * n + p1] = it->second;
    }
  return std::move(d.facts);
}

}  // namespace

std::variant<std::monostate, Facts, WideForm> build_plan(const CompiledRules& c) {
  if (std::optional<FactsDraft> d = draft_facts(c))
    if (std::optional<Facts> facts = build_paths(c, *d)) return std::move(*facts);
  WideForm w;
  for (const auto& t : c.tables) w.tables.push_back(table_code(t));
  w.moves = table_code(c.moves);
  return w;
}

}  // namespace casex::detail
