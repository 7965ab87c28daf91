// engine/check/check.h: RawRuleSet -> CheckedRuleSet (vocabulary, types,
// "did you mean" suggestions). This file's external interface is check_rules().
#pragma once

#include <cstddef>

#include "engine/check/checked.h"
#include "engine/load/raw.h"

namespace casex::detail {

/// The most phases (and the most metaphases) a vocabulary may declare: beyond
/// them the rule set does not load (`limit-exceeded` at the first one too many),
/// so that what grows with phase pairs (`casex render`'s table of the tables
/// consulted per phase change, lint's witnesses) stays bounded.
inline constexpr std::size_t kMaxPhases = 256;

/// Resolves the vocabulary, parses and type-checks every expression and
/// template, and binds names to indices; reports every problem found.
CheckedRuleSet check_rules(const RawRuleSet& raw, Diagnostics& diags);

}  // namespace casex::detail
