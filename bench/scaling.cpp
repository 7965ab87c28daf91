// bench/scaling.cpp: writes the scaling rule sets as YAML texts, so that they
// go through the same load -> check -> compile pipeline as any rule file.
#include "bench/scaling.h"

#include <fmt/format.h>

#include <stdexcept>

namespace casex_bench {

std::vector<casex::SourceFile> scaled_rules(int rules) {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  bool vocab = false, table = false;
  for (auto& f : files) {
    if (f.name.find("vocabulary") != std::string::npos) {
      const std::string anchor = "    - {name: expected_resolution_time, type: text}\n";
      auto at = f.text.find(anchor);
      if (at == std::string::npos)
        throw std::runtime_error("scaled_rules: vocabulary.yaml changed shape");
      f.text.insert(at + anchor.size(), "    - {name: code, type: text}\n");
      vocab = true;
    } else if (f.name.find("resolution") != std::string::npos) {
      std::string t =
          "table:\n  id: resolution\n  scope: {metaphase: Resolution}\n  hit_policy: first\n  "
          "rules:\n";
      for (int i = 0; i < rules; ++i)
        t += fmt::format(
            "    - id: scale.r{0}\n      when: after.code == \"C{0}\"\n      then: Update\n", i);
      f.text = std::move(t);
      table = true;
    }
  }
  if (!vocab || !table) throw std::runtime_error("scaled_rules: the built-in rules changed shape");
  return files;
}

std::string scaled_change(int code) {
  return fmt::format(
      R"({{"incident":"INC-{0}","before":{{"phase":"InitialSupport","assignment":"SM Tier 2"}},)"
      R"("after":{{"phase":"InitialSupport","assignment":"SM Tier 2","code":"C{0}"}},)"
      R"("external_reference":{{"system":"SM","id":"IM1"}},"groups":{{"SM Tier 2":"SM"}}}})",
      code);
}

}  // namespace casex_bench
