// tools/lsp/text.h: positions in rule file texts: the engine's 1-based byte
// columns against LSP's 0-based UTF-16 positions, file URIs, words at a position.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace casex::lsp {

/// A text split into lines (without their line ends).
class Lines {
 public:
  explicit Lines(std::string_view text);
  std::size_t size() const { return lines_.size(); }
  /// Line `i` (0-based); "" past the end.
  std::string_view at(std::size_t i) const {
    return i < lines_.size() ? lines_[i] : std::string_view{};
  }

 private:
  std::vector<std::string_view> lines_;
};

/// UTF-16 code units of the first `bytes` bytes of `line` (bytes clamped to its size).
int utf16_column(std::string_view line, std::size_t bytes);
/// The byte offset in `line` of UTF-16 column `units` (clamped to the line's end).
std::size_t byte_column(std::string_view line, int units);

/// Whether `c` can be part of a name, a rule id or a dotted field (`after.phase`).
inline bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

/// The bytes [begin, end) of the token that starts at byte `at` of `line`: a
/// quoted string (with its quotes), a word, or else the rest of the line.
std::pair<std::size_t, std::size_t> token_at(std::string_view line, std::size_t at);

/// The word (word_char run) around byte `at` of `line`: [begin, end), maybe empty.
std::pair<std::size_t, std::size_t> word_around(std::string_view line, std::size_t at);

/// file:///a%20b/c -> /a b/c ("" when not a file URI).
std::string uri_to_path(std::string_view uri);
/// /a b/c -> file:///a%20b/c
std::string path_to_uri(std::string_view path);

}  // namespace casex::lsp
