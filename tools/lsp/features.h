// tools/lsp/features.h: the requests of `casex lsp` that read a rule set's
// model: hover, completion, definition, references, document symbols, code
// actions. Each takes the model of the document's rule set and answers the
// LSP result (null when there is nothing to say).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "tools/lsp/analysis.h"

namespace casex::lsp {

/// The document a request is about: its path, text and the position asked
/// (0-based line, UTF-16 character).
struct At {
  std::string path;
  std::string_view text;
  int line = 0, character = 0;
};

boost::json::value hover(const Model& m, const At& at);
boost::json::value completion(const Model& m, const At& at);
/// Definitions of the name at `at`; `models` are every rule set known (a rule
/// test file's rule ids are looked up in them).
boost::json::value definition(const std::vector<const Model*>& models, const At& at);
boost::json::value references(const std::vector<const Model*>& models, const At& at,
                              bool include_declaration);
boost::json::value document_symbols(const Model& m, const std::string& path);
/// Quick fixes for the diagnostics of a codeAction request's context.
boost::json::value code_actions(const std::string& uri, std::string_view text,
                                const boost::json::array& diagnostics);

}  // namespace casex::lsp
