// tests/support/dump.h: test-only dumper of an ast::Node to a compact
// S-expression, e.g. (and (== after.code "x") (call changed assignment)).
#pragma once

#include <string>

#include "engine/parse/ast.h"

namespace casex::detail {

/// Leaves: null, true, false, numbers in shortest round-trip form (1, -2.5),
/// strings double-quoted with \" \\ \n \t and \xNN escapes, paths as written.
/// Others: (KIND child...) with KIND from ast::kind_name, except that a call
/// is (call NAME arg...). Lists are (list elem...), NotIn is (not in a list).
std::string dump_ast(const ast::Node& node);

/// Like dump_ast, with each node's span appended as @BEGIN..END,
/// e.g. (== a@0..1 "x"@5..8)@0..8.
std::string dump_ast_spans(const ast::Node& node);

}  // namespace casex::detail
