// tests/semantics_test.cpp: the expression language's meaning as a data table
// (tests/data/semantics/*.txt, one case a line): each line's expression becomes
// the only rule of every metaphase table, and the line says whether it fires.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace {

namespace bj = boost::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces the one occurrence of `from` (the test fails if it is not there once).
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The default vocabulary plus fields for the cases that need other types:
// impact (number), major (boolean), category (text with a value set, a value
// alias HW -> Hardware and the field alias cat).
std::string test_vocabulary() {
  return replace_once(read_file(std::string(CASEX_RULES_DIR) + "/vocabulary.yaml"),
                      "    - {name: expected_resolution_time, type: text}\n",
                      "    - {name: expected_resolution_time, type: text}\n"
                      "    - {name: impact, type: number}\n"
                      "    - {name: major, type: boolean}\n"
                      "    - name: category\n"
                      "      type: text\n"
                      "      aliases: [cat]\n"
                      "      values: [Hardware, Software]\n"
                      "      value_aliases: {HW: Hardware}\n");
}

// One table per metaphase, each holding one rule whose scenario is `expression`.
std::vector<casex::SourceFile> rule_files(const std::string& expression) {
  std::vector<casex::SourceFile> files = {
      {"vocabulary.yaml", test_vocabulary()},
      {"incoming.yaml", read_file(std::string(CASEX_RULES_DIR) + "/incoming.yaml")},
      {"workflow.yaml", "workflow: {deduplicate: true}\ntargets:\n  - system: '\"T\"'\n"}};
  for (const char* m : {"Logging", "Resolution", "Validation", "Done"})
    files.push_back({std::string("table-") + m + ".yaml",
                     std::string("table:\n  id: sem-") + m + "\n  scope: {metaphase: " + m +
                         "}\n  hit_policy: first\n  rules:\n    - id: sem." + m +
                         "\n      when: |-\n        " + expression + "\n      then: Update\n"});
  return files;
}

// The change of a line, with before/after defaulting to {"phase": "Log"}.
std::string change_document(const std::string& compact) {
  bj::value doc = bj::parse(compact);
  REQUIRE(doc.is_object());
  for (const char* side : {"before", "after"}) {
    bj::value& snap = doc.as_object()[side];
    if (snap.is_null()) snap = bj::object();
    REQUIRE(snap.is_object());
    if (!snap.as_object().contains("phase")) snap.as_object()["phase"] = "Log";
  }
  return bj::serialize(doc);
}

// One line: EXPRESSION | CHANGE-JSON | EXPECTED [| bug: NOTE]
// EXPECTED is true, false, or `error CODE` (the rules do not load, with a
// diagnostic of that code). A line with a fourth column is a known engine bug:
// EXPECTED is what the contract says, not what the engine does today.
struct Case {
  int line = 0;
  std::string expression, change, expected, bug;
};

std::vector<Case> read_cases(const std::string& file) {
  std::vector<Case> cases;
  std::istringstream in(read_file(std::string(CASEX_TEST_DATA_DIR) + "/semantics/" + file));
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    std::string t = trim(text);
    if (t.empty() || t[0] == '#') continue;
    INFO(file << ":" << n << ": " << t);
    auto change_at = t.find(" | {");  // expressions hold no '{'
    REQUIRE(change_at != std::string::npos);
    Case c;
    c.line = n;
    c.expression = trim(t.substr(0, change_at));
    // The change is one JSON value; the parser says where it ends.
    std::string rest = t.substr(change_at + 3);
    bj::parser parser;
    bj::error_code ec;
    std::size_t used = parser.write_some(rest.data(), rest.size(), ec);
    REQUIRE_FALSE(ec);
    REQUIRE_NOTHROW(parser.release());  // throws unless one whole value was read
    c.change = rest.substr(0, used);
    std::string tail = trim(rest.substr(used));
    REQUIRE(tail.rfind("|", 0) == 0);
    tail = tail.substr(1);
    auto bug_at = tail.find('|');  // EXPECTED holds no '|'
    if (bug_at != std::string::npos) {
      c.bug = trim(tail.substr(bug_at + 1));
      tail = tail.substr(0, bug_at);
    }
    c.expected = trim(tail);
    REQUIRE((c.expected == "true" || c.expected == "false" || c.expected.rfind("error ", 0) == 0));
    cases.push_back(std::move(c));
  }
  return cases;
}

// Checks one case: loads the rules built around its expression and evaluates its change.
void check_case(const std::string& file, const Case& c) {
  INFO(file << ":" << c.line << ": " << c.expression << " | " << c.change << " | " << c.expected
            << (c.bug.empty() ? "" : " | " + c.bug));
  casex::LoadResult loaded = casex::RuleSet::load_texts(rule_files(c.expression));
  if (c.expected.rfind("error ", 0) == 0) {
    std::string code = c.expected.substr(6);
    INFO("diagnostics:\n" << casex::format_diagnostics(loaded.diagnostics, loaded.sources));
    CHECK_FALSE(loaded.rules.has_value());
    bool found = false;
    for (const auto& d : loaded.diagnostics) found |= d.code == code;
    CHECK(found);
    return;
  }
  INFO("diagnostics:\n" << casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  CHECK(loaded.rules.has_value());
  if (!loaded.rules) return;  // a bad line does not hide the lines after it
  casex::JsonResult r = loaded.rules->eval_json(change_document(c.change));
  INFO("eval_json: " << (r.ok ? r.output : r.error));
  CHECK(r.ok);
  if (!r.ok) return;
  bool fired = !bj::parse(r.output).at("operations").as_array().empty();
  CHECK(fired == (c.expected == "true"));
}

void run_file(const std::string& file, bool bugs) {
  std::vector<Case> cases = read_cases(file);
  int run = 0;
  for (const Case& c : cases) {
    if (c.bug.empty() == bugs) continue;
    check_case(file, c);
    ++run;
  }
  if (!bugs) CHECK(run >= 100);
}

}  // namespace

TEST_CASE("expressions.txt: each expression fires exactly on the changes its line says",
          "[semantics]") {
  run_file("expressions.txt", false);
}

TEST_CASE("expressions.txt: no line is left marked as a known engine bug", "[semantics]") {
  for (const Case& c : read_cases("expressions.txt")) CHECK(c.bug.empty());
}

TEST_CASE("a phase compared with a number is refused with an error naming both types",
          "[semantics]") {
  for (const char* expression :
       {"after.phase == 3", "3 != before.phase", "after.phase in [1, 2]"}) {
    INFO(expression);
    casex::LoadResult loaded = casex::RuleSet::load_texts(rule_files(expression));
    INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
    CHECK_FALSE(loaded.rules.has_value());
    bool named = false;
    for (const auto& d : loaded.diagnostics)
      named |= d.code == "type-mismatch" &&
               (d.message.find("cannot compare phase with number") != std::string::npos ||
                d.message.find("cannot compare number with phase") != std::string::npos);
    CHECK(named);
  }
}
