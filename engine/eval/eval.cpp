// engine/eval/eval.cpp: the evaluator: the expression interpreter, the steps
// of a change (workflow move, transition or metaphase tables, targets,
// de-duplication, origin suppression) and the actions of incoming operations.
#include "engine/eval/eval.h"

#include <fmt/format.h>

namespace casex::detail {

void ChangeInput::reset(const Vocabulary& v) {
  has_incident = false;
  incident = {};
  before.assign(v.fields.size(), Value{});
  after.assign(v.fields.size(), Value{});
  events.assign(v.events.size(), 0);
  has_ref = false;
  ref_system = ref_id = {};
  groups.clear();
  origin = {};
}

namespace {


Value text_value(std::string_view s) {
  Value v;
  if (!s.empty()) {
    v.kind = ConstKind::Text;
    v.text = s;
  }
  return v;
}

Value bool_value(bool b) {
  Value v;
  v.kind = ConstKind::Bool;
  v.boolean = b;
  return v;
}

bool equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ConstKind::None: return true;
    case ConstKind::Text: return a.text == b.text;
    case ConstKind::Number: return a.number == b.number;
    case ConstKind::Bool: return a.boolean == b.boolean;
    case ConstKind::Sym: return a.sym == b.sym;
  }
  return false;
}

// -1, 0, 1, or 2 when the two cannot be ordered (no value, or different kinds).
int order(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.kind == ConstKind::None) return 2;
  if (a.kind == ConstKind::Number) return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  if (a.kind == ConstKind::Text) {
    int c = a.text.compare(b.text);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return 2;
}

std::string_view system_of(const ChangeInput& c, const Value& group) {
  if (group.kind != ConstKind::Text) return {};
  for (const auto& [g, s] : c.groups)
    if (g == group.text) return s;
  return {};
}

}  // namespace

Value eval_value(const TExpr& e, const EvalContext& c) {
  switch (e.op) {
    case Op::Const: {
      Value v;
      v.kind = e.kind;
      v.boolean = e.boolean;
      v.number = e.number;
      v.sym = e.slot;
      if (e.kind == ConstKind::Text) v.text = e.text;
      return v;
    }
    case Op::Field:
      if (e.side == Side::Incident) return (*c.incident)[e.slot];
      return e.side == Side::Before ? c.change->before[e.slot] : c.change->after[e.slot];
    case Op::RefSystem: return c.has_ref ? text_value(c.ref_system) : Value{};
    case Op::RefId: return c.has_ref ? text_value(c.ref_id) : Value{};
    case Op::Origin: return text_value(c.change->origin);
    case Op::IncidentId: return c.change->has_incident ? text_value(c.change->incident) : Value{};
    case Op::MessageSystem: return text_value(c.message->system);
    case Op::MessageId: return text_value(c.message->id);
    case Op::ExternalSystem: return text_value(system_of(*c.change, eval_value(e.args[0], c)));
    case Op::MetaphaseOf: {
      Value p = eval_value(e.args[0], c);
      Value m;
      if (p.kind == ConstKind::Sym && p.sym >= 0) {
        m.kind = ConstKind::Sym;
        m.sym = c.vocab->phase_metaphase[p.sym];
      }
      return m;
    }
    default: return bool_value(eval_truth(e, c));
  }
}

bool eval_truth(const TExpr& e, const EvalContext& c) {
  switch (e.op) {
    case Op::Const: return e.kind == ConstKind::Bool && e.boolean;
    case Op::Event: return c.change->events[e.slot] != 0;
    case Op::Field: {
      Value v = eval_value(e, c);
      return v.kind == ConstKind::Bool && v.boolean;
    }
    case Op::RefExists: return c.has_ref;
    case Op::Changed: return !equal(c.change->before[e.slot], c.change->after[e.slot]);
    case Op::HasValue: return eval_value(e.args[0], c).kind != ConstKind::None;
    case Op::IsExternal: return !system_of(*c.change, eval_value(e.args[0], c)).empty();
    case Op::Entered: return c.entered == e.slot;
    case Op::Not: return !eval_truth(e.args[0], c);
    case Op::And:
      for (const auto& a : e.args)
        if (!eval_truth(a, c)) return false;
      return true;
    case Op::Or:
      for (const auto& a : e.args)
        if (eval_truth(a, c)) return true;
      return false;
    case Op::Eq: return equal(eval_value(e.args[0], c), eval_value(e.args[1], c));
    case Op::Ne: return !equal(eval_value(e.args[0], c), eval_value(e.args[1], c));
    case Op::Lt: return order(eval_value(e.args[0], c), eval_value(e.args[1], c)) == -1;
    case Op::Le: {
      int o = order(eval_value(e.args[0], c), eval_value(e.args[1], c));
      return o == -1 || o == 0;
    }
    case Op::Gt: return order(eval_value(e.args[0], c), eval_value(e.args[1], c)) == 1;
    case Op::Ge: {
      int o = order(eval_value(e.args[0], c), eval_value(e.args[1], c));
      return o == 1 || o == 0;
    }
    case Op::In:
    case Op::NotIn: {
      Value l = eval_value(e.args[0], c);
      bool found = false;
      for (std::size_t i = 1; i < e.args.size() && !found; ++i) found = equal(l, eval_value(e.args[i], c));
      return found == (e.op == Op::In);
    }
    default: return false;
  }
}

void append_text(const Vocabulary& v, const Value& value, std::string& out) {
  switch (value.kind) {
    case ConstKind::None: break;
    case ConstKind::Text: out.append(value.text); break;
    case ConstKind::Number: out += fmt::format("{}", value.number); break;
    case ConstKind::Bool: out += value.boolean ? "true" : "false"; break;
    case ConstKind::Sym:
      if (value.sym >= 0 && static_cast<std::size_t>(value.sym) < v.phases.size()) out += v.phases[value.sym];
      break;
  }
}

namespace {

class ChangeEvaluator {
 public:
  ChangeEvaluator(const CompiledRules& r, const ChangeInput& in, Outcome& out, Scratch& s, EvalTrace* trace)
      : r_(r), v_(r.rules.vocabulary), in_(in), out_(out), s_(s), trace_(trace) {
    ctx_.vocab = &v_;
    ctx_.change = &in;
    ctx_.has_ref = in.has_ref;
    ctx_.ref_system = in.ref_system;
    ctx_.ref_id = in.ref_id;
  }

  bool run() {
    out_.ops.clear();
    out_.suppressed.clear();
    out_.error.clear();
    s_.steps.clear();
    const int pf = v_.phase_field;
    const int p0 = in_.before[pf].sym, p1 = in_.after[pf].sym;
    int np = p1;
    for (std::size_t i = 0; i < r_.rules.moves.size(); ++i)
      if (holds(r_.rules.moves[i].when)) {
        np = r_.rules.moves[i].to;
        if (trace_) trace_->move = static_cast<int>(i);
        break;
      }
    out_.phase = np;
    if (trace_) {
      trace_->old_phase = p0;
      trace_->new_phase = np;
    }
    const int m0 = v_.phase_metaphase[p0], m1 = v_.phase_metaphase[np];
    if (int t = r_.transition(p0, np); t >= 0) {
      if (trace_) trace_->plan = EvalTrace::Plan::Transition;
      if (!step(t, np, p0 != np ? np : -1)) return false;
    } else if (m0 == m1) {
      if (trace_) trace_->plan = EvalTrace::Plan::SameMetaphase;
      if (!step(r_.metaphase_table[m0], p0, -1)) return false;
    } else {
      if (trace_) trace_->plan = EvalTrace::Plan::TwoMetaphases;
      if (!step(r_.metaphase_table[m0], p0, -1)) return false;
      if (!step(r_.metaphase_table[m1], np, np)) return false;
    }
    for (std::size_t i = 0; i < s_.steps.size(); ++i) {
      const OutOp& o = s_.steps[i];
      bool suppress = r_.rules.suppress_origin && !in_.origin.empty() && o.system == in_.origin;
      if (suppress) out_.suppressed.push_back(o);
      else out_.ops.push_back(o);
      if (trace_) trace(o, suppress ? EvalTrace::Fate::Suppressed : EvalTrace::Fate::Sent, trace_->targets[i]);
    }
    return true;
  }

 private:
  bool holds(const TExpr& e) const { return eval_truth(e, ctx_); }

  void trace(const OutOp& o, EvalTrace::Fate fate, int target) {
    trace_->emits.push_back({o.table, o.rule, o.op, o.phase, std::string(o.system), fate, target});
  }

  bool step(int table, int phase, int entered) {
    if (trace_) trace_->steps.push_back({table, phase, entered, {}});
    if (table < 0) return true;  // a metaphase without a table sends nothing
    ctx_.entered = entered;
    const DecisionTable& dt = r_.tables[table];
    const CheckedTable& ct = r_.rules.tables[table];
    s_.bits.assign(dt.words, 0);
    for (std::size_t i = 0; i < dt.atoms.size(); ++i)
      if (holds(dt.atoms[i])) s_.bits[i / 64] |= uint64_t{1} << (i % 64);
    if (trace_) trace_->steps.back().bits = s_.bits;
    int chosen = -1, last = -1;
    for (const auto& row : dt.rows) {
      if (static_cast<int>(row.rule) == last) continue;
      if (!matches(dt, row)) continue;
      last = static_cast<int>(row.rule);
      switch (ct.policy) {
        case HitPolicy::First: emit(table, row.rule, phase); return true;
        case HitPolicy::Collect: emit(table, row.rule, phase); break;
        case HitPolicy::Unique:
          if (chosen >= 0) {
            out_.error = fmt::format("rules \"{}\" and \"{}\" of table \"{}\" both match, but its hit policy is unique",
                                     ct.rules[chosen].id, ct.rules[row.rule].id, ct.id);
            return false;
          }
          chosen = static_cast<int>(row.rule);
          break;
        case HitPolicy::Priority:
          if (chosen < 0 || ct.rules[row.rule].priority > ct.rules[chosen].priority)
            chosen = static_cast<int>(row.rule);
          break;
      }
    }
    if (chosen >= 0) emit(table, chosen, phase);
    return true;
  }

  bool matches(const DecisionTable& dt, const DecisionTable::Row& row) const {
    const uint64_t* care = &dt.pool[row.offset];
    const uint64_t* value = care + dt.words;
    for (uint32_t w = 0; w < dt.words; ++w)
      if ((s_.bits[w] & care[w]) != value[w]) return false;
    return true;
  }

  void emit(int table, int rule, int phase) {
    const CheckedRule& cr = r_.rules.tables[table].rules[rule];
    Value sys;
    int target = -1;  // the targets: entry used, -1: the rule's own system
    if (cr.system) {
      sys = eval_value(*cr.system, ctx_);
    } else {
      for (uint32_t t : r_.op_targets[cr.operation]) {
        const CheckedTarget& ct = r_.rules.targets[t];
        if (ct.when && !holds(*ct.when)) continue;
        sys = eval_value(ct.system, ctx_);
        target = static_cast<int>(t);
        break;
      }
    }
    OutOp o{cr.operation, phase, table, rule, sys.text};
    if (sys.kind != ConstKind::Text) {  // no target: not emitted
      if (trace_) trace(o, EvalTrace::Fate::NoTarget, target);
      return;
    }
    if (r_.rules.deduplicate)
      for (const auto& prev : s_.steps)
        if (prev.op == cr.operation && prev.system == sys.text) {
          if (trace_) trace(o, EvalTrace::Fate::Duplicate, target);
          return;
        }
    if (trace_) trace_->targets.push_back(target);
    s_.steps.push_back(o);
  }

  const CompiledRules& r_;
  const Vocabulary& v_;
  const ChangeInput& in_;
  Outcome& out_;
  Scratch& s_;
  EvalTrace* trace_;  // null unless explaining
  EvalContext ctx_;
};

std::string render(const Vocabulary& v, const Template& t, const EvalContext& c) {
  std::string out;
  for (const auto& p : t.pieces) {
    if (p.value) append_text(v, eval_value(*p.value, c), out);
    else out += p.literal;
  }
  return out;
}

}  // namespace

bool evaluate_change(const CompiledRules& rules, const ChangeInput& in, Outcome& out, Scratch& scratch,
                     EvalTrace* trace) {
  return ChangeEvaluator(rules, in, out, scratch, trace).run();
}

bool apply_incoming(const CompiledRules& rules, const IncomingInput& in, IncomingOutcome& out) {
  const Vocabulary& v = rules.rules.vocabulary;
  out = IncomingOutcome{};
  out.incident = in.incident;
  out.changes.assign(v.fields.size(), IncomingOutcome::FieldChange::None);
  out.has_ref = in.has_ref;
  out.ref_system = in.ref_system;
  out.ref_id = in.ref_id;
  out.rule = rules.incoming_rule[in.op];
  if (out.rule < 0) {
    out.error = fmt::format("incoming: no rule handles operation \"{}\"", v.incoming[in.op]);
    return false;
  }
  const CheckedIncoming& rule = rules.rules.incoming[out.rule];
  EvalContext c;
  c.vocab = &v;
  c.incident = &out.incident;
  c.message = &in;
  auto set = [&](int field, std::string text) {
    const auto& f = v.fields[field];
    Value val;
    if (!text.empty()) {
      if (f.type == Type::Phase) {
        val.kind = ConstKind::Sym;
        val.sym = v.find_phase(text);
        if (val.sym < 0) {
          out.error = fmt::format("rule \"{}\" sets {} to \"{}\", which is not a phase", rule.id, f.name, text);
          return false;
        }
      } else {
        out.storage.push_back(std::move(text));
        val.kind = ConstKind::Text;
        val.text = out.storage.back();
      }
    }
    out.incident[field] = val;
    out.changes[field] = val.kind == ConstKind::None ? IncomingOutcome::FieldChange::Cleared
                                                     : IncomingOutcome::FieldChange::Set;
    return true;
  };
  for (const auto& a : rule.actions) {
    c.has_ref = out.has_ref;
    c.ref_system = out.ref_system;
    c.ref_id = out.ref_id;
    if (a.when && !eval_truth(*a.when, c)) continue;
    switch (a.kind) {
      case ActionKind::Set:
        if (!set(a.field, render(v, a.value, c))) return false;
        break;
      case ActionKind::SetIfNoValue:
        if (out.incident[a.field].kind == ConstKind::None && !set(a.field, render(v, a.value, c))) return false;
        break;
      case ActionKind::Clear:
        out.incident[a.field] = Value{};
        out.changes[a.field] = IncomingOutcome::FieldChange::Cleared;
        break;
      case ActionKind::AddComment: out.comments.push_back(render(v, a.value, c)); break;
      case ActionKind::CreateReference: {
        std::string sys = render(v, a.system, c), id = render(v, a.id, c);
        if (sys.empty() || id.empty()) {
          out.error = fmt::format("rule \"{}\" creates the external reference record from {} and {}, but {} has no value",
                                  rule.id, a.system_text, a.id_text, sys.empty() ? a.system_text : a.id_text);
          return false;
        }
        out.storage.push_back(std::move(sys));
        out.ref_system = out.storage.back();
        out.storage.push_back(std::move(id));
        out.ref_id = out.storage.back();
        out.has_ref = true;
        break;
      }
      case ActionKind::DeleteReference:
        out.has_ref = false;
        out.ref_system = out.ref_id = {};
        break;
    }
  }
  return true;
}

}  // namespace casex::detail
