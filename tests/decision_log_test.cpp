// tests/decision_log_test.cpp: the decision log of `casex eval --log` (tools/decision_log.h):
// SHA-256 against known digests, and the line written for a change and an incoming operation.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "casex/casex.hpp"
#include "tools/decision_log.h"

namespace bj = boost::json;

TEST_CASE("decision log: sha256_hex gives the FIPS 180-2 digests") {
  using casex::cli::sha256_hex;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE(
    "decision log: a change's line names the input digest, rule set version, rules fired and "
    "operations") {
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  std::string input =
      R"({"incident": "INC-1", "before": {"phase": "InitialSupport", "assignment": "SM Tier 2"},
    "after": {"phase": "InitialSupport", "assignment": "SM Tier 2", "solution": "Rebooted"},
    "groups": {"SM Tier 2": "SM"}, "origin": "SM"})";
  casex::JsonResult r = rules.eval_json(input);
  REQUIRE(r.ok);
  bj::object line = bj::parse(casex::cli::decision_log_line(rules.version(), input, r.output,
                                                            "2026-01-02T03:04:05Z"))
                        .as_object();
  CHECK(line.at("time") == "2026-01-02T03:04:05Z");
  CHECK(line.at("input_sha256").as_string() == casex::cli::sha256_hex(input));
  CHECK(line.at("rules_version").as_string() == rules.version());
  CHECK(line.at("kind") == "change");
  CHECK(line.at("incident") == "INC-1");
  CHECK(line.at("rules_fired") == bj::array{"resolution.update", "validation.resolve"});
  CHECK(line.at("operations").as_array().empty());      // both go to the origin SM...
  CHECK(line.at("suppressed").as_array().size() == 2);  // ...so both are suppressed
}

TEST_CASE(
    "decision log: an incoming operation's line names the operation and its rule, the file is "
    "appended to") {
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  std::string input = R"({"incoming": "Assign", "incident": {"phase": "Review"}})";
  casex::JsonResult r = rules.eval_json(input);
  REQUIRE(r.ok);
  auto path = std::filesystem::temp_directory_path() / "casex-decision-log-test.jsonl";
  std::filesystem::remove(path);
  {
    casex::cli::DecisionLog log(path.string());
    REQUIRE(log.ok());
    log.record(rules.version(), input, r.output);
    log.record(rules.version(), input, r.output);
  }
  std::ifstream in(path);
  std::string first, second, third;
  std::getline(in, first);
  std::getline(in, second);
  CHECK_FALSE(std::getline(in, third));
  bj::object line = bj::parse(first).as_object();
  CHECK(line.at("kind") == "incoming");
  CHECK(line.at("incoming") == "Assign");
  CHECK(line.at("rules_fired") == bj::array{"incoming.assign"});
  CHECK(line.contains("time"));
  std::filesystem::remove(path);
  CHECK_FALSE(casex::cli::DecisionLog("/nonexistent-dir/x.jsonl").ok());
}
