// tests/fuzz/fuzz_rules.cpp: libFuzzer target: any bytes as one rule file,
// through the YAML loader, the checker, the compiler and the renderer of
// diagnostics, with the default vocabulary; lint's semantic analysis on small
// inputs. Must never crash, hang or leak.
//
// The first byte picks the default file the input replaces. Only the input is
// read as YAML per input: what it is checked with comes from the default files
// loaded once (the default vocabulary; for an input replacing the vocabulary,
// the sections of one other default file, also picked by the first byte), so
// that an input costs one file's load, not the whole default set's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/check/check.h"
#include "engine/compile/compile.h"
#include "engine/lint/lint.h"
#include "engine/load/load.h"

namespace {

namespace d = casex::detail;

// Lint (a solver per table and pair of rows) only on inputs this small, so
// that an input costs about one load whatever it holds (docs/fuzzing.md).
constexpr std::size_t kLintMaxBytes = 1024;

struct Defaults {
  std::vector<casex::SourceFile> files;
  std::vector<d::RawRuleSet> raw;  // each file loaded alone
  std::size_t vocabulary = 0;
};

Defaults load_defaults() {
  Defaults x;
  x.files = casex::RuleSet::builtin_sources();
  x.vocabulary = x.files.size();
  for (std::size_t i = 0; i < x.files.size(); ++i) {
    d::Diagnostics diags;
    x.raw.push_back(d::load_rule_files({x.files[i]}, diags));
    if (diags.has_errors())
      __builtin_trap();  // a default file that does not load alone: update this harness
    if (x.raw.back().vocabulary.present) x.vocabulary = i;
  }
  if (x.vocabulary == x.files.size() || x.files.size() < 2) __builtin_trap();
  return x;
}

// Adds the sections of `from` that `to` lacks (tables and incoming rules are appended).
void graft(d::RawRuleSet& to, const d::RawRuleSet& from) {
  if (!to.vocabulary.present && from.vocabulary.present) to.vocabulary = from.vocabulary;
  if (!to.workflow.present && from.workflow.present) to.workflow = from.workflow;
  if (!to.workflow.targets_present && from.workflow.targets_present) {
    to.workflow.targets = from.workflow.targets;
    to.workflow.targets_present = true;
  }
  to.tables.insert(to.tables.end(), from.tables.begin(), from.tables.end());
  to.incoming.insert(to.incoming.end(), from.incoming.begin(), from.incoming.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Defaults defaults = load_defaults();
  if (size == 0) return 0;
  const std::size_t n = defaults.files.size();
  std::size_t which = data[0] % n;
  std::size_t with = defaults.vocabulary;
  if (which == defaults.vocabulary) {
    std::size_t other = (data[0] / n) % (n - 1);
    with = other >= defaults.vocabulary ? other + 1 : other;
  }
  std::vector<casex::SourceFile> sources;
  sources.push_back(
      {defaults.files[which].name, std::string(reinterpret_cast<const char*>(data + 1), size - 1)});
  sources.push_back(defaults.files[with]);

  // The stages of RuleSet::load_texts, the input's file alone through the loader.
  d::Diagnostics diags;
  d::RawRuleSet raw = d::load_rule_files({sources[0]}, diags);
  // When nothing loaded (not YAML, or no known section), checking would only
  // check the other file again, as on every such input: the load's findings only.
  bool loaded = raw.vocabulary.present || raw.workflow.present || raw.workflow.targets_present ||
                !raw.tables.empty() || !raw.incoming.empty();
  d::CompiledRules compiled;
  if (loaded) {
    graft(raw, defaults.raw[with]);
    compiled = d::compile_rules(d::check_rules(raw, diags), diags);
  }
  for (const auto& x : diags.items())
    if (x.message.empty() || x.code.empty() || x.line < 0 || x.column < 0) __builtin_trap();
  std::string text = casex::format_diagnostics(diags.items(), sources);
  if (diags.items().empty() != text.empty()) __builtin_trap();

  // The semantic analysis too, with its witnesses, on small inputs that loaded.
  if (loaded && !diags.has_errors() && size <= kLintMaxBytes) {
    for (const auto& x : d::lint_rules(compiled, &raw))
      if (x.code.empty() || x.message.empty()) __builtin_trap();
  }
  return 0;
}
