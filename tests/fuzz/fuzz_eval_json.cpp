// tests/fuzz/fuzz_eval_json.cpp: libFuzzer target: any bytes as a `casex eval`
// document against the built-in rules; must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "casex/casex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  std::string_view doc(reinterpret_cast<const char*>(data), size);
  casex::JsonResult r = rules.eval_json(doc);
  // A result is exactly one of: a document, or an error message.
  if (r.ok == r.output.empty() || r.ok != r.error.empty()) __builtin_trap();
  return 0;
}
