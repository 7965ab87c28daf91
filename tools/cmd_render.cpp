// tools/cmd_render.cpp: `casex render`: the rule set as one self-contained HTML
// page (tables as in the source document, the workflow as SVG, findings beside rules).
#include <fmt/format.h>

#include "casex/tooling.hpp"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

struct RenderCmdOptions {
  std::string rules_dir, output, title = "casex rules";
};

int run(const RenderCmdOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  RenderOptions ro;
  ro.title = o.title;
  ro.source = o.rules_dir.empty() ? "the built-in rules" : o.rules_dir;  // with the version
  // Load diagnostics and the semantic findings of `casex lint`, each shown beside its rule.
  LoadResult linted = lint_texts(loaded.sources);
  std::string page = render_rules_html(*loaded.rules, linted.diagnostics, ro);
  if (o.output.empty() || o.output == "-") {
    io::out(page);  // checked when the command ends
    return 0;
  }
  std::string error;
  if (!io::write_file(o.output, page, error)) {
    io::errf("casex render: {}\n", error);
    return 1;
  }
  return 0;
}

}  // namespace

void add_render_command(CLI::App& app, int& status) {
  auto o = std::make_shared<RenderCmdOptions>();
  auto* cmd = app.add_subcommand(
      "render",
      "Render the rules as one self-contained HTML page (no network): each table as the source\n"
      "document shows it (Scenario | Operation, in order) with rule ids, descriptions, hit "
      "policy,\n"
      "scenario expressions and findings beside their rule, and the workflow as inline SVG.\n"
      "Exit status: 0 ok, 1 the page cannot be written (to FILE or standard output), 2 rules that\n"
      "do not load or an internal error.");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("-o,--output", o->output, "The HTML file to write (default: standard output)");
  cmd->add_option("--title", o->title, "The page's title (default: casex rules)");
  cmd->callback([o, &status] { status = io::guarded("render", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
