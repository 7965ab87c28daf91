// tests/support/generate.cpp: generated rule sets of any size (see generate.h).
#include "tests/support/generate.h"

#include <fmt/format.h>

namespace casex::detail {

std::string generate_table(std::size_t n, std::string_view hit_policy) {
  std::string out = fmt::format(
      "# generated: a Resolution table of {} rules\n"
      "table:\n  id: resolution\n  scope: {{metaphase: Resolution}}\n  hit_policy: {}\n  rules:\n",
      n, hit_policy);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t g = i / 2;
    if (i % 2 == 0)
      out += fmt::format(
          "    - id: generated.update-{}\n"
          "      when: after.assignment == \"Group {}\" and (changed(solution) or comment_added)\n"
          "      then: Update\n",
          g, g);
    else
      out += fmt::format(
          "    - id: generated.{}-{}\n"
          "      when: after.assignment == \"Group {}\" and changed(expected_resolution_time)\n"
          "      then: {}\n",
          i % 4 == 1 ? "assign" : "accept", g, g, i % 4 == 1 ? "Assign" : "Accept");
  }
  return out;
}

std::vector<SourceFile> builtin_with_resolution(std::string table) {
  std::vector<SourceFile> files = RuleSet::builtin_sources();
  for (auto& f : files)
    if (f.name.size() >= 15 && f.name.compare(f.name.size() - 15, 15, "resolution.yaml") == 0)
      f.text = table;
  return files;
}

std::vector<SourceFile> generated_rule_set(std::size_t n, std::string_view hit_policy) {
  return builtin_with_resolution(generate_table(n, hit_policy));
}

}  // namespace casex::detail
