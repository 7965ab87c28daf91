// engine/diff/diff.cpp: `casex diff`: the semantic difference of two rule sets,
// decided on their compiled tables with lint's theory and solver
// (engine/lint/theory.h). Both sides' conditions are atoms of one theory over
// a merged vocabulary (the old one, plus the fields and events only the new
// rules name); for every (before.phase, after.phase) the workflow moves, and
// for every (before.phase, phase after the workflow) the steps' outcomes
// (each rule that can fire under the table's hit policy, with the targets:
// entry that picks its system) are compared pairwise, and a satisfiable pair
// that differs is written as a change document, kept only when evaluating it
// on both rule sets gives different results.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "casex/tooling.hpp"
#include "engine/api_internal.h"
#include "engine/explain/explain.h"
#include "engine/lint/analysis.h"
#include "engine/render/render.h"

namespace casex {

namespace detail::diff {

namespace {

using namespace lint;

// One side of the comparison: its rules and the ids of its names in the merged vocabulary.
struct RuleSide {
  const RuleSet& set;
  const CompiledRules& r;
  std::vector<int> field, event, phase, metaphase;   // this side's id -> merged id
  std::vector<int> phase_back;                       // merged phase id -> this side's
  std::vector<std::vector<std::vector<Conj>>> rows;  // per table, per rule: its rows (theory atoms)
  std::vector<std::vector<Conj>> moves;              // per move: its rows
};

// An operation a step's outcome sends: which, from which rule, to which system.
struct Out {
  int op = -1;       // merged: the operation's name
  std::string name;  // the operation
  int phase = -1;    // merged phase id the operation carries
  int entered = -1;  // the phase its step enters (merged), or -1
  const CheckedRule* rule = nullptr;
  TExpr system;  // the system expression (merged vocabulary)
  std::string system_text;
};

// One outcome of a side: it happens when `units` and every clause hold.
struct Alt {
  Conj units;
  std::vector<Clause> clauses;
  std::vector<Out> ops;
  bool error = false;  // a unique table's two matches
  int to = -1;         // moves: the phase after the workflow
};

constexpr std::size_t kMaxAlternatives = 4096;

class Differ {
 public:
  Differ(const RuleSet& old_set, const RuleSet& new_set)
      : old_{old_set, compiled(old_set), {}, {}, {}, {}, {}, {}, {}},
        new_{new_set, compiled(new_set), {}, {}, {}, {}, {}, {}, {}} {}

  RulesDiff run() {
    out_.old_version = old_.set.version();
    out_.new_version = new_.set.version();
    settings();
    incoming();
    targets();
    if (!merge()) return std::move(out_);
    theory_ = std::make_unique<TableTheory>(merged_);
    budget_.limit = Budget::kDefault;
    solver_ = std::make_unique<Solver>(*theory_, &budget_);
    prepare(old_);
    prepare(new_);
    decisions();
    return std::move(out_);
  }

 private:
  const Vocabulary& ov() const { return old_.r.rules.vocabulary; }
  const Vocabulary& nv() const { return new_.r.rules.vocabulary; }

  void difference(RuleDifference::Kind kind, std::string subject, std::vector<std::string> o,
                  std::vector<std::string> n) {
    RuleDifference d;
    d.kind = kind;
    d.phase = std::move(subject);
    d.old_rules = std::move(o);
    d.new_rules = std::move(n);
    out_.differences.push_back(std::move(d));
  }

  void settings() {
    const auto &a = old_.r.rules, &b = new_.r.rules;
    auto yes = [](bool x) { return std::string(x ? "true" : "false"); };
    if (a.deduplicate != b.deduplicate)
      difference(RuleDifference::Kind::Setting, "deduplicate", {yes(a.deduplicate)},
                 {yes(b.deduplicate)});
    if (a.suppress_origin != b.suppress_origin)
      difference(RuleDifference::Kind::Setting, "suppress_origin", {yes(a.suppress_origin)},
                 {yes(b.suppress_origin)});
  }

  // ---- incoming operations: their actions as the rule files write them

  static std::vector<std::string> actions(const CompiledRules& r, const std::string& op) {
    const Vocabulary& v = r.rules.vocabulary;
    int id = Vocabulary::index_of(v.incoming, op);
    if (id < 0) return {"(not an incoming operation)"};
    int rule = r.incoming_rule[id];
    if (rule < 0) return {"(no rule)"};
    static const char* const kKinds[] = {"set",         "set_if_no_value",  "clear",
                                         "add_comment", "create_reference", "delete_reference"};
    std::vector<std::string> out;
    for (const auto& a : r.rules.incoming[rule].actions) {
      std::string s;
      if (a.when) s += "when " + expr_text(*a.when, v) + ": ";
      s += kKinds[static_cast<int>(a.kind)];
      if (a.field >= 0) s += " " + v.fields[a.field].name;
      if (a.kind == ActionKind::Set || a.kind == ActionKind::SetIfNoValue ||
          a.kind == ActionKind::AddComment)
        s += " \"" + template_text(a.value, v) + "\"";
      if (a.kind == ActionKind::CreateReference)
        s += " {system: \"" + template_text(a.system, v) + "\", id: \"" + template_text(a.id, v) +
             "\"}";
      out.push_back(std::move(s));
    }
    if (out.empty()) out.push_back("(nothing)");
    return out;
  }

  void incoming() {
    std::vector<std::string> ops = ov().incoming;
    for (const auto& o : nv().incoming)
      if (Vocabulary::index_of(ops, o) < 0) ops.push_back(o);
    for (const auto& op : ops) {
      std::vector<std::string> a = actions(old_.r, op), b = actions(new_.r, op);
      if (a == b) continue;
      RuleDifference d;
      d.kind = RuleDifference::Kind::Incoming;
      d.phase = op;
      d.old_rules = std::move(a);
      d.new_rules = std::move(b);
      incoming_witness(op, d);
      out_.differences.push_back(std::move(d));
    }
  }

  // A document of the incoming operation on which the two sides differ: an
  // record with no values, then one with a value in every field (its first
  // declared value, else "value-1"), each with and without a reference.
  void incoming_witness(const std::string& op, RuleDifference& d) {
    const Vocabulary& v = ov();
    for (int filled = 0; filled < 2; ++filled)
      for (int ref = 0; ref < 2; ++ref) {
        std::string inc = "{\"phase\": ";
        append_json_string(inc, v.phases[0]);
        for (std::size_t f = 0; filled && f < v.fields.size(); ++f) {
          const auto& field = v.fields[f];
          if (static_cast<int>(f) == v.phase_field) continue;
          inc += ", ";
          append_json_string(inc, field.name);
          inc += ": ";
          if (field.type == Type::Number)
            inc += "1";
          else if (field.type == Type::Bool)
            inc += "true";
          else
            append_json_string(inc, field.values.empty() ? field.name + "-1" : field.values[0]);
        }
        inc += "}";
        std::string doc = "{\"incoming\": ";
        append_json_string(doc, op);
        doc += ", \"system\": \"SYS-1\", \"id\": \"ID-1\", ";
        append_json_string(doc, v.record);
        doc += ": " + inc;
        if (ref) doc += ", \"external_reference\": {\"system\": \"SYS-1\", \"id\": \"ID-1\"}";
        doc += "}";
        if (verify(doc, d)) return;
      }
  }

  // ---- targets: entries written differently (their effect is in the decisions)

  void targets() {
    auto text = [](const CompiledRules& r, const std::string& op) {
      const Vocabulary& v = r.rules.vocabulary;
      int id = Vocabulary::index_of(v.outgoing, op);
      std::vector<std::string> out;
      if (id < 0) return out;
      for (uint32_t e : r.op_targets[id]) {
        const CheckedTarget& t = r.rules.targets[e];
        out.push_back((t.when ? "when " + expr_text(*t.when, v) + ": " : std::string()) +
                      "system " + expr_text(t.system, v));
      }
      return out;
    };
    std::vector<std::string> ops = ov().outgoing;
    for (const auto& o : nv().outgoing)
      if (Vocabulary::index_of(ops, o) < 0) ops.push_back(o);
    for (const auto& op : ops) {
      std::vector<std::string> a = text(old_.r, op), b = text(new_.r, op);
      if (a == b) continue;
      out_.targets.push_back(
          fmt::format("{}: [{}] -> [{}]", op, fmt::join(a, "; "), fmt::join(b, "; ")));
    }
  }

  // ---- the merged vocabulary

  bool merge() {
    merged_ = ov();
    const Vocabulary &a = ov(), &b = nv();
    bool same = a.phases.size() == b.phases.size() && a.metaphases.size() == b.metaphases.size();
    for (std::size_t p = 0; same && p < b.phases.size(); ++p) {
      int q = Vocabulary::index_of(a.phases, b.phases[p]);
      same = q >= 0 && a.metaphases[a.phase_metaphase[q]] == b.metaphases[b.phase_metaphase[p]];
    }
    if (!same) {
      auto list = [](const Vocabulary& v) {
        std::vector<std::string> out;
        for (std::size_t p = 0; p < v.phases.size(); ++p)
          out.push_back(v.phases[p] + " (" + v.metaphases[v.phase_metaphase[p]] + ")");
        return out;
      };
      difference(RuleDifference::Kind::Setting, "phases", list(a), list(b));
      return false;
    }
    for (std::size_t i = 0; i < a.phases.size(); ++i) old_.phase.push_back(static_cast<int>(i));
    old_.phase_back = old_.phase;
    for (std::size_t i = 0; i < a.metaphases.size(); ++i)
      old_.metaphase.push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < a.fields.size(); ++i) old_.field.push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < a.events.size(); ++i) old_.event.push_back(static_cast<int>(i));
    new_.phase_back.assign(a.phases.size(), -1);
    for (std::size_t p = 0; p < b.phases.size(); ++p) {
      int q = Vocabulary::index_of(a.phases, b.phases[p]);
      new_.phase.push_back(q);
      new_.phase_back[q] = static_cast<int>(p);
    }
    for (const auto& m : b.metaphases)
      new_.metaphase.push_back(Vocabulary::index_of(a.metaphases, m));
    for (const auto& f : b.fields) {
      int q = -1;
      for (std::size_t i = 0; i < merged_.fields.size(); ++i)
        if (merged_.fields[i].name == f.name && merged_.fields[i].type == f.type)
          q = static_cast<int>(i);
      if (q < 0) {
        q = static_cast<int>(merged_.fields.size());
        merged_.fields.push_back(f);
        merged_.field_ids[f.name + "#new"] = q;
      }
      new_.field.push_back(q);
    }
    for (const auto& e : b.events) {
      int q = Vocabulary::index_of(merged_.events, e);
      if (q < 0) {
        q = static_cast<int>(merged_.events.size());
        merged_.events.push_back(e);
      }
      new_.event.push_back(q);
    }
    return true;
  }

  // An expression of a side in the merged vocabulary.
  TExpr map(const TExpr& e, const RuleSide& s) const {
    TExpr x = e;
    remap(x, s);
    return x;
  }
  void remap(TExpr& e, const RuleSide& s) const {
    if (&s == &old_) return;
    switch (e.op) {
      case Op::Field: e.slot = s.field[e.slot]; break;
      case Op::Event: e.slot = s.event[e.slot]; break;
      case Op::Const:
        if (e.kind == ConstKind::Sym)
          e.slot = e.type == Type::Metaphase ? s.metaphase[e.slot] : s.phase[e.slot];
        break;
      default:
        if (const Function* f = function_of(e.op); f && e.slot >= 0) {
          if (f->args[0] == 'f') e.slot = s.field[e.slot];
          if (f->args[0] == 'p') e.slot = s.phase[e.slot];
        }
    }
    for (auto& a : e.args) remap(a, s);
  }

  // ---- each side's rows as conjunctions of the merged theory's atoms

  std::vector<Conj> rows_of(const RuleSide& s, const DecisionTable& dt, uint32_t rule) {
    std::vector<Conj> out;
    for (const auto& row : dt.rows) {
      if (row.rule != rule) continue;
      Conj c;
      bool ok = true;
      for (uint32_t a = 0; a < dt.atoms.size() && ok; ++a) {
        uint64_t bit = uint64_t{1} << (a % 64);
        if (dt.pool[row.offset + a / 64] & bit)
          ok = add_literal(c, {theory_->atom(map(dt.atoms[a], s)),
                               (dt.pool[row.offset + dt.words + a / 64] & bit) != 0});
      }
      if (ok) out.push_back(std::move(c));
    }
    return out;
  }

  // Whether a move's row is its whole condition as one atom (compile's fallback
  // for a condition too complex to expand): an and, or, or not is never an atom otherwise.
  static bool opaque_move(const DecisionTable& dt, uint32_t move) {
    for (const auto& row : dt.rows) {
      if (row.rule != move) continue;
      for (uint32_t a = 0; a < dt.atoms.size(); ++a)
        if (dt.pool[row.offset + a / 64] >> (a % 64) & 1) {
          const Op op = dt.atoms[a].op;
          if (op == Op::And || op == Op::Or || op == Op::Not) return true;
        }
    }
    return false;
  }

  void prepare(RuleSide& s) {
    for (std::size_t t = 0; t < s.r.tables.size(); ++t) {
      std::vector<std::vector<Conj>> rules;
      for (uint32_t k = 0; k < s.r.rules.tables[t].rules.size(); ++k)
        rules.push_back(rows_of(s, s.r.tables[t], k));
      s.rows.push_back(std::move(rules));
    }
    for (uint32_t m = 0; m < s.r.rules.moves.size(); ++m) {
      // A move too complex to expand is compiled as one opaque atom: the
      // solver gets its alternatives as far as the limit allows.
      if (!opaque_move(s.r.moves, m)) {
        s.moves.push_back(rows_of(s, s.r.moves, m));
      } else {
        std::vector<Conj> rows;
        if (!theory_->dnf(map(s.r.rules.moves[m].when, s), false, rows, kMaxRowsPerRule))
          out_.complete = false;
        s.moves.push_back(std::move(rows));
      }
    }
  }

  // entered() is a constant of a step: the literals on it are dropped, or the row is.
  bool fold(Conj& c, int entered) const {
    Conj out;
    for (const Lit& l : c) {
      const TExpr& e = theory_->atom_exprs()[l.atom];
      if (e.op == Op::Entered) {
        if ((e.slot == entered) != l.value) return false;
        continue;
      }
      out.push_back(l);
    }
    c = std::move(out);
    return true;
  }
  std::vector<Conj> folded(const std::vector<Conj>& rows, int entered) const {
    std::vector<Conj> out;
    for (Conj c : rows)
      if (fold(c, entered)) out.push_back(std::move(c));
    return out;
  }
  static void negate(const std::vector<Conj>& rows, std::vector<Clause>& out) {
    for (const Conj& c : rows) {
      Clause n;
      for (const Lit& l : c) n.push_back({l.atom, !l.value});
      out.push_back(std::move(n));
    }
  }
  static bool join(Conj& into, const Conj& c) {
    for (const Lit& l : c)
      if (!add_literal(into, l)) return false;
    return true;
  }

  // The atom `before.phase == "p"` or `after.phase == "p"` (merged phase id).
  Lit phase_is(bool before, int p) {
    TExpr f, c, eq;
    f.op = Op::Field;
    f.type = Type::Phase;
    f.side = before ? Side::Before : Side::After;
    f.slot = merged_.phase_field;
    c.op = Op::Const;
    c.type = Type::Phase;
    c.kind = ConstKind::Sym;
    c.slot = p;
    c.text = merged_.phases[p];
    eq.op = Op::Eq;
    eq.type = Type::Bool;
    eq.args = {f, c};
    return {theory_->atom(eq), true};
  }
  Lit has_value(const TExpr& e) {
    TExpr hv;
    hv.op = Op::HasValue;
    hv.type = Type::Bool;
    hv.args.push_back(e);
    return {theory_->atom(hv), true};
  }
  Lit equal(const TExpr& a, const TExpr& b) {
    TExpr eq;
    eq.op = Op::Eq;
    eq.type = Type::Bool;
    eq.args = {a, b};
    return {theory_->atom(eq), true};
  }

  // ---- the outcomes of a side

  // The outcomes of one step: table `table` of side s (-1: none), its
  // operations carrying merged phase `phase`, entering `entered` (or -1).
  std::vector<Alt> step(const RuleSide& s, int table, int phase, int entered) {
    std::vector<Alt> out;
    if (table < 0) return {Alt{}};
    const CheckedTable& ct = s.r.rules.tables[table];
    const std::size_t n = ct.rules.size();
    std::vector<std::vector<Conj>> rows(n);
    for (std::size_t k = 0; k < n; ++k) rows[k] = folded(s.rows[table][k], entered);
    auto op_of = [&](std::size_t k) {
      Out o;
      o.name = s.r.rules.vocabulary.outgoing[ct.rules[k].operation];
      o.op = ct.rules[k].operation;
      o.phase = phase;
      o.entered = entered;
      o.rule = &ct.rules[k];
      return o;
    };
    auto none = [&](auto&& skip) {
      Alt a;
      for (std::size_t j = 0; j < n; ++j)
        if (!skip(j)) negate(rows[j], a.clauses);
      return a;
    };
    switch (ct.policy) {
      case HitPolicy::First:
      case HitPolicy::Priority:
      case HitPolicy::Unique: {
        auto beats = [&](std::size_t j, std::size_t k) {
          if (ct.policy == HitPolicy::First) return j < k;
          if (ct.policy == HitPolicy::Unique) return j != k;
          int pj = ct.rules[j].priority, pk = ct.rules[k].priority;
          return pj > pk || (pj == pk && j < k);
        };
        for (std::size_t k = 0; k < n; ++k)
          for (const Conj& c : rows[k]) {
            Alt a = none([&](std::size_t j) { return !beats(j, k); });
            a.units = c;
            a.ops.push_back(op_of(k));
            out.push_back(std::move(a));
          }
        if (ct.policy == HitPolicy::Unique)
          for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = j + 1; k < n; ++k)
              for (const Conj& cj : rows[j])
                for (const Conj& ck : rows[k]) {
                  Alt a;
                  a.units = cj;
                  a.error = true;
                  if (join(a.units, ck)) out.push_back(std::move(a));
                }
        break;
      }
      case HitPolicy::Collect: {
        // every set of rules that match together, with one row of each
        std::vector<Alt> acc{Alt{}};
        for (std::size_t k = 0; k < n; ++k) {
          std::vector<Alt> next;
          for (const Alt& a : acc) {
            Alt without = a;
            negate(rows[k], without.clauses);
            next.push_back(std::move(without));
            for (const Conj& c : rows[k]) {
              Alt with = a;
              if (!join(with.units, c)) continue;
              with.ops.push_back(op_of(k));
              next.push_back(std::move(with));
            }
          }
          if (next.size() > kMaxAlternatives) {
            out_.complete = false;
            return {};
          }
          acc = std::move(next);
        }
        return acc;
      }
    }
    out.push_back(none([](std::size_t) { return false; }));
    return out;
  }

  // The outcomes of side s for a change from merged phase b whose phase after
  // the workflow is p: its steps' outcomes together, each operation with the
  // targets: entry that gives its system.
  const std::vector<Alt>& outcomes(RuleSide& s, int b, int p) {
    auto key = std::make_tuple(&s == &old_ ? 0 : 1, b, p);
    auto it = outcomes_.find(key);
    if (it != outcomes_.end()) return it->second;
    // the steps as the evaluator plans them (CompiledRules::plan_steps)
    const StepPlan plan = s.r.plan_steps(s.phase_back[b], s.phase_back[p]);
    struct Step {
      int table, phase, entered;
    };
    Step steps[2];
    const std::size_t nsteps = static_cast<std::size_t>(plan.count);
    for (std::size_t k = 0; k < nsteps; ++k) {
      const StepPlan::Step& ps = plan.steps[k];
      steps[k] = {ps.table, ps.at_new_phase ? p : b, ps.entered ? p : -1};
    }
    std::vector<Alt> acc{Alt{}};
    for (std::size_t si = 0; si < nsteps; ++si) {
      const Step& st = steps[si];
      std::vector<Alt> next;
      for (const Alt& a : acc)
        for (const Alt& x : step(s, st.table, st.phase, st.entered)) {
          Alt y = a;
          if (a.error || !join(y.units, x.units)) continue;
          y.clauses.insert(y.clauses.end(), x.clauses.begin(), x.clauses.end());
          y.ops.insert(y.ops.end(), x.ops.begin(), x.ops.end());
          y.error = x.error;
          next.push_back(std::move(y));
        }
      acc = std::move(next);
    }
    // the targets
    for (std::size_t i = 0;; ++i) {
      bool more = false;
      std::vector<Alt> next;
      for (Alt& a : acc) {
        if (i >= a.ops.size()) {
          next.push_back(std::move(a));
          continue;
        }
        more = true;
        const int entered = a.ops[i].entered;
        const ExprMap m = [&](const TExpr& e) { return map(e, s); };
        for (TargetChoice& c : target_choices(*theory_, s.r, *a.ops[i].rule, m)) {
          Alt y = a;
          if (!fold(c.units, entered) || !join(y.units, c.units)) continue;
          for (Clause& cl : c.clauses) {
            Conj neg;
            for (const Lit& l : cl) neg.push_back({l.atom, !l.value});
            if (!fold(neg, entered)) continue;  // that earlier entry cannot hold here
            Clause back;
            for (const Lit& l : neg) back.push_back({l.atom, !l.value});
            y.clauses.push_back(std::move(back));
          }
          y.ops[i].system = std::move(c.system);
          y.ops[i].system_text = expr_text(y.ops[i].system, merged_);
          next.push_back(std::move(y));
        }
      }
      if (next.size() > kMaxAlternatives) {
        out_.complete = false;
        next.clear();
      }
      acc = std::move(next);
      if (!more) break;
    }
    return outcomes_.emplace(key, std::move(acc)).first->second;
  }

  // The workflow's outcomes on side s for before.phase b, after.phase a (merged).
  std::vector<Alt> moves(const RuleSide& s, int a) {
    std::vector<Alt> out;
    std::vector<std::vector<Conj>> rows;
    for (const auto& r : s.moves) rows.push_back(folded(r, -1));
    for (std::size_t m = 0; m < rows.size(); ++m)
      for (const Conj& c : rows[m]) {
        Alt x;
        x.units = c;
        for (std::size_t j = 0; j < m; ++j) negate(rows[j], x.clauses);
        x.to = s.phase[s.r.rules.moves[m].to];
        out.push_back(std::move(x));
      }
    Alt none;
    for (const auto& r : rows) negate(r, none.clauses);
    none.to = a;
    out.push_back(std::move(none));
    return out;
  }

  static std::vector<std::string> describe(const Alt& a) {
    if (a.error) return {"an error: two rules of a unique table match"};
    std::vector<std::string> out;
    for (const Out& o : a.ops)
      out.push_back(fmt::format("{} to {} (rule {})", o.name, o.system_text, o.rule->id));
    if (out.empty()) out.push_back("nothing");
    return out;
  }

  // An outcome as text: its literals, clauses and what it sends (equal lists of
  // outcomes on both sides decide alike).
  static std::string signature(const std::vector<Alt>& alts) {
    std::string k;
    for (const Alt& a : alts) {
      for (const Lit& l : a.units) k += fmt::format("{}{},", l.value ? '+' : '-', l.atom);
      k += '|';
      for (const Clause& c : a.clauses) {
        for (const Lit& l : c) k += fmt::format("{}{},", l.value ? '+' : '-', l.atom);
        k += ';';
      }
      k += a.error ? "E" : "";
      for (const Out& o : a.ops) k += fmt::format("{}@{}>{},", o.name, o.phase, atom_key(o.system));
      k += a.to >= 0 ? fmt::format("to{}", a.to) : "";
      k += '\n';
    }
    return k;
  }

  // The outcomes that can happen under `base` (the others are left out).
  std::vector<const Alt*> possible(const Conj& base, const std::vector<Alt>& alts) {
    std::vector<const Alt*> out;
    for (const Alt& a : alts) {
      Conj u = base;
      if (!join(u, a.units)) continue;
      if (solver_->solve(u, a.clauses, nullptr) != Sat::No) out.push_back(&a);
    }
    return out;
  }

  // Whether two outcomes send the same operations (names, phases) in order.
  static bool same_operations(const Alt& x, const Alt& y) {
    if (x.error != y.error || x.ops.size() != y.ops.size()) return false;
    for (std::size_t i = 0; i < x.ops.size(); ++i)
      if (x.ops[i].name != y.ops[i].name || x.ops[i].phase != y.ops[i].phase) return false;
    return true;
  }

  // Solves the query; a model that makes a verified witness fills `d`.
  // Returns Yes (a verified witness), No (unsatisfiable), Unknown (satisfiable,
  // no witness verified, or undecided).
  Sat witness(const Conj& units, const std::vector<Clause>& clauses, int b, int a,
              RuleDifference& d) {
    Model m;
    Sat s = solver_->solve(units, clauses, &m);
    if (s != Sat::Yes) return s;
    std::string doc = model_document(*theory_, catalog_, m).with_phases(merged_, b, a);
    return verify(doc, d) ? Sat::Yes : Sat::Unknown;
  }

  // The first query of `queries` (each a set of extra literals) with a verified witness.
  Sat compare(Conj units, const std::vector<Clause>& clauses, const std::vector<Conj>& extras,
              int b, int a, RuleDifference& d) {
    Sat result = Sat::No;
    for (const Conj& e : extras) {
      Conj u = units;
      if (!join(u, e)) continue;
      Sat s = witness(u, clauses, b, a, d);
      if (s == Sat::Yes) return s;
      if (s == Sat::Unknown) result = Sat::Unknown;
    }
    return result;
  }

  void decisions() {
    const int np = static_cast<int>(merged_.phases.size());
    std::map<std::pair<int, int>, std::size_t> found;  // (b, p) or move (b, a) -> difference
    std::set<std::pair<int, int>> verified, moved;
    auto record = [&](RuleDifference d, int b, int x, bool ok, bool is_move) {
      auto k = std::make_pair(b, x);
      auto& done = is_move ? moved : verified;
      if (done.count(k)) return;
      auto key = std::make_pair(is_move ? -1 - b : b, x);
      if (auto it = found.find(key); it != found.end()) {
        if (ok) out_.differences[it->second] = std::move(d);
      } else {
        found[key] = out_.differences.size();
        out_.differences.push_back(std::move(d));
      }
      if (ok) done.insert(k);
    };
    for (int b = 0; b < np; ++b)
      for (int a = 0; a < np; ++a) {
        if (budget_.exhausted()) out_.complete = false;
        Conj base;
        if (!add_literal(base, phase_is(true, b)) || !add_literal(base, phase_is(false, a)))
          continue;
        budget_.used = 0;  // each (before.phase, after.phase) has the budget of a lint table
        const std::vector<Alt> mo = moves(old_, a), mn = moves(new_, a);
        const bool same_moves = signature(mo) == signature(mn);
        for (const Alt* xp : possible(base, mo))
          for (const Alt* yp : possible(base, mn)) {
            const Alt &x = *xp, &y = *yp;
            if (same_moves && xp - mo.data() != yp - mn.data()) continue;
            Conj u = base;
            if (!join(u, x.units) || !join(u, y.units)) continue;
            std::vector<Clause> cl = x.clauses;
            cl.insert(cl.end(), y.clauses.begin(), y.clauses.end());
            if (x.to != y.to) {
              if (moved.count({b, a})) continue;
              RuleDifference d;
              d.kind = RuleDifference::Kind::Move;
              d.before_phase = merged_.phases[b];
              d.phase = merged_.phases[a];
              d.old_rules = {merged_.phases[x.to]};
              d.new_rules = {merged_.phases[y.to]};
              Sat s = witness(u, cl, b, a, d);
              if (s != Sat::No) record(std::move(d), b, a, s == Sat::Yes, true);
              continue;
            }
            const int p = x.to;
            if (verified.count({b, p})) continue;
            const std::vector<Alt>&os = outcomes(old_, b, p), &ns = outcomes(new_, b, p);
            if (signature(os) == signature(ns)) continue;  // the same outcomes: the same decisions
            const std::vector<const Alt*> po = possible(u, os), pn = possible(u, ns);
            for (const Alt* op : po) {
              for (const Alt* npp : pn) {
                const Alt &o = *op, &n = *npp;
                if (verified.count({b, p})) break;
                Conj uu = u;
                if (!join(uu, o.units) || !join(uu, n.units)) continue;
                std::vector<Clause> cc = cl;
                cc.insert(cc.end(), o.clauses.begin(), o.clauses.end());
                cc.insert(cc.end(), n.clauses.begin(), n.clauses.end());
                std::vector<Conj> extras;
                if (!same_operations(o, n)) {
                  Conj targeted;  // first with every operation finding its system
                  bool ok = true;
                  for (const Alt* z : {&o, &n})
                    for (const Out& op : z->ops)
                      ok = ok && add_literal(targeted, has_value(op.system));
                  if (ok) extras.push_back(std::move(targeted));
                  extras.push_back({});
                } else {
                  for (std::size_t i = 0; i < o.ops.size(); ++i) {
                    if (atom_key(o.ops[i].system) == atom_key(n.ops[i].system)) continue;
                    Lit l = equal(o.ops[i].system, n.ops[i].system);
                    Conj both{{l.atom, false}};  // first with a system on both sides
                    if (add_literal(both, has_value(o.ops[i].system)) &&
                        add_literal(both, has_value(n.ops[i].system)))
                      extras.push_back(std::move(both));
                    extras.push_back({{l.atom, false}});
                  }
                }
                if (extras.empty()) continue;
                RuleDifference d;
                d.kind = RuleDifference::Kind::Decision;
                d.before_phase = merged_.phases[b];
                d.phase = merged_.phases[p];
                d.old_rules = describe(o);
                d.new_rules = describe(n);
                Sat s = compare(uu, cc, extras, b, a, d);
                if (s != Sat::No) record(std::move(d), b, p, s == Sat::Yes, false);
              }
            }
          }
      }
    if (budget_.exhausted()) out_.complete = false;
  }

  // ---- checking a witness by evaluating it on both sides

  // The result without the rules' ids (a renamed rule decides the same).
  static std::string decision_of(const JsonResult& r) {
    if (!r.ok) return "error: " + r.error;
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r.output, ec);
    if (ec || !v.is_object()) return r.output;
    auto& o = v.as_object();
    for (const char* k : {"operations", "suppressed"})
      if (auto* a = o.if_contains(k); a && a->is_array())
        for (auto& op : a->as_array())
          if (op.is_object()) op.as_object().erase("rule");
    o.erase("rule");
    return boost::json::serialize(v);
  }

  bool verify(const std::string& doc, RuleDifference& d) {
    JsonResult a = old_.set.eval_json(doc), b = new_.set.eval_json(doc);
    if (decision_of(a) == decision_of(b)) return false;
    d.witness = doc;
    d.old_result = a.ok ? a.output : "error: " + a.error;
    d.new_result = b.ok ? b.output : "error: " + b.error;
    return true;
  }

  RuleSide old_, new_;
  RulesDiff out_;
  Vocabulary merged_;
  std::unique_ptr<TableTheory> theory_;
  Budget budget_;
  std::unique_ptr<Solver> solver_;
  ValueCatalog catalog_;
  std::map<std::tuple<int, int, int>, std::vector<Alt>> outcomes_;
};

}  // namespace

}  // namespace detail::diff

RulesDiff diff_rules(const RuleSet& old_rules, const RuleSet& new_rules) {
  return detail::diff::Differ(old_rules, new_rules).run();
}

}  // namespace casex
