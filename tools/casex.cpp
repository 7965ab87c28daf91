// tools/casex.cpp: the casex command line: registers the subcommands (one
// file each under tools/) and runs the one named. Calls only the public API.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "tools/commands.h"

namespace casex::cli {

LoadResult load_rules(const std::string& dir) {
  return dir.empty() ? RuleSet::load_builtin() : RuleSet::load_directory(dir);
}

bool print_diagnostics(const LoadResult& r) {
  std::string text = format_diagnostics(r.diagnostics, r.sources);
  std::fputs(text.c_str(), stderr);
  return r.rules.has_value();
}

}  // namespace casex::cli

int main(int argc, char** argv) {
  CLI::App app{"casex: decides the case exchange operations of incident changes from rule files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "casex 0.1.0");
  int status = 0;
  casex::cli::add_eval_command(app, status);
  casex::cli::add_lint_command(app, status);
  casex::cli::add_explain_command(app, status);
  casex::cli::add_test_command(app, status);
  casex::cli::add_render_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return status;
}
