// examples/embed.cpp: the README's embedding example: load the built-in rules,
// decide the operations of one change, apply one incoming operation.
#include <casex/casex.hpp>

#include <iostream>

int main() {
  casex::LoadResult loaded = casex::RuleSet::load_builtin();  // or load_directory("rules")
  if (!loaded.rules) {
    std::cerr << casex::format_diagnostics(loaded.diagnostics, loaded.sources);
    return 2;
  }
  const casex::RuleSet& rules = *loaded.rules;

  casex::Change change;
  change.before = {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}};
  change.after = {
      {"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", "Rebooted"}};
  change.external_reference = casex::ExternalReference{"SM", "IM10023"};
  change.groups = {{"SM Tier 2", "SM"}};
  casex::Decision decision = rules.evaluate(change);
  std::cout << "phase " << decision.phase << "\n";
  for (const casex::Operation& op : decision.operations)
    std::cout << op.operation << " to " << op.system << " (rule " << op.rule << ")\n";

  casex::JsonResult r =
      rules.eval_json(R"({"incoming": "Assign", "incident": {"phase": "Review"}})");
  std::cout << (r.ok ? r.output : r.error) << "\n";
  return r.ok ? 0 : 1;
}
