// tests/render_test.cpp: `casex render`'s page (engine/render): every table and rule is
// there in the source document's order, nothing is fetched from the network, findings
// sit beside their rule, and the workflow SVG draws the moves from the phases they can start in.
#include <catch2/catch.hpp>

#include <string>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/render/render.h"

namespace {

const casex::RuleSet& builtin() {
  static casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  return rules;
}

std::string page(const std::vector<casex::Diagnostic>& findings = {}) {
  casex::detail::RenderOptions o;
  o.source = "the built-in rules";
  return casex::detail::render_html(casex::detail::compiled(builtin()), findings, o);
}

}  // namespace

TEST_CASE(
    "render: every table and every rule is on the page, tables in the source document's order") {
  std::string html = page();
  const auto& r = casex::detail::compiled(builtin()).rules;
  for (const auto& t : r.tables) {
    CHECK(html.find("data-table=\"" + t.id + "\"") != std::string::npos);
    for (const auto& rule : t.rules)
      CHECK(html.find("data-rule=\"" + rule.id + "\"") != std::string::npos);
  }
  for (const auto& in : r.incoming)
    CHECK(html.find("data-rule=\"" + in.id + "\"") != std::string::npos);
  auto at = [&](const char* id) { return html.find(std::string("data-table=\"") + id + "\""); };
  CHECK(at("resolution") < at("validation"));
  CHECK(at("validation") < at("done"));
  CHECK(at("done") < at("review-initialsupport"));
  CHECK(html.find("rules/validation.yaml:9") != std::string::npos);  // where each rule is written
}

TEST_CASE("render: the page is self-contained: no URL, no script, no external style or image") {
  std::string html = page();
  for (const char* s : {"http:", "https:", "<script", "<link", "<img", "@import"}) {
    INFO(s);
    CHECK(html.find(s) == std::string::npos);
  }
  CHECK(html.find("<svg") != std::string::npos);
}

TEST_CASE("render: a finding is shown beside the rule it points into, others at the top") {
  const auto& rule = casex::detail::compiled(builtin()).rules.tables.at(0).rules.at(1);
  casex::Diagnostic d;
  d.code = "rule-shadowed";
  d.severity = casex::Severity::Warning;
  d.file = rule.loc.file;
  d.line = rule.loc.line + 2;
  d.column = 7;
  d.message = "never fires <test>";
  casex::Diagnostic general = d;
  general.file = "elsewhere.yaml";
  std::string html = page({d, general});
  auto row = html.find("data-rule=\"" + rule.id + "\"");
  auto finding = html.find("never fires &lt;test&gt;", row);
  REQUIRE(row != std::string::npos);
  CHECK(finding < html.find("</tr>", row));
  CHECK(html.find("id=\"findings\"") < html.find("elsewhere.yaml"));
}

TEST_CASE("render: the workflow move starts from the phases where its condition can hold") {
  const auto& c = casex::detail::compiled(builtin());
  std::vector<int> from = casex::detail::move_sources(c, c.rules.moves.at(0));
  const auto& phases = c.rules.vocabulary.phases;
  REQUIRE(from.size() == 2);
  CHECK(phases[from[0]] == "InitialSupport");
  CHECK(phases[from[1]] == "Escalate");
}
