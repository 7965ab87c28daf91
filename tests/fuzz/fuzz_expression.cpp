// tests/fuzz/fuzz_expression.cpp: libFuzzer target: any bytes as an expression,
// first through the parser alone, then as a scenario of a rule in a rule file
// (checker, compiler, diagnostics mapped to file positions).
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "casex/casex.hpp"
#include "engine/parse/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<casex::SourceFile> defaults = casex::RuleSet::builtin_sources();
  std::string expr(reinterpret_cast<const char*>(data), size);
  auto parsed = casex::detail::parse_expression(expr);
  if (auto* e = std::get_if<casex::detail::ParseError>(&parsed)) {
    if (e->offset > expr.size() || e->message.empty()) __builtin_trap();
  }
  // The same text as a scenario, in a literal block scalar (no YAML escaping needed).
  if (expr.find('\n') != std::string::npos || expr.find('\r') != std::string::npos) return 0;
  std::vector<casex::SourceFile> files = defaults;
  files.push_back({"rules/fuzz.yaml",
                   "table:\n  id: fuzz\n  scope: {transition: {from: Log, to: Close}}\n  hit_policy: first\n"
                   "  rules:\n    - id: fuzz.rule\n      then: Close\n      when: |\n        " +
                       expr + "\n"});
  casex::LoadResult r = casex::RuleSet::load_texts(files);
  for (const auto& d : r.diagnostics)
    if (d.file == "rules/fuzz.yaml" && d.line > 0 && (d.line < 1 || d.column < 1)) __builtin_trap();
  if (r.rules) {
    casex::JsonResult j = r.rules->eval_json(R"({"before":{"phase":"Log"},"after":{"phase":"Close"}})");
    (void)j;
  }
  return 0;
}
