// tests/limits_test.cpp: every input limit gives a clear diagnostic, never a
// crash, a hang or a partial result (README "Limits and guarantees").
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace {

const casex::RuleSet& rules() {
  static const casex::RuleSet r = *casex::RuleSet::load_builtin().rules;
  return r;
}

// The built-in rules with one more file.
casex::LoadResult load_with(const std::string& text) {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  files.push_back({"rules/extra.yaml", text});
  return casex::RuleSet::load_texts(files);
}

bool has_code(const casex::LoadResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics)
    if (d.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("limits: a document over 16 MiB is refused with the limit named", "[limits]") {
  std::string doc = R"({"before":{"phase":"Log","solution":")" +
                    std::string(casex::kMaxDocumentBytes, 'x') + R"("},"after":{"phase":"Log"}})";
  casex::JsonResult r = rules().eval_json(doc);
  CHECK_FALSE(r.ok);
  CHECK(r.output.empty());
  CHECK(r.error.find("the limit is 16777216 bytes") != std::string::npos);
}

TEST_CASE("limits: a document just under 16 MiB is evaluated", "[limits]") {
  std::string head = R"({"before":{"phase":"Log","solution":")",
              tail = R"("},"after":{"phase":"Log"}})";
  std::string doc =
      head + std::string(casex::kMaxDocumentBytes - head.size() - tail.size(), 'x') + tail;
  REQUIRE(doc.size() == casex::kMaxDocumentBytes);
  CHECK(rules().eval_json(doc).ok);
}

TEST_CASE("limits: JSON nested deeper than 32 levels is refused, not recursed into", "[limits]") {
  std::string deep(100000, '[');
  casex::JsonResult r = rules().eval_json(deep);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("deeper than 32 levels") != std::string::npos);
}

TEST_CASE("limits: a rule file over 1 MiB is refused", "[limits]") {
  auto r = load_with("# " + std::string(1 << 20, 'x') + "\n");
  CHECK_FALSE(r.rules);
  CHECK(has_code(r, "limit-exceeded"));
}

TEST_CASE("limits: deep YAML nesting is refused before yaml-cpp recurses", "[limits]") {
  CHECK(has_code(load_with("x: " + std::string(100000, '[') + "\n"), "limit-exceeded"));
  std::string dashes;
  for (int i = 0; i < 50000; ++i) dashes += "- ";
  CHECK(has_code(load_with(dashes + "a\n"), "limit-exceeded"));
  std::string indented = "x:\n";
  for (int i = 1; i < 400; ++i) indented += std::string(i, ' ') + "a" + std::to_string(i) + ":\n";
  CHECK(has_code(load_with(indented), "limit-exceeded"));
}

TEST_CASE(
    "limits: a billion-laughs file is refused quickly at the alias past 100,000 expanded nodes, "
    "not expanded",
    "[limits]") {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 20; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 10; ++j) text += ", " + prev;
    text += "]\n";
  }
  text += "vocabulary: *a19\n";
  auto r = load_with(text);
  CHECK_FALSE(r.rules);
  REQUIRE(r.diagnostics.size() == 1);  // refused before the walk: no unknown-key findings
  CHECK(r.diagnostics[0].code == "limit-exceeded");
  CHECK(r.diagnostics[0].line ==
        5);  // a1..a3 add 12,330 nodes; the eighth *a3 of a4 crosses 100,000
  CHECK(r.diagnostics[0].message == "YAML aliases expand to more than 100000 nodes in this file");
}

TEST_CASE(
    "limits: an expression over 16384 bytes or nested over 64 levels is a limit-exceeded finding",
    "[limits]") {
  auto table = [](const std::string& when) {
    return "table:\n  id: big\n  scope: {transition: {from: Log, to: Close}}\n  hit_policy: first\n"
           "  rules:\n    - {id: big.rule, then: Close, when: '" +
           when + "'}\n";
  };
  std::string long_expr = "comment_added";
  while (long_expr.size() <= 16384) long_expr += " or comment_added";
  CHECK(has_code(load_with(table(long_expr)), "limit-exceeded"));
  CHECK(has_code(load_with(table(std::string(65, '(') + "comment_added" + std::string(65, ')'))),
                 "limit-exceeded"));
}

TEST_CASE("limits: hostile text in a field is inserted as plain text, never interpreted",
          "[limits]") {
  std::string solution = R"(%n %s {} {0} {incident.solution} {{ }} \\ \" \u0000 é)";
  casex::JsonResult r = rules().eval_json(
      R"({"incoming":"Reopen","incident":{"phase":"Review","solution":")" + solution + R"("}})");
  REQUIRE(r.ok);
  CHECK(r.output.find(
            R"(Previous solution was: %n %s {} {0} {incident.solution} {{ }} \\ \" \u0000 é.)") !=
        std::string::npos);
}
