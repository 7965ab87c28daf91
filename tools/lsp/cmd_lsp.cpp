// tools/lsp/cmd_lsp.cpp: `casex lsp`: the language server for rule files
// (tools/lsp/server.h), on standard input and output. docs/editors.md says
// how editors start it.
#include "tools/commands.h"
#include "tools/io.h"
#include "tools/lsp/server.h"

#ifndef CASEX_LINT_DOCS_URL
#define CASEX_LINT_DOCS_URL "https://casex.invalid/docs/lint.md"
#endif

namespace casex::cli {

void add_lsp_command(CLI::App& app, int& status) {
  auto options = std::make_shared<lsp::ServerOptions>();
  options->docs_url = CASEX_LINT_DOCS_URL;
  auto* cmd = app.add_subcommand(
      "lsp",
      "Language server (LSP 3.17 over standard input and output) for rule files: diagnostics, "
      "hover, completion, definitions, outline, quick fixes (docs/editors.md)");
  cmd->add_option("--debounce-ms", options->debounce_ms,
                  "Quiet time after an edit before the rule set is analysed again")
      ->check(CLI::Range(0, 10000))
      ->default_val(20);
  cmd->add_option("--lint-docs", options->docs_url,
                  "The address of docs/lint.md that each diagnostic code links to");
  cmd->callback([options, &status] {
    status = io::guarded("lsp", 1, [&] { return lsp::run_stdio(*options); });
  });
}

}  // namespace casex::cli
