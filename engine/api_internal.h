// engine/api_internal.h: what the engine and its tests reach inside a public
// casex::RuleSet (not installed; hosts use include/casex/ only).
#pragma once

#include "casex/casex.hpp"
#include "engine/compile/program.h"

namespace casex::detail {

/// The compiled form of a rule set (RuleSet befriends this accessor).
const CompiledRules& compiled(const RuleSet& rules);

}  // namespace casex::detail
