// engine/common/diagnostics.cpp: diagnostic codes, collection, suggestions and
// the renderer in the compilers' shape.
#include "engine/common/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace casex::detail {

extern const char kLintDoc[];  // docs/lint.md (cmake/embed_lint_doc.cmake)
extern const std::size_t kLintDocSize;

namespace {
struct CodeInfo {
  const char* name;
  Severity severity;
  const char* description;
};
constexpr CodeInfo kCodes[] = {
#define CASEX_CODE(id, name, sev, desc) {name, Severity::sev, desc},
#include "engine/common/codes.def"
#undef CASEX_CODE
};

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      char ca = a[i - 1], cb = b[j - 1];
      bool same = ca == cb || std::tolower(static_cast<unsigned char>(ca)) ==
                                  std::tolower(static_cast<unsigned char>(cb));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const char* code_name(Code c) { return kCodes[static_cast<int>(c)].name; }
const char* code_description(Code c) { return kCodes[static_cast<int>(c)].description; }
Severity code_severity(Code c) { return kCodes[static_cast<int>(c)].severity; }

std::string code_explanation(Code c) {
  std::string_view doc(kLintDoc, kLintDocSize);
  std::string heading = fmt::format("\n### `{}`\n", code_name(c));
  std::size_t from = doc.find(heading);
  if (from == std::string_view::npos) return {};
  from += heading.size();
  std::size_t to = doc.find("\n#", from);
  std::string_view section = doc.substr(from, to == std::string_view::npos ? to : to + 1 - from);
  // Markdown to plain text: examples indented, fences dropped, [text](link) as text.
  std::string out;
  bool code = false;
  while (!section.empty()) {
    std::size_t end = section.find('\n');
    std::string_view line = section.substr(0, end);
    section.remove_prefix(end == std::string_view::npos ? section.size() : end + 1);
    if (line.rfind("```", 0) == 0) {
      code = !code;
      continue;
    }
    std::string text;
    if (code) {
      text = "    " + std::string(line);
    } else {
      for (std::size_t i = 0; i < line.size(); ++i) {
        std::size_t close = line[i] == '[' ? line.find("](", i) : std::string_view::npos;
        std::size_t paren = close == std::string_view::npos ? close : line.find(')', close);
        if (paren != std::string_view::npos) {
          text += line.substr(i + 1, close - i - 1);
          i = paren;
        } else {
          text += line[i];
        }
      }
    }
    bool blank_after_blank = out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0;
    if (text.empty() && (out.empty() || blank_after_blank)) continue;
    out += text + "\n";
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) out.pop_back();
  return out;
}

Diagnostic make_diagnostic(Code code, const Location& at, std::string message, std::string help) {
  Diagnostic d;
  d.code = code_name(code);
  d.severity = code_severity(code);
  d.file = at.file;
  d.line = at.line;
  d.column = at.column;
  d.end_line = at.end_line;
  d.end_column = at.end_column;
  d.message = std::move(message);
  d.help = std::move(help);
  return d;
}

Diagnostic& Diagnostics::report(Code code, const Location& at, std::string message,
                                std::string help) {
  Diagnostic d = make_diagnostic(code, at, std::move(message), std::move(help));
  if (d.severity == Severity::Error) ++errors_;
  items_.push_back(std::move(d));
  return items_.back();
}

RelatedPlace related_place(std::string what, std::string id, const Location& at) {
  RelatedPlace r;
  r.what = std::move(what);
  r.id = std::move(id);
  r.file = at.file;
  r.line = at.line;
  r.column = at.column;
  r.end_line = at.end_line;
  r.end_column = at.end_column;
  return r;
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? std::string() : fmt::format("did you mean \"{}\"?", c);
}

}  // namespace casex::detail

namespace casex {

namespace {
const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "error";
}

std::string_view line_of(std::string_view text, int line) {
  std::size_t pos = 0;
  for (int l = 1; l < line; ++l) {
    pos = text.find('\n', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  std::size_t end = text.find('\n', pos);
  std::string_view s =
      text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}
}  // namespace

std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics,
                               const std::vector<SourceFile>& sources) {
  std::map<std::string_view, std::string_view> texts;
  for (const auto& s : sources) texts[s.name] = s.text;
  std::string out;
  for (const auto& d : diagnostics) {
    if (d.line > 0)
      out += fmt::format("{}:{}:{}: {}[{}]: {}\n", d.file, d.line, d.column,
                         severity_name(d.severity), d.code, d.message);
    else if (!d.file.empty())
      out += fmt::format("{}: {}[{}]: {}\n", d.file, severity_name(d.severity), d.code, d.message);
    else
      out += fmt::format("{}[{}]: {}\n", severity_name(d.severity), d.code, d.message);
    auto it = texts.find(d.file);
    if (d.line > 0 && it != texts.end()) {
      std::string_view src = line_of(it->second, d.line);
      // A long line is shown as a window around the column.
      constexpr std::size_t kWidth = 120;
      std::size_t col = static_cast<std::size_t>(std::max(d.column, 1)) - 1;
      std::size_t from = src.size() > kWidth && col > kWidth / 2 ? col - kWidth / 2 : 0;
      std::string_view shown = src.substr(std::min(from, src.size()), kWidth);
      std::string prefix = from > 0 ? "..." : "";
      std::string gutter = fmt::format("{:>5}", d.line);
      out += fmt::format("{} | {}{}{}\n", gutter, prefix, shown,
                         from + kWidth < src.size() ? "..." : "");
      std::string pad(prefix.size(), ' ');
      for (std::size_t i = from; i < col && i < src.size() && i < from + kWidth; ++i)
        pad.push_back(src[i] == '\t' ? '\t' : ' ');
      out += fmt::format("{} | {}^\n", std::string(gutter.size(), ' '), pad);
    }
    if (!d.help.empty()) out += fmt::format("  help: {}\n", d.help);
  }
  return out;
}

}  // namespace casex
