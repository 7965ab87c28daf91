// tools/cmd_eval.cpp: `casex eval`: the JSON contract of behaviour.md, one
// document or JSON Lines (one result per input line, in order).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/commands.h"

namespace casex::cli {

namespace {

struct EvalOptions {
  std::string rules_dir, file;
  bool lines = false;
};

bool read_all(const std::string& file, std::string& out) {
  std::ostringstream ss;
  if (file.empty() || file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    ss << in.rdbuf();
  }
  out = ss.str();
  return true;
}

void write_line_error(std::string& out, std::size_t line, const std::string& error) {
  out += fmt::format("{{\"line\":{},\"error\":\"", line);
  for (unsigned char ch : error) {
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(ch));
    } else if (ch < 0x20) {
      out += fmt::format("\\u{:04x}", ch);
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  out += "\"}\n";
}

int run_lines(const RuleSet& rules, std::istream& in) {
  std::string line, out, error;
  out.reserve(1 << 20);
  std::size_t n = 0;
  bool ok = true;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      write_line_error(out, n, "empty line: expected a JSON document");
      ok = false;
    } else if (rules.eval_json(line, out, error)) {
      out.push_back('\n');
    } else {
      write_line_error(out, n, error);
      ok = false;
    }
    if (out.size() > (1 << 20) - 4096) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return ok ? 0 : 1;
}

int run(const EvalOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  const RuleSet& rules = *loaded.rules;
  bool from_stdin = o.file.empty() || o.file == "-";
  if (o.lines) {
    if (from_stdin) return run_lines(rules, std::cin);
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "casex eval: cannot open {}\n", o.file);
      return 1;
    }
    return run_lines(rules, in);
  }
  std::string doc;
  if (!read_all(o.file, doc)) {
    fmt::print(stderr, "casex eval: cannot open {}\n", o.file);
    return 1;
  }
  JsonResult r = rules.eval_json(doc);
  if (!r.ok) {
    fmt::print(stderr, "casex eval: {}{}\n", from_stdin ? "" : o.file + ": ", r.error);
    return 1;
  }
  r.output.push_back('\n');
  std::fwrite(r.output.data(), 1, r.output.size(), stdout);
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& status) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate a change or an incoming operation (JSON) and print the result (JSON).\n"
      "A change gives the phase after the workflow and the operations sent and suppressed;\n"
      "an incoming operation gives the incident, comments and external reference after it.\n"
      "Exit status: 0 ok, 1 bad input (one line on stderr naming the JSON path or line/column),\n"
      "2 rules that do not load (their diagnostics on stderr).");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--lines", o->lines,
                "Read JSON Lines: one result per input line, in order; a bad line gives\n"
                "{\"line\": N, \"error\": \"...\"} in its place and exit status 1");
  cmd->add_option("FILE", o->file, "Input document (default: standard input)");
  cmd->callback([o, &status] { status = run(*o); });
}

}  // namespace casex::cli
