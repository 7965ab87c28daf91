// tools/lsp/text.cpp: positions, URIs and words (tools/lsp/text.h).
#include "tools/lsp/text.h"

#include <algorithm>

namespace casex::lsp {

Lines::Lines(std::string_view text) {
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = text.find('\n', start);
    std::string_view l = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines_.push_back(l);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

namespace {

// The bytes of the UTF-8 sequence a lead byte starts (1 for a stray byte).
std::size_t utf8_length(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

}  // namespace

int utf16_column(std::string_view line, std::size_t bytes) {
  bytes = std::min(bytes, line.size());
  int units = 0;
  for (std::size_t i = 0; i < bytes;) {
    std::size_t len = utf8_length(static_cast<unsigned char>(line[i]));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

std::size_t byte_column(std::string_view line, int units) {
  std::size_t i = 0;
  int u = 0;
  while (i < line.size() && u < units) {
    std::size_t len = utf8_length(static_cast<unsigned char>(line[i]));
    u += len == 4 ? 2 : 1;
    i = std::min(line.size(), i + len);
  }
  return i;
}

std::pair<std::size_t, std::size_t> token_at(std::string_view line, std::size_t at) {
  if (at >= line.size()) return {line.size(), line.size()};
  char c = line[at];
  if (c == '"' || c == '\'') {
    std::size_t close = line.find(c, at + 1);
    return {at, close == std::string_view::npos ? line.size() : close + 1};
  }
  if (word_char(c)) {
    std::size_t end = at;
    while (end < line.size() && word_char(line[end])) ++end;
    return {at, end};
  }
  std::size_t end = line.size();
  while (end > at + 1 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  return {at, end};
}

std::pair<std::size_t, std::size_t> word_around(std::string_view line, std::size_t at) {
  at = std::min(at, line.size());
  std::size_t b = at, e = at;
  while (b > 0 && word_char(line[b - 1])) --b;
  while (e < line.size() && word_char(line[e])) ++e;
  return {b, e};
}

std::string uri_to_path(std::string_view uri) {
  constexpr std::string_view scheme = "file://";
  if (uri.substr(0, scheme.size()) != scheme) return {};
  uri.remove_prefix(scheme.size());
  std::size_t slash = uri.find('/');  // file://host/path: the host is dropped
  if (slash == std::string_view::npos) return {};
  uri.remove_prefix(slash);
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    auto hex = [](char h) {
      return h >= '0' && h <= '9'   ? h - '0'
             : h >= 'a' && h <= 'f' ? h - 'a' + 10
             : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                    : -1;
    };
    if (uri[i] == '%' && i + 2 < uri.size() && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2])));
      i += 2;
    } else if (uri[i] == '?' || uri[i] == '#') {
      break;
    } else {
      out.push_back(uri[i]);
    }
  }
  return out;
}

std::string path_to_uri(std::string_view path) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "file://";
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("/-_.~").find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

}  // namespace casex::lsp
