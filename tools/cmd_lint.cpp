// tools/cmd_lint.cpp: `casex lint [PATH...]`: loads rule files, runs the
// semantic analysis of the compiled tables (casex::lint_texts) and prints every
// finding as text (the compilers' shape), JSON or SARIF 2.1.0.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "casex/tooling.hpp"
#include "casex/version.h"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

// Every code with its severity and description, from the engine's single list.
const std::vector<DiagnosticCode> kCodes = diagnostic_codes();

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "info";
}

struct Options {
  std::vector<std::string> paths;
  std::string format = "text";
  bool strict = false;
  std::string explain;
};

// A finding's witness (a change, as JSON text) as a JSON value; text that is
// not JSON (never expected) stays a string rather than being lost.
bj::value witness_json(const std::string& witness) {
  if (witness.empty()) return nullptr;
  bj::error_code ec;
  bj::value v = bj::parse(witness, ec);
  return ec ? bj::value(bj::string(witness)) : v;
}

std::string summary(int errors, int warnings, int infos) {
  if (!errors && !warnings && !infos) return "no findings";
  std::vector<std::string> parts;
  auto count = [&](int n, const char* what) {
    if (n) parts.push_back(fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"));
  };
  count(errors, "error");
  count(warnings, "warning");
  count(infos, "info");
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string render_text(const std::vector<Diagnostic>& ds, const std::vector<SourceFile>& sources) {
  std::string out;
  for (const auto& d : ds) {
    out += format_diagnostics({d}, sources);
    if (!d.witness.empty()) out += "  witness: " + d.witness + "\n";
  }
  return out;
}

// SARIF is built as Boost.JSON values and serialized by it (one line); JSON is
// casex::lint_json, which `casex serve`'s POST /v1/lint answers too.
std::string render_sarif(const std::vector<Diagnostic>& ds) {
  auto level = [](Severity s) {
    return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
  };
  bj::array rules;
  for (const auto& c : kCodes)
    rules.push_back(bj::object{{"id", c.name},
                               {"shortDescription", bj::object{{"text", c.description}}},
                               {"defaultConfiguration", bj::object{{"level", level(c.severity)}}}});
  bj::array results;
  for (const auto& d : ds) {
    std::size_t index = 0;
    while (index < std::size(kCodes) && d.code != kCodes[index].name) ++index;
    bj::object result{
        {"ruleId", d.code},
        {"ruleIndex", index},
        {"level", level(d.severity)},
        {"message", bj::object{{"text", d.message + (d.help.empty() ? "" : "\nhelp: " + d.help)}}}};
    if (!d.file.empty()) {
      bj::object location{{"artifactLocation", bj::object{{"uri", d.file}}}};
      if (d.line > 0)
        location["region"] =
            bj::object{{"startLine", d.line}, {"startColumn", std::max(d.column, 1)}};
      result["locations"] = bj::array{bj::object{{"physicalLocation", std::move(location)}}};
    }
    if (!d.witness.empty()) result["properties"] = bj::object{{"witness", witness_json(d.witness)}};
    results.push_back(std::move(result));
  }
  bj::object driver{
      {"name", "casex lint"}, {"version", CASEX_VERSION}, {"rules", std::move(rules)}};
  bj::object run{{"tool", bj::object{{"driver", std::move(driver)}}},
                 {"results", std::move(results)}};
  bj::object doc{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                 {"version", "2.1.0"},
                 {"runs", bj::array{std::move(run)}}};
  return bj::serialize(doc) + "\n";
}

int explain(const std::string& code) {
  for (const auto& c : kCodes)
    if (code == c.name) {
      io::outf("{} ({}): {}\n", c.name, severity_name(c.severity), c.description);
      if (!c.explanation.empty()) io::outf("\n{}", c.explanation);
      return 0;
    }
  std::vector<std::string> names;
  for (const auto& c : kCodes) names.push_back(c.name);
  io::errf("casex lint: unknown code \"{}\"; the codes are: {}\n", code, fmt::join(names, ", "));
  return 2;
}

int run(const Options& o) {
  if (!o.explain.empty()) return explain(o.explain);
  std::vector<std::string> paths = o.paths;
  // No PATH: the built-in rules, as for every command (load_rules, tools/commands.h).
  bool unreadable = false;
  LoadResult r = lint_paths(paths, &unreadable);  // as casex_lint and hosts lint
  int errors = 0, warnings = 0, infos = 0;
  for (const auto& d : r.diagnostics) {
    errors += d.severity == Severity::Error;
    warnings += d.severity == Severity::Warning;
    infos += d.severity == Severity::Info;
  }
  std::string out;
  if (o.format == "json") {
    out = lint_json(r.diagnostics, r.sources.size());
  } else if (o.format == "sarif") {
    out = render_sarif(r.diagnostics);
  } else {
    out = render_text(r.diagnostics, r.sources);
    // The last line names the rules linted and their version (none when they do not load).
    out += fmt::format("{}: {} ({} file{}, {})\n",
                       paths.empty() ? rules_name("") : fmt::format("{}", fmt::join(paths, " ")),
                       summary(errors, warnings, infos), r.sources.size(),
                       r.sources.size() == 1 ? "" : "s",
                       r.rules ? "version " + r.rules->version() : "no version: they do not load");
  }
  io::out(out);              // checked when the command ends
  if (unreadable) return 2;  // a rule file that cannot be read: the rules do not load, as for eval
  return errors || (o.strict && warnings) ? 1 : 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& status) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("lint",
                                 "Check rule files: every load diagnostic, then the semantic "
                                 "analysis of the compiled tables (overlaps, "
                                 "shadowed and unsatisfiable rules, gaps, conditions that never "
                                 "matter), each finding proven by a witness "
                                 "change.\nExit status: 0 no error, 1 errors (or warnings with "
                                 "--strict) or an output that cannot be written,\n"
                                 "2 a rule file that cannot be read (a FIFO, a directory, a "
                                 "dangling or looping link, no permission),\n"
                                 "bad usage or an internal error.");
  cmd->add_option("PATH", o->paths,
                  "Rule files or directories (default: the built-in rules, as for every command)")
      ->check(CLI::ExistingPath);
  cmd->add_option("--rules", o->paths, "Same as PATH")->check(CLI::ExistingPath);
  cmd->add_flag("--strict", o->strict, "Exit 1 on warnings too");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--explain", o->explain,
                  "Print a diagnostic code's description, an example and its fix, and exit");
  cmd->callback([o, &status] { status = io::guarded("lint", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
