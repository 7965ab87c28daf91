// tools/eval_lines.h: one JSON Lines line answered as `casex eval --lines`
// answers it, shared by `casex eval --lines` and `casex serve`'s
// POST /v1/eval/lines so that both write the same bytes for the same line.
#pragma once

#include <fmt/format.h>
#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "casex/casex.hpp"

namespace casex::cli {

/// {"line":N,"error":"..."} and a newline in a bad line's place, through Boost.JSON.
inline void write_line_error(std::string& out, std::size_t line, const std::string& error) {
  out += boost::json::serialize(boost::json::object{{"line", line}, {"error", error}});
  out.push_back('\n');
}

/// The longest line kept: a document of kMaxDocumentBytes and its '\r'. A
/// longer line is read past (never held) and answered with too_long_error().
inline constexpr std::size_t kMaxLine = kMaxDocumentBytes + 1;

inline std::string too_long_error() {
  return fmt::format("the line is longer than the limit of {} bytes (skipped to its end)",
                     kMaxDocumentBytes);
}

/// Evaluates one document of a RuleSet read as `input` says, or of an Engine
/// (read as its own Engine::set_input_options say).
inline bool eval_json_as(const RuleSet& rules, std::string_view document, std::string& out,
                         std::string& error, const InputOptions& input) {
  return rules.eval_json(document, out, error, input);
}
inline bool eval_json_as(const Engine& engine, std::string_view document, std::string& out,
                         std::string& error, const InputOptions&) {
  return engine.eval_json(document, out, error);
}

/// Answers line `number` (without its '\n'; a trailing '\r' is dropped):
/// appends its result document and a newline to `out`, or its error line.
/// False for an error (`error` then holds the message of eval_json, if any).
// `rules`: a RuleSet, or an Engine (whose log hook then sees each decision).
template <class Rules>
bool eval_one_line(const Rules& rules, std::string_view line, std::size_t number, std::string& out,
                   std::string& error, const InputOptions& input = {}) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    write_line_error(out, number, "empty line: expected a JSON document");
    return false;
  }
  if (eval_json_as(rules, line, out, error, input)) {
    out.push_back('\n');
    return true;
  }
  write_line_error(out, number, error);
  return false;
}

}  // namespace casex::cli
