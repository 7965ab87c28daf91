// tools/cmd_lint.cpp: `casex lint`: loads rule files and prints every
// diagnostic in the compilers' shape.
#include <fmt/format.h>

#include "tools/commands.h"

namespace casex::cli {

namespace {

int run(const std::string& dir) {
  auto loaded = load_rules(dir);
  print_diagnostics(loaded);
  int errors = 0;
  for (const auto& d : loaded.diagnostics) errors += d.severity == Severity::Error;
  if (errors) {
    fmt::print(stderr, "{} error{}\n", errors, errors == 1 ? "" : "s");
    return 1;
  }
  fmt::print(stderr, "{}: no errors ({} file{})\n", dir.empty() ? "built-in rules" : dir, loaded.sources.size(),
             loaded.sources.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& status) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("lint", "Check rule files and print every diagnostic.\n"
                                         "Exit status: 0 no error, 1 errors found.");
  cmd->add_option("DIR", *dir, "Directory of rule files (default: the built-in rules)")->check(CLI::ExistingDirectory);
  cmd->add_option("--rules", *dir, "Same as DIR")->check(CLI::ExistingDirectory);
  cmd->callback([dir, &status] { status = run(*dir); });
}

}  // namespace casex::cli
