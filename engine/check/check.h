// engine/check/check.h: RawRuleSet -> CheckedRuleSet (vocabulary, types,
// "did you mean" suggestions). This file's external interface is check_rules().
#pragma once

#include "engine/check/checked.h"
#include "engine/load/raw.h"

namespace casex::detail {

/// Resolves the vocabulary, parses and type-checks every expression and
/// template, and binds names to indices; reports every problem found.
CheckedRuleSet check_rules(const RawRuleSet& raw, Diagnostics& diags);

}  // namespace casex::detail
