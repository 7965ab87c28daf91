// engine/explain/explain.cpp: builds the explanation of one document from the
// evaluator's EvalTrace, re-evaluating sub-expressions of scenarios (with the
// public interpreter) to say which part held or failed and what it read.
#include "engine/explain/explain.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/json/json_io.h"
#include "engine/load/raw.h"

namespace casex::detail {

namespace bj = boost::json;

namespace {

const char* fate_name(EvalTrace::Fate f) {
  switch (f) {
    case EvalTrace::Fate::Sent: return "sent";
    case EvalTrace::Fate::Suppressed: return "suppressed";
    case EvalTrace::Fate::NoTarget: return "no-target";
    case EvalTrace::Fate::Duplicate: return "duplicate";
  }
  return "sent";
}

// Explains expressions against one evaluation context.
class Because {
 public:
  Because(const Vocabulary& v, const EvalContext& c) : v_(v), c_(c) {}

  // The parts of `e` that decide its value: for a false `and` its first false
  // operand, for a true one every operand; for `or` the reverse. Each part is
  // {"expr", "is", "reads"}; `src` is the expression as written (or empty).
  bj::array parts(const TExpr& e, std::string_view src) const {
    bj::array out;
    collect(e, src, eval_truth(e, c_), out);
    return out;
  }

  // The values an expression reads, by name, in reading order.
  bj::object reads(const TExpr& e) const {
    bj::object r;
    read(e, r);
    return r;
  }

  std::string text(const TExpr& e, std::string_view src) const {
    if (!src.empty() && e.span.end > e.span.begin && e.span.end <= src.size())
      return std::string(src.substr(e.span.begin, e.span.end - e.span.begin));
    return expr_text(e, v_);
  }

 private:
  void collect(const TExpr& e, std::string_view src, bool is, bj::array& out) const {
    if (e.op == Op::And || e.op == Op::Or) {
      bool all = (e.op == Op::And) == is;  // true `and` / false `or`: every operand decides
      for (const auto& a : e.args) {
        bool ai = eval_truth(a, c_);
        if (all) {
          collect(a, src, ai, out);
        } else if (ai == is) {
          collect(a, src, ai, out);
          return;
        }
      }
      return;
    }
    bj::object part;
    part["expr"] = text(e, src);
    part["is"] = is;
    part["reads"] = reads(e);
    out.push_back(std::move(part));
  }

  void put(bj::object& r, const std::string& name, bj::value v) const {
    if (!r.contains(name)) r[name] = std::move(v);
  }

  void read(const TExpr& e, bj::object& r) const {
    switch (e.op) {
      case Op::Const: return;
      case Op::Field:
      case Op::RefSystem:
      case Op::RefId:
      case Op::Origin:
      case Op::RecordId:
      case Op::MessageSystem:
      case Op::MessageId:
        put(r, expr_text(e, v_), value_json(eval_value(e, c_), e.type, v_));
        return;
      case Op::Event: put(r, expr_text(e, v_), eval_truth(e, c_)); return;
      case Op::RefExists:
        if (c_.has_ref)
          put(r, "external_reference", {{"system", c_.ref_system}, {"id", c_.ref_id}});
        else
          put(r, "external_reference", nullptr);
        return;
      case Op::Changed:
      case Op::ChangedTo: {
        const auto& f = v_.fields[e.slot];
        put(r, "before." + f.name, value_json(c_.change->before[e.slot], f.type, v_));
        put(r, "after." + f.name, value_json(c_.change->after[e.slot], f.type, v_));
        for (const auto& a : e.args) read(a, r);
        return;
      }
      case Op::ExternalSystem:
      case Op::IsExternal: {
        read(e.args[0], r);
        TExpr sys = e;
        sys.op = Op::ExternalSystem;
        sys.type = Type::Text;
        put(r, "external_system(" + expr_text(e.args[0], v_) + ")",
            value_json(eval_value(sys, c_), Type::Text, v_));
        return;
      }
      case Op::MetaphaseOf:
        read(e.args[0], r);
        put(r, expr_text(e, v_), value_json(eval_value(e, c_), Type::Metaphase, v_));
        return;
      case Op::Entered:
        put(r, "phase entered by this step",
            c_.entered >= 0 ? bj::value(bj::string(v_.phases[c_.entered])) : bj::value(nullptr));
        return;
      default:
        for (const auto& a : e.args) read(a, r);
    }
  }

  const Vocabulary& v_;
  const EvalContext& c_;
};

bool row_matches(const DecisionTable& dt, const DecisionTable::Row& row,
                 const std::vector<uint64_t>& bits) {
  const uint64_t* care = &dt.pool[row.offset];
  const uint64_t* value = care + dt.words;
  for (uint32_t w = 0; w < dt.words; ++w)
    if (((w < bits.size() ? bits[w] : 0) & care[w]) != value[w]) return false;
  return true;
}

class ChangeExplainer {
 public:
  ChangeExplainer(const CompiledRules& r, const ChangeInput& in, const EvalTrace& t)
      : r_(r), v_(r.rules.vocabulary), in_(in), t_(t) {
    ctx_.vocab = &v_;
    ctx_.change = &in;
    ctx_.has_ref = in.has_ref;
    ctx_.ref_system = in.ref_system;
    ctx_.ref_id = in.ref_id;
  }

  void run(bj::object& out) {
    out["kind"] = "change";
    const int pf = v_.phase_field;
    const int p0 = in_.before[pf].sym, p1 = in_.after[pf].sym;
    out["before_phase"] = v_.phases[p0];
    out["after_phase"] = v_.phases[p1];
    out["workflow"] = workflow(p1);
    out["plan"] = plan(p0);
    bj::array steps;
    for (std::size_t i = 0; i < t_.steps.size(); ++i) steps.push_back(step(t_.steps[i]));
    out["steps"] = std::move(steps);
  }

 private:
  bj::object workflow(int p1) {
    ctx_.entered = -1;
    Because b(v_, ctx_);
    bj::object w;
    bj::array moves;
    for (std::size_t i = 0; i < r_.rules.moves.size(); ++i) {
      const CheckedMove& m = r_.rules.moves[i];
      bj::object mo;
      mo["id"] = m.id;
      mo["to"] = v_.phases[m.to];
      mo["when"] = expr_text(m.when, v_);
      mo["holds"] = static_cast<int>(i) == t_.move;
      mo["because"] = b.parts(m.when, {});
      moves.push_back(std::move(mo));
      if (static_cast<int>(i) == t_.move) break;
    }
    w["moves"] = std::move(moves);
    w["move"] =
        t_.move >= 0 ? bj::value(bj::string(r_.rules.moves[t_.move].id)) : bj::value(nullptr);
    w["from"] = v_.phases[p1];
    w["to"] = v_.phases[t_.new_phase];
    return w;
  }

  bj::object plan(int p0) {
    const int np = t_.new_phase;
    const auto& mp = v_.metaphases;
    const int m0 = v_.phase_metaphase[p0], m1 = v_.phase_metaphase[np];
    bj::object p;
    std::string from = fmt::format("{} ({})", v_.phases[p0], mp[m0]),
                to = fmt::format("{} ({})", v_.phases[np], mp[m1]);
    switch (t_.plan) {
      case EvalTrace::Plan::Transition:
        p["kind"] = "transition";
        p["why"] =
            fmt::format("table \"{}\" is scoped to the transition {} -> {}: it is the only step",
                        r_.rules.tables[t_.steps.at(0).table].id, v_.phases[p0], v_.phases[np]);
        break;
      case EvalTrace::Plan::SameMetaphase:
        p["kind"] = "same-metaphase";
        p["why"] = fmt::format(
            "{} -> {}: no table is scoped to this transition and both phases are in metaphase {}: "
            "one step, that metaphase's table",
            v_.phases[p0], v_.phases[np], mp[m0]);
        break;
      case EvalTrace::Plan::TwoMetaphases:
        p["kind"] = "two-metaphases";
        p["why"] = fmt::format(
            "{} -> {}: no table is scoped to this transition and the metaphases differ: two steps, "
            "the old metaphase's table, then the new one's",
            from, to);
        break;
    }
    return p;
  }

  bj::object step(const EvalTrace::Step& s) {
    ctx_.entered = s.entered;
    Because b(v_, ctx_);
    bj::object o;
    o["phase"] = v_.phases[s.phase];
    o["entered"] =
        s.entered >= 0 ? bj::value(bj::string(v_.phases[s.entered])) : bj::value(nullptr);
    if (s.table < 0) {
      o["table"] = nullptr;
      o["why"] = fmt::format("metaphase {} has no table: this step sends nothing",
                             v_.metaphases[v_.phase_metaphase[s.phase]]);
      o["rules"] = bj::array();
      o["operations"] = bj::array();
      return o;
    }
    const CheckedTable& ct = r_.rules.tables[s.table];
    const DecisionTable& dt = r_.tables[s.table];
    o["table"] = ct.id;
    o["scope"] = ct.metaphase >= 0 ? "metaphase " + v_.metaphases[ct.metaphase]
                                   : "transition " + ct.scope_text;
    o["hit_policy"] = hit_policy_name(ct.policy);
    std::vector<bool> matched(ct.rules.size(), false);
    for (const auto& row : dt.rows)
      if (row_matches(dt, row, s.bits)) matched[row.rule] = true;
    // Which matching rules the hit policy takes (as the evaluator does).
    std::vector<bool> hit(ct.rules.size(), false);
    int chosen = -1;
    for (std::size_t i = 0; i < ct.rules.size(); ++i) {
      if (!matched[i]) continue;
      if (ct.policy == HitPolicy::First && chosen < 0) chosen = static_cast<int>(i);
      if (ct.policy == HitPolicy::Collect || ct.policy == HitPolicy::Unique) hit[i] = true;
      if (ct.policy == HitPolicy::Priority &&
          (chosen < 0 || ct.rules[i].priority > ct.rules[chosen].priority))
        chosen = static_cast<int>(i);
    }
    if (chosen >= 0) hit[chosen] = true;
    bj::array rules;
    bj::array hits;
    for (std::size_t i = 0; i < ct.rules.size(); ++i) {
      const CheckedRule& cr = ct.rules[i];
      bj::object ro;
      ro["id"] = cr.id;
      ro["operation"] = v_.outgoing[cr.operation];
      ro["scenario"] = cr.scenario;
      if (ct.policy == HitPolicy::Priority) ro["priority"] = cr.priority;
      std::string outcome;
      if (hit[i]) {
        outcome = "hit";
        hits.push_back(bj::string(cr.id));
      } else if (!matched[i]) {
        outcome = "no-match";
      } else if (ct.policy == HitPolicy::First) {
        outcome = "matches-after-first-hit";
      } else {
        outcome = "matches-lower-priority";
      }
      ro["outcome"] = outcome;
      ro["because"] = b.parts(cr.when, cr.scenario);
      rules.push_back(std::move(ro));
    }
    o["rules"] = std::move(rules);
    o["hit"] = std::move(hits);
    bj::array ops;
    for (const auto& e : t_.emits)
      if (e.table == s.table && e.phase == s.phase) ops.push_back(operation(e, b));
    o["operations"] = std::move(ops);
    return o;
  }

  bj::object operation(const EvalTrace::Emit& e, const Because& b) {
    const CheckedRule& cr = r_.rules.tables[e.table].rules[e.rule];
    bj::object o;
    o["operation"] = v_.outgoing[e.op];
    o["rule"] = cr.id;
    o["system"] =
        e.fate == EvalTrace::Fate::NoTarget ? bj::value(nullptr) : bj::value(bj::string(e.system));
    o["fate"] = fate_name(e.fate);
    bj::object target;
    if (cr.system) {
      target["from"] = "the rule's own system";
      target["system"] = expr_text(*cr.system, v_);
      target["reads"] = b.reads(*cr.system);
    } else {
      bj::array tried;
      for (int t : e.tried) {
        const CheckedTarget& tg = r_.rules.targets[static_cast<std::size_t>(t)];
        bj::object entry;
        entry["entry"] = t + 1;
        if (tg.when) entry["when"] = expr_text(*tg.when, v_);
        entry["system"] = expr_text(tg.system, v_);
        const bool taken = t == e.target;
        entry["taken"] = taken;
        entry["reads"] = taken ? b.reads(tg.system) : b.reads(*tg.when);
        tried.push_back(std::move(entry));
      }
      target["from"] = "targets";
      target["tried"] = std::move(tried);
    }
    o["target"] = std::move(target);
    switch (e.fate) {
      case EvalTrace::Fate::Sent: o["why"] = "sent"; break;
      case EvalTrace::Fate::Suppressed:
        o["why"] = fmt::format("not sent: the target {} is the change's origin (suppress_origin)",
                               e.system);
        break;
      case EvalTrace::Fate::NoTarget: o["why"] = "not sent: no target system"; break;
      case EvalTrace::Fate::Duplicate:
        o["why"] = fmt::format("not sent: an earlier step already sends {} to {} (deduplicate)",
                               v_.outgoing[e.op], e.system);
        break;
    }
    return o;
  }

  const CompiledRules& r_;
  const Vocabulary& v_;
  const ChangeInput& in_;
  const EvalTrace& t_;
  EvalContext ctx_;
};

// An incoming rule's actions, from the trace apply_incoming recorded: which
// ran, and what each did (the state before it against the state after it).
void explain_incoming(const CompiledRules& r, const IncomingInput& in, const IncomingOutcome& res,
                      const EvalTrace& trace, bj::object& out) {
  const Vocabulary& v = r.rules.vocabulary;
  out["kind"] = "incoming";
  out["operation"] = v.incoming[in.op];
  if (res.rule < 0) return;
  const CheckedIncoming& rule = r.rules.incoming[res.rule];
  out["rule"] = rule.id;
  out["description"] = rule.description;
  auto shown = [&](const Value& val, int field) {
    return bj::serialize(value_json(val, v.fields[field].type, v));
  };
  bj::array actions;
  std::size_t comment = 0;
  for (std::size_t i = 0; i < trace.actions.size(); ++i) {
    const EvalTrace::Action& at = trace.actions[i];
    const CheckedAction& a = rule.actions[i];
    const bool last = i + 1 == trace.actions.size();
    const std::vector<Value>& after = last ? res.record : trace.actions[i + 1].record;
    const bool has_ref_after = last ? res.has_ref : trace.actions[i + 1].has_ref;
    const std::string_view sys_after = last ? res.ref_system : trace.actions[i + 1].ref_system;
    const std::string_view id_after = last ? res.ref_id : trace.actions[i + 1].ref_id;
    EvalContext c;
    c.vocab = &v;
    c.record = &at.record;
    c.message = &in;
    c.has_ref = at.has_ref;
    c.ref_system = at.ref_system;
    c.ref_id = at.ref_id;
    Because b(v, c);
    bj::object ao;
    const std::string field = a.field >= 0 ? v.fields[a.field].name : "";
    const std::string& kind = kActionKinds[static_cast<int>(a.kind)];
    ao["action"] = field.empty() ? kind : kind + " " + field;
    if (a.when) {
      ao["when"] = expr_text(*a.when, v);
      ao["because"] = b.parts(*a.when, {});
    }
    ao["ran"] = at.ran;
    if (!at.ran) {
      ao["did"] = "skipped: its condition is false";
    } else if (last && !res.error.empty()) {
      ao["did"] = "failed: " + res.error;
    } else {
      switch (a.kind) {
        case ActionKind::Set:
          ao["did"] = fmt::format("{}: {} -> {}", field, shown(at.record[a.field], a.field),
                                  shown(after[a.field], a.field));
          break;
        case ActionKind::SetIfNoValue:
          ao["did"] =
              at.record[a.field].kind != ConstKind::None
                  ? fmt::format("{} kept: it has the value {}", field,
                                shown(at.record[a.field], a.field))
                  : fmt::format("{}: no value -> {}", field, shown(after[a.field], a.field));
          break;
        case ActionKind::Clear:
          ao["did"] = fmt::format("{}: {} -> null", field, shown(at.record[a.field], a.field));
          break;
        case ActionKind::AddComment: ao["did"] = "comment: " + res.comments.at(comment++); break;
        case ActionKind::CreateReference:
          ao["did"] = has_ref_after
                          ? fmt::format("external reference := {{system: \"{}\", id: \"{}\"}}",
                                        sys_after, id_after)
                          : std::string("no external reference created");
          break;
        case ActionKind::SetFromMessage: {
          std::vector<std::string> did;
          for (std::size_t f = 0; f < in.carried.size(); ++f)
            if (in.carried[f] && (a.field < 0 || static_cast<int>(f) == a.field))
              did.push_back(fmt::format("{}: {} -> {}", v.fields[f].name,
                                        shown(at.record[f], static_cast<int>(f)),
                                        shown(after[f], static_cast<int>(f))));
          ao["did"] = did.empty() ? std::string("the message carries no such field")
                                  : fmt::format("{}", fmt::join(did, "; "));
          break;
        }
        case ActionKind::DeleteReference:
          ao["did"] = at.has_ref
                          ? fmt::format("external reference {{system: \"{}\", id: \"{}\"}} deleted",
                                        at.ref_system, at.ref_id)
                          : std::string("no external reference to delete");
          break;
      }
    }
    actions.push_back(std::move(ao));
  }
  out["actions"] = std::move(actions);
}

}  // namespace

namespace {

void collect_texts(const TExpr& e, std::vector<std::string>& out) {
  if (e.op == Op::Const && e.kind == ConstKind::Text) {
    if (std::find(out.begin(), out.end(), e.text) == out.end()) out.push_back(e.text);
    return;
  }
  for (const auto& a : e.args) collect_texts(a, out);
}

}  // namespace

std::vector<std::string> named_systems(const CompiledRules& rules) {
  std::vector<std::string> out;
  for (const auto& t : rules.rules.targets) collect_texts(t.system, out);
  for (const auto& t : rules.rules.tables)
    for (const auto& r : t.rules)
      if (r.system) collect_texts(*r.system, out);
  return out;
}

std::string origin_note(const CompiledRules& rules, std::string_view origin,
                        const std::vector<std::string_view>& change_systems) {
  if (origin.empty()) return "";
  std::vector<std::string> known;
  for (auto s : change_systems)
    if (!s.empty() && std::find(known.begin(), known.end(), s) == known.end())
      known.emplace_back(s);
  for (auto& s : named_systems(rules))
    if (std::find(known.begin(), known.end(), s) == known.end()) known.push_back(std::move(s));
  if (std::find(known.begin(), known.end(), origin) != known.end()) return "";
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "\"" : ", \"") + k + "\"";
  return fmt::format(
      "origin \"{}\" is no system of the change's groups, its external reference or the rules' "
      "targets ({}): origin suppression compares the exact, case-sensitive system name, so no "
      "operation is suppressed for it",
      origin, names.empty() ? "none" : names);
}

bool explain_document(const CompiledRules& rules, std::string_view document, bj::object& out,
                      std::string& error) {
  JsonEvaluator ev(rules);
  EvalTrace trace;
  bool incoming = false;
  std::string result;
  bool ok = ev.explain(document, trace, incoming, result, error);
  out = bj::object();
  out["rules_version"] = rules.version;
  if (auto keys = ignored_keys(rules.rules.vocabulary, document); !keys.empty()) {
    bj::array a;
    for (const auto& k : keys) a.emplace_back(k);
    out["ignored_keys"] = std::move(a);  // listed, as casex reads none of them
  }
  if (incoming) {
    if (!ok && ev.incoming_outcome().error.empty()) return false;  // bad input: nothing was applied
    explain_incoming(rules, ev.incoming(), ev.incoming_outcome(), trace, out);
  } else {
    if (!ok && trace.old_phase < 0) return false;  // bad input: nothing was evaluated
    ChangeExplainer(rules, ev.change(), trace).run(out);
    const ChangeInput& in = ev.change();
    std::vector<std::string_view> systems;
    for (const auto& g : in.groups) systems.push_back(g.second);
    if (in.has_ref) systems.push_back(in.ref_system);
    if (std::string note = origin_note(rules, in.origin, systems); !note.empty())
      out["origin_note"] = note;
  }
  if (ok) {
    out["result"] = bj::parse(result);
  } else {
    out["error"] = error;
    error.clear();
  }
  return true;
}

}  // namespace casex::detail
