// engine/load/source_map.h: maps each byte of a decoded YAML scalar back to its
// line and column in the file (plain, single/double quoted, literal, folded).
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace casex::detail {

/// For a scalar whose token starts at byte `pos` (0-based `line`, `column`) of
/// `file`, returns decoded.size() + 1 one-based (line, column) pairs.
/// `end_pos`: set to the byte of the file just past the decoded text's last byte.
std::vector<std::pair<int, int>> map_scalar_positions(std::string_view file, int pos, int line,
                                                      int column, std::string_view decoded,
                                                      std::size_t* end_pos = nullptr);

/// Where a scalar whose token starts at byte `pos` ends in `file`: the 1-based
/// (line, column) just past its last byte (its closing quote when quoted).
std::pair<int, int> scalar_end(std::string_view file, int pos, int line, int column,
                               std::string_view decoded);

}  // namespace casex::detail
