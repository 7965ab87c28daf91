// engine/load/source_map.cpp: aligns a decoded scalar with its raw text, so
// that an error at byte k of an expression points into the file.
#include "engine/load/source_map.h"

#include "engine/load/raw.h"

namespace casex::detail {

Location SourceText::at(std::size_t offset) const {
  if (positions.empty()) return loc;
  if (offset >= positions.size()) offset = positions.size() - 1;
  return {loc.file, positions[offset].first, positions[offset].second};
}

std::vector<std::pair<int, int>> map_scalar_positions(std::string_view file, int pos, int line, int column,
                                                      std::string_view decoded) {
  std::vector<std::pair<int, int>> out;
  out.reserve(decoded.size() + 1);
  std::size_t p = pos < 0 ? file.size() : static_cast<std::size_t>(pos);
  int l = line + 1, c = column + 1;
  auto advance = [&] {
    if (p >= file.size()) return;
    if (file[p] == '\n') {
      ++l;
      c = 1;
    } else {
      ++c;
    }
    ++p;
  };
  char style = p < file.size() ? file[p] : 0;
  bool quoted = style == '"' || style == '\'';
  bool block = style == '|' || style == '>';
  if (quoted) {
    advance();
  } else if (block) {
    while (p < file.size() && file[p] != '\n') advance();
    advance();
  }
  auto skippable = [&](char ch) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') return true;
    if (style == '"') return ch == '\\';
    if (style == '\'') return ch == '\'';
    return false;
  };
  for (char want : decoded) {
    while (p < file.size() && file[p] != want && skippable(file[p])) {
      // a folded line break stands for a space or newline in the decoded text
      if ((want == ' ' || want == '\n') && (file[p] == '\n')) break;
      advance();
    }
    out.emplace_back(l, c);
    if (p < file.size() && file[p] == '\n' && want != '\n') {
      advance();  // a fold: the newline became this space; skip the next line's indentation
      while (p < file.size() && (file[p] == ' ' || file[p] == '\t')) advance();
    } else {
      advance();
    }
  }
  out.emplace_back(l, c);
  return out;
}

}  // namespace casex::detail
