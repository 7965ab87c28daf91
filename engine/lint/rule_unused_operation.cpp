// engine/lint/rule_unused_operation.cpp: unused-operation: an outgoing
// operation of the vocabulary that no rule produces, or whose every rule never
// fires (unsatisfiable or shadowed).
#include <fmt/format.h>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class UnusedOperation : public Rule {
 public:
  Code code() const override { return Code::UnusedOperation; }

  void check_rule_set(const RuleSetView& view, Sink& sink) override {
    if (view.has_errors) return;  // a rule that did not load may produce it
    const auto& v = view.rules.rules.vocabulary;
    for (std::size_t op = 0; op < v.outgoing.size(); ++op) {
      std::vector<std::string> producers;
      bool fires = false;
      for (std::size_t t = 0; t < view.rules.rules.tables.size(); ++t) {
        const auto& rules = view.rules.rules.tables[t].rules;
        for (std::size_t r = 0; r < rules.size(); ++r) {
          if (rules[r].operation != static_cast<int>(op)) continue;
          producers.push_back(rules[r].id);
          fires = fires || !view.tables[t] || !view.tables[t]->dead[r];
        }
      }
      if (fires) continue;
      Location at;
      if (view.raw)
        for (const auto& o : view.raw->vocabulary.outgoing)
          if (o.value == v.outgoing[op]) at = o.loc;
      if (producers.empty())
        sink.report(code(), at,
                    fmt::format("outgoing operation \"{}\" is produced by no rule", v.outgoing[op]),
                    "add a rule with `then: " + v.outgoing[op] +
                        "`, or remove the operation from the vocabulary");
      else
        sink.report(
            code(), at,
            fmt::format("outgoing operation \"{}\" is never produced: rule{} {} never fire{}",
                        v.outgoing[op], producers.size() == 1 ? "" : "s", quoted_list(producers),
                        producers.size() == 1 ? "s" : ""),
            "see the findings on those rules");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> unused_operation_rule() { return std::make_unique<UnusedOperation>(); }

}  // namespace casex::detail::lint
