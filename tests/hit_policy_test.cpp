// tests/hit_policy_test.cpp: the four hit policies of a decision table (first,
// unique, priority, collect), each on a small Resolution table that replaces
// the default one, evaluated on in-phase changes of an InitialSupport incident.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace {

namespace bj = boost::json;

// The default rules with resolution.yaml replaced by `table` (and `workflow_edit`
// applied to workflow.yaml: a {from, to} replacement, if `from` is not empty).
casex::RuleSet rules_with(const std::string& table, const std::string& from = {},
                          const std::string& to = {}) {
  std::vector<casex::SourceFile> files;
  for (auto& f : casex::RuleSet::builtin_sources()) {
    if (f.name.find("resolution.yaml") != std::string::npos) continue;
    if (!from.empty() && f.name.find("workflow.yaml") != std::string::npos) {
      auto at = f.text.find(from);
      REQUIRE(at != std::string::npos);
      f.text.replace(at, from.size(), to);
    }
    files.push_back(std::move(f));
  }
  files.push_back({"hit-policy.yaml", table});
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.diagnostics.empty());
  REQUIRE(loaded.rules);
  return *loaded.rules;
}

// A change inside InitialSupport with the given events, on an incident with a record on SM.
std::string change(bool comment, bool attachment) {
  return std::string(
             R"({"before": {"phase": "InitialSupport"}, "after": {"phase": "InitialSupport"},)") +
         R"("external_reference": {"system": "SM", "id": "IM1"},)" + R"("comment_added": )" +
         (comment ? "true" : "false") + R"(, "attachment_changed": )" +
         (attachment ? "true" : "false") + "}";
}

// The operations a change sends, each as "OPERATION SYSTEM RULE".
std::vector<std::string> sent(const casex::RuleSet& rules, const std::string& document) {
  casex::JsonResult r = rules.eval_json(document);
  INFO(r.error);
  REQUIRE(r.ok);
  std::vector<std::string> out;
  bj::value result = bj::parse(r.output);
  for (const auto& op : result.at("operations").as_array()) {
    const auto& o = op.as_object();
    out.push_back(std::string(o.at("operation").as_string()) + " " +
                  std::string(o.at("system").as_string()) + " " +
                  std::string(o.at("rule").as_string()));
  }
  return out;
}

using Ops = std::vector<std::string>;

const char* const kUniqueTable = R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: unique
  rules:
    - id: hp.comment
      when: comment_added
      then: Update
      system: '"A"'
    - id: hp.attachment
      when: attachment_changed
      then: Resolve
      system: '"B"'
    - id: hp.solution
      when: changed(solution)
      then: Close
      system: '"C"'
)";

}  // namespace

TEST_CASE("hit policy unique: one matching rule fires, two matching rules are an error naming both",
          "[hit-policy]") {
  casex::RuleSet rules = rules_with(kUniqueTable);
  CHECK(sent(rules, change(true, false)) == Ops{"Update A hp.comment"});
  CHECK(sent(rules, change(false, true)) == Ops{"Resolve B hp.attachment"});
  CHECK(sent(rules, change(false, false)).empty());

  casex::JsonResult both = rules.eval_json(change(true, true));
  CHECK_FALSE(both.ok);
  CHECK(both.output.empty());
  CHECK_THAT(both.error, Catch::Contains("\"hp.comment\"") &&
                             Catch::Contains("\"hp.attachment\"") && Catch::Contains("unique"));
}

TEST_CASE("hit policy unique: the typed API throws std::runtime_error when two rules match",
          "[hit-policy]") {
  casex::RuleSet rules = rules_with(kUniqueTable);
  casex::Change c;
  c.before = {{"phase", "InitialSupport"}};
  c.after = {{"phase", "InitialSupport"}};
  c.flags = {{"comment_added", true}, {"attachment_changed", true}};
  CHECK_THROWS_AS(rules.evaluate(c), std::runtime_error);
  c.flags = {{"comment_added", true}};
  CHECK(rules.evaluate(c).operations.size() == 1);
}

TEST_CASE(
    "hit policy unique: a rule matching through two alternatives of its scenario is one match",
    "[hit-policy]") {
  casex::RuleSet rules = rules_with(R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: unique
  rules:
    - id: hp.any
      when: comment_added or attachment_changed or changed(solution)
      then: Update
      system: '"A"'
)");
  CHECK(sent(rules, change(true, true)) == Ops{"Update A hp.any"});
}

TEST_CASE(
    "hit policy priority: the matching rule with the highest priority wins, ties go to the earlier "
    "rule",
    "[hit-policy]") {
  casex::RuleSet rules = rules_with(R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: priority
  rules:
    - id: hp.low
      when: comment_added
      then: Update
      system: '"A"'
      priority: 1
    - id: hp.both
      when: comment_added and attachment_changed
      then: Resolve
      system: '"A"'
      priority: 5
    - id: hp.high
      when: comment_added
      then: Close
      system: '"A"'
      priority: 5
    - id: hp.default
      when: attachment_changed
      then: Reject
      system: '"A"'
    - id: hp.negative
      when: attachment_changed
      then: Cancel
      system: '"A"'
      priority: -3
)");
  // hp.high (5) beats hp.low (1) although it comes later.
  CHECK(sent(rules, change(true, false)) == Ops{"Close A hp.high"});
  // hp.both and hp.high tie at 5: the earlier one wins.
  CHECK(sent(rules, change(true, true)) == Ops{"Resolve A hp.both"});
  // No `priority:` is priority 0, which beats -3.
  CHECK(sent(rules, change(false, true)) == Ops{"Reject A hp.default"});
  CHECK(sent(rules, change(false, false)).empty());
}

TEST_CASE("hit policy priority: a lone match with a negative priority still fires",
          "[hit-policy]") {
  casex::RuleSet rules = rules_with(R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: priority
  rules:
    - id: hp.negative
      when: attachment_changed
      then: Cancel
      system: '"A"'
      priority: -3
)");
  CHECK(sent(rules, change(false, true)) == Ops{"Cancel A hp.negative"});
}

namespace {

const char* const kCollectTable = R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: collect
  rules:
    - id: hp.update-a
      when: comment_added
      then: Update
      system: '"A"'
    - id: hp.update-a-again
      when: comment_added or attachment_changed
      then: Update
      system: '"A"'
    - id: hp.update-b
      when: comment_added
      then: Update
      system: '"B"'
    - id: hp.resolve-a
      when: attachment_changed
      then: Resolve
      system: '"A"'
    - id: hp.update-by-target
      when: attachment_changed
      then: Update
)";

}  // namespace

TEST_CASE(
    "hit policy collect: every matching rule fires in table order, once per (operation, system)",
    "[hit-policy]") {
  casex::RuleSet rules = rules_with(kCollectTable);
  // hp.update-a-again repeats (Update, A) and sends nothing.
  CHECK(sent(rules, change(true, false)) == Ops{"Update A hp.update-a", "Update B hp.update-b"});
  // hp.update-by-target has no `system:`: the targets send it to the record's system.
  CHECK(sent(rules, change(false, true)) == Ops{"Update A hp.update-a-again",
                                                "Resolve A hp.resolve-a",
                                                "Update SM hp.update-by-target"});
  CHECK(sent(rules, change(true, true)) == Ops{"Update A hp.update-a", "Update B hp.update-b",
                                               "Resolve A hp.resolve-a",
                                               "Update SM hp.update-by-target"});
  CHECK(sent(rules, change(false, false)).empty());
}

TEST_CASE(
    "hit policy collect: with deduplicate off, repeated (operation, system) pairs are all sent",
    "[hit-policy]") {
  casex::RuleSet rules = rules_with(kCollectTable, "deduplicate: true", "deduplicate: false");
  CHECK(sent(rules, change(true, false)) ==
        Ops{"Update A hp.update-a", "Update A hp.update-a-again", "Update B hp.update-b"});
}

TEST_CASE("hit policy first: the first matching rule in table order wins, priorities are ignored",
          "[hit-policy]") {
  casex::RuleSet rules = rules_with(R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: first
  rules:
    - id: hp.attachment
      when: attachment_changed
      then: Resolve
      system: '"A"'
      priority: 1
    - id: hp.comment
      when: comment_added
      then: Update
      system: '"A"'
      priority: 9
)");
  CHECK(sent(rules, change(true, true)) == Ops{"Resolve A hp.attachment"});
  CHECK(sent(rules, change(true, false)) == Ops{"Update A hp.comment"});
  CHECK(sent(rules, change(false, false)).empty());
}

TEST_CASE("hit policy: an unknown policy name is a load diagnostic", "[hit-policy]") {
  std::vector<casex::SourceFile> files;
  for (auto& f : casex::RuleSet::builtin_sources())
    if (f.name.find("resolution.yaml") == std::string::npos) files.push_back(std::move(f));
  files.push_back({"hit-policy.yaml", R"(table:
  id: hp
  scope: {metaphase: Resolution}
  hit_policy: firts
  rules:
    - {id: hp.a, when: comment_added, then: Update}
)"});
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  CHECK_FALSE(loaded.rules);
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].code == "unknown-hit-policy");
  CHECK(loaded.diagnostics[0].file == "hit-policy.yaml");
  CHECK(loaded.diagnostics[0].line == 4);
}
