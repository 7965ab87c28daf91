// tools/lsp/analysis.cpp: a rule set's diagnostics and model (tools/lsp/analysis.h).
#include "tools/lsp/analysis.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "casex/tooling.hpp"
#include "tools/lsp/text.h"

namespace casex::lsp {

namespace bj = boost::json;
namespace fs = std::filesystem;

bool is_rule_test_file(std::string_view text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    if (text.substr(pos, 6) == "cases:") return true;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

std::vector<SourceFile> rule_set_files(const std::string& dir,
                                       const std::map<std::string, std::string>& overlay) {
  std::vector<Diagnostic> problems;
  std::vector<SourceFile> files = read_rule_files({dir}, problems);
  std::map<std::string, std::string> texts;
  for (auto& f : files) texts[fs::path(f.name).lexically_normal().string()] = std::move(f.text);
  for (const auto& [path, text] : overlay) {
    fs::path p(path);
    std::string ext = p.extension().string();
    if (p.parent_path() == fs::path(dir) && (ext == ".yaml" || ext == ".yml")) texts[path] = text;
  }
  std::vector<SourceFile> out;
  for (auto& [path, text] : texts)
    if (!is_rule_test_file(text)) out.push_back({path, std::move(text)});
  return out;
}

const std::string& Model::text(const std::string& path) const {
  static const std::string none;
  for (const auto& f : files)
    if (f.name == path) return f.text;
  return none;
}

std::shared_ptr<const Model> build_model(std::vector<SourceFile> files) {
  auto m = std::make_shared<Model>();
  m->files = files;
  m->raw = outline_rules(std::move(files));
  return m;
}

namespace {

bj::object position(int line, int character) {
  return bj::object{{"line", line}, {"character", character}};
}

// The range of the token at a 1-based line and byte column of a file (for a
// diagnostic whose end the engine does not know).
bj::object token_range(const std::map<std::string, Lines>& lines, const std::string& file, int line,
                       int column) {
  if (line <= 0) return bj::object{{"start", position(0, 0)}, {"end", position(0, 0)}};
  auto it = lines.find(file);
  std::string_view l = it == lines.end() ? std::string_view{} : it->second.at(line - 1);
  std::size_t at = static_cast<std::size_t>(std::max(column, 1) - 1);
  auto [b, e] = token_at(l, at);
  return bj::object{{"start", position(line - 1, utf16_column(l, b))},
                    {"end", position(line - 1, utf16_column(l, e))}};
}

// The range the engine gives: from (line, column) to just before (end_line,
// end_column), 1-based byte columns; the token there when it gives no end.
bj::object engine_range(const std::map<std::string, Lines>& lines, const std::string& file,
                        int line, int column, int end_line, int end_column) {
  auto it = lines.find(file);
  if (line <= 0 || end_line < line || it == lines.end() ||
      (end_line == line && end_column <= column))
    return token_range(lines, file, line, column);
  auto col = [&](int l, int c) {
    std::string_view text = it->second.at(l - 1);
    return utf16_column(text, std::min(static_cast<std::size_t>(std::max(c, 1) - 1), text.size()));
  };
  return bj::object{{"start", position(line - 1, col(line, column))},
                    {"end", position(end_line - 1, col(end_line, end_column))}};
}

bj::value witness_json(const std::string& witness) {
  if (witness.empty()) return nullptr;
  bj::error_code ec;
  bj::value v = bj::parse(witness, ec);
  return ec ? bj::value(bj::string(witness)) : v;
}

// The LSP diagnostic of `d` at `range`, without relatedInformation: severity,
// code (linked to `docs_url`#code), message with its help, and data (the
// witness and the help).
bj::object lsp_diagnostic(const Diagnostic& d, bj::object range, const std::string& docs_url) {
  bj::object data{{"witness", witness_json(d.witness)}};
  if (!d.help.empty()) data["help"] = d.help;
  return bj::object{{"range", std::move(range)},
                    {"severity", d.severity == Severity::Error     ? 1
                                 : d.severity == Severity::Warning ? 2
                                                                   : 3},
                    {"code", d.code},
                    {"codeDescription", bj::object{{"href", docs_url + "#" + d.code}}},
                    {"source", "casex"},
                    {"message", d.message + (d.help.empty() ? "" : "\nhelp: " + d.help)},
                    {"data", std::move(data)}};
}

// A shadowed rule's quick fix: the lines of its YAML block ([start, end),
// 0-based) and the line of the first rule that shadows it (`at`), from the
// finding's related rules and the outline of the file.
bj::value move_data(const RuleOutline& outline, const Diagnostic& d, std::size_t file_lines) {
  for (const auto& t : outline.tables) {
    if (t.id.file != d.file) continue;
    const RuleOutline::Rule* own = nullptr;
    const RuleOutline::Rule* first = nullptr;
    int next = 0;
    for (const auto& r : t.rules)
      if (r.line <= d.line && (!own || r.line > own->line)) own = &r;
    if (!own) continue;
    for (const auto& r : t.rules) {
      if (r.line > own->line && (next == 0 || r.line < next)) next = r.line;
      for (const auto& rel : d.related)
        if (rel.what == "rule" && rel.id == r.id.value && r.line < own->line &&
            (!first || r.line < first->line))
          first = &r;
    }
    if (!first) return nullptr;
    int end = next > 0 ? next - 1 : static_cast<int>(file_lines);
    return bj::object{{"rule", own->id.value},
                      {"before", first->id.value},
                      {"start", own->line - 1},
                      {"end", end},
                      {"at", first->line - 1}};
  }
  return nullptr;
}

}  // namespace

FileDiagnostics diagnose(const std::vector<SourceFile>& files, const std::string& docs_url,
                         const std::string& fallback, const std::function<bool()>& cancelled,
                         bool* was_cancelled) {
  FileDiagnostics out;
  // The engine's load diagnostics and semantic lint, stopped early by a newer edit.
  LintRun run = lint_texts_cancellable(files, cancelled);
  if (was_cancelled) *was_cancelled = run.cancelled;
  if (run.cancelled) return out;
  const LoadResult& r = run.result;
  std::map<std::string, Lines> lines;
  for (const auto& f : files) {
    out[f.name];
    lines.emplace(f.name, Lines(f.text));
  }
  std::optional<RuleOutline> outline;  // read when a shadowed rule needs its quick fix
  for (const auto& d : r.diagnostics) {
    std::string file = d.file.empty() || !lines.count(d.file) ? fallback : d.file;
    if (file.empty()) continue;
    bj::object diag = lsp_diagnostic(
        d,
        file == d.file ? engine_range(lines, file, d.line, d.column, d.end_line, d.end_column)
                       : token_range(lines, file, 0, 0),
        docs_url);
    // The rules and tables the finding involves (the rule that shadows it, the
    // rule it overlaps, the table of the same scope), as the engine names them.
    bj::array related;
    for (const auto& rel : d.related) {
      if (!lines.count(rel.file)) continue;
      related.push_back(bj::object{
          {"location", bj::object{{"uri", path_to_uri(rel.file)},
                                  {"range", engine_range(lines, rel.file, rel.line, rel.column,
                                                         rel.end_line, rel.end_column)}}},
          {"message", rel.what + " \"" + rel.id + "\""}});
    }
    // The vocabulary entries its help points at (FILE:LINE).
    for (const auto& [file_name, file_lines] : lines) {
      std::string key = file_name + ":";
      for (std::size_t at = d.help.find(key); at != std::string::npos;
           at = d.help.find(key, at + 1)) {
        std::size_t p = at + key.size();
        int line = 0;
        while (p < d.help.size() && d.help[p] >= '0' && d.help[p] <= '9' && line < 1000000)
          line = line * 10 + (d.help[p++] - '0');
        if (line <= 0) continue;
        bool named = false;  // the engine's related place already points there
        for (const auto& rel : d.related)
          named = named || (rel.file == file_name && rel.line == line);
        if (named) continue;
        std::string_view l = file_lines.at(line - 1);
        std::size_t indent = l.find_first_not_of(" -");
        if (indent == std::string_view::npos) indent = 0;
        related.push_back(bj::object{
            {"location",
             bj::object{
                 {"uri", path_to_uri(file_name)},
                 {"range", bj::object{{"start", position(line - 1, utf16_column(l, indent))},
                                      {"end", position(line - 1, utf16_column(l, l.size()))}}}}},
            {"message", "declared here"}});
      }
    }
    if (!related.empty()) diag["relatedInformation"] = std::move(related);
    if (d.code == "shadowed-rule" && file == d.file && !d.related.empty()) {
      if (!outline) outline = outline_rules(files);
      bj::value move = move_data(*outline, d, lines.at(file).size());
      if (!move.is_null()) diag["data"].as_object()["move"] = std::move(move);
    }
    out[file].push_back(std::move(diag));
  }
  return out;
}

bj::array test_file_diagnostics(const std::vector<SourceFile>& rules, const std::string& path,
                                const std::string& text, const std::string& docs_url) {
  std::map<std::string, Lines> lines;
  lines.emplace(path, Lines(text));
  bj::array out;
  for (const auto& d : check_rule_test_file(rules, {path, text}))
    out.push_back(lsp_diagnostic(
        d, engine_range(lines, path, d.line, d.column, d.end_line, d.end_column), docs_url));
  return out;
}

}  // namespace casex::lsp
