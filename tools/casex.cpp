// tools/casex.cpp: the casex command line: `casex eval` (the JSON contract)
// and `casex lint` (rule file diagnostics). Calls only the public API.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "casex/casex.hpp"

namespace {

// Loads the rules named on the command line (default: the built-in ones).
casex::LoadResult load(const std::string& dir) {
  return dir.empty() ? casex::RuleSet::load_builtin() : casex::RuleSet::load_directory(dir);
}

bool print_diagnostics(const casex::LoadResult& r) {
  std::string text = casex::format_diagnostics(r.diagnostics, r.sources);
  std::fputs(text.c_str(), stderr);
  return r.rules.has_value();
}

bool read_all(const std::string& file, std::string& out) {
  if (file.empty() || file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void write_line_error(std::string& out, std::size_t line, const std::string& error) {
  out += fmt::format("{{\"line\":{},\"error\":", line);
  out.push_back('"');
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

int run_lines(const casex::RuleSet& rules, std::istream& in) {
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
    } else {
      if (rules.eval_json(line, out, error)) {
        out.push_back('\n');
      } else {
        write_line_error(out, n, error);
        ok = false;
      }
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

int cmd_eval(const std::string& rules_dir, const std::string& file, bool lines) {
  auto loaded = load(rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  const casex::RuleSet& rules = *loaded.rules;
  if (lines) {
    if (file.empty() || file == "-") return run_lines(rules, std::cin);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "casex eval: cannot open {}\n", file);
      return 1;
    }
    return run_lines(rules, in);
  }
  std::string doc;
  if (!read_all(file, doc)) {
    fmt::print(stderr, "casex eval: cannot open {}\n", file);
    return 1;
  }
  casex::JsonResult r = rules.eval_json(doc);
  if (!r.ok) {
    fmt::print(stderr, "casex eval: {}{}\n", file.empty() || file == "-" ? "" : file + ": ", r.error);
    return 1;
  }
  r.output.push_back('\n');
  std::fwrite(r.output.data(), 1, r.output.size(), stdout);
  return 0;
}

int cmd_lint(const std::string& rules_dir) {
  auto loaded = load(rules_dir);
  print_diagnostics(loaded);
  int errors = 0;
  for (const auto& d : loaded.diagnostics) errors += d.severity == casex::Severity::Error;
  if (errors) {
    fmt::print(stderr, "{} error{}\n", errors, errors == 1 ? "" : "s");
    return 1;
  }
  fmt::print(stderr, "{}: no errors ({} file{})\n", rules_dir.empty() ? "built-in rules" : rules_dir,
             loaded.sources.size(), loaded.sources.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"casex: decides the case exchange operations of incident changes from rule files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "casex 0.1.0");

  std::string rules_dir, file;
  bool lines = false;
  auto* eval = app.add_subcommand("eval",
                                  "Evaluate a change or an incoming operation (JSON) and print the result (JSON).\n"
                                  "Exit status: 0 ok, 1 bad input, 2 rules that do not load.");
  eval->add_option("--rules", rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  eval->add_flag("--lines", lines, "Read JSON Lines: one document per line, one result per line, in order");
  eval->add_option("FILE", file, "Input document (default: standard input)");

  std::string lint_dir;
  auto* lint = app.add_subcommand("lint", "Check rule files and print every diagnostic.\n"
                                          "Exit status: 0 no error, 1 errors found.");
  lint->add_option("DIR", lint_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  lint->add_option("--rules", lint_dir, "Same as DIR")->check(CLI::ExistingDirectory);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*eval) return cmd_eval(rules_dir, file, lines);
  if (*lint) return cmd_lint(lint_dir);
  return 2;
}
