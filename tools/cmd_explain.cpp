// tools/cmd_explain.cpp: `casex explain`: why one `casex eval` document gives its
// result: the workflow move, the steps, every rule of each table with its outcome.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/explain/explain.h"
#include "tools/commands.h"

namespace casex::cli {

namespace {

struct ExplainOptions {
  std::string rules_dir, file, format = "text";
};

int run(const ExplainOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  std::ostringstream ss;
  bool from_stdin = o.file.empty() || o.file == "-";
  if (from_stdin) {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "casex explain: cannot open {}\n", o.file);
      return 1;
    }
    ss << in.rdbuf();
  }
  boost::json::object e;
  std::string error;
  if (!detail::explain_document(loaded.rules->compiled(), ss.str(), e, error)) {
    fmt::print(stderr, "casex explain: {}{}\n", from_stdin ? "" : o.file + ": ", error);
    return 1;
  }
  std::string out = o.format == "json" ? boost::json::serialize(e) + "\n" : detail::explanation_text(e);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return e.contains("error") ? 1 : 0;
}

}  // namespace

void add_explain_command(CLI::App& app, int& status) {
  auto o = std::make_shared<ExplainOptions>();
  auto* cmd = app.add_subcommand(
      "explain",
      "Explain why a change or an incoming operation (the input of `casex eval`) gives its result:\n"
      "the workflow move, the steps and their tables, every rule in order with its outcome and the\n"
      "part of its scenario that held or failed (with the values it read), the target choice,\n"
      "de-duplication and origin suppression. Exit status: 0 ok, 1 bad input or a run-time error of\n"
      "the rules (explained), 2 rules that do not load.");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--format", o->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("FILE", o->file, "Input document (default: standard input)");
  cmd->callback([o, &status] { status = run(*o); });
}

}  // namespace casex::cli
