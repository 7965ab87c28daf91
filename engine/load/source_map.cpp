// engine/load/source_map.cpp: aligns a decoded scalar with its raw text, so
// that an error at byte k of an expression points into the file.
#include "engine/load/source_map.h"

#include <tuple>

#include "engine/load/raw.h"

namespace casex::detail {

namespace {

bool is_blank_or_break(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

// A double-quoted escape at file[p] == '\\': how many bytes of the file it spans
// and how many bytes of the decoded text it yields (\x, \u, \U, \N, \_, \L, \P
// yield a UTF-8 sequence; the others one byte).
std::pair<std::size_t, std::size_t> escape_extent(std::string_view file, std::size_t p) {
  if (p + 1 >= file.size()) return {1, 0};
  char e = file[p + 1];
  std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
  if (digits == 0) return {2, e == 'N' || e == '_' ? 2 : e == 'L' || e == 'P' ? 3 : 1};
  unsigned long cp = 0;
  std::size_t k = 0;
  for (; k < digits && p + 2 + k < file.size(); ++k) {
    char h = file[p + 2 + k];
    int v = h >= '0' && h <= '9'   ? h - '0'
            : h >= 'a' && h <= 'f' ? h - 'a' + 10
            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                   : -1;
    if (v < 0) break;
    cp = cp * 16 + static_cast<unsigned long>(v);
  }
  return {2 + k, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4};
}

// Walks the raw text of a scalar whose token starts at byte `pos` (0-based
// `line`, `column`) of `file` along its decoded text: `emit(line, column)` for
// each decoded byte and once more just past the last. Returns the 1-based
// (line, column) just past the scalar (its closing quote when quoted).
template <class Emit>
std::pair<int, int> walk_scalar(std::string_view file, int pos, int line, int column,
                                std::string_view decoded, Emit&& emit) {
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
  // Node properties (a tag `!...`, an anchor `&...`) come before the content.
  while (p < file.size() && (file[p] == '!' || file[p] == '&')) {
    while (p < file.size() && !is_blank_or_break(file[p])) advance();
    while (p < file.size() && (is_blank_or_break(file[p]) || file[p] == '#')) {
      if (file[p] == '#')
        while (p < file.size() && file[p] != '\n') advance();
      else
        advance();
    }
  }
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
    if (is_blank_or_break(ch)) return true;
    if (style == '\'') return ch == '\'';
    return false;
  };
  std::size_t i = 0;
  while (i < decoded.size()) {
    char want = decoded[i];
    while (p < file.size()) {
      bool escaped_break = style == '"' && file[p] == '\\' && p + 1 < file.size() &&
                           (file[p + 1] == '\n' || file[p + 1] == '\r');
      if (escaped_break) {
        // an escaped line break yields nothing, nor does the next line's indentation
        advance();
        while (p < file.size() && (file[p] == '\r' || file[p] == '\n')) {
          bool lf = file[p] == '\n';
          advance();
          if (lf) break;
        }
        while (p < file.size() && (file[p] == ' ' || file[p] == '\t')) advance();
        continue;
      }
      if (file[p] == want || !skippable(file[p])) break;
      // a folded line break stands for a space or newline in the decoded text
      if ((want == ' ' || want == '\n') && file[p] == '\n') break;
      advance();
    }
    if (style == '"' && p < file.size() && file[p] == '\\') {
      // an escape: every byte it yields points at its backslash
      auto [span, bytes] = escape_extent(file, p);
      for (std::size_t k = 0; k < bytes && i < decoded.size(); ++k, ++i) emit(l, c);
      for (std::size_t k = 0; k < span; ++k) advance();
      continue;
    }
    emit(l, c);
    if (p < file.size() && file[p] == '\n' && want != '\n') {
      advance();  // a fold: the newline became this space; skip the next line's indentation
      while (p < file.size() && (file[p] == ' ' || file[p] == '\t')) advance();
    } else {
      advance();
    }
    ++i;
  }
  emit(l, c);
  // a quoted scalar ends with its closing quote
  if (quoted && p < file.size() && file[p] == style) ++c;
  return {l, c};
}

}  // namespace

Location SourceText::at(std::size_t offset) const {
  if (positions.empty()) return loc;
  if (offset >= positions.size()) offset = positions.size() - 1;
  return {loc.file, positions[offset].first, positions[offset].second};
}

Location SourceText::span(std::size_t begin, std::size_t end) const {
  Location l = at(begin);
  if (positions.empty() || end <= begin) return l;
  Location e = at(end);
  l.end_line = e.line;
  l.end_column = e.column;
  return l;
}

std::vector<std::pair<int, int>> map_scalar_positions(std::string_view file, int pos, int line,
                                                      int column, std::string_view decoded,
                                                      std::pair<int, int>* end) {
  std::vector<std::pair<int, int>> out;
  out.reserve(decoded.size() + 1);
  std::pair<int, int> e =
      walk_scalar(file, pos, line, column, decoded, [&](int l, int c) { out.emplace_back(l, c); });
  if (end) *end = e;
  return out;
}

std::pair<int, int> scalar_end(std::string_view file, int pos, int line, int column,
                               std::string_view decoded) {
  return walk_scalar(file, pos, line, column, decoded, [](int, int) {});
}

Location scalar_location(const std::string& name, std::string_view file, int pos, int line,
                         int column, std::string_view decoded) {
  Location l{name, line + 1, column + 1};
  std::tie(l.end_line, l.end_column) = scalar_end(file, pos, line, column, decoded);
  return l;
}

}  // namespace casex::detail
