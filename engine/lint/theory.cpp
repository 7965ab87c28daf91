// engine/lint/theory.cpp: atoms as constraints over a change's values, and the
// solver: a small-model search for conjunctions, DPLL over clauses on top.
#include "engine/lint/theory.h"
#include "engine/compile/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace casex::detail::lint {

namespace {

std::string key(const TExpr& e) {
  std::string k;
  atom_key(e, k);  // as engine/compile keys its atoms, so indices agree
  return k;
}

bool contains(const std::vector<int>& sorted, int v) {
  return std::binary_search(sorted.begin(), sorted.end(), v);
}

// A domain: the values in `vals` (finite) or every value of the sort but them.
struct Dom {
  bool finite = false;
  std::vector<int> vals;
  void keep(const std::vector<int>& s) {  // intersect with s
    std::vector<int> out;
    if (finite)
      std::set_intersection(vals.begin(), vals.end(), s.begin(), s.end(), std::back_inserter(out));
    else
      std::set_difference(s.begin(), s.end(), vals.begin(), vals.end(), std::back_inserter(out));
    vals = std::move(out);
    finite = true;
  }
  void drop(const std::vector<int>& s) {  // remove s
    std::vector<int> out;
    if (finite)
      std::set_difference(vals.begin(), vals.end(), s.begin(), s.end(), std::back_inserter(out));
    else
      std::set_union(vals.begin(), vals.end(), s.begin(), s.end(), std::back_inserter(out));
    vals = std::move(out);
  }
  bool allows(int v) const { return finite ? contains(vals, v) : !contains(vals, v); }
  bool empty() const { return finite && vals.empty(); }
};

}  // namespace

// The per-variable arrays of the small-model search, kept across queries.
struct SearchScratch {
  std::vector<char> in;     // the variable is read by the query
  std::vector<Dom> dom;     // its domain
  std::vector<int> parent;  // union-find of equal variables
  std::vector<int> cls_of;  // its class
};

Solver::Solver(TableTheory& theory, Budget* budget)
    : t_(theory), budget_(budget), scratch_(std::make_unique<SearchScratch>()) {}
Solver::~Solver() = default;

std::string atom_key(const TExpr& e) { return key(e); }

TableTheory::TableTheory(const CompiledRules& rules, int table)
    : TableTheory(rules.rules.vocabulary, TableScope{rules.rules.tables[table].metaphase,
                                                     rules.rules.tables[table].pairs}) {
  for (const auto& a : rules.tables[table].atoms) atom(a);
}

TableTheory::TableTheory(const Vocabulary& vocab, TableScope scope) : vocab_(vocab), scope_(scope) {
  TheoryValue none;
  values_.push_back(none);
  TheoryValue f;
  f.kind = TheoryValue::Kind::Const;
  f.sort = Sort::Bool;
  f.const_kind = ConstKind::Bool;
  values_.push_back(f);
  f.boolean = true;
  values_.push_back(f);
  value_index_["none"] = kNone;
  value_index_["bool:0"] = kFalse;
  value_index_["bool:1"] = kTrue;
}

int TableTheory::var_index(std::string_view k) const {
  auto it = var_index_.find(std::string(k));
  return it == var_index_.end() ? -1 : it->second;
}

int TableTheory::var(Var v) {
  auto [it, fresh] = var_index_.emplace(v.key, static_cast<int>(vars_.size()));
  if (fresh) vars_.push_back(std::move(v));
  return it->second;
}

int TableTheory::value(TheoryValue v) {
  std::string k;
  switch (v.const_kind) {
    case ConstKind::None: return kNone;
    case ConstKind::Bool: return v.boolean ? kTrue : kFalse;
    case ConstKind::Text: k = "text:" + v.text; break;
    case ConstKind::Number: k = fmt::format("number:{}", v.number); break;
    case ConstKind::Sym: k = fmt::format("phase:{}", v.sym); break;
  }
  if (v.kind == TheoryValue::Kind::Fresh) k = "fresh:" + k;
  if (v.kind == TheoryValue::Kind::Fresh && v.anchor != TheoryValue::kAbove)
    k = fmt::format("gap:{}:{}:{}", static_cast<int>(v.sort), v.anchor, v.k);
  auto [it, fresh] = value_index_.emplace(k, static_cast<int>(values_.size()));
  if (fresh) values_.push_back(std::move(v));
  return it->second;
}

int TableTheory::phase(int p) {
  TheoryValue v;
  v.kind = TheoryValue::Kind::Const;
  v.sort = Sort::Phase;
  v.const_kind = ConstKind::Sym;
  v.sym = p;
  v.text = vocab_.phases[p];
  return value(std::move(v));
}

int TableTheory::fresh(Sort s, int k) {
  TheoryValue v;
  v.kind = TheoryValue::Kind::Fresh;
  v.sort = s;
  v.k = k;
  if (s == Sort::Number) {
    v.const_kind = ConstKind::Number;
    v.number = k;  // made distinct from the constants when written out
  } else {
    v.const_kind = ConstKind::Text;
    v.text = std::to_string(k);
  }
  return value(std::move(v));
}

int TableTheory::gap(Sort s, int anchor, int k) {
  if (anchor == TheoryValue::kAbove) return fresh(s, k);
  TheoryValue v;
  v.kind = TheoryValue::Kind::Fresh;
  v.sort = s;
  v.const_kind = s == Sort::Number ? ConstKind::Number : ConstKind::Text;
  v.anchor = anchor;
  v.k = k;
  v.text = std::to_string(k);
  return value(std::move(v));
}

int TableTheory::order(int a, int b) const {
  if (a == kNone || b == kNone) return 2;
  const TheoryValue& x = values_[a];
  const TheoryValue& y = values_[b];
  if (x.sort != y.sort || (x.sort != Sort::Text && x.sort != Sort::Number)) return 2;
  // a value's place: below every constant (0), at or just above a constant (1), above every one (2)
  struct Place {
    int rank, c, eps;
  };
  auto place = [](const TheoryValue& v, int id) -> Place {
    if (v.kind == TheoryValue::Kind::Const) return {1, id, 0};
    if (v.anchor == TheoryValue::kAbove) return {2, -1, 0};
    if (v.anchor == TheoryValue::kBelow) return {0, -1, 0};
    return {1, v.anchor, 1};
  };
  Place p = place(x, a), q = place(y, b);
  if (p.rank != q.rank) return p.rank < q.rank ? -1 : 1;
  if (p.rank != 1) return a == b ? 0 : 2;
  const TheoryValue& cx = values_[p.c];
  const TheoryValue& cy = values_[q.c];
  int c = 0;
  if (x.sort == Sort::Number)
    c = cx.number < cy.number ? -1 : cx.number > cy.number ? 1 : 0;
  else
    c = cx.text.compare(cy.text) < 0   ? -1
        : cx.text.compare(cy.text) > 0 ? 1
                                       : 0;  // bytes, unsigned, as the evaluator
  if (c != 0) return c;
  if (p.eps != q.eps) return p.eps < q.eps ? -1 : 1;
  return p.eps == 0 || a == b ? 0 : 2;
}

bool TableTheory::in_range(int v, const AtomDef& d) const {
  int o = order(v, d.bound);
  if (o == 2) return false;  // no value: every ordering comparison is false
  return d.upper ? (d.strict ? o < 0 : o <= 0) : (d.strict ? o > 0 : o >= 0);
}

int TableTheory::term(const TExpr& e) {
  auto constant = [&](TheoryValue v) { return -2 - value(std::move(v)); };
  auto simple = [&](Var::Kind kind, Sort sort, std::string k) {
    Var v;
    v.kind = kind;
    v.sort = sort;
    v.key = std::move(k);
    return var(std::move(v));
  };
  switch (e.op) {
    case Op::Const: {
      TheoryValue v;
      v.kind = TheoryValue::Kind::Const;
      v.const_kind = e.kind;
      if (e.kind == ConstKind::Sym && e.type != Type::Phase)
        return -1;  // a metaphase: see define()
      v.sort = e.kind == ConstKind::Number ? Sort::Number
               : e.kind == ConstKind::Sym  ? Sort::Phase
                                           : Sort::Text;
      v.text = e.text;
      v.number = e.number;
      v.boolean = e.boolean;
      v.sym = e.slot;
      return constant(std::move(v));
    }
    case Op::Field: {
      if (e.side == Side::Record || e.side == Side::Message) return -1;
      const auto& f = vocab_.fields[e.slot];
      Var v;
      v.kind = Var::Kind::Field;
      v.side = e.side;
      v.slot = e.slot;
      v.sort = f.type == Type::Number  ? Sort::Number
               : f.type == Type::Bool  ? Sort::Bool
               : f.type == Type::Phase ? Sort::Phase
                                       : Sort::Text;
      v.key = fmt::format("{}.{}", e.side == Side::Before ? "before" : "after", f.name);
      return var(std::move(v));
    }
    case Op::RefSystem:
      return simple(Var::Kind::RefSystem, Sort::Text, "external_reference.system");
    case Op::RefId: return simple(Var::Kind::RefId, Sort::Text, "external_reference.id");
    case Op::Origin: return simple(Var::Kind::Origin, Sort::Text, "origin");
    case Op::RecordId: return simple(Var::Kind::Record, Sort::Text, vocab_.record);
    case Op::ExternalSystem: {
      int a = term(e.args[0]);
      if (a == -1) return -1;
      if (a == -2 - kNone) return a;  // the system of no group is no system
      Var v;
      v.kind = Var::Kind::ExtSys;
      v.sort = Sort::Text;
      if (a >= 0) {
        v.arg_var = a;
        v.key = "external_system(" + vars_[a].key + ")";
      } else {
        v.arg_value = -2 - a;
        v.key = "external_system(\"" + values_[v.arg_value].text + "\")";
      }
      return var(std::move(v));
    }
    default: return -1;
  }
}

AtomDef TableTheory::define(const TExpr& e) {
  AtomDef d;
  d.kind = AtomDef::Kind::Domain;
  auto domain = [&](int v, std::vector<int> set, bool neg) {
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    d.var = v;
    d.set = std::move(set);
    d.neg = neg;
    return d;
  };
  auto truth = [&](bool b) {
    d.kind = b ? AtomDef::Kind::True : AtomDef::Kind::False;
    return d;
  };
  auto boolvar = [&](Var::Kind kind, int slot, std::string k) {
    Var v;
    v.kind = kind;
    v.sort = Sort::Truth;
    v.slot = slot;
    v.key = std::move(k);
    return var(std::move(v));
  };
  // metaphase(x) compared with metaphase constants: x is one of their phases.
  auto metaphase_set = [&](const TExpr& m, const std::vector<const TExpr*>& consts,
                           bool neg) -> bool {
    if (m.op != Op::MetaphaseOf) return false;
    std::vector<int> phases;
    bool none = false;
    for (const TExpr* c : consts) {
      if (c->op != Op::Const) return false;
      if (c->kind == ConstKind::None) none = true;
      for (std::size_t p = 0; p < vocab_.phases.size(); ++p)
        if (c->kind == ConstKind::Sym && vocab_.phase_metaphase[p] == c->slot)
          phases.push_back(phase(static_cast<int>(p)));
    }
    if (none) phases.push_back(kNone);
    int x = term(m.args[0]);
    if (x == -1) return false;
    std::sort(phases.begin(), phases.end());
    if (x < -1) {
      truth(contains(phases, -2 - x) != neg);
      return true;
    }
    domain(x, std::move(phases), neg);
    return true;
  };
  switch (e.op) {
    case Op::Event:
      return domain(boolvar(Var::Kind::Event, e.slot, vocab_.events[e.slot]), {kTrue}, false);
    case Op::SentBefore: {
      // one boolean per operation (and constant system) asked about, as events are;
      // a system that is not a constant leaves it a free boolean (below)
      const bool sys = e.args.size() > 1;
      if (sys && (e.args[1].op != Op::Const || e.args[1].kind != ConstKind::Text)) break;
      Var v;
      v.kind = Var::Kind::Sent;
      v.sort = Sort::Truth;
      v.sent_op = e.args[0].text;
      if (sys) v.sent_system = e.args[1].text;
      v.key = "sent_before:" + v.sent_op + (sys ? "\x1f" + v.sent_system : std::string());
      return domain(var(std::move(v)), {kTrue}, false);
    }
    case Op::RefExists:
      return domain(boolvar(Var::Kind::Ref, -1, "external_reference"), {kTrue}, false);
    case Op::Field: {
      int v = term(e);
      if (v >= 0) return domain(v, {kTrue}, false);
      break;
    }
    case Op::Changed: {
      TExpr b, a;
      b.op = a.op = Op::Field;
      b.slot = a.slot = e.slot;
      b.type = a.type = vocab_.fields[e.slot].type;
      b.side = Side::Before;
      a.side = Side::After;
      d.kind = AtomDef::Kind::Equal;
      d.var = term(b);
      d.var2 = term(a);
      d.neg = true;
      return d;
    }
    case Op::HasValue: {
      int v = term(e.args[0]);
      if (v >= 0) return domain(v, {kNone}, true);
      if (v < -1) return truth(-2 - v != kNone);
      break;
    }
    case Op::IsExternal: {
      TExpr sys;
      sys.op = Op::ExternalSystem;
      sys.type = Type::Text;
      sys.args.push_back(e.args[0]);
      int v = term(sys);
      if (v >= 0) return domain(v, {kNone}, true);
      if (v < -1) return truth(-2 - v != kNone);
      break;
    }
    case Op::Entered: {
      Var v;
      v.kind = Var::Kind::Entered;
      v.sort = Sort::Phase;
      v.key = "entered";
      int en = var(std::move(v));
      return domain(en, {phase(e.slot)}, false);
    }
    case Op::Eq:
    case Op::Ne: {
      bool neg = e.op == Op::Ne;
      if (metaphase_set(e.args[0], {&e.args[1]}, neg) ||
          metaphase_set(e.args[1], {&e.args[0]}, neg))
        return d;
      int a = term(e.args[0]), b = term(e.args[1]);
      if (a == -1 || b == -1) break;
      if (a < -1 && b < -1) return truth((a == b) != neg);
      if (a < -1) std::swap(a, b);
      if (b < -1) return domain(a, {-2 - b}, neg);
      d.kind = AtomDef::Kind::Equal;
      d.var = a;
      d.var2 = b;
      d.neg = neg;
      return d;
    }
    case Op::In:
    case Op::NotIn: {
      bool neg = e.op == Op::NotIn;
      std::vector<const TExpr*> items;
      for (std::size_t i = 1; i < e.args.size(); ++i) items.push_back(&e.args[i]);
      if (metaphase_set(e.args[0], items, neg)) return d;
      int a = term(e.args[0]);
      if (a == -1) break;
      std::vector<int> set;
      for (const TExpr* i : items) {
        int c = term(*i);
        if (c >= -1) {
          a = -1;
          break;
        }
        set.push_back(-2 - c);
      }
      if (a == -1) break;
      if (a < -1) return truth(std::find(set.begin(), set.end(), -2 - a) != set.end() ? !neg : neg);
      return domain(a, std::move(set), neg);
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      // var OP constant (or constant OP var): a range of the variable's values;
      // two variables compared stay a free boolean (below)
      int a = term(e.args[0]), b = term(e.args[1]);
      if (a == -1 || b == -1) break;
      bool upper = e.op == Op::Lt || e.op == Op::Le, strict = e.op == Op::Lt || e.op == Op::Gt;
      if (a < -1 && b < -1) {
        int o = order(-2 - a, -2 - b);
        if (o == 2) return truth(false);
        return truth(upper ? (strict ? o < 0 : o <= 0) : (strict ? o > 0 : o >= 0));
      }
      if (a < -1) {
        std::swap(a, b);
        upper = !upper;  // c < x is x > c
      }
      if (b >= 0) break;
      if (vars_[a].sort != Sort::Text && vars_[a].sort != Sort::Number) break;
      if (-2 - b == kNone) return truth(false);
      d.kind = AtomDef::Kind::Range;
      d.var = a;
      d.bound = -2 - b;
      d.upper = upper;
      d.strict = strict;
      return d;
    }
    default: break;
  }
  // Not modelled (ordering of two variables, comparisons of computed booleans...): a free boolean.
  AtomDef o;
  o.kind = AtomDef::Kind::Domain;
  o.var = boolvar(Var::Kind::Opaque, -1, "opaque:" + key(e));
  o.set = {kTrue};
  o.exact = false;
  return o;
}

uint32_t TableTheory::atom(const TExpr& e) {
  auto [it, fresh] = atom_index_.emplace(key(e), static_cast<uint32_t>(atoms_.size()));
  if (fresh) {
    exprs_.push_back(e);
    atoms_.push_back(define(e));
  }
  return it->second;
}

bool TableTheory::dnf(const TExpr& e, bool negate, std::vector<Conj>& out, std::size_t limit) {
  auto atom_of = [this](const TExpr& leaf) { return atom(leaf); };
  return to_dnf(e, negate, out, limit, atom_of);
}

int TableTheory::value_of(const Model& m, int v) const {
  if (int x = m.at(v); x >= 0) return x;
  return vars_[v].sort == Sort::Truth ? kFalse : kNone;
}

bool TableTheory::holds(const Model& m, Lit l) const {
  const AtomDef& d = atoms_[l.atom];
  bool t = false;
  switch (d.kind) {
    case AtomDef::Kind::True: t = true; break;
    case AtomDef::Kind::False: t = false; break;
    case AtomDef::Kind::Domain: t = contains(d.set, value_of(m, d.var)) != d.neg; break;
    case AtomDef::Kind::Equal: t = (value_of(m, d.var) == value_of(m, d.var2)) != d.neg; break;
    case AtomDef::Kind::Opaque: t = false; break;
    case AtomDef::Kind::Range: t = in_range(value_of(m, d.var), d) != d.neg; break;
  }
  return t == l.value;
}

namespace {

// The backtracking search for one conjunction: variables grouped into classes of
// equal values, each class tried over its candidate values.
class ModelSearch {
 public:
  ModelSearch(TableTheory& t, std::size_t budget, SearchScratch& scratch)
      : t_(t),
        budget_(budget),
        start_(budget),
        in(scratch.in),
        dom_(scratch.dom),
        parent_(scratch.parent),
        cls_of(scratch.cls_of) {}

  /// The nodes the search visited.
  std::size_t used() const { return start_ - budget_; }

  // The per-variable arrays are the solver's, sized to the theory's variables
  // once; a query touches only the variables it reads (`used_`), so its cost
  // grows with the query, not with the table.
  Sat run(const Conj& units, const std::vector<uint32_t>& also, Model* model) {
    const auto& vars = t_.vars();
    if (in.size() < vars.size()) {
      in.resize(vars.size(), 0);
      dom_.resize(vars.size());
      parent_.resize(vars.size());
      cls_of.resize(vars.size(), -1);
    }
    Sat s = search(units, also, model);
    for (int v : used_) in[v] = 0;
    return s;
  }

 private:
  Sat search(const Conj& units, const std::vector<uint32_t>& also, Model* model) {
    const auto& atoms = t_.atoms();
    const auto& vars = t_.vars();
    auto use = [&](int v) {
      if (v >= 0 && !in[v]) {
        in[v] = 1;
        used_.push_back(v);
      }
    };
    for (const Lit& l : units) {
      const AtomDef& d = atoms[l.atom];
      if (d.kind == AtomDef::Kind::True && !l.value) return Sat::No;
      if (d.kind == AtomDef::Kind::False && l.value) return Sat::No;
      use(d.var);
      use(d.var2);
    }
    for (uint32_t a : also) {
      use(atoms[a].var);
      use(atoms[a].var2);
    }
    // closure: the group of an external_system(), the record of its system and id,
    // the phase before a step and the phase it enters
    int ref = t_.var_index("external_reference");
    int entered = t_.var_index("entered");
    const auto& vocab = t_.vocabulary();
    int before_phase = vocab.phase_field >= 0
                           ? t_.var_index("before." + vocab.fields[vocab.phase_field].name)
                           : -1;
    for (std::size_t i = 0; i < used_.size(); ++i) {
      int v = used_[i];
      if (vars[v].kind == Var::Kind::ExtSys) use(vars[v].arg_var);
      if (vars[v].kind == Var::Kind::RefSystem || vars[v].kind == Var::Kind::RefId) use(ref);
    }
    if ((entered >= 0 && in[entered]) || (before_phase >= 0 && in[before_phase])) {
      use(entered);
      use(before_phase);
    }
    std::sort(used_.begin(), used_.end());
    // domains
    for (int v : used_) {
      Dom& d = dom_[v];
      d = Dom{};
      switch (vars[v].sort) {
        case Sort::Truth: d = {true, {TableTheory::kFalse, TableTheory::kTrue}}; break;
        case Sort::Bool:
          d = {true, {TableTheory::kNone, TableTheory::kFalse, TableTheory::kTrue}};
          break;
        case Sort::Phase: d = {true, phase_universe(v == entered)}; break;
        default: break;
      }
      parent_[v] = v;
      cls_of[v] = -1;
    }
    const TableScope& sc = t_.scope();
    if (!sc.pairs.empty()) {
      // a transition table: before.phase is one of its from phases, entered()
      // one of its to phases (no phase for a pair of one phase with itself)
      std::vector<int> from, to;
      for (const auto& [a, b] : sc.pairs) {
        from.push_back(phase_value(a));
        to.push_back(a != b ? phase_value(b) : TableTheory::kNone);
      }
      for (auto* s : {&from, &to}) {
        std::sort(s->begin(), s->end());
        s->erase(std::unique(s->begin(), s->end()), s->end());
      }
      if (before_phase >= 0 && in[before_phase]) dom_[before_phase].keep(from);
      if (entered >= 0 && in[entered]) dom_[entered].keep(to);
    }
    if (sc.metaphase >= 0 && entered >= 0 && in[entered]) {
      std::vector<int> allowed{TableTheory::kNone};
      for (std::size_t p = 0; p < vocab.phases.size(); ++p)
        if (vocab.phase_metaphase[p] == sc.metaphase)
          allowed.push_back(phase_value(static_cast<int>(p)));
      std::sort(allowed.begin(), allowed.end());
      dom_[entered].keep(allowed);
    }
    // literals
    std::vector<std::pair<int, int>> neq;
    std::vector<Lit> ranges;
    for (const Lit& l : units) {
      const AtomDef& d = atoms[l.atom];
      if (d.kind == AtomDef::Kind::Range) ranges.push_back(l);
      if (d.kind == AtomDef::Kind::Domain) {
        if (l.value != d.neg)
          dom_[d.var].keep(d.set);
        else
          dom_[d.var].drop(d.set);
      } else if (d.kind == AtomDef::Kind::Equal) {
        if (l.value != d.neg)
          unite(d.var, d.var2);
        else
          neq.emplace_back(d.var, d.var2);
      }
    }
    // classes
    for (int v : used_) {
      int r = find(v);
      if (cls_of[r] < 0) {
        cls_of[r] = static_cast<int>(cls_.size());
        cls_.push_back({});
        cls_.back().sort = vars[v].sort;
      }
      cls_of[v] = cls_of[r];
      Class& c = cls_[cls_of[v]];
      c.members.push_back(v);
      const Dom& d = dom_[v];
      if (d.finite)
        c.dom.keep(d.vals);
      else
        c.dom.drop(d.vals);
      if (vars[v].kind == Var::Kind::ExtSys) c.derived = true;
    }
    // ranges: each class's values lie in one interval of the order (the
    // intersection of its ranges), and "no value" only if no range asks for a value
    for (const Lit& l : ranges) {
      const AtomDef& d = atoms[l.atom];
      Class& c = cls_[cls_of[d.var]];
      if (l.value != d.neg) {
        c.none_ok = false;
        tighten(c, d.upper, d.bound, d.strict);
      } else {
        tighten(c, !d.upper, d.bound, !d.strict);  // not (x > c): no value, or x <= c
      }
    }
    for (auto& c : cls_) {
      if (c.dom.empty()) return Sat::No;
      if (c.ranged && c.lo >= 0 && c.hi >= 0) {
        int o = t_.order(c.lo, c.hi);
        c.empty_range = o > 0 || (o == 0 && (c.lo_strict || c.hi_strict));
        if (c.empty_range && !c.none_ok) return Sat::No;
      }
    }
    for (auto [a, b] : neq) {
      if (cls_of[a] == cls_of[b]) return Sat::No;
      neq_.emplace_back(cls_of[a], cls_of[b]);
    }
    for (int v : used_)
      if (vars[v].kind == Var::Kind::ExtSys)
        ext_.push_back(
            {cls_of[v], vars[v].arg_var >= 0 ? cls_of[vars[v].arg_var] : -1, vars[v].arg_value});
    for (int v : used_)
      if ((vars[v].kind == Var::Kind::RefSystem || vars[v].kind == Var::Kind::RefId) && ref >= 0)
        refs_.emplace_back(cls_of[ref], cls_of[v]);
    if (sc.metaphase >= 0 && entered >= 0 && before_phase >= 0 && in[entered] && in[before_phase])
      context_ = {cls_of[entered], cls_of[before_phase]};
    // constants the query names, per sort: the candidates of an open domain
    for (const auto& c : cls_)
      if (!c.dom.finite)
        for (int v : c.dom.vals) consts_[static_cast<int>(c.sort)].push_back(v);
    for (const Lit& l : units) {
      const AtomDef& d = atoms[l.atom];
      if (d.kind == AtomDef::Kind::Domain && d.var >= 0)
        for (int v : d.set) consts_[static_cast<int>(vars[d.var].sort)].push_back(v);
      if (d.kind == AtomDef::Kind::Range)
        consts_[static_cast<int>(vars[d.var].sort)].push_back(d.bound);
    }
    for (auto& [s, list] : consts_) {
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    // the places of fresh values for a class with a range: below the query's
    // constants of its sort, just above each but the largest (above the largest
    // is the plain fresh value)
    for (const auto& c : cls_) {
      int s = static_cast<int>(c.sort);
      if (!c.ranged || anchors_.count(s)) continue;
      std::vector<int> a;
      for (int v : consts_[s])
        if (t_.values()[v].kind == TheoryValue::Kind::Const && t_.values()[v].sort == c.sort)
          a.push_back(v);
      std::sort(a.begin(), a.end(), [&](int x, int y) { return t_.order(x, y) < 0; });
      if (!a.empty()) a.pop_back();
      a.insert(a.begin(), TheoryValue::kBelow);
      anchors_[s] = std::move(a);
    }
    order_.clear();
    for (std::size_t c = 0; c < cls_.size(); ++c)
      if (!cls_[c].derived) order_.push_back(static_cast<int>(c));
    for (std::size_t c = 0; c < cls_.size(); ++c)
      if (cls_[c].derived) order_.push_back(static_cast<int>(c));
    val_.assign(cls_.size(), -1);
    Sat s = assign(0);
    if (s == Sat::Yes && model) {
      model->value.clear();
      for (int v : used_) model->value.emplace_back(v, val_[cls_of[v]]);
    }
    return s;
  }

  struct Class {
    Sort sort = Sort::Text;
    Dom dom;
    std::vector<int> members;
    bool derived = false;
    // ranges: the values lie between lo and hi (value ids, -1: unbounded)
    bool ranged = false, none_ok = true, empty_range = false;
    int lo = -1, hi = -1;
    bool lo_strict = false, hi_strict = false;
  };

  void tighten(Class& k, bool upper, int c, bool strict) {
    k.ranged = true;
    int& b = upper ? k.hi : k.lo;
    bool& st = upper ? k.hi_strict : k.lo_strict;
    if (b < 0) {
      b = c;
      st = strict;
      return;
    }
    int o = t_.order(c, b);
    if (upper ? o < 0 : o > 0) {
      b = c;
      st = strict;
    } else if (o == 0 && strict) {
      st = true;
    }
  }
  // Whether a class's ranges allow value v.
  bool fits(const Class& k, int v) const {
    if (!k.ranged) return true;
    if (v == TableTheory::kNone) return k.none_ok;
    if (k.empty_range) return false;
    if (k.lo >= 0) {
      int o = t_.order(v, k.lo);
      if (o == 2 || o < 0 || (o == 0 && k.lo_strict)) return false;
    }
    if (k.hi >= 0) {
      int o = t_.order(v, k.hi);
      if (o == 2 || o > 0 || (o == 0 && k.hi_strict)) return false;
    }
    return true;
  }
  struct Ext {
    int cls, arg_cls, arg_value;
  };

  int phase_value(int p) { return t_.phase(p); }
  std::vector<int> phase_universe(bool with_none) {
    std::vector<int> u;
    if (with_none) u.push_back(TableTheory::kNone);
    for (std::size_t p = 0; p < t_.vocabulary().phases.size(); ++p)
      u.push_back(t_.phase(static_cast<int>(p)));
    std::sort(u.begin(), u.end());
    return u;
  }

  int find(int v) { return parent_[v] == v ? v : parent_[v] = find(parent_[v]); }
  void unite(int a, int b) { parent_[find(a)] = find(b); }

  int arg_of(const Ext& e) const { return e.arg_cls >= 0 ? val_[e.arg_cls] : e.arg_value; }

  bool consistent() const {
    for (auto [a, b] : neq_)
      if (val_[a] >= 0 && val_[a] == val_[b]) return false;
    for (std::size_t i = 0; i < ext_.size(); ++i) {
      const Ext& e = ext_[i];
      int ga = arg_of(e), sa = val_[e.cls];
      if (ga < 0 || sa < 0) continue;
      if (ga == TableTheory::kNone && sa != TableTheory::kNone) return false;
      for (std::size_t j = 0; j < i; ++j) {
        int gb = arg_of(ext_[j]), sb = val_[ext_[j].cls];
        if (gb >= 0 && sb >= 0 && ga == gb && sa != sb) return false;
      }
    }
    for (auto [r, s] : refs_)
      if (val_[r] == TableTheory::kFalse && val_[s] >= 0 && val_[s] != TableTheory::kNone)
        return false;
    if (context_.first >= 0) {
      int en = val_[context_.first], bp = val_[context_.second];
      if (en >= 0 && bp >= 0) {
        int sym = t_.values()[bp].sym;
        bool outside = sym < 0 || t_.vocabulary().phase_metaphase[sym] != t_.scope().metaphase;
        if ((en != TableTheory::kNone) != outside) return false;
      }
    }
    return true;
  }

  // The fresh values of sort `s` the classes before the i-th in order hold, distinct.
  std::vector<int> fresh_in_use(std::size_t i, Sort s) const {
    std::vector<int> used;
    for (std::size_t j = 0; j < i; ++j) {
      int v = val_[order_[j]];
      if (cls_[order_[j]].sort == s && t_.values()[v].kind == TheoryValue::Kind::Fresh &&
          std::find(used.begin(), used.end(), v) == used.end())
        used.push_back(v);
    }
    return used;
  }

  Sat assign(std::size_t i) {
    if (i == order_.size()) return Sat::Yes;
    if (budget_ == 0) return Sat::Unknown;
    --budget_;
    int c = order_[i];
    const Class& k = cls_[c];
    std::vector<int> cands;
    if (k.dom.finite) {
      for (int v : k.dom.vals)
        if (fits(k, v)) cands.push_back(v);
    } else if (k.ranged) {
      // as below, within the ranges, then a fresh value at each place of the
      // order between the query's constants (k-th: distinct from those in use there)
      if (k.dom.allows(TableTheory::kNone) && k.none_ok) cands.push_back(TableTheory::kNone);
      const std::vector<int> used = fresh_in_use(i, k.sort);
      int top = t_.fresh(k.sort, static_cast<int>(used.size()));
      if (fits(k, top)) cands.push_back(top);
      for (int v : used)
        if (fits(k, v)) cands.push_back(v);
      for (int v : consts_[static_cast<int>(k.sort)])
        if (v != TableTheory::kNone && k.dom.allows(v) && fits(k, v)) cands.push_back(v);
      for (int a : anchors_[static_cast<int>(k.sort)]) {
        int n = 0;
        for (int v : used) n += t_.values()[v].anchor == a;
        int g = t_.gap(k.sort, a, n);
        if (fits(k, g)) cands.push_back(g);
      }
    } else {
      // no value first, then a value no other variable has, then one another has,
      // then the constants the query names (the small-model candidates, readable first)
      if (k.dom.allows(TableTheory::kNone)) cands.push_back(TableTheory::kNone);
      const std::vector<int> used = fresh_in_use(i, k.sort);
      cands.push_back(t_.fresh(k.sort, static_cast<int>(used.size())));
      cands.insert(cands.end(), used.begin(), used.end());
      for (int v : consts_[static_cast<int>(k.sort)])
        if (v != TableTheory::kNone && k.dom.allows(v)) cands.push_back(v);
    }
    bool unknown = false;
    for (int v : cands) {
      val_[c] = v;
      if (!consistent()) continue;
      Sat s = assign(i + 1);
      if (s == Sat::Yes) return s;
      if (s == Sat::Unknown) unknown = true;
    }
    val_[c] = -1;
    return unknown ? Sat::Unknown : Sat::No;
  }

  TableTheory& t_;
  std::size_t budget_;
  std::size_t start_;
  std::vector<char>& in;
  std::vector<Dom>& dom_;
  std::vector<int>& parent_;
  std::vector<int>& cls_of;
  std::vector<int> used_;
  std::vector<Class> cls_;
  std::vector<std::pair<int, int>> neq_;
  std::vector<Ext> ext_;
  std::vector<std::pair<int, int>> refs_;
  std::pair<int, int> context_{-1, -1};
  std::map<int, std::vector<int>> consts_;
  std::map<int, std::vector<int>>
      anchors_;  // per sort with a ranged class: the places of fresh values
  std::vector<int> order_;
  std::vector<int> val_;
};

constexpr std::size_t kModelBudget = 20000;
constexpr std::size_t kSearchBudget = 2000;

}  // namespace

Sat Solver::model_search(const Conj& units, const std::vector<uint32_t>& also, Model* model,
                         bool remember) {
  if (!spend(1 + units.size() + also.size())) return Sat::Unknown;  // the key, kept in the memo
  if (!remember) {
    ++queries_;
    std::size_t left =
        budget_ ? std::min(kModelBudget, budget_->limit - std::min(budget_->limit, budget_->used))
                : kModelBudget;
    ModelSearch search(t_, left, *scratch_);
    Sat s = search.run(units, also, model);
    return spend(search.used()) ? s : Sat::Unknown;
  }
  std::string k;
  k.reserve(units.size() * 6 + also.size() * 5);
  for (const Lit& l : units) k += fmt::format("{}{},", l.value ? '+' : '-', l.atom);
  k += '|';
  for (uint32_t a : also) k += fmt::format("{},", a);
  auto it = memo_.find(k);
  if (it != memo_.end() && (!model || it->second.sat != Sat::Yes || it->second.has_model)) {
    if (model && it->second.sat == Sat::Yes) *model = it->second.model;
    return it->second.sat;
  }
  ++queries_;
  Memo m;
  std::size_t left =
      budget_ ? std::min(kModelBudget, budget_->limit - std::min(budget_->limit, budget_->used))
              : kModelBudget;
  ModelSearch search(t_, left, *scratch_);
  m.sat = search.run(units, also, &m.model);
  bool within = spend(search.used());
  if (m.sat == Sat::Unknown && !within)
    return Sat::Unknown;  // stopped by the table's budget: not an answer to keep
  if (model && m.sat == Sat::Yes) {
    *model = m.model;
    m.has_model = spend(m.model.value.size());
  }
  if (!m.has_model) m.model = Model{};
  if (it == memo_.end()) spend(Budget::kMemoSteps);
  Sat s = m.sat;
  if (it != memo_.end())
    it->second = std::move(m);
  else
    memo_.emplace(std::move(k), std::move(m));
  return s;
}

Sat Solver::conj(const Conj& units, Model* model, const std::vector<uint32_t>& also) {
  return model_search(units, also, model);
}

void Solver::forget() {
  memo_ = {};
  scratch_ = std::make_unique<SearchScratch>();
}

Sat Solver::conj_once(const Conj& units) { return model_search(units, {}, nullptr, false); }

Sat Solver::search(Conj& units, const std::vector<Clause>& clauses, Model* model,
                   std::size_t& budget) {
  if (budget == 0) return Sat::Unknown;
  --budget;
  std::size_t literals = 0;
  for (const auto& c : clauses) literals += c.size();
  if (!spend(1 + literals)) return Sat::Unknown;
  std::vector<uint32_t> also;
  for (const auto& c : clauses)
    for (const Lit& l : c) also.push_back(l.atom);
  std::sort(also.begin(), also.end());
  also.erase(std::unique(also.begin(), also.end()), also.end());
  Model m;
  Sat s = model_search(units, also, &m);
  if (s != Sat::Yes) return s;
  for (const auto& c : clauses) {
    bool sat = false;
    for (const Lit& l : c) sat = sat || t_.holds(m, l);
    if (sat) continue;
    bool unknown = false;
    for (const Lit& l : c) {
      Conj u = units;
      if (!add_literal(u, l)) continue;
      Sat r = search(u, clauses, model, budget);
      if (r == Sat::Yes) return r;
      if (r == Sat::Unknown) unknown = true;
    }
    return unknown ? Sat::Unknown : Sat::No;
  }
  if (model) *model = std::move(m);
  return Sat::Yes;
}

Sat Solver::solve(const Conj& units, const std::vector<Clause>& clauses, Model* model) {
  std::size_t budget = kSearchBudget;
  Conj u = units;
  return search(u, clauses, model, budget);
}

Conj Solver::core(const Conj& units) {
  Conj c = units;
  for (std::size_t i = 0; i < c.size();) {
    Conj without = c;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
    if (conj(without, nullptr) == Sat::No)
      c = std::move(without);
    else
      ++i;
  }
  return c;
}

}  // namespace casex::detail::lint
