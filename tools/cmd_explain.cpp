// tools/cmd_explain.cpp: `casex explain`: why one `casex eval` document gives its
// result: the workflow move, the steps, every rule of each table with its outcome.
#include <fmt/format.h>

#include "casex/tooling.hpp"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

struct ExplainOptions {
  std::string rules_dir, file, format = "text";
};

int run(const ExplainOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  bool from_stdin = o.file.empty() || o.file == "-";
  std::string doc, error;
  // The limit of `casex eval`, checked while reading: never more than limit + 1 bytes held.
  if (!io::read_limited(o.file, kMaxDocumentBytes, doc, error)) {
    io::errf("casex explain: {}{}\n",
             from_stdin || error.rfind("cannot ", 0) == 0 ? "" : o.file + ": ", error);
    return 1;
  }
  Explanation e = explain_document(*loaded.rules, doc);
  if (!e.ok) {
    io::errf("casex explain: {}{}\n", from_stdin ? "" : o.file + ": ", e.error);
    return 1;
  }
  // The text names the rules first; the JSON carries "rules_version".
  io::out(o.format == "json" ? e.json + "\n"
                             : rules_line(o.rules_dir, loaded.rules->version()) + e.text);
  return e.rules_error ? 1 : 0;
}

}  // namespace

void add_explain_command(CLI::App& app, int& status) {
  auto o = std::make_shared<ExplainOptions>();
  auto* cmd = app.add_subcommand(
      "explain",
      "Explain why a change or an incoming operation (the input of `casex eval`) gives its "
      "result:\n"
      "the workflow move, the steps and their tables, every rule in order with its outcome and "
      "the\n"
      "part of its scenario that held or failed (with the values it read), the target choice,\n"
      "de-duplication and origin suppression. Exit status: 0 ok, 1 bad input (a document over\n"
      "16 MiB included) or a run-time error of the rules (explained) or an input or output that\n"
      "cannot be read or written, 2 rules that do not load or an internal error.");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("FILE", o->file, "Input document (default: standard input)");
  cmd->callback([o, &status] { status = io::guarded("explain", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
