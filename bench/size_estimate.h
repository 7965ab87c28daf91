// bench/size_estimate.h: how much memory a compiled rule set holds: walks
// CompiledRules and adds up object sizes, vector capacities, heap strings
// (beyond the small-string buffer) and hash-map nodes and buckets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/compile/program.h"

namespace casex_bench {

/// One part of the estimate.
struct SizePart {
  std::string name;
  std::size_t bytes = 0;
};

/// The bytes held by `c`, split by part (the first entry is the total).
std::vector<SizePart> estimate_size(const casex::detail::CompiledRules& c);

}  // namespace casex_bench
