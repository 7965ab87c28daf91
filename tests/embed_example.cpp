// tests/embed_example.cpp: the README's embedding example, run as a test; the
// body of the TEST_CASE is the README code, verbatim.
#include <catch2/catch.hpp>

#include "casex/casex.hpp"

TEST_CASE("README example: a solution entered in InitialSupport sends Update, then Resolve",
          "[readme]") {
  casex::LoadResult loaded = casex::RuleSet::load_builtin();
  REQUIRE(loaded.rules);  // else format_diagnostics(loaded.diagnostics, loaded.sources) says why
  const casex::RuleSet& rules = *loaded.rules;

  casex::Change change;
  change.record = "INC-1042";
  change.before = {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}};
  change.after = {
      {"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", "Rebooted"}};
  change.external_reference = casex::ExternalReference{"SM", "IM10023"};
  change.groups = {{"SM Tier 2", "SM"}};

  casex::Decision decision = rules.evaluate(change);
  CHECK(decision.phase == "Review");
  REQUIRE(decision.operations.size() == 2);
  CHECK(decision.operations[0].operation ==
        "Update");  // step 1: Resolution table, in InitialSupport
  CHECK(decision.operations[0].system == "SM");
  CHECK(decision.operations[1].operation == "Resolve");  // step 2: Validation table, in Review
  CHECK(decision.operations[1].system == "SM");
}
