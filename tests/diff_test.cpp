// tests/diff_test.cpp: casex::diff_rules (casex diff) on edits of the default
// rules: what is no difference (ids, descriptions, a condition rewritten to
// the same meaning), and what is (a unique table's error, a workflow move,
// a setting), each difference with a witness that evaluates differently.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "casex/tooling.hpp"

namespace {

// The default rules with `from` replaced by `to` in file `file`.
casex::RuleSet edited(const std::string& file, const std::string& from, const std::string& to) {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  bool done = false;
  for (auto& f : files)
    if (f.name.find(file) != std::string::npos) {
      auto at = f.text.find(from);
      REQUIRE(at != std::string::npos);
      f.text.replace(at, from.size(), to);
      done = true;
    }
  REQUIRE(done);
  casex::LoadResult r = casex::RuleSet::load_texts(files);
  REQUIRE(r.rules);
  return *r.rules;
}

casex::RuleSet builtin() { return *casex::RuleSet::load_builtin().rules; }

// Every difference has a witness on which the two rule sets give different results.
void require_witnesses(const casex::RulesDiff& d) {
  for (const auto& x : d.differences) {
    if (x.kind == casex::RuleDifference::Kind::Setting) continue;
    REQUIRE(!x.witness.empty());
    CHECK(x.old_result != x.new_result);
  }
}

}  // namespace

TEST_CASE("diff: a renamed rule with a new description and a reordered condition decides the same",
          "[diff]") {
  casex::RuleSet b = edited("resolution.yaml", "- id: resolution.update", "- id: resolution.upd");
  casex::RulesDiff d = casex::diff_rules(builtin(), b);
  CHECK(d.identical());
  casex::RuleSet c = edited("resolution.yaml",
                            "when: not is_external(before.assignment) and "
                            "is_external(after.assignment)",
                            "when: is_external(after.assignment) and not "
                            "not not is_external(before.assignment)");
  d = casex::diff_rules(builtin(), c);
  CHECK(d.identical());
  CHECK(d.differences.empty());
  CHECK(d.old_version != d.new_version);
}

TEST_CASE("diff: a unique table whose rules overlap gives an error, a difference with a witness",
          "[diff]") {
  casex::RuleSet u = edited("done.yaml", "hit_policy: first", "hit_policy: unique");
  casex::RulesDiff d = casex::diff_rules(builtin(), u);
  REQUIRE(!d.identical());
  bool error = false;
  for (const auto& x : d.differences)
    for (const auto& n : x.new_rules) error = error || n.find("an error") != std::string::npos;
  CHECK(error);
  require_witnesses(d);
}

TEST_CASE("diff: a workflow move to another phase is a workflow difference with a witness",
          "[diff]") {
  casex::RuleSet m = edited("workflow.yaml", "to: Review", "to: Close");
  casex::RulesDiff d = casex::diff_rules(builtin(), m);
  bool move = false;
  for (const auto& x : d.differences)
    if (x.kind == casex::RuleDifference::Kind::Move) {
      move = true;
      CHECK(x.old_rules == std::vector<std::string>{"Review"});
      CHECK(x.new_rules == std::vector<std::string>{"Close"});
    }
  CHECK(move);
  require_witnesses(d);
}

TEST_CASE("diff: suppress_origin switched off is a setting difference", "[diff]") {
  casex::RuleSet s = edited("workflow.yaml", "suppress_origin: true", "suppress_origin: false");
  casex::RulesDiff d = casex::diff_rules(builtin(), s);
  REQUIRE(d.differences.size() >= 1);
  CHECK(d.differences[0].kind == casex::RuleDifference::Kind::Setting);
  CHECK(d.differences[0].phase == "suppress_origin");
}

TEST_CASE("diff: a rule set compared with itself is identical in both directions", "[diff]") {
  casex::RuleSet c = edited("resolution.yaml", "hit_policy: first", "hit_policy: collect");
  CHECK(casex::diff_rules(c, c).identical());
  casex::RulesDiff there = casex::diff_rules(builtin(), c), back = casex::diff_rules(c, builtin());
  CHECK(there.differences.size() == back.differences.size());
  require_witnesses(there);
  require_witnesses(back);
}
