// engine/lint/analysis.cpp: the shared analysis of a table: rows as literals,
// the index that finds the pairs of rows that may overlap, source positions of
// conditions, and witnesses (change documents checked with the evaluator).
#include "engine/lint/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace casex::detail::lint {

namespace {

bool disjoint(const VarDomain& a, const VarDomain& b) {
  if (a.finite && b.finite) {
    for (int v : a.vals)
      if (std::binary_search(b.vals.begin(), b.vals.end(), v)) return false;
    return true;
  }
  if (!a.finite && !b.finite) return false;
  const VarDomain& f = a.finite ? a : b;
  const VarDomain& o = a.finite ? b : a;
  for (int v : f.vals)
    if (!std::binary_search(o.vals.begin(), o.vals.end(), v)) return false;
  return true;
}

std::vector<int> merge_sorted(std::vector<int> a, const std::vector<int>& b, bool intersect) {
  std::vector<int> out;
  if (intersect)
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  else
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<VarDomain> summarize(TableTheory& t, const Conj& row) {
  std::map<int, VarDomain> doms;
  const auto& vars = t.vars();
  for (const Lit& l : row) {
    const AtomDef& d = t.atoms()[l.atom];
    if (d.kind != AtomDef::Kind::Domain) continue;
    auto [it, fresh] = doms.try_emplace(d.var);
    VarDomain& vd = it->second;
    if (fresh) {
      vd.var = d.var;
      Sort s = vars[d.var].sort;
      if (s == Sort::Truth) vd = {d.var, true, {TableTheory::kFalse, TableTheory::kTrue}};
      if (s == Sort::Bool)
        vd = {d.var, true, {TableTheory::kNone, TableTheory::kFalse, TableTheory::kTrue}};
    }
    bool in = l.value != d.neg;
    if (in) {
      vd.vals = vd.finite ? merge_sorted(vd.vals, d.set, true) : [&] {
        std::vector<int> out;
        std::set_difference(d.set.begin(), d.set.end(), vd.vals.begin(), vd.vals.end(),
                            std::back_inserter(out));
        return out;
      }();
      vd.finite = true;
    } else if (vd.finite) {
      std::vector<int> out;
      std::set_difference(vd.vals.begin(), vd.vals.end(), d.set.begin(), d.set.end(),
                          std::back_inserter(out));
      vd.vals = std::move(out);
    } else {
      vd.vals = merge_sorted(vd.vals, d.set, false);
    }
  }
  std::vector<VarDomain> out;
  for (auto& [v, d] : doms) out.push_back(std::move(d));
  return out;
}

bool quick_conflict(const Conj& a, const Conj& b, const std::vector<VarDomain>& da,
                    const std::vector<VarDomain>& db) {
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i].atom < b[j].atom)
      ++i;
    else if (b[j].atom < a[i].atom)
      ++j;
    else {
      if (a[i].value != b[j].value) return true;
      ++i, ++j;
    }
  }
  for (std::size_t i = 0, j = 0; i < da.size() && j < db.size();) {
    if (da[i].var < db[j].var)
      ++i;
    else if (db[j].var < da[i].var)
      ++j;
    else {
      if (disjoint(da[i], db[j])) return true;
      ++i, ++j;
    }
  }
  return false;
}

}  // namespace

TableAnalysis::TableAnalysis(const CompiledRules& r, int t, const RawRuleSet* raw,
                             JsonEvaluator& evaluator, std::size_t budget_steps,
                             const std::function<bool()>* cancel)
    : rules(r),
      table(t),
      checked(r.rules.tables[t]),
      compiled(r.tables[t]),
      theory(r, t),
      solver(theory, &budget),
      raw_(raw),
      evaluator_(evaluator) {
  budget.limit = budget_steps;
  budget.cancel = cancel;
  budget.stage = "the test of each rule's satisfiability";
  const DecisionTable& dt = compiled;
  rule_rows.resize(checked.rules.size());
  for (std::size_t i = 0; i < dt.rows.size(); ++i) {
    const auto& row = dt.rows[i];
    Conj c;
    for (uint32_t a = 0; a < dt.atoms.size(); ++a) {
      uint64_t bit = uint64_t{1} << (a % 64);
      if (dt.pool[row.offset + a / 64] & bit)
        c.push_back({a, (dt.pool[row.offset + dt.words + a / 64] & bit) != 0});
    }
    rows.push_back(std::move(c));
    rule_rows[row.rule].push_back(static_cast<uint32_t>(i));
  }
  for (const Conj& c : rows) {
    budget.rule = static_cast<int>(dt.rows[row_sat.size()].rule);
    row_sat.push_back(solver.conj(c, nullptr));
  }
  dead.assign(checked.rules.size(), 0);
  // A rule without rows: its scenario is always false, or it expands to more
  // alternatives than a rule may have (compile reported scenario-too-complex,
  // and the rule is not analysed: nothing is known of it).
  too_complex.assign(checked.rules.size(), 0);
  for (uint32_t r = 0; r < checked.rules.size(); ++r) {
    if (!rule_rows[r].empty()) continue;
    std::vector<Conj> alternatives;
    if (!theory.dnf(checked.rules[r].when, false, alternatives, kMaxRowsPerRule))
      too_complex[r] = 1;
  }
  if (raw_) {
    for (const auto& rt : raw_->tables)
      if (rt.id.value == checked.id) {
        raw_table_ = &rt;
        break;
      }
  }
  raw_rules_.assign(checked.rules.size(), nullptr);
  if (raw_table_)
    for (std::size_t i = 0; i < checked.rules.size(); ++i)
      for (const auto& rr : raw_table_->rules)
        if (rr.id.value == checked.rules[i].id) {
          raw_rules_[i] = &rr;
          break;
        }
  budget.stage = "the overlap index";
  index_overlaps();
}

void TableAnalysis::index_overlaps() {
  const std::size_t n = rows.size();
  overlaps.assign(n, {});
  sums_.clear();
  sums_.reserve(n);
  for (const Conj& c : rows) sums_.push_back(summarize(theory, c));
  const auto& sums = sums_;
  // copies: rows with the same literals (and priority) as an earlier row
  first_copy.resize(n);
  {
    std::map<std::pair<int, const Conj*>, uint32_t,
             bool (*)(const std::pair<int, const Conj*>&, const std::pair<int, const Conj*>&)>
        first([](const std::pair<int, const Conj*>& x, const std::pair<int, const Conj*>& y) {
          return x.first != y.first ? x.first < y.first : *x.second < *y.second;
        });
    for (uint32_t i = 0; i < n; ++i) {
      int prio =
          checked.policy == HitPolicy::Priority ? checked.rules[compiled.rows[i].rule].priority : 0;
      first_copy[i] = first.emplace(std::make_pair(prio, &rows[i]), i).first->second;
    }
  }
  if (checked.policy == HitPolicy::First || checked.policy == HitPolicy::Priority) contain_ranges();
  // The index: the variable most rows pin to a few values; rows that pin it to
  // disjoint values cannot overlap, so each row meets only the rows of its
  // values' buckets and the rows that leave the variable open.
  std::map<int, std::size_t> pinned;
  for (const auto& s : sums)
    for (const auto& d : s)
      if (d.finite && d.vals.size() <= 8) ++pinned[d.var];
  int split = -1;
  std::size_t best = 1;
  for (auto [v, count] : pinned)
    if (count > best) {
      best = count;
      split = v;
    }
  std::map<int, std::vector<uint32_t>> buckets;
  std::vector<uint32_t> open;
  std::vector<const VarDomain*> key(n, nullptr);
  for (uint32_t i = 0; i < n; ++i) {
    if (first_copy[i] != i) continue;
    for (const auto& d : sums[i])
      if (d.var == split && d.finite && d.vals.size() <= 8) key[i] = &d;
    if (key[i]) {
      for (int v : key[i]->vals) buckets[v].push_back(i);
    } else {
      open.push_back(i);
    }
  }
  std::vector<uint32_t> stamp(n, UINT32_MAX);
  auto consider = [&](uint32_t i, uint32_t j) {
    if (j <= i || stamp[j] == i) return;
    stamp[j] = i;
    if (row_sat[i] == Sat::No || row_sat[j] == Sat::No) return;
    if (!budget.spend(1)) return;
    if (quick_conflict(rows[i], rows[j], sums[i], sums[j])) return;
    ++candidate_pairs;
    Conj both = rows[i];
    for (const Lit& l : rows[j])
      if (!add_literal(both, l)) return;
    if (solver.conj_once(both) == Sat::No) return;
    overlaps[i].push_back(j);
    overlaps[j].push_back(i);
  };
  for (uint32_t i = 0; i < n && !budget.exhausted(); ++i) {
    if (first_copy[i] != i) continue;
    budget.rule = static_cast<int>(compiled.rows[i].rule);
    if (!key[i]) {
      for (uint32_t j = i + 1; j < n; ++j)
        if (first_copy[j] == j) consider(i, j);
      continue;
    }
    for (int v : key[i]->vals)
      for (uint32_t j : buckets[v]) consider(i, j);
    for (uint32_t j : open) consider(i, j);
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t f = first_copy[i];
    if (f == i || row_sat[f] == Sat::No) continue;
    overlaps[f].push_back(i);
    overlaps[i].push_back(f);
  }
  for (auto& o : overlaps) std::sort(o.begin(), o.end());
}

namespace {

// The values a row allows one variable by its ordering comparisons: an interval
// (bounds as value ids, -1: none), and whether "no value" is allowed.
struct Interval {
  int lo = -1, hi = -1;
  bool lo_strict = false, hi_strict = false, none_ok = true;
};

// Whether bound (b, strict_b) of one side lets through at least what (a, strict_a) does.
bool weaker(const TableTheory& t, int b, bool strict_b, int a, bool strict_a, bool upper) {
  if (b < 0) return true;
  if (a < 0) return false;
  int o = t.order(b, a);
  if (o == 2) return false;
  if (o == 0) return !strict_b || strict_a;
  return upper ? o > 0 : o < 0;
}

bool inside(const TableTheory& t, const Interval& in, const Interval& out) {
  if (in.none_ok && !out.none_ok) return false;
  return weaker(t, out.lo, out.lo_strict, in.lo, in.lo_strict, false) &&
         weaker(t, out.hi, out.hi_strict, in.hi, in.hi_strict, true);
}

}  // namespace

// Under first and priority: a row whose literals are those of a row that wins
// over it, but for ordering comparisons of one variable whose range lies inside
// the winner's, is taken by it wherever it matches; it is listed like a copy of
// it (first_copy), so the index does not pair it with every other row. Each row
// is compared with rows of its kind that win over it, a step each: the first
// eight, the one with the lowest lower bound and the one with the highest upper
// bound (for one-sided ranges, the widest); of those that contain it, it goes
// with the one that wins first.
void TableAnalysis::contain_ranges() {
  const std::size_t n = rows.size();
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  if (checked.policy == HitPolicy::Priority)
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return checked.rules[compiled.rows[x].rule].priority >
             checked.rules[compiled.rows[y].rule].priority;
    });
  struct Group {
    uint32_t widest_lo = UINT32_MAX, widest_hi = UINT32_MAX;
    std::vector<uint32_t>
        first;  // the first rows of the kind, in the order they win (up to kFirst)
  };
  constexpr std::size_t kFirst = 8;
  std::map<std::pair<int, Conj>, Group> groups;
  std::vector<Interval> iv(n);
  std::vector<uint32_t> rank(n);
  for (uint32_t k = 0; k < n; ++k) rank[order[k]] = k;
  const auto& atoms = theory.atoms();
  for (uint32_t i : order) {
    if (first_copy[i] != i || row_sat[i] == Sat::No || budget.exhausted()) continue;
    const Conj& row = rows[i];
    int var = -1;
    for (const Lit& l : row)
      if (atoms[l.atom].kind == AtomDef::Kind::Range) {
        var = atoms[l.atom].var;
        break;
      }
    if (var < 0) continue;
    Conj rest;
    Interval& in = iv[i];
    bool plain = true;  // no other kind of condition on the variable
    for (const Lit& l : row) {
      const AtomDef& d = atoms[l.atom];
      if (d.var != var && d.var2 != var) {
        rest.push_back(l);
        continue;
      }
      if (d.kind != AtomDef::Kind::Range) {
        plain = false;
        break;
      }
      bool upper = d.upper, strict = d.strict;
      if (l.value == d.neg)
        upper = !upper, strict = !strict;  // not (x > c): no value, or x <= c
      else
        in.none_ok = false;
      int& b = upper ? in.hi : in.lo;
      bool& st = upper ? in.hi_strict : in.lo_strict;
      if (weaker(theory, b, st, d.bound, strict, upper)) {
        b = d.bound;
        st = strict;
      }
    }
    if (!plain) continue;
    budget.spend(1);
    Group& g = groups[{var, std::move(rest)}];
    // the row that wins first among those tried (the one that fires, in the usual
    // tables), so that the finding names it and its witness shows it firing
    uint32_t into = UINT32_MAX;
    std::vector<uint32_t> tried = g.first;
    for (uint32_t c : {g.widest_lo, g.widest_hi})
      if (c != UINT32_MAX) tried.push_back(c);
    for (uint32_t c : tried)
      if (inside(theory, in, iv[c]) && (into == UINT32_MAX || rank[c] < rank[into])) into = c;
    budget.spend(tried.size());
    if (into != UINT32_MAX) {
      first_copy[i] = into;
      continue;
    }
    if (g.first.size() < kFirst) g.first.push_back(i);
    auto better = [&](uint32_t c, bool upper) {
      if (c == UINT32_MAX) return true;
      const Interval& o = iv[c];
      bool w = upper ? weaker(theory, in.hi, in.hi_strict, o.hi, o.hi_strict, true)
                     : weaker(theory, in.lo, in.lo_strict, o.lo, o.lo_strict, false);
      bool same = upper ? weaker(theory, o.hi, o.hi_strict, in.hi, in.hi_strict, true)
                        : weaker(theory, o.lo, o.lo_strict, in.lo, in.lo_strict, false);
      if (!w) return false;
      if (!same) return true;
      return upper ? weaker(theory, in.lo, in.lo_strict, o.lo, o.lo_strict, false)
                   : weaker(theory, in.hi, in.hi_strict, o.hi, o.hi_strict, true);
    };
    if (better(g.widest_lo, false)) g.widest_lo = i;
    if (better(g.widest_hi, true)) g.widest_hi = i;
  }
  // the copies of a contained row go with the row that contains it
  for (uint32_t i = 0; i < n; ++i) first_copy[i] = first_copy[first_copy[i]];
}

std::vector<uint32_t> TableAnalysis::rows_meeting(
    const Conj& units, const std::function<bool(uint32_t)>& wanted) const {
  std::vector<VarDomain> s = summarize(const_cast<TableTheory&>(theory), units);
  std::vector<uint32_t> out;
  for (uint32_t r = 0; r < rows.size(); ++r)
    if (row_sat[r] != Sat::No && wanted(r) && !quick_conflict(units, rows[r], s, sums_[r]))
      out.push_back(r);
  return out;
}

void TableAnalysis::release() {
  solver.forget();
  overlaps = {};
  sums_ = {};
}

bool TableAnalysis::beats(uint32_t a, uint32_t b) const {
  switch (checked.policy) {
    case HitPolicy::First: return a < b;
    case HitPolicy::Priority: {
      int pa = checked.rules[a].priority, pb = checked.rules[b].priority;
      return pa > pb || (pa == pb && a < b);
    }
    default: return false;
  }
}

Sat TableAnalysis::rule_sat(uint32_t rule) const {
  if (too_complex[rule]) return Sat::Unknown;
  bool unknown = false;
  for (uint32_t r : rule_rows[rule]) {
    if (row_sat[r] == Sat::Yes) return Sat::Yes;
    if (row_sat[r] == Sat::Unknown) unknown = true;
  }
  return unknown ? Sat::Unknown : Sat::No;
}

const ast::Span* TableAnalysis::span_of(uint32_t rule, uint32_t atom) const {
  std::string want = atom_key(theory.atom_exprs()[atom]);
  const ast::Span* found = nullptr;
  std::function<void(const TExpr&)> walk = [&](const TExpr& e) {
    if (found) return;
    if (e.op == Op::And || e.op == Op::Or || e.op == Op::Not) {
      for (const auto& a : e.args) walk(a);
      return;
    }
    if (e.op == Op::ChangedTo) {  // its atoms are its meaning's: the call names them
      for (const auto& part : changed_to_meaning(e).args)
        if (atom_key(part) == want) found = &e.span;
      return;
    }
    if (atom_key(e) == want) found = &e.span;
  };
  walk(checked.rules[rule].when);
  return found;
}

std::string TableAnalysis::text(uint32_t rule, Lit l) const {
  std::string t;
  if (const ast::Span* s = span_of(rule, l.atom)) {
    const std::string& sc = checked.rules[rule].scenario;
    if (s->begin <= s->end && s->end <= sc.size()) t = sc.substr(s->begin, s->end - s->begin);
  }
  if (t.empty()) t = fmt::format("condition {}", l.atom + 1);
  for (char& c : t)
    if (c == '\n') c = ' ';
  if (l.value) return t;
  bool simple = t.find(' ') == std::string::npos || t.back() == ')';
  return simple ? "not " + t : "not (" + t + ")";
}

std::string TableAnalysis::text_any(Lit l) const {
  for (uint32_t r = 0; r < checked.rules.size(); ++r)
    if (span_of(r, l.atom)) return text(r, l);
  return {};
}

Location TableAnalysis::where(uint32_t rule, uint32_t atom) const {
  const RawRule* rr = raw_rules_[rule];
  const ast::Span* s = span_of(rule, atom);
  if (rr && s) return rr->when.span(s->begin, s->end);
  return rule_location(rule);
}

Location TableAnalysis::rule_location(uint32_t rule) const {
  if (const RawRule* rr = raw_rules_[rule]) return rr->when.span(0, rr->when.text.size());
  return checked.rules[rule].loc;
}

Location TableAnalysis::id_location(uint32_t rule) const {
  if (const RawRule* rr = raw_rules_[rule]) return rr->id.loc;
  return checked.rules[rule].loc;
}

Location TableAnalysis::table_location() const {
  if (raw_table_) return raw_table_->id.loc;
  return checked.loc;
}

bool TableAnalysis::row_matches(const EvalTrace::Step& step, uint32_t row) const {
  const auto& dt = compiled;
  const uint64_t* care = &dt.pool[dt.rows[row].offset];
  const uint64_t* value = care + dt.words;
  for (uint32_t w = 0; w < dt.words; ++w)
    if (w >= step.bits.size() || (step.bits[w] & care[w]) != value[w]) return false;
  return true;
}

std::vector<TargetChoice> target_choices(TableTheory& theory, const CompiledRules& rules,
                                         const CheckedRule& rule, const ExprMap& map) {
  std::vector<TargetChoice> out;
  auto mapped = [&](const TExpr& e) { return map ? map(e) : e; };
  if (rule.system) {
    out.push_back({{}, {}, mapped(*rule.system), -1});
    return out;
  }
  std::vector<Clause> earlier;
  for (uint32_t e : rules.op_targets[rule.operation]) {
    const CheckedTarget& t = rules.rules.targets[e];
    std::vector<Conj> when{Conj{}};
    if (t.when) {
      when.clear();
      if (!theory.dnf(mapped(*t.when), false, when)) break;
    }
    for (Conj& c : when)
      out.push_back({std::move(c), earlier, mapped(t.system), static_cast<int>(e)});
    if (!t.when) break;  // the later entries are never reached
    std::vector<Conj> rows_of_when;
    if (!theory.dnf(mapped(*t.when), false, rows_of_when)) break;
    for (const Conj& c : rows_of_when) {
      Clause neg;
      for (const Lit& l : c) neg.push_back({l.atom, !l.value});
      earlier.push_back(std::move(neg));
    }
  }
  return out;
}

std::vector<TableAnalysis::Alternative> TableAnalysis::target_alternatives(uint32_t rule) {
  std::vector<Alternative> out;
  for (TargetChoice& c : target_choices(theory, rules, checked.rules[rule])) {
    TExpr hv;
    hv.op = Op::HasValue;
    hv.type = Type::Bool;
    hv.args.push_back(std::move(c.system));
    if (!add_literal(c.units, Lit{theory.atom(hv), true})) continue;
    out.push_back({std::move(c.units), std::move(c.clauses)});
  }
  return out;
}

namespace {

// Writes a theory value as JSON. A fresh value is a text or number no rule
// names, at its place in the order (see TheoryValue): above every constant an
// ordering comparison names, below every one, or between a constant and the
// next such constant.
class Writer {
 public:
  explicit Writer(const TableTheory& t, const ValueCatalog& c) : t_(t), c_(c) {}
  // Names fresh values by the role of the first variable that holds them.
  void name(int value, const std::string& role) {
    const TheoryValue& v = t_.values()[value];
    if (v.kind != TheoryValue::Kind::Fresh || v.sort != Sort::Text || names_.count(value)) return;
    std::string s;
    if (v.anchor == TheoryValue::kAbove) {
      int n = ++counts_[role];
      s = fmt::format("{}-{}", role, n);
      if (!c_.text_bounds.empty() && !(s > *c_.text_bounds.rbegin()))
        s = *c_.text_bounds.rbegin() + "-" + s;
      while (c_.texts.count(s) || taken_.count(s)) s += "'";
    } else {
      s = between(v, role);
    }
    taken_.insert(s);
    names_[value] = s;
  }
  std::string json(int value) {
    const TheoryValue& v = t_.values()[value];
    std::string out;
    if (value == TableTheory::kNone) return "null";
    if (v.kind == TheoryValue::Kind::Fresh) {
      if (v.sort == Sort::Number) return fmt::format("{}", number(value));
      name(value, "value");
      append_json_string(out, names_[value]);
      return out;
    }
    switch (v.const_kind) {
      case ConstKind::Bool: return v.boolean ? "true" : "false";
      case ConstKind::Number: return fmt::format("{}", v.number);
      default: append_json_string(out, v.text); return out;
    }
  }
  std::string text(int value) {
    std::string j = json(value);
    return j.size() >= 2 && j.front() == '"' ? j.substr(1, j.size() - 2) : j;
  }

 private:
  // A text at a fresh value's place: above its anchor constant (or nothing) and
  // below the next constant an ordering comparison names, equal to no constant.
  std::string between(const TheoryValue& v, const std::string& role) {
    const std::string* lo = v.anchor >= 0 ? &t_.values()[v.anchor].text : nullptr;
    const std::string* hi = nullptr;
    if (lo) {
      auto it = c_.text_bounds.upper_bound(*lo);
      if (it != c_.text_bounds.end()) hi = &*it;
    } else if (!c_.text_bounds.empty()) {
      hi = &*c_.text_bounds.begin();
    }
    auto fits = [&](const std::string& s) {
      return !s.empty() && (!lo || s > *lo) && (!hi || s < *hi) && !c_.texts.count(s) &&
             !taken_.count(s);
    };
    std::vector<std::string> bases;
    if (lo) {
      bases.push_back(*lo);
    } else {
      if (!hi) {
        for (int n = 1; n < 1000; ++n)
          if (std::string s = fmt::format("{}-{}", role, n); fits(s)) return s;
      }
      // the proper prefixes of the next constant, longest first (cut between UTF-8 characters)
      for (std::size_t len = hi->size(); len-- > 1;)
        if ((static_cast<unsigned char>((*hi)[len]) & 0xC0) != 0x80) {
          if (fits(hi->substr(0, len))) return hi->substr(0, len);
          bases.push_back(hi->substr(0, len));
        }
      bases.push_back("");
    }
    for (int n = 1; n < 100; ++n)
      for (const auto& b : bases)
        for (const char* sep : {"-", " ", "!", "\x01"})
          if (std::string s = fmt::format("{}{}{}", b, sep, n); fits(s)) return s;
    // no text lies there (a constant and the next differ by a trailing NUL byte):
    // the witness, checked with the evaluator, is then not reported
    return (lo ? *lo : std::string()) + "-" + role;
  }
  // A number at a fresh value's place.
  double number(int value) {
    auto it = numbers_.find(value);
    if (it != numbers_.end()) return it->second;
    const TheoryValue& v = t_.values()[value];
    auto fits = [&](double x, const double* lo, const double* hi) {
      return std::isfinite(x) && (!lo || x > *lo) && (!hi || x < *hi) && !c_.numbers.count(x) &&
             !taken_numbers_.count(x);
    };
    double x = std::floor(c_.max_number) + 1 + v.k;
    if (v.anchor == TheoryValue::kBelow) {
      const double* hi = c_.number_bounds.empty() ? nullptr : &*c_.number_bounds.begin();
      double start = hi ? std::floor(*hi) - 1 : -(std::floor(c_.max_number) + 1);
      for (int n = 0; n < 1000 && !fits(x = start - n, nullptr, hi); ++n) {}
    } else if (v.anchor >= 0) {
      const double lo = t_.values()[v.anchor].number;
      auto up = c_.number_bounds.upper_bound(lo);
      const double* hi = up == c_.number_bounds.end() ? nullptr : &*up;
      bool found = false;
      for (int n = 0; n < 1000 && !found; ++n) found = fits(x = std::floor(lo) + 1 + n, &lo, hi);
      for (int n = 1; n < 1000 && !found && hi; ++n)
        found = fits(x = lo + (*hi - lo) * n / (n + 1), &lo, hi);
    } else {
      while (taken_numbers_.count(x)) x += 1;
    }
    taken_numbers_.insert(x);
    numbers_[value] = x;
    return x;
  }

  const TableTheory& t_;
  const ValueCatalog& c_;
  std::map<int, std::string> names_;
  std::map<std::string, int> counts_;
  std::set<std::string> taken_;
  std::map<int, double> numbers_;
  std::set<double> taken_numbers_;
};

}  // namespace

void ValueCatalog::update(const TableTheory& t) {
  for (; values < t.values().size(); ++values) {
    const TheoryValue& v = t.values()[values];
    if (v.kind != TheoryValue::Kind::Const) continue;
    if (v.const_kind == ConstKind::Text) texts.insert(v.text);
    if (v.const_kind == ConstKind::Number) {
      numbers.insert(v.number);
      max_number = std::max(max_number, std::abs(v.number));
    }
  }
  for (; atoms < t.atoms().size(); ++atoms) {
    const AtomDef& d = t.atoms()[atoms];
    if (d.kind != AtomDef::Kind::Range) continue;
    const TheoryValue& b = t.values()[d.bound];
    if (b.const_kind == ConstKind::Text) text_bounds.insert(b.text);
    if (b.const_kind == ConstKind::Number) number_bounds.insert(b.number);
  }
}

ModelDocument model_document(const TableTheory& theory, ValueCatalog& catalog, const Model& model) {
  const auto& vars = theory.vars();
  const Vocabulary& v = theory.vocabulary();
  catalog.update(theory);
  Writer w(theory, catalog);
  ModelDocument d;
  std::string &before_fields = d.before_fields, &after_fields = d.after_fields, &rest = d.rest;
  auto val = [&](int var) { return theory.value_of(model, var); };
  auto assigned = [&](int var) { return var >= 0 && model.at(var) >= 0; };
  for (std::size_t i = 0; i < vars.size(); ++i) {
    if (!assigned(static_cast<int>(i))) continue;
    if (vars[i].kind == Var::Kind::ExtSys) {
      w.name(val(static_cast<int>(i)), "SYS");
      if (vars[i].arg_var >= 0) w.name(val(vars[i].arg_var), "group");
    }
  }
  for (std::size_t i = 0; i < vars.size(); ++i) {
    if (!assigned(static_cast<int>(i))) continue;
    const Var& x = vars[i];
    std::string role = x.kind == Var::Kind::Field ? v.fields[x.slot].name
                       : x.kind == Var::Kind::RefSystem || x.kind == Var::Kind::Origin ? "SYS"
                       : x.kind == Var::Kind::RefId                                    ? "ID"
                       : x.kind == Var::Kind::Record                                   ? "INC"
                                                                                       : "value";
    w.name(val(static_cast<int>(i)), role);
  }
  // the document apart from the phases
  for (std::size_t slot = 0; slot < v.fields.size(); ++slot) {
    if (static_cast<int>(slot) == v.phase_field) continue;
    for (int side = 0; side < 2; ++side) {
      int x = theory.var_index(
          fmt::format("{}.{}", side == 0 ? "before" : "after", v.fields[slot].name));
      if (x < 0 || !assigned(x) || val(x) == TableTheory::kNone) continue;
      std::string& out = side == 0 ? before_fields : after_fields;
      out += ", ";
      append_json_string(out, v.fields[slot].name);
      out += ": " + w.json(val(x));
    }
  }
  for (std::size_t e = 0; e < v.events.size(); ++e) {
    int x = theory.var_index(v.events[e]);
    if (x >= 0 && val(x) == TableTheory::kTrue) {
      rest += ", ";
      append_json_string(rest, v.events[e]);
      rest += ": true";
    }
  }
  // `sent`: an entry for every sent_before() the model makes true
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const Var& x = vars[i];
    if (x.kind != Var::Kind::Sent || !assigned(static_cast<int>(i)) ||
        val(static_cast<int>(i)) != TableTheory::kTrue)
      continue;
    std::string s = "{\"operation\": ";
    append_json_string(s, x.sent_op);
    if (!x.sent_system.empty()) {
      s += ", \"system\": ";
      append_json_string(s, x.sent_system);
    }
    sent.push_back(s + "}");
  }
  if (!sent.empty()) rest += fmt::format(", \"sent\": [{}]", fmt::join(sent, ", "));
  int ref = theory.var_index("external_reference"),
      rs = theory.var_index("external_reference.system"),
      ri = theory.var_index("external_reference.id");
  bool has_ref = (ref >= 0 && val(ref) == TableTheory::kTrue) ||
                 (rs >= 0 && val(rs) != TableTheory::kNone) ||
                 (ri >= 0 && val(ri) != TableTheory::kNone);
  if (has_ref) {
    std::vector<std::string> parts;
    if (rs >= 0 && val(rs) != TableTheory::kNone) parts.push_back("\"system\": " + w.json(val(rs)));
    if (ri >= 0 && val(ri) != TableTheory::kNone) parts.push_back("\"id\": " + w.json(val(ri)));
    rest += fmt::format(", \"external_reference\": {{{}}}", fmt::join(parts, ", "));
  }
  std::map<std::string, std::string> groups;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const Var& x = vars[i];
    if (x.kind != Var::Kind::ExtSys || !assigned(static_cast<int>(i))) continue;
    int g = x.arg_var >= 0 ? val(x.arg_var) : x.arg_value;
    int s = val(static_cast<int>(i));
    if (g == TableTheory::kNone || s == TableTheory::kNone) continue;
    groups[w.text(g)] = w.json(s);
  }
  if (!groups.empty()) {
    std::vector<std::string> parts;
    for (const auto& [g, s] : groups) {
      std::string k;
      append_json_string(k, g);
      parts.push_back(k + ": " + s);
    }
    rest += fmt::format(", \"groups\": {{{}}}", fmt::join(parts, ", "));
  }
  if (int o = theory.var_index("origin"); o >= 0 && val(o) != TableTheory::kNone)
    rest += ", \"origin\": " + w.json(val(o));
  if (int i = theory.var_index(v.record); i >= 0 && val(i) != TableTheory::kNone) {
    append_json_string(d.record, v.record);
    d.record += ": " + w.json(val(i)) + ", ";
  }
  return d;
}

std::string ModelDocument::with_phases(const Vocabulary& v, int before, int after) const {
  std::string b = "{\"phase\": ", a = "{\"phase\": ";
  append_json_string(b, v.phases[before]);
  append_json_string(a, v.phases[after]);
  return fmt::format("{{{}\"before\": {}{}}}, \"after\": {}{}}}{}}}", record, b, before_fields, a,
                     after_fields, rest);
}

std::string TableAnalysis::witness(const Model& model, const StepCheck& check) {
  const Vocabulary& v = rules.rules.vocabulary;
  const ModelDocument parts = model_document(theory, catalog_, model);
  auto val = [&](int var) { return theory.value_of(model, var); };
  auto assigned = [&](int var) { return var >= 0 && model.at(var) >= 0; };

  // the phases: fixed by the model where it reads them, else every pair that
  // makes the engine consult this table
  const std::string& pf = v.fields[v.phase_field].name;
  int bp = theory.var_index("before." + pf), ap = theory.var_index("after." + pf),
      en = theory.var_index("entered");
  auto phase_of = [&](int var) { return assigned(var) ? theory.values()[val(var)].sym : -2; };
  int fixed_before = phase_of(bp), fixed_after = phase_of(ap);
  int entered = en >= 0 && assigned(en)
                    ? (val(en) == TableTheory::kNone ? -1 : theory.values()[val(en)].sym)
                    : -2;
  std::vector<std::pair<int, int>> pairs;
  const int np = static_cast<int>(v.phases.size());
  auto in_scope = [&](int p) { return v.phase_metaphase[p] == checked.metaphase; };
  // rank: 0 a change within one phase of the scope, 1 within the scope, 2 what the
  // model's entered() asks, 3 any pair that consults the table, 4 the rest
  auto rank = [&](int p0, int p1) {
    if (checked.metaphase < 0)
      return std::find(checked.pairs.begin(), checked.pairs.end(), std::make_pair(p0, p1)) !=
                     checked.pairs.end()
                 ? 0
                 : 4;
    if (entered >= 0) return p1 == entered && !in_scope(p0) ? 2 : 4;
    if (in_scope(p0) && in_scope(p1)) return p0 == p1 ? 0 : 1;
    if (entered == -1) return in_scope(p0) ? 3 : 4;
    return in_scope(p0) || in_scope(p1) ? 3 : 4;
  };
  // the pairs of phases are enumerated five times: a step per 64 of them
  if (!budget.spend(1 + 5 * static_cast<std::size_t>(np) * static_cast<std::size_t>(np) / 64))
    return {};
  for (int round = 0; round <= 4; ++round)
    for (int p0 = 0; p0 < np; ++p0)
      for (int p1 = 0; p1 < np; ++p1) {
        if ((fixed_before >= 0 && p0 != fixed_before) || (fixed_after >= 0 && p1 != fixed_after))
          continue;
        if (rank(p0, p1) == round) pairs.emplace_back(p0, p1);
      }
  EvalTrace trace;
  for (auto [p0, p1] : pairs) {
    std::string doc = parts.with_phases(v, p0, p1);
    if (!budget.spend(Budget::kEvalSteps)) return {};
    bool incoming = false;
    std::string out, err;
    bool ok = evaluator_.explain(doc, trace, incoming, out, err);
    for (const auto& step : trace.steps)
      if (step.table == table && check(step, trace, ok, ok ? out : err)) return doc;
  }
  return {};
}

}  // namespace casex::detail::lint
