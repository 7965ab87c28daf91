// tools/commands.h: each `casex` subcommand registers itself on the CLI11 app
// and sets the exit status when it runs. One file per command under tools/.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "casex/casex.hpp"

namespace casex::cli {

/// How every command picks its rules (README, "Using casex"; one rule, here
/// only): the directory of --rules DIR when given, else the rules built into
/// the binary -- never a rules/ directory that happens to be in the current
/// directory. `casex lint PATH...` and `casex diff OLD NEW` name theirs.
LoadResult load_rules(const std::string& dir);

/// The name of the rules of `dir` in a command's output: the directory, or
/// "built-in" for "" (the built-in rules).
inline std::string rules_name(const std::string& dir) { return dir.empty() ? "built-in" : dir; }

/// The line that names the rules a command used and their version, printed
/// first or last by every command with text output:
/// "rules: DIR (version V)", "rules: built-in (version V)".
inline std::string rules_line(const std::string& dir, const std::string& version) {
  return "rules: " + rules_name(dir) + " (version " + version + ")\n";
}

/// Prints load diagnostics to standard error; true when the rules loaded.
bool print_diagnostics(const LoadResult& r);

void add_eval_command(CLI::App& app, int& status);
void add_lint_command(CLI::App& app, int& status);
void add_explain_command(CLI::App& app, int& status);
void add_test_command(CLI::App& app, int& status);
void add_render_command(CLI::App& app, int& status);
void add_diff_command(CLI::App& app, int& status);
void add_serve_command(CLI::App& app, int& status);
void add_lsp_command(CLI::App& app, int& status);  // tools/lsp/cmd_lsp.cpp

}  // namespace casex::cli
