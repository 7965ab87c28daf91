// engine/load/source_map.h: maps each byte of a decoded YAML scalar back to its
// line and column in the file (plain, single/double quoted, literal, folded).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/diagnostics.h"

namespace casex::detail {

/// For a scalar whose token starts at byte `pos` (0-based `line`, `column`) of
/// `file`, returns decoded.size() + 1 one-based (line, column) pairs.
/// `end`: set to where the scalar ends, as scalar_end says.
std::vector<std::pair<int, int>> map_scalar_positions(std::string_view file, int pos, int line,
                                                      int column, std::string_view decoded,
                                                      std::pair<int, int>* end = nullptr);

/// Where a scalar whose token starts at byte `pos` ends in `file`: the 1-based
/// (line, column) just past its last byte (its closing quote when quoted).
std::pair<int, int> scalar_end(std::string_view file, int pos, int line, int column,
                               std::string_view decoded);

/// The location in `file` (named `name`) of such a scalar: where it starts and
/// where it ends.
Location scalar_location(const std::string& name, std::string_view file, int pos, int line,
                         int column, std::string_view decoded);

}  // namespace casex::detail
