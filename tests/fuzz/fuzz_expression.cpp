// tests/fuzz/fuzz_expression.cpp: libFuzzer target: any bytes as an expression:
// the parser alone, then the checker with the default vocabulary, as the
// condition of a table rule (outgoing context), as the condition of an
// incoming rule's action and, when it has a brace, as that action's comment
// template (incoming context); what checks clean is compiled and evaluated
// once. Only the expression's own stages run per input: the vocabulary and the
// rules around the expression are loaded once, and no YAML is read per input
// (rule files as YAML are fuzz_rules' surface).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "casex/casex.hpp"
#include "engine/check/check.h"
#include "engine/compile/compile.h"
#include "engine/json/json_io.h"
#include "engine/load/load.h"
#include "engine/parse/parse.h"

namespace {

namespace d = casex::detail;

// The vocabulary of the default rules plus one table and one incoming rule
// around the expression, loaded once.
const char kFuzzFile[] =
    "table:\n"
    "  id: fuzz\n"
    "  scope: {transition: {from: Log, to: Close}}\n"
    "  hit_policy: first\n"
    "  rules:\n"
    "    - id: fuzz.rule\n"
    "      when: \"true\"\n"
    "      then: Close\n"
    "incoming:\n"
    "  - id: fuzz.incoming\n"
    "    operation: Assign\n"
    "    actions:\n"
    "      - add_comment: x\n"
    "        when: \"true\"\n";

d::RawRuleSet load_base() {
  std::vector<casex::SourceFile> files;
  for (auto& f : casex::RuleSet::builtin_sources())
    if (f.name.find("vocabulary") != std::string::npos) files.push_back(std::move(f));
  files.push_back({"rules/fuzz.yaml", kFuzzFile});
  d::Diagnostics diags;
  d::RawRuleSet raw = d::load_rule_files(files, diags);
  if (diags.has_errors() || files.size() != 2 || raw.tables.size() != 1 ||
      raw.incoming.size() != 1 || raw.incoming[0].actions.size() != 1)
    __builtin_trap();  // the harness itself is out of date with the rule file format
  return raw;
}

// The expression as a scalar of rules/fuzz.yaml starting at line 7, column 13,
// with the position of every byte (as the loader maps them).
d::SourceText source(const std::string& expr) {
  d::SourceText s;
  s.text = expr;
  s.loc = {"rules/fuzz.yaml", 7, 13};
  s.positions.reserve(expr.size() + 1);
  int line = 7, column = 13;
  for (char c : expr) {
    s.positions.emplace_back(line, column);
    if (c == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  s.positions.emplace_back(line, column);
  return s;
}

// Checks `raw`; when it checks clean, compiles it and evaluates `document` once.
void check_compile_eval(const d::RawRuleSet& raw, std::string_view document) {
  d::Diagnostics diags;
  d::CheckedRuleSet checked = d::check_rules(raw, diags);
  for (const auto& x : diags.items())
    if (x.message.empty() || x.code.empty() || (x.line != 0 && (x.line < 1 || x.column < 1)))
      __builtin_trap();
  if (diags.has_errors()) return;
  d::CompiledRules compiled = d::compile_rules(std::move(checked), diags);
  if (diags.has_errors()) return;
  d::JsonEvaluator evaluator(compiled);
  std::string out, error;
  bool ok = evaluator.eval(document, out, error);
  if (ok == out.empty() || ok != error.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Two rule sets around the expression, made once; each input only replaces
  // the expression (no copy of the vocabulary per input).
  static d::RawRuleSet outgoing = [] {
    d::RawRuleSet raw = load_base();
    raw.incoming.clear();
    return raw;
  }();
  static d::RawRuleSet incoming = [] {
    d::RawRuleSet raw = load_base();
    raw.tables.clear();
    return raw;
  }();
  static const d::SourceText kTrue = incoming.incoming[0].actions[0].when.value();
  static const d::SourceText kComment = incoming.incoming[0].actions[0].value.value();
  std::string expr(reinterpret_cast<const char*>(data), size);

  // The parser alone.
  auto parsed = d::parse_expression(expr);
  if (auto* e = std::get_if<d::ParseError>(&parsed)) {
    if (e->offset > expr.size() || e->message.empty()) __builtin_trap();
  }

  // The condition of a table rule (outgoing context).
  outgoing.tables[0].rules[0].when = source(expr);
  check_compile_eval(outgoing, R"({"before":{"phase":"Log"},"after":{"phase":"Close"}})");

  // The condition of an incoming rule's action (incoming context).
  const char* kIncoming =
      R"({"incoming":"Assign","system":"SM","id":"IM1","incident":{"phase":"Review"}})";
  auto& action = incoming.incoming[0].actions[0];
  action.when = source(expr);
  action.value = kComment;
  check_compile_eval(incoming, kIncoming);
  // Its comment template: text without a brace is a literal, nothing to check.
  if (expr.find_first_of("{}") != std::string::npos) {
    action.when = kTrue;
    action.value = source(expr);
    check_compile_eval(incoming, kIncoming);
  }
  return 0;
}
