// engine/parse/ast.h: the syntax tree of a rule expression, as the parser
// produces it (untyped; engine/check/ gives it types and meaning).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace casex::detail::ast {

/// Byte offsets [begin, end) of a node inside the expression text.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
};

/// What a node is. Children, by kind:
///   Null, Bool, Number, String: none (value in `boolean`, `number`, `text`)
///   Path:  none; `text` is the dotted path as written ("after.solution")
///   Call:  the arguments; `text` is the function name
///   Not:   one operand
///   And, Or: two or more operands, left to right (a flattened chain)
///   Eq, Ne, Lt, Le, Gt, Ge: two operands
///   In, NotIn: two operands, the second a List
///   List:  the elements of `[a, b, ...]`
enum class Kind : uint8_t {
  Null,
  Bool,
  Number,
  String,
  Path,
  Call,
  Not,
  And,
  Or,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  NotIn,
  List,
};

/// One node of the tree.
struct Node {
  Kind kind = Kind::Null;
  Span span;                   // the whole node, in the expression text
  std::string text;            // String value (unescaped), Path, or Call name
  double number = 0;           // Number value
  bool boolean = false;        // Bool value
  std::vector<Node> children;  // see Kind
};

/// Name of a kind, for dumps and messages ("==", "and", "call", ...).
const char* kind_name(Kind k);

}  // namespace casex::detail::ast
