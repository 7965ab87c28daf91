// tools/lsp/analysis.h: what `casex lsp` knows of one rule set: its files (the
// editor's texts over the disk's), the engine's diagnostics of them (casex::
// lint_texts, as `casex lint` and `casex serve`'s POST /v1/lint) as LSP
// diagnostics, and the rule set as loaded (casex::outline_rules: every name
// with its position) for hover, completion and navigation.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "casex/tooling.hpp"

namespace casex::lsp {

/// Whether a YAML text is a rule test file (`casex test`: a top-level `cases:`).
bool is_rule_test_file(std::string_view text);

/// The rule files of directory `dir` (absolute) as the loader reads them, each
/// open document's text (`overlay`: path -> text) replacing the disk's, rule
/// test files left out. Sorted by path.
std::vector<SourceFile> rule_set_files(const std::string& dir,
                                       const std::map<std::string, std::string>& overlay);

/// The LSP diagnostics of a rule set, by file path (every file of the set has
/// an entry, maybe empty).
using FileDiagnostics = std::map<std::string, boost::json::array>;

/// Lints `files` with the engine and converts every diagnostic: its code
/// (linked to `docs_url`#code), range (the token at its position), severity,
/// related rules and witness. `fallback`: the file of findings without one.
/// `cancelled` (may be empty) stops the engine's lint early (see
/// casex::lint_texts_cancellable): then `*was_cancelled` is set and the result is empty.
FileDiagnostics diagnose(const std::vector<SourceFile>& files, const std::string& docs_url,
                         const std::string& fallback, const std::function<bool()>& cancelled = {},
                         bool* was_cancelled = nullptr);

/// The LSP diagnostics of rule test file `path` (its `text`) against the rule
/// files `rules` (casex::check_rule_test_file: unknown phases and rule ids).
boost::json::array test_file_diagnostics(const std::vector<SourceFile>& rules,
                                         const std::string& path, const std::string& text,
                                         const std::string& docs_url);

/// The rule set as the loader read it, with the texts it was read from.
struct Model {
  std::vector<SourceFile> files;
  RuleOutline raw;
  /// The text of file `path` ("" when not a file of the set).
  const std::string& text(const std::string& path) const;
};

std::shared_ptr<const Model> build_model(std::vector<SourceFile> files);

}  // namespace casex::lsp
