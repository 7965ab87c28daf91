// engine/parse/parse.h: expression text -> ast::Node (Boost.Spirit X3).
// This file's external interface is just parse_expression().
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "engine/parse/ast.h"

namespace casex::detail {

/// A syntax error: byte offset inside the expression text and a message
/// ("expected ')' ", "unexpected character '#'", ...).
struct ParseError {
  uint32_t offset = 0;
  std::string message;
  bool limit = false;  // the text exceeds a limit (length, nesting) rather than the grammar
};

/// Limits that keep hostile input from exhausting the stack.
inline constexpr std::size_t kMaxExpressionLength = 16 * 1024;
inline constexpr int kMaxExpressionDepth = 64;

/// Parses one expression; the whole text must be consumed.
std::variant<ast::Node, ParseError> parse_expression(std::string_view text);

}  // namespace casex::detail
