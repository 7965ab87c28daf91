// engine/load/load.h: rule files on disk -> text -> RawRuleSet.
// Every reader of rule files (eval, lint, explain, render, test, the Engine)
// goes through read_rule_directory()/read_rule_paths() and load_rule_files(), so each gives the
// same verdict on the same files.
#pragma once

#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/common/diagnostics.h"
#include "engine/load/raw.h"

namespace YAML {
class Node;
}

namespace casex::detail {

/// Limits of the loader.
inline constexpr std::size_t kMaxRuleFileBytes = 1 << 20;
inline constexpr int kMaxYamlDepth = 32;
inline constexpr std::size_t kMaxRulesPerTable = 100000;
/// What the aliases of one YAML file may add when expanded: nodes, and bytes of scalar text.
inline constexpr std::size_t kMaxYamlAliasNodes = 100000;
inline constexpr std::size_t kMaxYamlAliasBytes = 1 << 20;
/// A rule set read from disk (read_rule_directory, read_rule_paths): its files, and their text
/// together.
inline constexpr std::size_t kMaxRuleFiles = 1000;
inline constexpr std::size_t kMaxRuleSetBytes = 16 << 20;
/// A rule test file (`casex test`).
inline constexpr std::size_t kMaxRuleTestFileBytes = 16 << 20;

/// Reads the file at `path` into `text`: only a regular file (after symbolic
/// links), opened without blocking (a FIFO never hangs), of at most
/// `max_bytes`. Never throws. On failure returns false with the code
/// (FileRead or LimitExceeded) and a message that does not repeat the path.
bool read_regular_file(const std::string& path, std::size_t max_bytes, std::string& text,
                       Code& code, std::string& message);

/// The rule files of directory `dir` (RuleSet::load_directory): its *.yaml and
/// *.yml entries, sorted by name, whatever they are. Each one that is not a
/// readable regular file, and a directory that cannot be listed or holds no
/// .yaml file, is a diagnostic in `problems`; so is a set of more than
/// kMaxRuleFiles files or kMaxRuleSetBytes bytes (nothing more is read after
/// it). The files read are returned.
std::vector<SourceFile> read_rule_directory(const std::string& dir,
                                            std::vector<Diagnostic>& problems);

/// The rule files of `paths` (casex lint): each directory read as
/// read_rule_directory reads it, each other path as a rule file.
std::vector<SourceFile> read_rule_paths(const std::vector<std::string>& paths,
                                        std::vector<Diagnostic>& problems);

/// Parses one YAML file with every check yaml-cpp lacks: at most `max_bytes`,
/// valid UTF-8, nesting at most kMaxYamlDepth (checked before yaml-cpp
/// recurses), exactly one document, aliases that expand to at most
/// kMaxYamlAliasNodes nodes and kMaxYamlAliasBytes bytes and never into
/// themselves. False, with a diagnostic at file:line:col, when `root` is not
/// to be walked. Never throws.
bool parse_yaml_file(const std::string& name, const std::string& text, std::size_t max_bytes,
                     YAML::Node& root, Diagnostics& diags);

/// Parses every file into one RawRuleSet, reporting YAML and schema errors.
RawRuleSet load_rule_files(const std::vector<SourceFile>& files, Diagnostics& diags);

}  // namespace casex::detail
