// engine/compile/compile.h: CheckedRuleSet -> CompiledRules.
// This file's external interface is just compile_rules().
#pragma once

#include "engine/compile/program.h"

namespace casex::detail {

/// Builds the decision tables and lookups; reports scenarios too large to expand.
CompiledRules compile_rules(CheckedRuleSet checked, Diagnostics& diags);

}  // namespace casex::detail
