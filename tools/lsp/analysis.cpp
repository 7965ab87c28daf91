// tools/lsp/analysis.cpp: a rule set's diagnostics and model (tools/lsp/analysis.h).
#include "tools/lsp/analysis.h"

#include <algorithm>
#include <filesystem>
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

// The range of the token at a 1-based line and byte column of a file.
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

// Every "quoted" word of a message.
std::vector<std::string> quoted_words(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = s.find('"'); i != std::string_view::npos;) {
    std::size_t j = s.find('"', i + 1);
    if (j == std::string_view::npos) break;
    out.emplace_back(s.substr(i + 1, j - i - 1));
    i = s.find('"', j + 1);
  }
  return out;
}

struct Named {
  std::string what;  // "rule", "move", "incoming rule", "table"
  OutlineText loc;   // the id
};

std::map<std::string, Named> rule_ids(const RuleOutline& o) {
  std::map<std::string, Named> ids;
  for (const auto& t : o.tables) {
    ids.emplace(t.id.value, Named{"table", t.id});
    for (const auto& r : t.rules) ids.emplace(r.id.value, Named{"rule", r.id});
  }
  for (const auto& m : o.moves) ids.emplace(m.id.value, Named{"move", m.id});
  for (const auto& i : o.incoming) ids.emplace(i.id.value, Named{"incoming rule", i.id});
  return ids;
}

bj::value witness_json(const std::string& witness) {
  if (witness.empty()) return nullptr;
  bj::error_code ec;
  bj::value v = bj::parse(witness, ec);
  return ec ? bj::value(bj::string(witness)) : v;
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
  std::map<std::string, Named> ids;
  bool have_ids = false;
  for (const auto& d : r.diagnostics) {
    std::string file = d.file.empty() || !lines.count(d.file) ? fallback : d.file;
    if (file.empty()) continue;
    bj::object diag;
    diag["range"] = token_range(lines, file, file == d.file ? d.line : 0, d.column);
    // A finding about a whole rule points at its condition: the range is the
    // condition's line from there.
    if (file == d.file && d.line > 0 &&
        (d.code == "shadowed-rule" || d.code == "unsatisfiable-scenario" ||
         d.code == "unique-overlap")) {
      std::string_view l = lines.at(file).at(d.line - 1);
      std::size_t end = l.size();
      while (end > 0 && (l[end - 1] == ' ' || l[end - 1] == '\t')) --end;
      diag["range"].as_object()["end"] = position(d.line - 1, utf16_column(l, end));
    }
    diag["severity"] = d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3;
    diag["code"] = d.code;
    diag["codeDescription"] = bj::object{{"href", docs_url + "#" + d.code}};
    diag["source"] = "casex";
    diag["message"] = d.message + (d.help.empty() ? "" : "\nhelp: " + d.help);
    // The rules a finding names besides its own (the rule that shadows it, the
    // rules it overlaps) and the vocabulary entries its help points at (FILE:LINE).
    std::vector<std::string> names = quoted_words(d.message);
    if (!have_ids && !names.empty()) {
      ids = rule_ids(outline_rules(files));
      have_ids = true;
    }
    bj::array related;
    std::set<std::string> seen;
    // The rule the finding is in: the last id at or above its line.
    int own_line = -1;
    for (const auto& [name, n] : ids)
      if (n.loc.file == d.file && n.loc.line <= d.line && n.loc.line > own_line &&
          n.what != "table")
        own_line = n.loc.line;
    for (const std::string& name : names) {
      auto it = ids.find(name);
      if (it == ids.end() || !seen.insert(name).second) continue;
      const Named& n = it->second;
      if (n.loc.file == d.file && (n.loc.line == own_line || n.loc.line == d.line))
        continue;  // the finding's own rule or table
      if (!lines.count(n.loc.file)) continue;
      related.push_back(bj::object{
          {"location",
           bj::object{{"uri", path_to_uri(n.loc.file)},
                      {"range", token_range(lines, n.loc.file, n.loc.line, n.loc.column)}}},
          {"message", n.what + " \"" + name + "\""}});
    }
    for (const auto& [file_name, file_lines] : lines) {
      std::string key = file_name + ":";
      for (std::size_t at = d.help.find(key); at != std::string::npos;
           at = d.help.find(key, at + 1)) {
        std::size_t p = at + key.size();
        int line = 0;
        while (p < d.help.size() && d.help[p] >= '0' && d.help[p] <= '9' && line < 1000000)
          line = line * 10 + (d.help[p++] - '0');
        if (line <= 0) continue;
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
    bj::object data{{"witness", witness_json(d.witness)}};
    // A shadowed rule: the lines to move before the first rule that shadows it
    // (0-based, [start, end) and the line to insert at), for the quick fix.
    if (d.code == "shadowed-rule" && own_line > 0) {
      std::string own_name, first_name;
      int first = -1, next = -1;
      for (const auto& [name, n] : ids) {
        if (n.loc.file != d.file || n.what != "rule") continue;
        if (n.loc.line == own_line) own_name = name;
        if (n.loc.line > own_line && (next < 0 || n.loc.line < next)) next = n.loc.line;
        if (n.loc.line < own_line && seen.count(name) && (first < 0 || n.loc.line < first)) {
          first = n.loc.line;
          first_name = name;
        }
      }
      if (first > 0 && !own_name.empty()) {
        int end = next > 0 ? next - 1 : static_cast<int>(lines.at(file).size());
        data["move"] = bj::object{{"rule", own_name},
                                  {"before", first_name},
                                  {"start", own_line - 1},
                                  {"end", end},
                                  {"at", first - 1}};
      }
    }
    if (!d.help.empty()) data["help"] = d.help;
    diag["data"] = std::move(data);
    out[file].push_back(std::move(diag));
  }
  return out;
}

}  // namespace casex::lsp
