// tests/capi_result_test.cpp: structured results (issue 21): a change's phase,
// operations and suppressed operations, an incoming operation's fields,
// comments, reference and rule, through the C accessors and the C++ typed
// Outcome, both read from the same result document; the wrong kind of result,
// indexes out of range and NULL give 0 and "".
#include <catch2/catch.hpp>

#include <string>

#include "casex/casex.h"
#include "casex/casex.hpp"

namespace {

const std::string kChange =
    R"({"incident":"INC-7","before":{"phase":"InitialSupport","assignment":"SM Tier 2"},)"
    R"("after":{"phase":"InitialSupport","assignment":"SM Tier 2","solution":"Rebooted"},)"
    R"("external_reference":{"system":"SM","id":"IM1"},"groups":{"SM Tier 2":"SM"},"origin":"SM"})";
const std::string kIncoming =
    R"({"incoming":"Reopen","system":"SM","id":"IM10023","incident":{"phase":"Review",)"
    R"("assignment":"Service Desk","solution":"Rebooted","completion_code":"CompletionCodeFulfilled"},)"
    R"("external_reference":{"system":"SM","id":"IM10023"}})";

struct Engine {
  casex_engine* e = nullptr;
  Engine() { REQUIRE(casex_engine_open(nullptr, &e, nullptr) == CASEX_OK); }
  ~Engine() { casex_engine_free(e); }
};

struct Result {
  casex_result* r = nullptr;
  Result(const Engine& engine, const std::string& doc, casex_status expected = CASEX_OK) {
    REQUIRE(casex_eval(engine.e, doc.data(), doc.size(), &r) == expected);
  }
  ~Result() { casex_result_free(r); }
};

}  // namespace

TEST_CASE("C API results: a change's phase, operations and suppressed operations, as the JSON says",
          "[capi][results]") {
  Engine engine;
  Result result(engine, kChange);
  const casex_result* r = result.r;
  casex::Outcome typed = casex::RuleSet::load_builtin().rules->eval(kChange);
  REQUIRE(typed.kind == casex::Outcome::Kind::Change);
  CHECK(casex_result_kind(r) == CASEX_KIND_CHANGE);
  CHECK(std::string(casex_result_record(r)) == "INC-7");
  CHECK(typed.record == "INC-7");
  CHECK(std::string(casex_result_phase(r)) == "Review");
  CHECK(typed.decision.phase == "Review");
  // origin SM: both operations go to SM, so both are suppressed.
  CHECK(casex_result_operation_count(r) == 0);
  REQUIRE(casex_result_suppressed_count(r) == 2);
  REQUIRE(typed.decision.suppressed.size() == 2);
  const char* names[] = {"Update", "Resolve"};
  const char* rules[] = {"resolution.update", "validation.resolve"};
  const char* phases[] = {"InitialSupport", "Review"};
  for (size_t i = 0; i < 2; ++i) {
    CHECK(std::string(casex_result_suppressed_name(r, i)) == names[i]);
    CHECK(std::string(casex_result_suppressed_system(r, i)) == "SM");
    CHECK(std::string(casex_result_suppressed_phase(r, i)) == phases[i]);
    CHECK(std::string(casex_result_suppressed_rule(r, i)) == rules[i]);
    CHECK(typed.decision.suppressed[i].operation == names[i]);
    CHECK(typed.decision.suppressed[i].rule == rules[i]);
  }
  CHECK(std::string(casex_result_suppressed_name(r, 2)).empty());

  std::string sent = kChange;
  sent.replace(sent.find(R"("origin":"SM")"), 13, R"("origin":null)");
  Result second(engine, sent);
  REQUIRE(casex_result_operation_count(second.r) == 2);
  CHECK(casex_result_suppressed_count(second.r) == 0);
  CHECK(std::string(casex_result_operation_name(second.r, 1)) == "Resolve");
  CHECK(std::string(casex_result_operation_system(second.r, 1)) == "SM");
  CHECK(std::string(casex_result_operation_phase(second.r, 1)) == "Review");
  CHECK(std::string(casex_result_operation_rule(second.r, 1)) == "validation.resolve");
  CHECK(std::string(casex_result_operation_rule(second.r, 2)).empty());  // out of range
  // The wrong kind: a change has no fields, comments, reference or rule.
  CHECK(casex_result_field_count(r) == 0);
  CHECK(casex_result_comment_count(r) == 0);
  CHECK(std::string(casex_result_rule(r)).empty());
  CHECK(std::string(casex_result_reference_id(r)).empty());
}

TEST_CASE("C API results: an incoming operation's fields, comments, reference and rule",
          "[capi][results]") {
  Engine engine;
  Result result(engine, kIncoming);
  const casex_result* r = result.r;
  casex::Outcome typed = casex::RuleSet::load_builtin().rules->eval(kIncoming);
  REQUIRE(typed.kind == casex::Outcome::Kind::Incoming);
  CHECK(casex_result_kind(r) == CASEX_KIND_INCOMING);
  CHECK(std::string(casex_result_rule(r)) == "incoming.reopen");
  CHECK(typed.incoming.rule == "incoming.reopen");
  REQUIRE(casex_result_field_count(r) == typed.incoming.fields.size());
  REQUIRE(casex_result_field_count(r) > 0);
  bool phase_seen = false;
  for (size_t i = 0; i < casex_result_field_count(r); ++i) {
    CHECK(casex_result_field_name(r, i) == typed.incoming.fields[i].first);
    CHECK(casex_result_field_value(r, i) == typed.incoming.fields[i].second.value_or(""));
    if (std::string(casex_result_field_name(r, i)) == "phase") {
      phase_seen = true;
      CHECK(!std::string(casex_result_field_value(r, i)).empty());
    }
  }
  CHECK(phase_seen);
  REQUIRE(casex_result_comment_count(r) == typed.incoming.comments.size());
  for (size_t i = 0; i < casex_result_comment_count(r); ++i)
    CHECK(casex_result_comment(r, i) == typed.incoming.comments[i]);
  CHECK(std::string(casex_result_comment(r, 99)).empty());
  CHECK(std::string(casex_result_field_name(r, 99)).empty());
  CHECK(std::string(casex_result_reference_system(r)) ==
        (typed.incoming.external_reference ? typed.incoming.external_reference->system : ""));
  // The wrong kind: an incoming result has no phase after a workflow, and no operations.
  CHECK(std::string(casex_result_phase(r)).empty());
  CHECK(casex_result_operation_count(r) == 0);
  CHECK(std::string(casex_result_operation_name(r, 0)).empty());
}

TEST_CASE("C API results: an error result and NULL have no structure", "[capi][results]") {
  Engine engine;
  Result result(engine, R"({"before": {"phase": "Nowhere"}, "after": {"phase": "Review"}})",
                CASEX_BAD_INPUT);
  for (const casex_result* r :
       {static_cast<const casex_result*>(result.r), static_cast<const casex_result*>(nullptr)}) {
    CHECK(casex_result_kind(r) == CASEX_KIND_ERROR);
    CHECK(std::string(casex_result_phase(r)).empty());
    CHECK(casex_result_operation_count(r) == 0);
    CHECK(casex_result_suppressed_count(r) == 0);
    CHECK(casex_result_field_count(r) == 0);
    CHECK(std::string(casex_result_field_value(r, 0)).empty());
    CHECK(std::string(casex_result_record(r)).empty());
    CHECK(std::string(casex_result_reference_system(r)).empty());
  }
  casex::Outcome typed = casex::RuleSet::load_builtin().rules->eval("[1]");
  CHECK(typed.kind == casex::Outcome::Kind::Error);
  CHECK(!typed.error.empty());
  CHECK(casex::read_outcome("not json").kind == casex::Outcome::Kind::Error);
}

TEST_CASE("Engine: eval() gives the typed Outcome and the version that produced it",
          "[engine][results]") {
  auto engine = casex::Engine::open("");
  REQUIRE(engine);
  casex::EngineOutcome o = engine->eval(kIncoming);
  CHECK(o.kind == casex::Outcome::Kind::Incoming);
  CHECK(o.version == engine->version());
}
