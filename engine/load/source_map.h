// engine/load/source_map.h: maps each byte of a decoded YAML scalar back to its
// line and column in the file (plain, single/double quoted, literal, folded).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace casex::detail {

/// For a scalar whose token starts at byte `pos` (0-based `line`, `column`) of
/// `file`, returns decoded.size() + 1 one-based (line, column) pairs.
std::vector<std::pair<int, int>> map_scalar_positions(std::string_view file, int pos, int line,
                                                      int column, std::string_view decoded);

}  // namespace casex::detail
