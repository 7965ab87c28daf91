// engine/eval/eval.h: CompiledRules x ChangeInput -> Outcome, and
// CompiledRules x IncomingInput -> IncomingOutcome.
#pragma once

#include "engine/compile/program.h"
#include "engine/eval/input.h"

namespace casex::detail {

/// Per-change memory of `external_system(side.field)` lookups (fields 0..63):
/// each group is looked up in the change's groups once per change.
struct SystemMemo {
  uint64_t known[2] = {0, 0};  // per side (before, after): bit per field slot
  const char* data[2][64];
  std::size_t size[2][64];
};

/// What an expression may read: a change (and the step being evaluated), or
/// an incoming operation and the record as its actions have left it.
struct EvalContext {
  const Vocabulary* vocab = nullptr;
  const ChangeInput* change = nullptr;
  const std::vector<Value>* record = nullptr;
  const IncomingInput* message = nullptr;
  bool has_ref = false;
  std::string_view ref_system, ref_id;
  int entered = -1;               // the phase this step enters, or -1
  SystemMemo* systems = nullptr;  // null: no memory, look groups up each time
};

/// The value of an expression.
Value eval_value(const TExpr& e, const EvalContext& c);
/// Whether a boolean expression holds.
bool eval_truth(const TExpr& e, const EvalContext& c);

/// Reusable per-thread memory for evaluation (no allocation once warm).
/// Reused from change to change; sized by the rule set (atoms, steps, rows),
/// never by a document, so it does not grow with the number of changes.
struct Scratch {
  std::vector<uint64_t> bits;        // atom values of the step; all zero between steps
  std::vector<uint32_t> candidates;  // rows to try (indexed tables)
  std::vector<const std::vector<uint32_t>*> lists;
  SystemMemo systems;
};

/// What evaluating a change did, for `casex explain`; filled only when asked
/// for. The untraced evaluator is a separate instantiation with no trace code:
/// a null trace costs one branch per change. Its callers (explain_document,
/// casex test's runner) make one per document: no trace outlives its document.
struct EvalTrace {
  using Plan = StepPlan::Kind;
  enum class Fate : uint8_t { Sent, Suppressed, NoTarget, Duplicate };
  struct Step {
    int table = -1;  // -1: the metaphase has no table
    int phase = -1;  // the phase the step's operations carry
    int entered = -1;
    std::vector<uint64_t> bits;  // the value of each atom of the table
  };
  struct Emit {
    int table = -1, rule = -1, op = -1, phase = -1;
    std::string system;
    Fate fate = Fate::Sent;
    int target = -1;         // the targets: entry that chose the system, -1: the rule's own
    std::vector<int> tried;  // the targets: entries tried, in order (the last one chose, if any)
  };
  int move = -1;  // the workflow move that applied, or -1
  int old_phase = -1, new_phase = -1;
  Plan plan = Plan::SameMetaphase;  // the kind of the change's StepPlan
  std::vector<Step> steps;
  std::vector<Emit> emits;  // in the order decided
  /// An incoming operation's actions, in order, as apply_incoming met them.
  struct Action {
    bool ran = false;           // false: its `when` was false
    std::vector<Value> record;  // the record as the action found it
    bool has_ref = false;       // the external reference as the action found it
    std::string_view ref_system, ref_id;
  };
  std::vector<Action> actions;
  std::vector<int> tried;  // internal: the targets: entries the operation being decided tried
};

/// Decides the outgoing operations of a change. Returns false (and sets
/// out.error) on a run-time error of the rules. `trace`, when given, records
/// every step for explanations.
bool evaluate_change(const CompiledRules& rules, const ChangeInput& in, Outcome& out,
                     Scratch& scratch, EvalTrace* trace = nullptr);

/// Applies an incoming operation's actions to the record. `trace`, when
/// given, records each action (the state it found, whether it ran).
bool apply_incoming(const CompiledRules& rules, const IncomingInput& in, IncomingOutcome& out,
                    EvalTrace* trace = nullptr);

/// Renders a value as plain text (for templates).
void append_text(const Vocabulary& v, const Value& value, std::string& out);

}  // namespace casex::detail
