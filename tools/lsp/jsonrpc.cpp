// tools/lsp/jsonrpc.cpp: Content-Length framing (tools/lsp/jsonrpc.h).
#include "tools/lsp/jsonrpc.h"

#include <cctype>
#include <string_view>

namespace casex::lsp {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Frame> read_frame(std::istream& in) {
  long long length = -1;
  bool bad_length = false, any_header = false;
  std::string line;
  for (;;) {
    line.clear();
    // A header line, bounded: a stream of bytes without a newline is not a header.
    char c;
    while (in.get(c) && c != '\n') {
      if (line.size() < 8192) line.push_back(c);
    }
    if (!in) return std::nullopt;
    std::string_view l = trim(line);
    if (l.empty()) {
      if (any_header) break;
      continue;  // blank lines between messages
    }
    any_header = true;
    auto colon = l.find(':');
    if (colon == std::string_view::npos) continue;  // not a header: ignored
    if (iequals(trim(l.substr(0, colon)), "Content-Length")) {
      std::string_view v = trim(l.substr(colon + 1));
      long long n = 0;
      bool ok = !v.empty() && v.size() <= 18;
      for (char d : v) {
        if (d < '0' || d > '9') {
          ok = false;
          break;
        }
        n = n * 10 + (d - '0');
      }
      if (ok)
        length = n;
      else
        bad_length = true;
    }
  }
  Frame f;
  if (length < 0) {
    f.error = bad_length ? "the Content-Length header is not a number"
                         : "the message has no Content-Length header";
    return f;
  }
  std::size_t n = static_cast<std::size_t>(length);
  if (n > kMaxMessageBytes) {
    in.ignore(static_cast<std::streamsize>(n));
    if (!in) return std::nullopt;
    f.error = "the message is larger than 64 MiB";
    return f;
  }
  f.body.resize(n);
  if (n && !in.read(f.body.data(), static_cast<std::streamsize>(n))) return std::nullopt;
  return f;
}

std::string frame(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace casex::lsp
