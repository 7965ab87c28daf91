// tests/fuzz/fuzz_rules.cpp: libFuzzer target: any bytes as one rule file,
// loaded beside the other default files (loader, checker, compiler, lint's
// semantic analysis, renderer of diagnostics); must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "casex/casex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<casex::SourceFile> defaults = casex::RuleSet::builtin_sources();
  if (size == 0) return 0;
  // The first byte picks the default file the input replaces.
  std::vector<casex::SourceFile> files = defaults;
  std::size_t which = data[0] % files.size();
  files[which].text.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  casex::LoadResult r = casex::RuleSet::load_texts(files);
  bool has_error = false;
  for (const auto& d : r.diagnostics) {
    has_error |= d.severity == casex::Severity::Error;
    if (d.message.empty() || d.code.empty()) __builtin_trap();
  }
  if (r.rules.has_value() == has_error) __builtin_trap();
  std::string text = casex::format_diagnostics(r.diagnostics, r.sources);
  (void)text;
  // The semantic analysis too, with its witnesses, on whatever loaded.
  if (r.rules) {
    casex::LoadResult lint = casex::lint_texts(files);
    for (const auto& d : lint.diagnostics)
      if (d.code.empty()) __builtin_trap();
  }
  return 0;
}
