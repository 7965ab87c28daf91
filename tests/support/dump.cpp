// tests/support/dump.cpp: implements the test-only S-expression dump of
// ast::Node declared in tests/support/dump.h.
#include "tests/support/dump.h"

#include <charconv>
#include <cstdio>

namespace casex::detail {
namespace {

void quote(const std::string& s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void number(double d, std::string& out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, ec == std::errc{} ? end : buf);
}

void dump(const ast::Node& n, bool spans, std::string& out) {
  using ast::Kind;
  switch (n.kind) {
    case Kind::Null: out += "null"; break;
    case Kind::Bool: out += n.boolean ? "true" : "false"; break;
    case Kind::Number: number(n.number, out); break;
    case Kind::String: quote(n.text, out); break;
    case Kind::Path: out += n.text; break;
    default:
      out += '(';
      out += ast::kind_name(n.kind);
      if (n.kind == Kind::Call) {
        out += ' ';
        out += n.text;
      }
      for (const ast::Node& child : n.children) {
        out += ' ';
        dump(child, spans, out);
      }
      out += ')';
  }
  if (spans) {
    out += '@' + std::to_string(n.span.begin) + ".." + std::to_string(n.span.end);
  }
}

}  // namespace

std::string dump_ast(const ast::Node& node) {
  std::string out;
  dump(node, false, out);
  return out;
}

std::string dump_ast_spans(const ast::Node& node) {
  std::string out;
  dump(node, true, out);
  return out;
}

}  // namespace casex::detail
