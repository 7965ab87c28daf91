// tools/commands.h: each `casex` subcommand registers itself on the CLI11 app
// and sets the exit status when it runs. One file per command under tools/.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "casex/casex.hpp"

namespace casex::cli {

/// Loads the rules named by --rules (default: the built-in rules).
LoadResult load_rules(const std::string& dir);

/// Prints load diagnostics to standard error; true when the rules loaded.
bool print_diagnostics(const LoadResult& r);

void add_eval_command(CLI::App& app, int& status);
void add_lint_command(CLI::App& app, int& status);
void add_explain_command(CLI::App& app, int& status);
void add_test_command(CLI::App& app, int& status);
void add_render_command(CLI::App& app, int& status);
void add_diff_command(CLI::App& app, int& status);
void add_serve_command(CLI::App& app, int& status);

}  // namespace casex::cli
