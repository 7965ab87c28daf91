// engine/lint/rule_unsatisfiable.cpp: unsatisfiable-scenario: a rule whose
// scenario no change can satisfy, proven by the conditions that contradict.
#include <fmt/format.h>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class Unsatisfiable : public Rule {
 public:
  Code code() const override { return Code::UnsatisfiableScenario; }

  void check_table(TableAnalysis& a, Sink& sink) override {
    for (uint32_t r = 0; r < a.checked.rules.size() && !a.budget.exhausted(); ++r) {
      a.budget.rule = static_cast<int>(r);
      if (a.rule_sat(r) != Sat::No) continue;
      a.dead[r] = 1;
      const CheckedRule& rule = a.checked.rules[r];
      if (a.rule_rows[r].empty()) {
        sink.report(code(), a.rule_location(r),
                    fmt::format("rule \"{}\" never fires: its scenario is always false", rule.id),
                    "fix the scenario or remove the rule");
        continue;
      }
      // the proof: the fewest conditions of its first alternative that contradict
      Conj core = a.solver.core(a.rows[a.rule_rows[r].front()]);
      std::vector<std::string> parts;
      for (const Lit& l : core) parts.push_back(a.text(r, l));
      std::string why;
      if (parts.size() == 1)
        why = fmt::format("{} never holds when table \"{}\" is consulted", parts[0], a.checked.id);
      else if (parts.size() == 2)
        why = fmt::format("{} and {} cannot both hold", parts[0], parts[1]);
      else
        why = fmt::format("{} and {} cannot all hold",
                          fmt::join(parts.begin(), parts.end() - 1, ", "), parts.back());
      std::string alternatives =
          a.rule_rows[r].size() > 1
              ? fmt::format(" (nor any of its {} alternatives)", a.rule_rows[r].size())
              : "";
      sink.report(code(), core.empty() ? a.rule_location(r) : a.where(r, core.front().atom),
                  fmt::format("no change satisfies the scenario of rule \"{}\"{}: {}", rule.id,
                              alternatives, why),
                  "the rule never fires: fix its conditions or remove it");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> unsatisfiable_scenario_rule() { return std::make_unique<Unsatisfiable>(); }

}  // namespace casex::detail::lint
