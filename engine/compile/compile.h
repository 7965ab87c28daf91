// engine/compile/compile.h: CheckedRuleSet -> CompiledRules.
// This file's external interface is just compile_rules().
#pragma once

#include "engine/compile/program.h"

namespace casex::detail {

/// Appends the canonical text of an expression: equal atoms have equal keys.
void atom_key(const TExpr& e, std::string& out);

/// Builds the decision tables and lookups; reports scenarios too large to expand.
CompiledRules compile_rules(CheckedRuleSet checked, Diagnostics& diags);

}  // namespace casex::detail
