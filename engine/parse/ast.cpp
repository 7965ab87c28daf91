// engine/parse/ast.cpp: names of the syntax-tree node kinds, for dumps and
// messages.
#include "engine/parse/ast.h"

namespace casex::detail::ast {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Null: return "null";
    case Kind::Bool: return "bool";
    case Kind::Number: return "number";
    case Kind::String: return "string";
    case Kind::Path: return "path";
    case Kind::Call: return "call";
    case Kind::Not: return "not";
    case Kind::And: return "and";
    case Kind::Or: return "or";
    case Kind::Eq: return "==";
    case Kind::Ne: return "!=";
    case Kind::Lt: return "<";
    case Kind::Le: return "<=";
    case Kind::Gt: return ">";
    case Kind::Ge: return ">=";
    case Kind::In: return "in";
    case Kind::NotIn: return "not in";
    case Kind::List: return "list";
  }
  return "?";
}

}  // namespace casex::detail::ast
