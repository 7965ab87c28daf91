// tests/hostile_lint_test.cpp: issue 13's hostile inputs for check, lint and
// render: incoming actions that write what their field cannot hold, a priority
// tie, a scenario past the alternatives' limit, tables generated to make the
// analysis quadratic (lint stops at its budget, or groups identical rules), and a
// vocabulary of thousands of phases. The big inputs are generated here; the
// ctest timeout of these tests (tests/CMakeLists.txt) is their time limit.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/check/check.h"
#include "engine/lint/lint.h"
#include "engine/lint/theory.h"
#include "engine/render/render.h"
#include "tests/support/generate.h"

namespace bj = boost::json;
using casex::Diagnostic;
using casex::SourceFile;

namespace {

SourceFile& file_named(std::vector<SourceFile>& files, const std::string& suffix) {
  for (auto& f : files)
    if (f.name.size() >= suffix.size() &&
        f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return f;
  FAIL("no rule file " << suffix);
  throw;
}

// The built-in rules with two more fields: prio (number) and urgent (boolean).
std::vector<SourceFile> with_typed_fields() {
  auto files = casex::RuleSet::builtin_sources();
  std::string& v = file_named(files, "vocabulary.yaml").text;
  const std::string anchor = "    - {name: expected_resolution_time, type: text}\n";
  auto at = v.find(anchor);
  REQUIRE(at != std::string::npos);
  v.insert(at + anchor.size(),
           "    - {name: prio, type: number}\n"
           "    - {name: urgent, type: boolean}\n");
  return files;
}

std::vector<Diagnostic> with_code(const casex::LoadResult& r, const std::string& code) {
  std::vector<Diagnostic> out;
  for (const auto& d : r.diagnostics)
    if (d.code == code) out.push_back(d);
  return out;
}

// Line and column (1-based) of the first occurrence of `needle` in `text`.
std::pair<int, int> position_of(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(),
                                             text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  auto bol = text.rfind('\n', at);
  int col = static_cast<int>(at - (bol == std::string::npos ? 0 : bol + 1)) + 1;
  return {line, col};
}

// A table file for the Resolution metaphase.
std::string table(const std::string& policy, const std::string& rules) {
  return "table:\n  id: resolution\n  scope: {metaphase: Resolution}\n  hit_policy: " + policy +
         "\n  rules:\n" + rules;
}

}  // namespace

TEST_CASE(
    "hostile lint: incoming set of a text on a number or a boolean, an out-of-set value and an "
    "unknown phase "
    "are load errors at the value",
    "[lint][hostile-lint]") {
  auto files = with_typed_fields();
  std::string& in = file_named(files, "incoming.yaml").text;
  const std::string anchor =
      "      - {set: completion_code, value: CompletionCodeAbandonedByUser}\n";
  auto at = in.find(anchor);
  REQUIRE(at != std::string::npos);
  in.insert(at + anchor.size(),
            "      - {set: prio, value: high}\n"
            "      - {set: urgent, value: yes}\n"
            "      - {set: completion_code, value: NotAValue}\n"
            "      - {set: phase, value: Nowhere}\n"
            "      - {set_if_no_value: completion_code, value: \"{incident.solution}\"}\n");
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  CHECK(!loaded.rules);  // the rules do not load: no action writes what its field cannot hold
  auto r = casex::lint_texts(files);
  const std::string name = file_named(files, "incoming.yaml").name;
  auto expect = [&](const std::string& code, const std::string& value_text,
                    const std::string& words) {
    INFO(code << " at " << value_text);
    auto [line, col] = position_of(in, value_text);
    bool found = false;
    for (const auto& d : with_code(r, code))
      if (d.file == name && d.line == line && d.column == col &&
          d.severity == casex::Severity::Error && d.message.find(words) != std::string::npos)
        found = true;
    CHECK(found);
  };
  expect("type-mismatch", "high}", "field \"prio\" is a number");
  expect("type-mismatch", "yes}", "field \"urgent\" is a boolean");
  expect("value-not-in-set", "NotAValue}", "\"NotAValue\" is not a value of completion_code");
  expect("unknown-phase", "Nowhere}", "unknown phase \"Nowhere\"");
  expect("value-not-in-set", "{incident.solution}\"}", "may make any text");
  // the did-you-mean of a near miss
  in.replace(in.find("NotAValue"), 9, "CompletionCodeFulfiled");
  auto r2 = casex::lint_texts(files);
  bool suggested = false;
  for (const auto& d : with_code(r2, "value-not-in-set"))
    suggested = suggested || d.help.find("CompletionCodeFulfilled") != std::string::npos;
  CHECK(suggested);
}

TEST_CASE("hostile lint: incoming actions with values their fields hold still load and lint clean",
          "[lint][hostile-lint]") {
  auto files = casex::RuleSet::builtin_sources();
  std::string& in = file_named(files, "incoming.yaml").text;
  const std::string anchor =
      "      - {set: completion_code, value: CompletionCodeAbandonedByUser}\n";
  auto at = in.find(anchor);
  REQUIRE(at != std::string::npos);
  in.insert(at + anchor.size(),
            "      - {set: phase, value: Closed}\n"  // an alias of Close
            "      - {set: solution, value: \"by {message.system}: {incident.solution}\"}\n"
            "      - {set_if_no_value: completion_code, value: \"{incident.completion_code}\"}\n"
            "      - {set: completion_code, value: \"\"}\n");
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  CHECK(casex::lint_texts(files).diagnostics.empty());
}

TEST_CASE(
    "hostile lint: incoming set of a number on a number field and true on a boolean field writes "
    "them typed",
    "[lint][hostile-lint]") {
  auto files = with_typed_fields();
  std::string& in = file_named(files, "incoming.yaml").text;
  const std::string anchor =
      "      - {set: completion_code, value: CompletionCodeAbandonedByUser}\n";
  auto at = in.find(anchor);
  REQUIRE(at != std::string::npos);
  in.insert(at + anchor.size(),
            "      - {set: prio, value: 5}\n      - {set: urgent, value: true}\n");
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.rules);
  casex::JsonResult r = loaded.rules->eval_json(
      R"({"incoming": "Cancel", "system": "SM", "id": "1", "incident": {"phase": "Review"}})");
  INFO(r.error);
  REQUIRE(r.ok);
  // A number and a boolean in the result, not the texts "5" and "true".
  CHECK(r.output.find(R"("prio":5,)") != std::string::npos);  // an integer written as one, not 5E0
  CHECK(r.output.find(R"("urgent":true)") != std::string::npos);
}

TEST_CASE(
    "hostile lint: a scenario of nine two-way ors gives scenario-too-complex, not "
    "unsatisfiable-scenario",
    "[lint][hostile-lint]") {
  auto files = casex::RuleSet::builtin_sources();
  std::string when;
  for (int i = 0; i < 9; ++i)
    when += fmt::format("{}(after.solution == \"a{}\" or after.assignment == \"g{}\")",
                        i ? " and " : "", i, i);
  file_named(files, "resolution.yaml").text =
      table("first", "    - id: r.wide\n      when: " + when +
                         "\n      then: Update\n"
                         "    - id: r.plain\n      when: comment_added\n      then: Update\n");
  auto r = casex::lint_texts(files);
  CHECK(with_code(r, "scenario-too-complex").size() == 1);
  CHECK(with_code(r, "unsatisfiable-scenario").empty());
  CHECK(with_code(r, "analysis-skipped").size() == 1);  // the table with the error: not analysed
  for (const auto& d : r.diagnostics) {
    INFO(d.code << ": " << d.message);
    CHECK((d.code == "scenario-too-complex" || d.code == "analysis-skipped"));
  }
}

TEST_CASE(
    "hostile lint: under priority, a rule taken by two of equal priority names the earlier, which "
    "fires, "
    "with a witness",
    "[lint][hostile-lint]") {
  auto files = casex::RuleSet::builtin_sources();
  const std::string rule = "      when: comment_added\n      then: Update\n";
  file_named(files, "resolution.yaml").text = table(
      "priority", "    - id: p.a\n" + rule + "      priority: 1\n" + "    - id: p.b\n" + rule +
                      "      priority: 5\n" + "    - id: p.c\n" + rule + "      priority: 5\n");
  auto r = casex::lint_texts(files);
  auto shadowed = with_code(r, "shadowed-rule");
  REQUIRE(shadowed.size() == 2);  // p.a and p.c
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  for (const auto& d : shadowed) {
    INFO(d.message << "\nwitness: " << d.witness);
    CHECK(d.message.find("taken by higher-priority rule \"p.b\"") != std::string::npos);
    REQUIRE(!d.witness.empty());
    auto out = loaded.rules->eval_json(d.witness);
    REQUIRE(out.ok);
    bool b_fires = false;
    bj::value result = bj::parse(out.output);
    for (const auto& op : result.at("operations").as_array())
      b_fires = b_fires || op.at("rule").as_string() == "p.b";
    CHECK(b_fires);
  }
}

TEST_CASE(
    "hostile lint: 5,000 ordering comparisons in one table are analysed within the budget: each "
    "rule after "
    "the first is shadowed by it, with a witness",
    "[lint][hostile-lint][lint-ordering]") {
  // issue 13, recipe #22: N rules `after.solution > "S<i>"`; "S0" is below every
  // other constant byte by byte, so o.0 takes every change the others match
  std::string rules;
  for (int i = 0; i < 5000; ++i)
    rules += fmt::format(
        "    - id: o.{0}\n      when: after.solution > \"S{0}\"\n      then: Update\n", i);
  auto files = casex::detail::builtin_with_resolution(table("first", rules));
  casex::detail::LintStats stats;
  auto r = casex::detail::lint_sources(files, &stats);
  CHECK(with_code(r, "analysis-incomplete").empty());
  CHECK(stats.incomplete_tables == 0);
  CHECK(stats.budget_steps < casex::detail::lint::Budget::kDefault);
  CHECK(stats.candidate_pairs < 100);  // the rows inside o.0's range are not paired with each other
  auto shadowed = with_code(r, "shadowed-rule");
  CHECK(shadowed.size() == 4999);
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  int checked = 0;
  for (const auto& d : shadowed) {
    INFO(d.message << "\nwitness: " << d.witness);
    CHECK(d.message.find("taken by earlier rule \"o.0\"") != std::string::npos);
    CHECK(!d.witness.empty());
    if (checked++ % 500 != 0) continue;  // a sample run through the evaluator: o.0 fires
    auto out = loaded.rules->eval_json(d.witness);
    REQUIRE(out.ok);
    CHECK(out.output.find("\"rule\":\"o.0\"") != std::string::npos);
  }
}

TEST_CASE(
    "hostile lint: 5,000 identical rules under unique give one unique-overlap finding with a "
    "witness, "
    "not one per pair",
    "[lint][hostile-lint]") {
  std::string rules;
  for (int i = 0; i < 5000; ++i)
    rules += fmt::format("    - id: u.{0}\n      when: comment_added\n      then: Update\n", i);
  auto files = casex::detail::builtin_with_resolution(table("unique", rules));
  casex::detail::LintStats stats;
  auto r = casex::detail::lint_sources(files, &stats);
  CHECK(with_code(r, "analysis-incomplete").empty());
  auto overlaps = with_code(r, "unique-overlap");
  REQUIRE(overlaps.size() == 1);
  const Diagnostic& d = overlaps[0];
  INFO(d.message);
  CHECK(d.message.find("rules \"u.0\" and \"u.1\" both match") == 0);
  CHECK(d.message.find(
            "so do 4998 more rules with the same scenario: \"u.2\", \"u.3\", \"u.4\", ...") !=
        std::string::npos);
  CHECK(stats.candidate_pairs < 100);  // the copies are not paired with each other
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  auto out = loaded.rules->eval_json(d.witness);
  CHECK(!out.ok);
  CHECK(out.error.find("\"u.0\" and \"u.1\"") != std::string::npos);
}

TEST_CASE(
    "hostile lint: 5,000 identical rules under first are each reported shadowed by the first one",
    "[lint][hostile-lint]") {
  std::string rules;
  for (int i = 0; i < 5000; ++i)
    rules += fmt::format("    - id: f.{0}\n      when: comment_added\n      then: Update\n", i);
  auto r =
      casex::detail::lint_sources(casex::detail::builtin_with_resolution(table("first", rules)));
  CHECK(with_code(r, "analysis-incomplete").empty());
  auto shadowed = with_code(r, "shadowed-rule");
  CHECK(shadowed.size() == 4999);
  for (const auto& d : shadowed) {
    CHECK(d.message.find("taken by earlier rule \"f.0\"") != std::string::npos);
    if (d.message.find("\"f.4999\"") == std::string::npos) continue;
    CHECK(!d.witness.empty());
  }
}

namespace {

// A vocabulary of n phases (in the metaphases of the built-in rules) on top of the built-in rules.
std::vector<SourceFile> with_phases(std::size_t n) {
  auto files = casex::RuleSet::builtin_sources();
  std::string& v = file_named(files, "vocabulary.yaml").text;
  const std::string anchor = "    - {name: Close,          metaphase: Done, aliases: [Closed]}\n";
  auto at = v.find(anchor);
  REQUIRE(at != std::string::npos);
  std::string more;
  static const char* const kMeta[] = {"Logging", "Resolution", "Validation", "Done"};
  for (std::size_t i = 6; i < n; ++i)
    more += fmt::format("    - {{name: P{}, metaphase: {}}}\n", i, kMeta[i % 4]);
  v.insert(at + anchor.size(), more);
  return files;
}

}  // namespace

TEST_CASE(
    "hostile lint: a vocabulary of 3,000 phases does not load: limit-exceeded at the 257th phase",
    "[lint][hostile-lint]") {
  auto files = with_phases(3000);
  auto loaded = casex::RuleSet::load_texts(files);
  CHECK(!loaded.rules);
  auto limit = with_code(loaded, "limit-exceeded");
  REQUIRE(limit.size() == 1);
  CHECK(limit[0].message == fmt::format("the vocabulary declares 3000 phases; the limit is {}",
                                        casex::detail::kMaxPhases));
  auto [line, col] = position_of(file_named(files, "vocabulary.yaml").text,
                                 fmt::format("P{},", casex::detail::kMaxPhases));
  CHECK(limit[0].line == line);
  CHECK(limit[0].column == col);
  // lint says the same, and analyses nothing of such a vocabulary
  auto linted = casex::lint_texts(files);
  CHECK(with_code(linted, "limit-exceeded").size() == 1);
  for (const auto& d : linted.diagnostics) CHECK(d.code == "limit-exceeded");
}

TEST_CASE(
    "hostile lint: render of a vocabulary at the phase limit grows linearly: no phase x phase "
    "table",
    "[lint][hostile-lint][render]") {
  auto files = with_phases(casex::detail::kMaxPhases);
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  auto linted = casex::detail::lint_sources(files);
  casex::detail::RenderOptions o;
  std::string page =
      casex::detail::render_html(casex::detail::compiled(*loaded.rules), linted.diagnostics, o);
  CHECK(page.find("class=\"steps\"") == std::string::npos);  // the matrix is not drawn...
  CHECK(page.find("class=\"rules steps-list\"") !=
        std::string::npos);                         // ...the tables are listed once
  CHECK(page.find(">P255<") != std::string::npos);  // every phase is drawn
  // the built-in page is 25 KB; 250 more phases add a box each, not a row and a column
  CHECK(page.size() < 200'000);
}

// Ordering comparisons (issue 13, recipe #22): `field OP constant` is modelled
// exactly, as the evaluator orders texts (byte by byte) and numbers (as
// doubles), and a field without a value satisfies no ordering comparison.
namespace {

// The typed fields' rule set (prio: number) with `table` as resolution.yaml.
std::vector<SourceFile> typed_with_table(const std::string& t) {
  auto files = with_typed_fields();
  file_named(files, "resolution.yaml").text = t;
  return files;
}

// A rule of the test tables.
std::string rule(const std::string& id, const std::string& when) {
  return "    - id: " + id + "\n      when: '" + when + "'\n      then: Update\n";
}

// A condition that keeps the rules of one family from meeting those of another under unique.
std::string fam(int k) { return fmt::format("before.solution == \"F{}\" and ", k); }

// Every finding of `code` has a witness on which `casex eval` fails naming both rules.
void check_unique_witnesses(const std::vector<SourceFile>& files, const casex::LoadResult& r) {
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  for (const auto& d : with_code(r, "unique-overlap")) {
    INFO(d.message << "\nwitness: " << d.witness);
    REQUIRE(!d.witness.empty());
    auto out = loaded.rules->eval_json(d.witness);
    CHECK(!out.ok);
    auto first = d.message.find('"'), second = d.message.find('"', first + 1);
    auto third = d.message.find('"', second + 1), fourth = d.message.find('"', third + 1);
    CHECK(out.error.find(d.message.substr(first, second - first + 1)) != std::string::npos);
    CHECK(out.error.find(d.message.substr(third, fourth - third + 1)) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("lint ordering: ranges that do not meet are disjoint: no unique-overlap",
          "[lint][lint-ordering]") {
  auto files =
      typed_with_table(table("unique", rule("n.high", fam(1) + "after.prio > 3") +
                                           rule("n.low", fam(1) + "after.prio < 2") +
                                           rule("n.at", fam(1) + "after.prio == 2.5") +
                                           rule("t.from-b", fam(2) + "after.solution >= \"b\"") +
                                           rule("t.below-b", fam(2) + "after.solution < \"b\"")));
  auto r = casex::lint_texts(files);
  for (const auto& d : r.diagnostics) INFO(d.code << ": " << d.message);
  CHECK(with_code(r, "unique-overlap").empty());
  CHECK(with_code(r, "analysis-incomplete").empty());
}

TEST_CASE(
    "lint ordering: overlapping ranges under unique are reported, each with a witness the "
    "evaluator confirms",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(
      table("unique", rule("n.a", fam(1) + "after.prio > 2 and after.prio < 3") +
                          rule("n.b", fam(1) + "after.prio > 2.5") +
                          rule("t.a", fam(2) + "after.solution > \"a\"") +
                          rule("t.b", fam(2) + "after.solution < \"b\" and comment_added")));
  auto r = casex::lint_texts(files);
  auto overlaps = with_code(r, "unique-overlap");
  REQUIRE(overlaps.size() == 2);
  CHECK(overlaps[0].message.find("rules \"n.a\" and \"n.b\" both match") == 0);
  CHECK(overlaps[1].message.find("rules \"t.a\" and \"t.b\" both match") == 0);
  // a number strictly between 2.5 and 3, a text strictly between "a" and "b"
  CHECK(overlaps[0].witness.find("\"prio\": 2.") != std::string::npos);
  CHECK(overlaps[1].witness.find("\"solution\": \"a") != std::string::npos);
  check_unique_witnesses(files, r);
}

TEST_CASE("lint ordering: a comparison implied by a stricter one is a redundant condition",
          "[lint][lint-ordering]") {
  auto files = typed_with_table(table(
      "first",
      rule("r.n", "comment_added and after.prio > 5 and after.prio > 3") +
          rule("r.t",
               "attachment_changed and after.solution > \"S5\" and after.solution > \"S3\"")));
  auto r = casex::lint_texts(files);
  auto redundant = with_code(r, "redundant-condition");
  REQUIRE(redundant.size() == 2);
  CHECK(redundant[0].message ==
        "condition `after.prio > 3` of rule \"r.n\" never affects which rule fires: `after.prio > "
        "5` implies it");
  CHECK(redundant[1].message ==
        "condition `after.solution > \"S3\"` of rule \"r.t\" never affects which rule "
        "fires: `after.solution > \"S5\"` implies it");
}

TEST_CASE("lint ordering: x > 5 and x < 3 is an unsatisfiable scenario", "[lint][lint-ordering]") {
  auto files =
      typed_with_table(table("first", rule("u.n", "after.prio > 5 and after.prio < 3") +
                                          rule("u.ok", "after.prio > 3 and after.prio < 5")));
  auto r = casex::lint_texts(files);
  auto unsat = with_code(r, "unsatisfiable-scenario");
  REQUIRE(unsat.size() == 1);
  CHECK(unsat[0].message ==
        "no change satisfies the scenario of rule \"u.n\": after.prio > 5 and after.prio < 3 "
        "cannot both hold");
}

TEST_CASE(
    "lint ordering: texts at the boundary: an equal value satisfies <= and >= only, a prefix is "
    "below",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(
      table("unique",
            // equal value: > and <= never meet; >= and <= meet only at "b"
            rule("e.gt", fam(1) + "after.solution > \"b\"") +
                rule("e.le", fam(1) + "after.solution <= \"b\"") +
                rule("e.ge", fam(2) + "after.solution >= \"b\"") +
                rule("e.le2", fam(2) + "after.solution <= \"b\"") +
                // a prefix: "ab" < "ab-" < "abc"; below "ab" and from "ab" on never meet
                rule("p.lt", fam(3) + "after.assignment < \"ab\"") +
                rule("p.ge", fam(3) + "after.assignment >= \"ab\"") +
                rule("p.gt", fam(4) + "after.assignment > \"ab\"") +
                rule("p.lt2", fam(4) + "after.assignment < \"abc\"") +
                // nothing lies strictly between "b" and itself
                rule("x.none", "after.solution > \"b\" and after.solution < \"b\"")));
  auto r = casex::lint_texts(files);
  auto overlaps = with_code(r, "unique-overlap");
  REQUIRE(overlaps.size() == 2);
  CHECK(overlaps[0].message.find("rules \"e.ge\" and \"e.le2\" both match") == 0);
  CHECK(overlaps[0].witness.find("\"solution\": \"b\"") != std::string::npos);
  CHECK(overlaps[1].message.find("rules \"p.gt\" and \"p.lt2\" both match") == 0);
  check_unique_witnesses(files, r);
  auto unsat = with_code(r, "unsatisfiable-scenario");
  REQUIRE(unsat.size() == 1);
  CHECK(unsat[0].message.find("\"x.none\"") != std::string::npos);
}

TEST_CASE(
    "lint ordering: numbers at the boundary compare as doubles: > 2 and <= 2 never meet, >= 2 and "
    "<= 2 at 2",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(table(
      "unique", rule("n.gt", fam(1) + "after.prio > 2") + rule("n.le", fam(1) + "after.prio <= 2") +
                    rule("n.ge", fam(2) + "after.prio >= 2") +
                    rule("n.le2", fam(2) + "after.prio <= 2.0") +
                    rule("n.tiny", fam(3) + "after.prio > 2 and after.prio < 2.000001")));
  auto r = casex::lint_texts(files);
  auto overlaps = with_code(r, "unique-overlap");
  REQUIRE(overlaps.size() == 1);
  CHECK(overlaps[0].message.find("rules \"n.ge\" and \"n.le2\" both match") == 0);
  CHECK(overlaps[0].witness.find("\"prio\": 2}") != std::string::npos);
  check_unique_witnesses(files, r);
  CHECK(with_code(r, "unsatisfiable-scenario").empty());  // n.tiny: 2.0000005 lies there
}

TEST_CASE(
    "lint ordering: a field without a value satisfies no ordering comparison, and not (x > c) "
    "holds for it",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(
      table("unique",
            rule("m.neither", fam(1) + "not (after.prio > 2) and not (after.prio <= 2)") +
                rule("m.none", fam(1) + "not has_value(after.prio)") +
                rule("m.never", fam(2) + "after.prio >= 0 and not has_value(after.prio)") +
                rule("m.text",
                     fam(3) + "not (after.solution < \"b\") and not (after.solution >= \"b\")") +
                rule("m.cleared", fam(3) + "not has_value(after.solution)")));
  auto r = casex::lint_texts(files);
  auto unsat = with_code(r, "unsatisfiable-scenario");
  REQUIRE(unsat.size() == 1);
  CHECK(unsat[0].message.find("\"m.never\"") != std::string::npos);
  // neither x > 2 nor x <= 2: only without a value, where m.none matches too
  auto overlaps = with_code(r, "unique-overlap");
  REQUIRE(overlaps.size() == 2);
  CHECK(overlaps[0].message.find("rules \"m.neither\" and \"m.none\" both match") == 0);
  CHECK(overlaps[0].witness.find("prio") == std::string::npos);
  CHECK(overlaps[1].message.find("rules \"m.text\" and \"m.cleared\" both match") == 0);
  check_unique_witnesses(files, r);
}

TEST_CASE(
    "lint ordering: a shadowed rule below a bound gets a witness below it that the evaluator "
    "confirms",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(
      table("first", rule("s.below-m", "after.solution < \"m\"") +
                         rule("s.below-c", "after.solution < \"c\" and comment_added") +
                         rule("s.mid", "after.prio > 1 and after.prio < 2")));
  auto r = casex::lint_texts(files);
  auto shadowed = with_code(r, "shadowed-rule");
  REQUIRE(shadowed.size() == 1);
  const auto& d = shadowed[0];
  INFO(d.message << "\nwitness: " << d.witness);
  CHECK(d.message.find("rule \"s.below-c\" never fires") == 0);
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  auto out = loaded.rules->eval_json(d.witness);
  REQUIRE(out.ok);
  CHECK(out.output.find("\"rule\":\"s.below-m\"") != std::string::npos);
  CHECK(with_code(r, "unsatisfiable-scenario").empty());
}

TEST_CASE(
    "lint ordering: two fields compared with each other stay a free condition: nothing is claimed",
    "[lint][lint-ordering]") {
  auto files = typed_with_table(
      table("first", rule("f.both", "after.prio > before.prio and after.prio < before.prio") +
                         rule("f.later", "after.solution > before.solution and comment_added")));
  auto r = casex::lint_texts(files);
  CHECK(with_code(r, "unsatisfiable-scenario").empty());  // sound, not complete
  CHECK(with_code(r, "redundant-condition").empty());
}

TEST_CASE(
    "lint ordering: under priority, a range inside the ranges of two rules that win over it names "
    "the one "
    "that fires, with a witness",
    "[lint][lint-ordering]") {
  auto with_priority = [](const std::string& id, const std::string& when, int p) {
    return rule(id, when) + fmt::format("      priority: {}\n", p);
  };
  auto files = typed_with_table(
      table("priority",
            with_priority("p.s5", "after.solution > \"S5\"", 5) +
                with_priority("p.s1", "after.solution > \"S1\" and after.solution <= \"S7\"", 1) +
                with_priority("p.s3", "after.solution > \"S3\"", 9) +
                with_priority("p.s2", "after.solution >= \"S4\" and after.solution < \"S6\"", 1)));
  auto r = casex::lint_texts(files);
  auto shadowed = with_code(r, "shadowed-rule");
  REQUIRE(shadowed.size() == 2);
  CHECK(shadowed[0].message.find("rule \"p.s5\" never fires") == 0);
  CHECK(shadowed[1].message.find("rule \"p.s2\" never fires") == 0);
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  for (const auto& d : shadowed) {
    INFO(d.message << "\nwitness: " << d.witness);
    CHECK(d.message.find("taken by higher-priority rule \"p.s3\"") != std::string::npos);
    REQUIRE(!d.witness.empty());
    auto out = loaded.rules->eval_json(d.witness);
    REQUIRE(out.ok);
    CHECK(out.output.find("\"rule\":\"p.s3\"") != std::string::npos);
  }
}

namespace {

// The shadowed-rule findings of a table of the typed fields, each witness run
// through the evaluator: one of the rules named fires.
std::vector<Diagnostic> shadowed_with_witnesses(const std::vector<SourceFile>& files) {
  auto r = casex::lint_texts(files);
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  auto shadowed = with_code(r, "shadowed-rule");
  for (const auto& d : shadowed) {
    INFO(d.message << "\nwitness: " << d.witness);
    REQUIRE(!d.witness.empty());
    auto out = loaded.rules->eval_json(d.witness);
    REQUIRE(out.ok);
    auto named = d.message.substr(d.message.find("taken by"));
    bool fires = false;
    for (std::size_t q = named.find('"'); q != std::string::npos;
         q = named.find('"', named.find('"', q + 1) + 1)) {
      std::string id = named.substr(q + 1, named.find('"', q + 1) - q - 1);
      fires = fires || out.output.find("\"rule\":\"" + id + "\"") != std::string::npos;
    }
    CHECK(fires);
  }
  return shadowed;
}

}  // namespace

TEST_CASE(
    "lint ordering: a rule inside the range of a rule found never to fire is reported, taken by "
    "the rules "
    "that take that one",
    "[lint][lint-ordering]") {
  auto shadowed = shadowed_with_witnesses(typed_with_table(
      table("first", rule("r.0", "after.prio >= 1 and after.prio > 3") +
                         rule("r.1", "after.prio <= 3 and after.prio >= 1") +
                         rule("r.2", "after.prio > 1") + rule("r.3", "after.prio > 2"))));
  REQUIRE(shadowed.size() == 2);
  CHECK(shadowed[0].message.find("rule \"r.2\" never fires") == 0);
  CHECK(shadowed[1].message.find(
            "rule \"r.3\" never fires: every change it matches is taken by earlier rules "
            "\"r.0\" and \"r.1\"") == 0);
}

TEST_CASE(
    "lint ordering: a rule inside the range of a rule that never fires on its changes names the "
    "rules that do",
    "[lint][lint-ordering]") {
  auto shadowed = shadowed_with_witnesses(typed_with_table(table(
      "first", rule("r.0", "after.prio > 1 and after.prio < 2") + rule("r.1", "after.prio > 3") +
                   rule("r.2", "after.prio >= 2 and after.prio < 3") +
                   rule("r.3", "after.prio >= 1") +
                   rule("r.4", "not (after.prio > 2) and after.prio > 1"))));
  REQUIRE(shadowed.size() == 1);
  CHECK(shadowed[0].message.find(
            "rule \"r.4\" never fires: every change it matches is taken by earlier rules "
            "\"r.0\" and \"r.2\"") == 0);
}
