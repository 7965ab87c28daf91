// tests/api_test.cpp: the public C++ API (include/casex/casex.hpp): loading
// built-in, directory and text rules, versions, the typed evaluate() against
// eval_json(), input errors, and one RuleSet shared by several threads.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "casex/casex.hpp"

namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

casex::RuleSet builtin() {
  casex::LoadResult loaded = casex::RuleSet::load_builtin();
  REQUIRE(loaded.rules);
  return *loaded.rules;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every input document of the `casex eval` fixtures (tests/data/eval), one per
// .json file and one per line of a .jsonl file.
std::vector<std::string> fixture_documents() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(CASEX_TEST_DATA_DIR) / "eval")) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find(".expected") != std::string::npos) continue;
    if (e.path().extension() == ".json" || e.path().extension() == ".jsonl")
      paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> docs;
  for (const auto& p : paths) {
    std::string text = read_file(p);
    if (p.extension() == ".json") {
      docs.push_back(text);
      continue;
    }
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) docs.push_back(line);
  }
  return docs;
}

// The `casex eval` document of a typed change.
std::string to_json(const casex::Change& c) {
  bj::object o;
  if (c.record) o["incident"] = *c.record;
  auto snapshot = [](const std::vector<casex::Field>& fields) {
    bj::object s;
    for (const auto& [name, value] : fields)
      s[name] = value ? bj::value(*value) : bj::value(nullptr);
    return s;
  };
  o["before"] = snapshot(c.before);
  o["after"] = snapshot(c.after);
  for (const auto& [name, on] : c.flags) o[name] = on;
  if (c.external_reference)
    o["external_reference"] = {{"system", c.external_reference->system},
                               {"id", c.external_reference->id}};
  bj::object groups;
  for (const auto& [group, system] : c.groups) groups[group] = system;
  o["groups"] = std::move(groups);
  if (c.origin) o["origin"] = *c.origin;
  return bj::serialize(o);
}

// A decision in the shape of an eval_json result, for comparison.
bj::value to_json(const casex::Decision& d, const std::optional<std::string>& incident) {
  auto ops = [](const std::vector<casex::Operation>& list) {
    bj::array a;
    for (const auto& o : list)
      a.push_back(bj::object{
          {"operation", o.operation}, {"system", o.system}, {"phase", o.phase}, {"rule", o.rule}});
    return a;
  };
  return bj::object{{"incident", incident ? bj::value(*incident) : bj::value(nullptr)},
                    {"phase", d.phase},
                    {"operations", ops(d.operations)},
                    {"suppressed", ops(d.suppressed)}};
}

casex::Change change(std::vector<casex::Field> before, std::vector<casex::Field> after) {
  casex::Change c;
  c.before = std::move(before);
  c.after = std::move(after);
  c.groups = {{"SM Tier 2", "SM"}, {"Vendor Network", "VENDOR"}};
  return c;
}

}  // namespace

TEST_CASE("api: load_builtin loads the seven default rule files without a diagnostic", "[api]") {
  casex::LoadResult loaded = casex::RuleSet::load_builtin();
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  CHECK(loaded.diagnostics.empty());
  REQUIRE(loaded.rules);
  CHECK(loaded.sources.size() == 7);
  CHECK(casex::RuleSet::builtin_sources().size() == 7);
  CHECK(loaded.rules->version().size() == 16);
}

TEST_CASE(
    "api: load_directory(rules/) has the built-in version and gives the same result for every "
    "fixture",
    "[api]") {
  casex::LoadResult dir = casex::RuleSet::load_directory(CASEX_RULES_DIR);
  INFO(casex::format_diagnostics(dir.diagnostics, dir.sources));
  CHECK(dir.diagnostics.empty());
  REQUIRE(dir.rules);
  casex::RuleSet built = builtin();
  CHECK(dir.rules->version() == built.version());

  std::vector<std::string> docs = fixture_documents();
  CHECK(docs.size() >= 100);
  for (const auto& doc : docs) {
    INFO(doc);
    casex::JsonResult a = built.eval_json(doc), b = dir.rules->eval_json(doc);
    CHECK(a.ok == b.ok);
    CHECK(a.output == b.output);
    CHECK(a.error == b.error);
  }
}

TEST_CASE("api: version is a digest of the rule texts: same texts same version, one edit another",
          "[api]") {
  auto files = casex::RuleSet::builtin_sources();
  casex::LoadResult a = casex::RuleSet::load_texts(files), b = casex::RuleSet::load_texts(files);
  REQUIRE(a.rules);
  REQUIRE(b.rules);
  CHECK(a.rules->version() == b.rules->version());
  CHECK(a.rules->version() == builtin().version());

  bool edited = false;
  for (auto& f : files) {
    auto at = f.text.find("first match wins");  // a comment: the behaviour stays the same
    if (at != std::string::npos && !edited) {
      f.text.replace(at, 5, "First");
      edited = true;
    }
  }
  REQUIRE(edited);
  casex::LoadResult c = casex::RuleSet::load_texts(files);
  REQUIRE(c.rules);
  CHECK(c.rules->version() != a.rules->version());
}

TEST_CASE(
    "api: load_directory on a missing or empty directory gives a file-read diagnostic and no rules",
    "[api]") {
  const fs::path missing = fs::path(CASEX_TEST_DATA_DIR) / "no-such-rules-dir";
  casex::LoadResult r = casex::RuleSet::load_directory(missing.string());
  CHECK_FALSE(r.rules);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "file-read");
  CHECK(r.diagnostics[0].severity == casex::Severity::Error);
  CHECK(r.diagnostics[0].file == missing.string());

  const fs::path empty = fs::temp_directory_path() /
                         ("casex-api-test-empty-" + std::to_string(std::random_device{}()));
  fs::create_directories(empty);
  casex::LoadResult e = casex::RuleSet::load_directory(empty.string());
  fs::remove_all(empty);
  CHECK_FALSE(e.rules);
  REQUIRE(e.diagnostics.size() == 1);
  CHECK(e.diagnostics[0].code == "file-read");
}

TEST_CASE("api: evaluate(Change) decides the same as eval_json on the same change", "[api]") {
  casex::RuleSet rules = builtin();
  std::vector<casex::Change> changes;

  // A solution entered in InitialSupport: Update, then Resolve in Review.
  changes.push_back(
      change({{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", std::nullopt}},
             {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", "Rebooted"}}));
  changes.back().record = "INC-1042";
  changes.back().external_reference = casex::ExternalReference{"SM", "IM10023"};
  // Assigned to an external group while moving from Classify to InitialSupport: Assign.
  changes.push_back(change({{"phase", "Classify"}, {"assignment", "Service Desk"}},
                           {{"phase", "Initial Support"}, {"assignment", "Vendor Network"}}));
  // Back to an internal group: Accept to the old group's system.
  changes.push_back(change({{"phase", "Escalate"}, {"assignment", "Vendor Network"}},
                           {{"phase", "Escalate"}, {"assignment", "Service Desk"}}));
  // A comment caused by SM itself: suppressed.
  changes.push_back(change({{"phase", "Review"}}, {{"phase", "Review"}}));
  changes.back().flags = {{"comment_added", true}};
  changes.back().external_reference = casex::ExternalReference{"SM", "IM1"};
  changes.back().origin = "SM";
  // Review -> InitialSupport, assigned to SM with a record on SM: Reopen.
  changes.push_back(change({{"phase", "Review"}, {"assignment", "Service Desk"}},
                           {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}}));
  changes.back().external_reference = casex::ExternalReference{"SM", "IM1"};
  // Completion code set while moving from Review to Close: Resolve, then Close.
  changes.push_back(change({{"phase", "Review"}, {"completion_code", ""}},
                           {{"phase", "Closed"}, {"completion_code", "CompletionCodeFulfilled"}}));
  changes.back().external_reference = casex::ExternalReference{"SM", "IM1"};
  // "" and no value are the same: nothing changes, nothing is sent.
  changes.push_back(change({{"phase", "Escalate"}, {"solution", ""}}, {{"phase", "Escalate"}}));
  changes.back().flags = {{"comment_added", false}, {"attachment_changed", false}};
  // Logging sends nothing.
  changes.push_back(change({{"phase", "Log"}}, {{"phase", "Classify"}, {"solution", "x"}}));

  for (const auto& c : changes) {
    std::string doc = to_json(c);
    INFO(doc);
    casex::JsonResult r = rules.eval_json(doc);
    REQUIRE(r.ok);
    CHECK(bj::serialize(to_json(rules.evaluate(c), c.record)) ==
          bj::serialize(bj::parse(r.output)));
  }
  // The cases above are not all empty.
  CHECK(rules.evaluate(changes[0]).operations.size() == 2);
  CHECK(rules.evaluate(changes[3]).suppressed.size() == 1);
}

TEST_CASE(
    "api: evaluate throws std::invalid_argument on an unknown or missing phase and an unknown flag",
    "[api]") {
  casex::RuleSet rules = builtin();
  casex::Change c = change({{"phase", "Review"}}, {{"phase", "Nowhere"}});
  CHECK_THROWS_AS(rules.evaluate(c), std::invalid_argument);
  CHECK_THROWS_WITH(rules.evaluate(c),
                    Catch::Contains("after.phase") && Catch::Contains("Nowhere"));

  c = change({{"solution", "x"}}, {{"phase", "Review"}});
  CHECK_THROWS_AS(rules.evaluate(c), std::invalid_argument);
  CHECK_THROWS_WITH(rules.evaluate(c), Catch::Contains("before.phase"));

  c = change({{"phase", "Review"}}, {{"phase", "Review"}});
  c.flags = {{"comment_add", true}};
  CHECK_THROWS_AS(rules.evaluate(c), std::invalid_argument);
}

TEST_CASE("api: eval_json rejects bad input with an error naming the JSON path or line/column",
          "[api]") {
  casex::RuleSet rules = builtin();
  const std::string ok_snapshots = R"("before": {"phase": "Log"}, "after": {"phase": "Log"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"before": {"phase": "Log"}, "after": {"phase": "Nowhere"}})", "after.phase"},
      {R"({"before": {"phase": "Log"}, "after": {"phase": 3}})", "after.phase"},
      {R"({"before": {"solution": "x"}, "after": {"phase": "Log"}})", "before.phase"},
      {R"({"before": {"phase": "Log"}})", "after"},
      {R"({"before": {"phase": "Log"}, "after": {"phase": "Log", "solution": 5}})",
       "after.solution"},
      {R"({"before": {"phase": "Log", "assignment": {}}, "after": {"phase": "Log"}})",
       "before.assignment"},
      {"{" + ok_snapshots + R"(, "comment_added": "yes"})", "comment_added"},
      {"{" + ok_snapshots + R"(, "groups": {"SM Tier 2": 3}})", "groups.SM Tier 2"},
      {"{" + ok_snapshots + R"(, "groups": []})", "groups"},
      {"{" + ok_snapshots + R"(, "external_reference": "SM"})", "external_reference"},
      {"{" + ok_snapshots + R"(, "external_reference": {"system": 1, "id": "x"}})",
       "external_reference.system"},
      {"{" + ok_snapshots + R"(, "origin": 7})", "origin"},
      {"{" + ok_snapshots + R"(, "incident": 42})", "incident"},
      {R"([1, 2])", "$"},
      {R"({"before": )", "line 1, column"},
      {"{\n  \"before\": {\"phase\": \"Log\"},\n  \"after\": nope\n}", "line 3, column"},
      {R"({"incoming": "Explode", "incident": {"phase": "Log"}})", "incoming"},
      {R"({"incoming": "Assign", "incident": {"phase": "Log", "solution": false}})",
       "incident.solution"},
      {R"({"incoming": "Assign"})", "incident"},
  };
  for (const auto& [doc, path] : cases) {
    INFO(doc);
    casex::JsonResult r = rules.eval_json(doc);
    CHECK_FALSE(r.ok);
    CHECK(r.output.empty());
    CHECK_THAT(r.error, Catch::StartsWith(path) || Catch::Contains(path));
    CHECK(r.error.find('\n') == std::string::npos);
  }
}

TEST_CASE("api: one thread alternating between two rule sets gets each set's own result", "[api]") {
  casex::RuleSet defaults = builtin();
  auto files = casex::RuleSet::builtin_sources();
  for (auto& f : files)
    if (auto at = f.text.find("      to: Review\n"); at != std::string::npos)
      f.text.replace(at, 17, "      to: Close\n");
  casex::LoadResult edited = casex::RuleSet::load_texts(files);
  REQUIRE(edited.rules);
  const std::string doc = R"({"before": {"phase": "InitialSupport"},
      "after": {"phase": "InitialSupport", "solution": "Rebooted"}, "external_reference": {"system": "SM", "id": "1"}})";
  for (int i = 0; i < 3; ++i) {
    CHECK_THAT(defaults.eval_json(doc).output, Catch::Contains(R"("phase":"Review")"));
    CHECK_THAT(edited.rules->eval_json(doc).output, Catch::Contains(R"("phase":"Close")"));
  }
}

TEST_CASE(
    "api: a RuleSet copy shared by 4 threads, each evaluating 10,000 documents, gives identical "
    "results",
    "[api][threads]") {
  std::optional<casex::RuleSet> shared;
  {
    casex::LoadResult loaded = casex::RuleSet::load_builtin();  // the copy outlives the LoadResult
    REQUIRE(loaded.rules);
    shared = *loaded.rules;
  }
  std::vector<std::string> docs = fixture_documents();
  REQUIRE(!docs.empty());
  std::vector<casex::JsonResult> expected;
  for (const auto& d : docs) expected.push_back(shared->eval_json(d));
  casex::Change typed =
      change({{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}},
             {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", "Rebooted"}});
  const std::size_t typed_ops = shared->evaluate(typed).operations.size();
  REQUIRE(typed_ops == 2);

  constexpr int kThreads = 4, kDocuments = 10000;
  std::atomic<int> mismatches{0}, evaluated{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kDocuments; ++i) {
        std::size_t k = static_cast<std::size_t>(i * 7 + t) % docs.size();
        casex::JsonResult r = shared->eval_json(docs[k]);
        if (r.ok != expected[k].ok || r.output != expected[k].output ||
            r.error != expected[k].error)
          ++mismatches;
        if (i % 10 == 0 && shared->evaluate(typed).operations.size() != typed_ops) ++mismatches;
        ++evaluated;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(evaluated == kThreads * kDocuments);
  CHECK(mismatches == 0);
}

namespace {

// The default rules plus a number field `impact` and a boolean field `major`,
// and a Logging table that sends Update to "T" when impact > 2 or major.
casex::RuleSet rules_with_typed_fields() {
  auto files = casex::RuleSet::builtin_sources();
  for (auto& f : files) {
    const std::string anchor = "    - {name: expected_resolution_time, type: text}\n";
    if (auto at = f.text.find(anchor); at != std::string::npos)
      f.text.insert(at + anchor.size(),
                    "    - {name: impact, type: number}\n    - {name: major, type: boolean}\n");
  }
  files.push_back({"logging.yaml", R"(table:
  id: logging
  scope: {metaphase: Logging}
  hit_policy: first
  rules:
    - id: logging.impact
      when: after.impact > 2 or after.major
      then: Update
      system: '"T"'
)"});
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.rules);
  return *loaded.rules;
}

}  // namespace

TEST_CASE("api: eval_json reads number and boolean fields as numbers and booleans", "[api]") {
  casex::RuleSet rules = rules_with_typed_fields();
  auto ops = [&](const std::string& after) {
    casex::JsonResult r = rules.eval_json(
        R"({"before": {"phase": "Log"}, "after": {"phase": "Log", )" + after + "}}");
    INFO(r.error);
    REQUIRE(r.ok);
    return bj::parse(r.output).at("operations").as_array().size();
  };
  CHECK(ops(R"("impact": 3)") == 1);
  CHECK(ops(R"("impact": 2)") == 0);
  CHECK(ops(R"("major": true)") == 1);
  CHECK(ops(R"("major": false)") == 0);
}

TEST_CASE(
    "api: evaluate(Change) reads a number or boolean field's text as a number or boolean, like "
    "eval_json",
    "[api]") {
  casex::RuleSet rules = rules_with_typed_fields();
  CHECK(rules.evaluate(change({{"phase", "Log"}}, {{"phase", "Log"}, {"impact", "3"}}))
            .operations.size() == 1);
  CHECK(rules.evaluate(change({{"phase", "Log"}}, {{"phase", "Log"}, {"major", "true"}}))
            .operations.size() == 1);
  CHECK_THROWS_AS(
      rules.evaluate(change({{"phase", "Log"}}, {{"phase", "Log"}, {"impact", "three"}})),
      std::invalid_argument);
}

TEST_CASE("api: a number field beyond 2^53 is refused at input, not compared rounded", "[api]") {
  casex::RuleSet rules = rules_with_typed_fields();
  // 9007199254740993 and 9007199254740992 are one double: compared rounded, changed() would be
  // false.
  for (const char* after : {R"("impact": 9007199254740993)", R"("impact": -9007199254740993)",
                            R"("impact": 18446744073709551615)"}) {
    casex::JsonResult r =
        rules.eval_json(R"({"before": {"phase": "Log", "impact": 9007199254740992}, )"
                        R"("after": {"phase": "Log", )" +
                        std::string(after) + "}}");
    INFO(after);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("after.impact: ") == 0);
    CHECK(r.error.find("is beyond the numbers held exactly (-2^53 to 2^53)") != std::string::npos);
  }
  // 2^53 itself is exact, and so is a number written with an exponent.
  CHECK(
      rules
          .eval_json(
              R"({"before": {"phase": "Log"}, "after": {"phase": "Log", "impact": 9007199254740992}})")
          .ok);
  CHECK(
      rules.eval_json(R"({"before": {"phase": "Log"}, "after": {"phase": "Log", "impact": 1e20}})")
          .ok);
  CHECK_THROWS_AS(rules.evaluate(change({{"phase", "Log"}},
                                        {{"phase", "Log"}, {"impact", "9007199254740993"}})),
                  std::invalid_argument);
}

TEST_CASE("api: a number field of 1e400 is an error naming the field, never Infinity", "[api]") {
  casex::RuleSet rules = rules_with_typed_fields();
  casex::JsonResult r = rules.eval_json(
      R"({"before": {"phase": "Log"}, "after": {"phase": "Log", "impact": 1e400}})");
  CHECK_FALSE(r.ok);
  CHECK(r.error == "after.impact: the number is out of range (beyond about 1.8e308)");
  CHECK_THROWS_AS(
      rules.evaluate(change({{"phase", "Log"}}, {{"phase", "Log"}, {"impact", "1e400"}})),
      std::invalid_argument);
}

TEST_CASE(
    "api: a value of a field's value set in another letter case is refused with the declared value "
    "named",
    "[api]") {
  const casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  // Taken as an unknown value, "withdrawnbyuser" would send Close instead of Cancel.
  casex::JsonResult r = rules.eval_json(
      R"({"before": {"phase": "Close"}, "after": {"phase": "Close", "completion_code": "withdrawnbyuser"}})");
  CHECK_FALSE(r.ok);
  CHECK(
      r.error ==
      R"(after.completion_code: "withdrawnbyuser" is not a value of completion_code; did you mean "WithdrawnbyUser"? (values are case-sensitive))");
  CHECK_THROWS_AS(
      rules.evaluate(change({{"phase", "Close"}},
                            {{"phase", "Close"}, {"completion_code", "WITHDRAWNBYUSER"}})),
      std::invalid_argument);
  // A value outside the set that is no other spelling of a declared one is the host's business.
  CHECK(
      rules
          .eval_json(
              R"({"before": {"phase": "Close"}, "after": {"phase": "Close", "completion_code": "Other"}})")
          .ok);
}

TEST_CASE(
    "api: with case_variants: accept a value in another letter case is taken as a value no rule "
    "names",
    "[api]") {
  auto files = casex::RuleSet::builtin_sources();
  for (auto& f : files) {
    const std::string refuse = "case_variants: refuse";
    if (auto at = f.text.find(refuse); at != std::string::npos)
      f.text.replace(at, refuse.size(), "case_variants: accept");
  }
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.rules);
  const casex::RuleSet& rules = *loaded.rules;
  auto doc = [](const std::string& code) {
    return R"({"before": {"phase": "Close", "completion_code": "CompletionCodeFulfilled"}, )"
           R"("after": {"phase": "Close", "completion_code": ")" +
           code + R"("}, "external_reference": {"system": "SM", "id": "IM1"}})";
  };
  casex::JsonResult r = rules.eval_json(doc("withdrawnbyuser"));
  INFO(r.error);
  REQUIRE(r.ok);
  // Taken as a value no rule names, it decides as any other such value does, not as the declared
  // spelling.
  casex::JsonResult declared = rules.eval_json(doc("WithdrawnbyUser"));
  casex::JsonResult other = rules.eval_json(doc("Other"));
  REQUIRE(declared.ok);
  REQUIRE(other.ok);
  CHECK(r.output == other.output);
  CHECK(r.output != declared.output);
  CHECK_NOTHROW(rules.evaluate(
      change({{"phase", "Close"}}, {{"phase", "Close"}, {"completion_code", "WITHDRAWNBYUSER"}})));
}
