// tools/cmd_lint.cpp: `casex lint [PATH...]`: loads rule files, runs the
// semantic analysis of the compiled tables (casex::lint_texts) and prints every
// finding as text (the compilers' shape), JSON or SARIF 2.1.0.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "casex/version.h"
#include "engine/common/diagnostics.h"
#include "engine/load/load.h"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

namespace fs = std::filesystem;

// Every code with its severity and description, from the engine's single list.
struct CodeInfo {
  const char* name;
  Severity severity;
  const char* description;
};
const std::vector<CodeInfo> kCodes = [] {
  std::vector<CodeInfo> codes;
  for (int i = 0; i < detail::kCodeCount; ++i) {
    auto c = static_cast<detail::Code>(i);
    codes.push_back({detail::code_name(c), detail::code_severity(c), detail::code_description(c)});
  }
  return codes;
}();

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "info";
}

struct Options {
  std::vector<std::string> paths;
  std::string format = "text";
  bool strict = false;
  std::string explain;
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

// The rule files named on the command line: each directory's *.yaml and *.yml
// (sorted) and each file given, read as RuleSet::load_directory reads them
// (the same reader, so lint and eval give the same verdict on a file).
std::vector<SourceFile> read_paths(const std::vector<std::string>& paths, std::vector<Diagnostic>& problems) {
  return detail::read_rule_paths(paths, problems);
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

std::string render_json(const std::vector<Diagnostic>& ds, std::size_t files, int e, int w, int i) {
  std::string out = "{\"diagnostics\": [";
  for (std::size_t k = 0; k < ds.size(); ++k) {
    const auto& d = ds[k];
    out += k ? ",\n  " : "\n  ";
    out += fmt::format(
        "{{\"code\": {}, \"severity\": \"{}\", \"file\": {}, \"line\": {}, \"column\": {}, \"message\": {}, "
        "\"help\": {}, \"witness\": {}}}",
        json_string(d.code), severity_name(d.severity), json_string(d.file), d.line, d.column, json_string(d.message),
        d.help.empty() ? "null" : json_string(d.help), d.witness.empty() ? "null" : d.witness);
  }
  out += ds.empty() ? "]" : "\n]";
  out += fmt::format(",\n \"summary\": {{\"files\": {}, \"errors\": {}, \"warnings\": {}, \"infos\": {}}}}}\n", files,
                     e, w, i);
  return out;
}

std::string render_sarif(const std::vector<Diagnostic>& ds) {
  auto level = [](Severity s) { return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note"; };
  std::string rules;
  for (std::size_t k = 0; k < std::size(kCodes); ++k) {
    rules += k ? ",\n" : "\n";
    rules += fmt::format(
        "        {{\"id\": {}, \"shortDescription\": {{\"text\": {}}}, \"defaultConfiguration\": {{\"level\": \"{}\"}}}}",
        json_string(kCodes[k].name), json_string(kCodes[k].description), level(kCodes[k].severity));
  }
  std::string results;
  for (std::size_t k = 0; k < ds.size(); ++k) {
    const auto& d = ds[k];
    std::size_t index = 0;
    while (index < std::size(kCodes) && d.code != kCodes[index].name) ++index;
    std::string text = d.message + (d.help.empty() ? "" : "\nhelp: " + d.help);
    std::string location;
    if (!d.file.empty()) {
      std::string region =
          d.line > 0 ? fmt::format(", \"region\": {{\"startLine\": {}, \"startColumn\": {}}}", d.line,
                                   std::max(d.column, 1))
                     : "";
      location = fmt::format(
          ", \"locations\": [{{\"physicalLocation\": {{\"artifactLocation\": {{\"uri\": {}}}{}}}}}]",
          json_string(d.file), region);
    }
    std::string props = d.witness.empty() ? "" : ", \"properties\": {\"witness\": " + d.witness + "}";
    results += k ? ",\n" : "\n";
    results += fmt::format("    {{\"ruleId\": {}, \"ruleIndex\": {}, \"level\": \"{}\", \"message\": {{\"text\": {}}}{}{}}}",
                           json_string(d.code), index, level(d.severity), json_string(text), location, props);
  }
  return fmt::format(
      "{{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", \"version\": \"2.1.0\", \"runs\": [{{\n"
      "  \"tool\": {{\"driver\": {{\"name\": \"casex lint\", \"version\": \"{}\", \"rules\": [{}]}}}},\n"
      "  \"results\": [{}]}}]}}\n",
      CASEX_VERSION, rules, results);
}

int explain(const std::string& code) {
  for (const auto& c : kCodes)
    if (code == c.name) {
      io::outf("{} ({}): {}\n", c.name, severity_name(c.severity), c.description);
      return 0;
    }
  std::vector<std::string> names;
  for (const auto& c : kCodes) names.push_back(c.name);
  io::errf("casex lint: unknown code \"{}\"; the codes are: {}\n", code, fmt::join(names, ", "));
  return 2;
}

int run(const Options& o) {
  if (!o.explain.empty()) return explain(o.explain);
  std::vector<Diagnostic> problems;
  std::vector<SourceFile> files;
  std::vector<std::string> paths = o.paths;
  std::error_code ec;
  if (paths.empty() && fs::is_directory("rules", ec)) paths.push_back("rules");
  files = paths.empty() ? RuleSet::builtin_sources() : read_paths(paths, problems);
  LoadResult r;
  if (problems.empty()) r = lint_texts(files);
  else r.sources = files;
  r.diagnostics.insert(r.diagnostics.begin(), problems.begin(), problems.end());
  int errors = 0, warnings = 0, infos = 0;
  for (const auto& d : r.diagnostics) {
    errors += d.severity == Severity::Error;
    warnings += d.severity == Severity::Warning;
    infos += d.severity == Severity::Info;
  }
  std::string out;
  if (o.format == "json") {
    out = render_json(r.diagnostics, r.sources.size(), errors, warnings, infos);
  } else if (o.format == "sarif") {
    out = render_sarif(r.diagnostics);
  } else {
    out = render_text(r.diagnostics, r.sources);
    out += fmt::format("{}: {} ({} file{})\n", paths.empty() ? "built-in rules" : fmt::format("{}", fmt::join(paths, " ")),
                       summary(errors, warnings, infos), r.sources.size(), r.sources.size() == 1 ? "" : "s");
  }
  io::out(out);  // checked when the command ends
  if (!problems.empty()) return 2;  // a rule file that cannot be read: the rules do not load, as for eval
  return errors || (o.strict && warnings) ? 1 : 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& status) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "lint",
      "Check rule files: every load diagnostic, then the semantic analysis of the compiled tables (overlaps, "
      "shadowed and unsatisfiable rules, gaps, conditions that never matter), each finding proven by a witness "
      "change.\nExit status: 0 no error, 1 errors (or warnings with --strict) or an output that cannot be written,\n"
      "2 a rule file that cannot be read (a FIFO, a directory, a dangling or looping link, no permission),\n"
      "bad usage or an internal error.");
  cmd->add_option("PATH", o->paths, "Rule files or directories (default: rules/ if present, else the built-in rules)")
      ->check(CLI::ExistingPath);
  cmd->add_option("--rules", o->paths, "Same as PATH")->check(CLI::ExistingPath);
  cmd->add_flag("--strict", o->strict, "Exit 1 on warnings too");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--explain", o->explain, "Print the one-line description of a diagnostic code and exit");
  cmd->callback([o, &status] { status = io::guarded("lint", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
