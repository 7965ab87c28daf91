// engine/eval/eval.h: CompiledRules x ChangeInput -> Outcome, and
// CompiledRules x IncomingInput -> IncomingOutcome.
#pragma once

#include "engine/compile/program.h"
#include "engine/eval/input.h"

namespace casex::detail {

/// Reusable per-thread memory for evaluation (no allocation once warm).
struct Scratch {
  std::vector<uint64_t> bits;
  std::vector<OutOp> steps;
};

/// Decides the outgoing operations of a change. Returns false (and sets
/// out.error) on a run-time error of the rules.
bool evaluate_change(const CompiledRules& rules, const ChangeInput& in, Outcome& out, Scratch& scratch);

/// Applies an incoming operation's actions to the incident.
bool apply_incoming(const CompiledRules& rules, const IncomingInput& in, IncomingOutcome& out);

/// Renders a value as plain text (for templates).
void append_text(const Vocabulary& v, const Value& value, std::string& out);

}  // namespace casex::detail
