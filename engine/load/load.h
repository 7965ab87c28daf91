// engine/load/load.h: YAML rule files -> RawRuleSet.
// This file's external interface is just load_rule_files().
#pragma once

#include <vector>

#include "casex/casex.hpp"
#include "engine/common/diagnostics.h"
#include "engine/load/raw.h"

namespace casex::detail {

/// Limits of the loader.
inline constexpr std::size_t kMaxRuleFileBytes = 1 << 20;
inline constexpr int kMaxYamlDepth = 32;
inline constexpr std::size_t kMaxRulesPerTable = 100000;

/// Parses every file into one RawRuleSet, reporting YAML and schema errors.
RawRuleSet load_rule_files(const std::vector<SourceFile>& files, Diagnostics& diags);

}  // namespace casex::detail
