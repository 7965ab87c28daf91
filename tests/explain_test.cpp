// tests/explain_test.cpp: `casex explain` as golden fixtures (tests/data/explain, against its
// copy of the default rules: each <case>.json beside its <case>.expected.txt, and .expected.json
// for the JSON form; CASEX_UPDATE_FIXTURES=1 rewrites them), plus the parts an explanation must
// name.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "casex/casex.hpp"
#include "casex/tooling.hpp"
#include "engine/api_internal.h"
#include "engine/explain/explain.h"

namespace fs = std::filesystem;
namespace bj = boost::json;

namespace {

const std::string kDir = std::string(CASEX_TEST_DATA_DIR) + "/explain";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixtures' own copy of the default rules, so that edits of rules/ do not change them.
const casex::RuleSet& builtin() {
  static casex::RuleSet rules = *casex::RuleSet::load_directory(kDir + "/rules").rules;
  return rules;
}

bj::object explain(const std::string& doc) {
  bj::object e;
  std::string error;
  REQUIRE(casex::detail::explain_document(casex::detail::compiled(builtin()), doc, e, error));
  return e;
}

bool update_mode() {
  const char* v = std::getenv("CASEX_UPDATE_FIXTURES");
  return v && std::string(v) == "1";
}

}  // namespace

TEST_CASE("explain: every fixture of tests/data/explain gives its expected text and JSON") {
  int n = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    std::string name = e.path().filename().string();
    if (e.path().extension() != ".json" || name.find(".expected.") != std::string::npos) continue;
    ++n;
    std::string base = e.path().string().substr(0, e.path().string().size() - 5);
    bj::object x = explain(slurp(e.path()));
    std::string text = casex::detail::explanation_text(x);
    if (update_mode()) std::ofstream(base + ".expected.txt", std::ios::binary) << text;
    INFO("case " << name << ", actual output:\n" << text);
    CHECK(text == slurp(base + ".expected.txt"));
    if (fs::exists(base + ".expected.json")) {
      INFO("actual JSON: " << bj::serialize(x));
      CHECK(bj::value(x) == bj::parse(slurp(base + ".expected.json")));
    }
  }
  CHECK(n >= 6);
}

TEST_CASE(
    "explain: a rule that did not fire names the false part of its scenario with the values it "
    "read") {
  bj::object e = explain(slurp(fs::path(CASEX_TEST_DATA_DIR) / "../../examples/change.json"));
  const auto& rule = e.at("steps").at(0).at("rules").at(0).as_object();  // resolution.assign
  CHECK(rule.at("id") == "resolution.assign");
  CHECK(rule.at("outcome") == "no-match");
  const auto& part = rule.at("because").at(0).as_object();
  CHECK(part.at("expr") ==
        "not is_external(before.assignment)");  // the scenario's own text (its span)
  CHECK(part.at("is") == false);
  CHECK(part.at("reads").at("before.assignment") == "SM Tier 2");
  CHECK(part.at("reads").at("external_system(before.assignment)") == "SM");
}

TEST_CASE(
    "explain: the workflow move, the plan and the target entry that chose the system are named") {
  bj::object e = explain(slurp(fs::path(CASEX_TEST_DATA_DIR) / "../../examples/change.json"));
  CHECK(e.at("workflow").at("move") == "workflow.solution-moves-to-review");
  CHECK(e.at("plan").at("kind") == "two-metaphases");
  const auto& op = e.at("steps").at(0).at("operations").at(0).as_object();
  CHECK(op.at("fate") == "sent");
  const auto& tried = op.at("target").at("tried").as_array();
  CHECK(tried.back().at("entry") == 3);
  CHECK(tried.back().at("taken") == true);
  CHECK(tried.back().at("reads").at("external_reference.system") == "SM");
}

TEST_CASE("explain: a rule matching after the first hit is reported as such, not as a hit") {
  std::string doc =
      R"({"before": {"phase": "Review"}, "after": {"phase": "Review", "completion_code": "WithdrawnbyUser"},
                        "external_reference": {"system": "SM", "id": "1"}})";
  bj::object e = explain(doc);
  const auto& rules = e.at("steps").at(0).at("rules").as_array();
  CHECK(rules.at(0).at("outcome") == "hit");
  CHECK(rules.at(2).at("outcome") == "matches-after-first-hit");
  CHECK(e.at("steps").at(0).at("hit") == bj::array{"validation.cancel"});
}

TEST_CASE("explain: bad input is an error, not an explanation") {
  bj::object e;
  std::string error;
  CHECK_FALSE(casex::detail::explain_document(casex::detail::compiled(builtin()),
                                              R"({"before": {"phase": "Reveiw"}})", e, error));
  CHECK(error.find("Reveiw") != std::string::npos);
}

TEST_CASE("explain: expr_text writes typed expressions back in the rule language") {
  const auto& r = casex::detail::compiled(builtin()).rules;
  CHECK(casex::detail::expr_text(r.moves.at(0).when, r.vocabulary) ==
        "metaphase(after.phase) == \"Resolution\" and changed(solution) and "
        "has_value(after.solution)");
  CHECK(casex::detail::expr_text(*r.targets.at(2).when, r.vocabulary) ==
        "has_value(external_reference)");
}

namespace {

// A change from InitialSupport that sends Update to the reference's system SM.
std::string change_from(const std::string& origin_json) {
  return R"({"before": {"phase": "InitialSupport", "assignment": "SM Tier 2"},
             "after": {"phase": "InitialSupport", "assignment": "SM Tier 2"},
             "comment_added": true, "external_reference": {"system": "SM", "id": "IM1"},
             "groups": {"SM Tier 2": "SM", "Vendor Network": "VENDOR"}, "origin": )" +
         origin_json + "}";
}

}  // namespace

TEST_CASE(
    "explain: an origin that is no system of the change or the rules is noted, not an error") {
  bj::object e = explain(change_from("\"sm\""));
  REQUIRE(e.contains("origin_note"));
  std::string note(e.at("origin_note").as_string());
  CHECK(note.find("origin \"sm\" is no system") != std::string::npos);
  CHECK(note.find("\"SM\", \"VENDOR\"") != std::string::npos);  // the systems it could mean
  // Not suppressed (the comparison is exact), and said last in the text.
  CHECK(e.at("result").at("suppressed").as_array().empty());
  std::string text = casex::detail::explanation_text(e);
  CHECK(text.rfind("\nNote: origin \"sm\" is no system") != std::string::npos);
  CHECK(text.substr(text.size() - 1) == "\n");
}

TEST_CASE("explain: an origin naming a group's system, the reference's or none gives no note") {
  CHECK_FALSE(explain(change_from("\"SM\"")).contains("origin_note"));      // the reference
  CHECK_FALSE(explain(change_from("\"VENDOR\"")).contains("origin_note"));  // a group's
  CHECK_FALSE(explain(change_from("null")).contains("origin_note"));        // no origin
  // SM suppresses the Update it would send to SM.
  CHECK(explain(change_from("\"SM\"")).at("result").at("suppressed").as_array().size() == 1);
}

TEST_CASE("explain: an origin naming a system only the rules' targets name gives no note") {
  std::vector<casex::SourceFile> files;
  for (const auto& f : fs::directory_iterator(kDir + "/rules")) {
    std::string text = slurp(f.path());
    if (f.path().filename() == "workflow.yaml") {
      const std::string entry = "targets:\n";
      auto at = text.find(entry);
      REQUIRE(at != std::string::npos);
      text.insert(at + entry.size(), "  - operations: [Close]\n    system: '\"ARCHIVE\"'\n");
    }
    files.push_back({f.path().string(), text});
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  auto loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  const auto& compiled = casex::detail::compiled(*loaded.rules);
  CHECK(casex::detail::named_systems(compiled) == std::vector<std::string>{"ARCHIVE"});
  CHECK(casex::detail::origin_note(compiled, "ARCHIVE", {}).empty());
  CHECK(casex::detail::origin_note(compiled, "Archive", {"SM"}).find("(\"SM\", \"ARCHIVE\")") !=
        std::string::npos);
  // The public API reads the same from a document.
  CHECK(casex::origin_note(*loaded.rules, change_from("\"ARCHIVE\"")).empty());
  CHECK_FALSE(casex::origin_note(*loaded.rules, change_from("\"archive\"")).empty());
  CHECK(casex::origin_note(*loaded.rules, R"({"operation": "Reopen", "origin": "x"})").empty());
}
