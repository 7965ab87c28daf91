// engine/eval/eval.cpp: the evaluator: the expression interpreter, the steps
// of a change (workflow move, transition or metaphase tables, targets,
// de-duplication, origin suppression) and the actions of incoming operations.
#include "engine/eval/eval.h"

#include "engine/common/compiler.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <variant>

namespace casex::detail {

void ChangeInput::reset(const Vocabulary& v) {
  has_record = false;
  record = {};
  before.assign(v.fields.size(), Value{});
  after.assign(v.fields.size(), Value{});
  events.reset(v.events.size());
  has_ref = false;
  ref_system = ref_id = {};
  groups.clear();
  origin = {};
  sent.clear();
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

// The system of a group: the first entry of the change's groups that names it.
inline std::string_view find_system(const ChangeInput& c, std::string_view group) {
  for (const auto& [g, sys] : c.groups)
    if (same_text(g, group)) return sys;
  return {};
}

std::string_view system_of(const ChangeInput& c, const Value& group) {
  return group.kind == ConstKind::Text ? find_system(c, group.text) : std::string_view();
}

// The system of the group in a field of the change, remembered per change.
// Looks up the groups of a field on both sides of a change (a rule asking
// about one side usually asks about the other); a field that did not change
// is looked up once.
CASEX_NOINLINE void both_systems(const ChangeInput& in, SystemMemo& memo, int slot) {
  const Value& b = in.before[slot];
  const Value& a = in.after[slot];
  std::string_view sb, sa;
  if (b.kind == ConstKind::Text) sb = find_system(in, b.text);
  if (a.kind == ConstKind::Text)
    sa = b.kind == ConstKind::Text && same_text(a.text, b.text) ? sb : find_system(in, a.text);
  memo.data[0][slot] = sb.data();
  memo.size[0][slot] = sb.size();
  memo.data[1][slot] = sa.data();
  memo.size[1][slot] = sa.size();
  const uint64_t bit = uint64_t{1} << slot;
  memo.known[0] |= bit;
  memo.known[1] |= bit;
}

CASEX_ALWAYS_INLINE std::string_view field_system(const ChangeInput& in, SystemMemo* memo,
                                                  Side side, int slot) {
  if (!memo || slot >= 64)
    return system_of(in, side == Side::Before ? in.before[slot] : in.after[slot]);
  const int s = side == Side::Before ? 0 : 1;
  if (!(memo->known[s] & (uint64_t{1} << slot))) both_systems(in, *memo, slot);
  return {memo->data[s][slot], memo->size[s][slot]};
}

// external_system(x) / is_external(x) of a change.
std::string_view group_system(const TExpr& arg, const EvalContext& c);

}  // namespace

Value eval_value(const TExpr& e, const EvalContext& c) {
  switch (e.op) {
    case Op::Const: {
      Value v;
      v.kind = e.kind;
      v.boolean = e.boolean;
      v.sym = e.slot;
      if (e.kind == ConstKind::Number)
        v.number = e.number;
      else if (e.kind == ConstKind::Text)
        v.text = e.text;
      return v;
    }
    case Op::Field:
      if (e.side == Side::Record) return (*c.record)[e.slot];
      if (e.side == Side::Message)
        return c.message && !c.message->fields.empty() ? c.message->fields[e.slot] : Value{};
      return e.side == Side::Before ? c.change->before[e.slot] : c.change->after[e.slot];
    case Op::RefSystem: return c.has_ref ? text_value(c.ref_system) : Value{};
    case Op::RefId: return c.has_ref ? text_value(c.ref_id) : Value{};
    case Op::Origin: return text_value(c.change->origin);
    case Op::RecordId: return c.change->has_record ? text_value(c.change->record) : Value{};
    case Op::MessageSystem: return text_value(c.message->system);
    case Op::MessageId: return text_value(c.message->id);
    case Op::ExternalSystem: return text_value(group_system(e.args[0], c));
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

namespace {

// sent_before("OP"[, system]): the change's `sent` list holds OP (to that
// system); out of line, so that eval_truth stays as small as the hot paths want.
CASEX_NOINLINE bool sent_before(const TExpr& e, const EvalContext& c) {
  // an operation sent before this change (to the given system, when one is given)
  const Value sys = e.args.size() > 1 ? eval_value(e.args[1], c) : Value{};
  if (e.args.size() > 1 && sys.kind != ConstKind::Text) return false;
  const std::string_view name = e.args[0].text;
  for (const auto& [op, system] : c.change->sent)
    if (op == name && (e.args.size() < 2 || system == sys.text)) return true;
  return false;
}

}  // namespace

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
    case Op::ChangedTo:
      return !equal(c.change->before[e.slot], c.change->after[e.slot]) &&
             equal(c.change->after[e.slot], eval_value(e.args[0], c));
    case Op::StartsWith: {
      const Value t = eval_value(e.args[0], c), prefix = eval_value(e.args[1], c);
      return t.kind == ConstKind::Text && prefix.kind == ConstKind::Text &&
             t.text.size() >= prefix.text.size() &&
             t.text.compare(0, prefix.text.size(), prefix.text) == 0;
    }
    case Op::HasValue: return eval_value(e.args[0], c).kind != ConstKind::None;
    case Op::SentBefore: return sent_before(e, c);
    case Op::IsExternal: return !group_system(e.args[0], c).empty();
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
      for (std::size_t i = 1; i < e.args.size() && !found; ++i)
        found = equal(l, eval_value(e.args[i], c));
      return found == (e.op == Op::In);
    }
    case Op::RefSystem:  // values, not conditions
    case Op::RefId:
    case Op::Origin:
    case Op::RecordId:
    case Op::MessageSystem:
    case Op::MessageId:
    case Op::ExternalSystem:
    case Op::MetaphaseOf: return false;
  }
  return false;
}

namespace {

std::string_view group_system(const TExpr& arg, const EvalContext& c) {
  if (arg.op == Op::Field && arg.side != Side::Record)
    return field_system(*c.change, c.systems, arg.side, arg.slot);
  return system_of(*c.change, eval_value(arg, c));
}

}  // namespace

void append_text(const Vocabulary& v, const Value& value, std::string& out) {
  switch (value.kind) {
    case ConstKind::None: break;
    case ConstKind::Text: out.append(value.text); break;
    case ConstKind::Number: out += fmt::format("{}", value.number); break;
    case ConstKind::Bool: out += value.boolean ? "true" : "false"; break;
    case ConstKind::Sym:
      if (value.sym >= 0 && static_cast<std::size_t>(value.sym) < v.phases.size())
        out += v.phases[value.sym];
      break;
  }
}

namespace {

using AtomKind = AtomCode::Kind;

// Whether a value equals an atom's constant.
CASEX_ALWAYS_INLINE bool equals_const(const Value& v, const AtomCode& a) {
  return equal(v, a.constant());
}

// Evaluates a change. Traced = false runs the rule set's compiled form (Facts,
// else WideForm) with no trace code at all; Traced = true is the reference:
// every atom interpreted, the reference rows of each table tested in order.
template <bool Traced>
class ChangeEvaluator {
 public:
  ChangeEvaluator(const CompiledRules& r, const ChangeInput& in, Outcome& out, Scratch& s,
                  EvalTrace* trace)
      : r_(r), v_(r.rules.vocabulary), in_(in), out_(out), s_(s), trace_(trace) {
    s_.systems.known[0] = s_.systems.known[1] = 0;
  }

  bool run() {
    if constexpr (!Traced) {
      if (const Facts* f = std::get_if<Facts>(&r_.fast)) return run_path(*f);
      wide_ = std::get_if<WideForm>(&r_.fast);
    }
    return run_steps();
  }

 private:
  // A change step by step (the rule set's plan of steps, the moves, each
  // table): the reference (Traced) and the wide form.
  CASEX_NOINLINE bool run_steps() {
    if (s_.bits.size() < r_.max_words) s_.bits.assign(r_.max_words, 0);
    out_.ops.clear();
    out_.suppressed.clear();
    out_.error.clear();
    const int pf = v_.phase_field;
    const int p0 = in_.before[pf].sym, p1 = in_.after[pf].sym;
    int np = p1;
    if (int m = first_move(); m >= 0) {
      np = r_.rules.moves[m].to;
      if constexpr (Traced) trace_->move = m;
    }
    out_.phase = np;
    if constexpr (Traced) {
      trace_->old_phase = p0;
      trace_->new_phase = np;
    }
    const StepPlan plan = r_.plan_steps(p0, np);
    if constexpr (Traced) trace_->plan = plan.kind;
    bool ok = true;
    for (int i = 0; i < plan.count && ok; ++i) {
      const StepPlan::Step& st = plan.steps[i];
      ok = step(st.table, st.at_new_phase ? np : p0, st.entered ? np : -1);
    }
    if (!ok) {  // an error sends nothing
      out_.ops.clear();
      out_.suppressed.clear();
    }
    return ok;
  }

  // The context of an interpreted expression, made when one is first evaluated
  // (the fast paths seldom need one).
  const EvalContext& ctx() const {
    if (!ctx_) {
      ctx_.emplace();
      ctx_->vocab = &v_;
      ctx_->change = &in_;
      ctx_->has_ref = in_.has_ref;
      ctx_->ref_system = in_.ref_system;
      ctx_->ref_id = in_.ref_id;
      ctx_->systems = &s_.systems;
    }
    ctx_->entered = entered_;
    return *ctx_;
  }

  bool holds(const TExpr& e) const { return eval_truth(e, ctx()); }

  const Value& field(Side side, int slot) const {
    return side == Side::Before ? in_.before[slot] : in_.after[slot];
  }

  // Atom i of a table: interpreted by the reference, run from its code by the wide form.
  CASEX_ALWAYS_INLINE bool atom(const DecisionTable& dt, const TableCode* tc, uint32_t i) const {
    if (Traced || !tc) return eval_truth(dt.atoms[i], ctx());
    const auto& a = tc->code[i];
    switch (a.kind) {
      case AtomKind::Changed: return !equal(in_.before[a.slot], in_.after[a.slot]);
      case AtomKind::Event: return in_.events[a.slot] != 0;
      case AtomKind::Entered: return entered_ == a.slot;
      case AtomKind::RefExists: return in_.has_ref;
      case AtomKind::HasField: return field(a.side, a.slot).kind != ConstKind::None;
      case AtomKind::IsExternal: return !field_system(in_, &s_.systems, a.side, a.slot).empty();
      case AtomKind::RefIsSystem: return ref_is_system(a);
      case AtomKind::FieldEq: return equals_const(field(a.side, a.slot), a) != a.negate;
      case AtomKind::MetaphaseEq: {
        const Value& p = field(a.side, a.slot);
        bool eq = p.kind == ConstKind::Sym && p.sym >= 0 && v_.phase_metaphase[p.sym] == a.sym;
        return eq != a.negate;
      }
      case AtomKind::Generic: break;
    }
    return eval_truth(dt.atoms[i], ctx());
  }

  // external_reference.system == external_system(side.slot), as equal() has it:
  // true also when neither has a value.
  bool ref_is_system(const AtomCode& a) const {
    const std::string_view ref = in_.has_ref ? in_.ref_system : std::string_view();
    return same_text(ref, field_system(in_, &s_.systems, a.side, a.slot)) != a.negate;
  }

  // Sets the bits of every atom of a table (bits are zero on entry).
  void all_atoms(const DecisionTable& dt, const TableCode* tc, uint64_t* bits) const {
    const uint32_t n = static_cast<uint32_t>(dt.atoms.size());
    for (uint32_t i = 0; i < n; ++i)
      if (atom(dt, tc, i)) bits[i >> 6] |= uint64_t{1} << (i & 63);
  }

  // Whether row r holds over the atoms' bits: over the words it cares about
  // (the wide form's sparse rows), or every word of the reference row.
  bool matches(const DecisionTable& dt, const TableCode* tc, uint32_t r) const {
    const uint64_t* bits = s_.bits.data();
    if (tc) {
      for (uint32_t k = tc->sparse_begin[r], e = tc->sparse_begin[r + 1]; k < e; ++k) {
        const auto& w = tc->sparse[k];
        if ((bits[w.word] & w.care) != w.value) return false;
      }
      return true;
    }
    const uint64_t* care = &dt.pool[dt.rows[r].offset];
    const uint64_t* value = care + dt.words;
    for (uint32_t w = 0; w < dt.words; ++w)
      if ((bits[w] & care[w]) != value[w]) return false;
    return true;
  }

  void clear_bits(const DecisionTable& dt) {
    std::fill(s_.bits.begin(), s_.bits.begin() + dt.words, 0);
  }

  // The first workflow move whose condition holds, or -1.
  int first_move() {
    const DecisionTable& mt = r_.moves;
    if (mt.rows.empty()) return -1;
    entered_ = -1;
    const TableCode* tc = Traced ? nullptr : &wide_->moves;
    clear_bits(mt);
    all_atoms(mt, tc, s_.bits.data());
    int found = -1;
    for (uint32_t r = 0; r < mt.rows.size(); ++r)
      if (matches(mt, tc, r)) {
        found = static_cast<int>(mt.rows[r].rule);
        break;
      }
    clear_bits(mt);
    return found;
  }

  // Fills s_.candidates with the rows of an indexed table that may match, in order.
  void candidates(const DecisionTable& dt, const TableCode& tc) {
    uint64_t* bits = s_.bits.data();
    for (uint32_t i : tc.direct)
      if (atom(dt, &tc, i)) bits[i >> 6] |= uint64_t{1} << (i & 63);
    s_.lists.clear();
    if (!tc.free_rows.empty()) s_.lists.push_back(&tc.free_rows);
    for (const auto& ix : tc.eq_index) {
      const Value& v = field(ix.side, ix.slot);
      if (v.kind != ConstKind::Text) continue;
      auto it = std::lower_bound(ix.atom_of.begin(), ix.atom_of.end(), v.text,
                                 [](const std::pair<std::string, uint32_t>& e, std::string_view t) {
                                   return e.first < t;
                                 });
      for (; it != ix.atom_of.end() && it->first == v.text;
           ++it) {  // more than one when spelled twice
        bits[it->second >> 6] |= uint64_t{1} << (it->second & 63);
        if (!tc.anchored[it->second].empty()) s_.lists.push_back(&tc.anchored[it->second]);
      }
    }
    s_.candidates.clear();
    for (const auto* l : s_.lists) s_.candidates.insert(s_.candidates.end(), l->begin(), l->end());
    if (s_.lists.size() > 1) std::sort(s_.candidates.begin(), s_.candidates.end());
  }

  // One step: the table's atoms, then its rows (the wide form: only the
  // candidates of an indexed table) under its hit policy.
  bool step(int table, int phase, int entered) {
    if constexpr (Traced) trace_->steps.push_back({table, phase, entered, {}});
    if (table < 0) return true;  // a metaphase without a table sends nothing
    entered_ = entered;
    const DecisionTable& dt = r_.tables[table];
    const CheckedTable& ct = r_.rules.tables[table];
    const TableCode* tc = Traced ? nullptr : &wide_->tables[static_cast<std::size_t>(table)];
    clear_bits(dt);
    bool ok = true;
    Pick p;
    if (tc && !tc->eq_index.empty()) {
      candidates(dt, *tc);
      for (uint32_t r : s_.candidates)
        if (consider(dt, tc, ct, table, phase, r, p, ok)) break;
    } else {
      all_atoms(dt, tc, s_.bits.data());
      if constexpr (Traced)
        trace_->steps.back().bits.assign(s_.bits.begin(), s_.bits.begin() + dt.words);
      const uint32_t n = static_cast<uint32_t>(dt.rows.size());
      for (uint32_t r = 0; r < n; ++r)
        if (consider(dt, tc, ct, table, phase, r, p, ok)) break;
    }
    if (ok && p.chosen >= 0) emit(table, p.chosen, phase);
    clear_bits(dt);
    return ok;
  }

  struct Pick {
    int chosen = -1, last = -1;
  };

  // ---- the facts form: the rule set specialized for the change's two phases, one word of facts

  // A group of cheap atoms, kind by kind.
  CASEX_ALWAYS_INLINE uint64_t facts(const Facts::Group& f) const {
    const Value* side[2] = {in_.before.data(), in_.after.data()};
    uint64_t v = f.ref_exists & (uint64_t{0} - in_.has_ref);
    for (const auto& p : f.changed_text)
      v |= uint64_t{!same_text(side[0][p.slot].text, side[1][p.slot].text)} << p.bit;
    for (uint64_t m = in_.events.first_word() & f.event_slots; m; m &= m - 1)
      v |= uint64_t{1} << f_->event_bit[lowest_bit(m)];
    for (const auto& p : f.lookups) {
      if (!(s_.systems.known[0] & (uint64_t{1} << p.slot))) both_systems(in_, s_.systems, p.slot);
      v |= (p.before & (uint64_t{0} - (s_.systems.size[0][p.slot] != 0))) |
           (p.after & (uint64_t{0} - (s_.systems.size[1][p.slot] != 0)));
    }
    for (const auto& p : f.compare_text)
      v |= uint64_t{same_text(side[static_cast<int>(p.side)][p.slot].text, {p.data, p.size}) !=
                    p.negate}
           << p.bit;
    for (const auto& p : f.changed)
      v |= uint64_t{!equal(side[0][p.slot], side[1][p.slot])} << p.bit;
    for (const auto& p : f.events) v |= uint64_t{in_.events[p.slot]} << p.bit;
    for (const auto& p : f.has_field)
      v |= uint64_t{side[static_cast<int>(p.side)][p.slot].kind != ConstKind::None} << p.bit;
    for (const auto& p : f.is_external)
      v |= uint64_t{!field_system(in_, &s_.systems, p.side, p.slot).empty()} << p.bit;
    for (const auto& p : f.compare) {
      const auto& a = f_->code[p.bit];
      v |= uint64_t{equals_const(side[static_cast<int>(p.side)][p.slot], a) != a.negate} << p.bit;
    }
    for (const auto& b : f.by_phase) {
      const Value& x = side[static_cast<int>(b.at.side)][b.at.slot];
      v |=
          x.kind == ConstKind::Sym && x.sym >= 0 ? b.bits[static_cast<std::size_t>(x.sym)] : b.none;
    }
    return v;
  }

  // Whether a row holds; lazy atoms it needs are evaluated (and remembered in known/value).
  bool fact_row(const FactRow& row, uint64_t& known, uint64_t& value) const {
    if ((value ^ row.value) & row.care & known) return false;
    for (uint64_t unknown = row.care & ~known; unknown; unknown &= unknown - 1) {
      const uint32_t i = lowest_bit(unknown);
      const uint64_t bit = uint64_t{1} << i;
      known |= bit;
      const auto& a = f_->code[i];
      if (a.kind == AtomKind::IsExternal ? !field_system(in_, &s_.systems, a.side, a.slot).empty()
          : a.kind == AtomKind::RefIsSystem ? ref_is_system(a)
                                            : eval_truth(f_->atoms[i], ctx()))
        value |= bit;
      if ((value ^ row.value) & bit) return false;
    }
    return !row.any || (value & row.any);
  }

  bool run_path(const Facts& f) {
    f_ = &f;
    out_.ops.clear();
    out_.suppressed.clear();
    out_.error.clear();
    const int pf = v_.phase_field;
    const std::size_t n = v_.phases.size();
    const int p0 = in_.before[pf].sym, p1 = in_.after[pf].sym;
    const Facts::Path& path =
        f.paths[f.path_of[static_cast<std::size_t>(p0) * n + static_cast<std::size_t>(p1)]];
    const uint64_t value = facts(path.group) | path.phases;
    int m = -1;
    if (!path.moves.empty()) {
      entered_ = -1;
      uint64_t v = value, known = ~path.moves_lazy;
      for (const auto& row : path.moves)
        if (fact_row(row, known, v)) {
          m = static_cast<int>(row.rule);
          break;
        }
    }
    const Facts::Path::Plan& plan = path.plans[static_cast<std::size_t>(m + 1)];
    const int np = plan.phase >= 0 ? plan.phase : p1;
    out_.phase = np;
    for (const auto& st : plan.steps)
      if (!rows_step(st.rows, st.lazy, st.policy, st.table, st.at_new_phase ? np : p0,
                     st.entered ? np : -1, value)) {
        out_.ops.clear();
        out_.suppressed.clear();
        return false;
      }
    return true;
  }

  // One step over rows of the facts word: operations straight to the outcome.
  bool rows_step(const std::vector<FactRow>& rows, uint64_t lazy, HitPolicy policy, int table,
                 int phase, int entered, uint64_t value) {
    entered_ = entered;  // interpreted atoms, targets and systems may read entered()
    if (!lazy && policy == HitPolicy::First) {  // every atom known: plain bit tests
      for (const auto& row : rows)
        if (!((value ^ row.value) & row.care) && (!row.any || (value & row.any))) {
          emit(row.op, row.own_system, table, static_cast<int>(row.rule), phase);
          break;
        }
      return true;
    }
    const CheckedTable& ct = r_.rules.tables[static_cast<std::size_t>(table)];
    uint64_t known = ~lazy;
    Pick p;
    bool ok = true;
    for (const auto& row : rows) {
      if (static_cast<int>(row.rule) == p.last || !fact_row(row, known, value)) continue;
      if (decide(ct, table, phase, row.rule, p, ok)) break;
    }
    if (ok && p.chosen >= 0) emit(table, p.chosen, phase);
    return ok;
  }

  // Tries one row under the table's hit policy; true to stop (first hit, or an error: ok = false).
  bool consider(const DecisionTable& dt, const TableCode* tc, const CheckedTable& ct, int table,
                int phase, uint32_t r, Pick& p, bool& ok) {
    const uint32_t rule = dt.rows[r].rule;
    if (static_cast<int>(rule) == p.last || !matches(dt, tc, r)) return false;
    return decide(ct, table, phase, rule, p, ok);
  }

  // A row of `rule` matches: applies the table's hit policy; true to stop.
  bool decide(const CheckedTable& ct, int table, int phase, uint32_t rule, Pick& p, bool& ok) {
    p.last = static_cast<int>(rule);
    switch (ct.policy) {
      case HitPolicy::First:
      case HitPolicy::Collect:
        emit(table, static_cast<int>(rule), phase);
        return ct.policy == HitPolicy::First;
      case HitPolicy::Unique:
        if (p.chosen >= 0) {
          out_.error = fmt::format(
              "rules \"{}\" and \"{}\" of table \"{}\" both match, but its hit policy is unique",
              ct.rules[p.chosen].id, ct.rules[rule].id, ct.id);
          ok = false;
          return true;
        }
        p.chosen = static_cast<int>(rule);
        return false;
      case HitPolicy::Priority:
        if (p.chosen < 0 || ct.rules[rule].priority > ct.rules[p.chosen].priority)
          p.chosen = static_cast<int>(rule);
        return false;
    }
    return false;
  }

  // The system an operation goes to ("": nowhere): the rule's own `system:`
  // when it has one, else the first targets: entry that applies to the
  // operation; `target` is that entry (-1: the rule's own system, or none).
  std::string_view system_for(int op, bool own_system, int table, int rule, int& target) {
    target = -1;
    auto text = [](const Value& v) {
      return v.kind == ConstKind::Text ? v.text : std::string_view();
    };
    if (own_system)
      return text(eval_value(*r_.rules.tables[static_cast<std::size_t>(table)]
                                  .rules[static_cast<std::size_t>(rule)]
                                  .system,
                             ctx()));
    std::string_view sys;
    const CompiledRules::TargetRun* t = target_entry(op, sys);
    if (!t) return {};
    target = static_cast<int>(t->entry);
    if (t->code.system == CompiledRules::TargetCode::System::Generic)
      return text(eval_value(r_.rules.targets[t->entry].system, ctx()));
    return sys;
  }

  // The targets: entry that applies to operation `op` (null: none) and, unless
  // its system is Generic, that system (empty: none).
  const CompiledRules::TargetRun* target_entry(int op, std::string_view& sys) {
    using TC = CompiledRules::TargetCode;
    const CompiledRules::TargetRun* t =
        r_.target_run.data() + r_.target_begin[static_cast<std::size_t>(op)];
    const CompiledRules::TargetRun* end =
        r_.target_run.data() + r_.target_begin[static_cast<std::size_t>(op) + 1];
    if constexpr (Traced) trace_->tried.clear();
    for (; t != end; ++t) {
      const TC& tc = t->code;
      const bool skip =
          tc.when == TC::When::RefExists
              ? !in_.has_ref
              : tc.when == TC::When::Generic && !holds(*r_.rules.targets[t->entry].when);
      if constexpr (Traced) trace_->tried.push_back(static_cast<int>(t->entry));
      if (skip) continue;
      if (tc.system == TC::System::FieldSystem)
        sys = field_system(in_, &s_.systems, tc.side, tc.slot);
      else if (tc.system == TC::System::RefSystem)
        sys = in_.has_ref ? in_.ref_system : std::string_view();
      return t;
    }
    return nullptr;
  }

  // The one emit: the operation of `rule` goes to its system (none: not
  // sent), once per (operation, system) when the rule set de-duplicates, and
  // to `suppressed` when that system is the change's origin.
  void emit(int table, int rule, int phase) {
    const CheckedRule& cr =
        r_.rules.tables[static_cast<std::size_t>(table)].rules[static_cast<std::size_t>(rule)];
    emit(cr.operation, cr.system.has_value(), table, rule, phase);
  }

  void emit(int op, bool own_system, int table, int rule, int phase) {
    int target;
    const std::string_view sys = system_for(op, own_system, table, rule, target);
    auto fate = [&](EvalTrace::Fate f) {
      if constexpr (Traced) {
        trace_->emits.push_back({table, rule, op, phase, std::string(sys), f, target, {}});
        if (!own_system) trace_->emits.back().tried = trace_->tried;
      }
    };
    if (sys.empty()) return fate(EvalTrace::Fate::NoTarget);
    if (r_.rules.deduplicate) {
      for (const auto& prev : out_.ops)
        if (prev.op == op && same_text(prev.system, sys)) return fate(EvalTrace::Fate::Duplicate);
      for (const auto& prev : out_.suppressed)
        if (prev.op == op && same_text(prev.system, sys)) return fate(EvalTrace::Fate::Duplicate);
    }
    const OutOp o{op, phase, table, rule, sys};
    if (r_.rules.suppress_origin && !in_.origin.empty() && same_text(sys, in_.origin)) {
      out_.suppressed.push_back(o);
      fate(EvalTrace::Fate::Suppressed);
    } else {
      out_.ops.push_back(o);
      fate(EvalTrace::Fate::Sent);
    }
  }

  const CompiledRules& r_;
  const Vocabulary& v_;
  const ChangeInput& in_;
  Outcome& out_;
  Scratch& s_;
  EvalTrace* trace_;                        // non-null when Traced
  int entered_ = -1;                        // the phase the current step enters, or -1
  mutable std::optional<EvalContext> ctx_;  // made by ctx() when first needed
  const Facts* f_ = nullptr;                // the facts form, when the change runs on it
  const WideForm* wide_ = nullptr;          // the wide form, when the change runs on it
};

std::string render(const Vocabulary& v, const Template& t, const EvalContext& c) {
  std::string out;
  for (const auto& p : t.pieces) {
    if (p.value)
      append_text(v, eval_value(*p.value, c), out);
    else
      out += p.literal;
  }
  return out;
}

}  // namespace

bool evaluate_change(const CompiledRules& rules, const ChangeInput& in, Outcome& out,
                     Scratch& scratch, EvalTrace* trace) {
  if (trace) return ChangeEvaluator<true>(rules, in, out, scratch, trace).run();
  return ChangeEvaluator<false>(rules, in, out, scratch, nullptr).run();
}

namespace {

// A phase an incoming operation sets must be a transition the vocabulary
// allows: otherwise the whole operation is refused (nothing of it is applied).
CASEX_NOINLINE bool transition_allowed(const Vocabulary& v, const IncomingInput& in,
                                       const CheckedIncoming& rule, IncomingOutcome& out) {
  const int pf = v.phase_field;
  if (pf < 0 || v.transitions.empty()) return true;
  const Value &was = in.record[pf], &now = out.record[pf];
  if (now.kind != ConstKind::Sym || was.kind != ConstKind::Sym || v.may_move(was.sym, now.sym))
    return true;
  std::vector<std::string> allowed;
  for (std::size_t p = 0; p < v.phases.size(); ++p)
    if (static_cast<int>(p) != was.sym && v.may_move(was.sym, static_cast<int>(p)))
      allowed.push_back(v.phases[p]);
  out.error = fmt::format(
      "{}.{}: no transition from {} to {} (rule \"{}\"); from {} the vocabulary allows {}",
      v.record, v.fields[pf].name, v.phases[was.sym], v.phases[now.sym], rule.id, v.phases[was.sym],
      allowed.empty() ? "none" : fmt::format("{}", fmt::join(allowed, ", ")));
  return false;
}

}  // namespace

bool apply_incoming(const CompiledRules& rules, const IncomingInput& in, IncomingOutcome& out,
                    EvalTrace* trace) {
  const Vocabulary& v = rules.rules.vocabulary;
  out = IncomingOutcome{};
  out.record = in.record;
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
  c.record = &out.record;
  c.message = &in;
  auto set = [&](int field, std::string text) {
    const auto& f = v.fields[field];
    Value val;
    if (!text.empty()) {
      if (f.type == Type::Phase) {
        val.kind = ConstKind::Sym;
        val.sym = v.find_phase(text);
        if (val.sym < 0) {
          out.error = fmt::format("rule \"{}\" sets {} to \"{}\", which is not a phase", rule.id,
                                  f.name, text);
          return false;
        }
      } else if (f.type == Type::Number) {  // checked at load: a number, or a number field's text
        val.kind = ConstKind::Number;
        val.number = std::strtod(text.c_str(), nullptr);
      } else if (f.type == Type::Bool) {  // checked at load: true, false, or a boolean field's text
        val.kind = ConstKind::Bool;
        val.boolean = text == "true";
      } else {
        out.storage.push_back(std::move(text));
        val.kind = ConstKind::Text;
        val.text = out.storage.back();
      }
    }
    out.record[field] = val;
    out.changes[field] = val.kind == ConstKind::None ? IncomingOutcome::FieldChange::Cleared
                                                     : IncomingOutcome::FieldChange::Set;
    return true;
  };
  for (const auto& a : rule.actions) {
    c.has_ref = out.has_ref;
    c.ref_system = out.ref_system;
    c.ref_id = out.ref_id;
    if (trace)
      trace->actions.push_back({false, out.record, out.has_ref, out.ref_system, out.ref_id});
    if (a.when && !eval_truth(*a.when, c)) continue;
    if (trace) trace->actions.back().ran = true;
    switch (a.kind) {
      case ActionKind::Set:
        if (!set(a.field, render(v, a.value, c))) return false;
        break;
      case ActionKind::SetIfNoValue:
        if (out.record[a.field].kind == ConstKind::None && !set(a.field, render(v, a.value, c)))
          return false;
        break;
      case ActionKind::Clear:
        out.record[a.field] = Value{};
        out.changes[a.field] = IncomingOutcome::FieldChange::Cleared;
        break;
      case ActionKind::AddComment: out.comments.push_back(render(v, a.value, c)); break;
      case ActionKind::CreateReference: {
        std::string sys = render(v, a.system, c), id = render(v, a.id, c);
        if (sys.empty() || id.empty()) {
          out.error = fmt::format(
              "rule \"{}\" creates the external reference record from {} and {}, but {} has no "
              "value",
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
      case ActionKind::SetFromMessage:
        for (std::size_t f = 0; f < in.carried.size(); ++f) {
          if (!in.carried[f] || (a.field >= 0 && static_cast<int>(f) != a.field)) continue;
          out.record[f] = in.fields[f];
          out.changes[f] = in.fields[f].kind == ConstKind::None
                               ? IncomingOutcome::FieldChange::Cleared
                               : IncomingOutcome::FieldChange::Set;
        }
        break;
    }
  }
  return transition_allowed(v, in, rule, out);
}

}  // namespace casex::detail
