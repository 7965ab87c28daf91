// tests/capi_hook_test.cpp: the log hook (issue 21): one call per decision
// under four evaluating threads, the decision-log line of `casex eval --log`,
// reloads logged; explain and lint through the C API give what the tooling API
// (and so the CLI) gives; and the typed Change is refused with the JSON path's
// messages word for word, on one fixture table.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "casex/tooling.hpp"

namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

const std::string kChange =
    R"({"incident":"INC-9","before":{"phase":"InitialSupport","assignment":"SM Tier 2"},)"
    R"("after":{"phase":"InitialSupport","assignment":"SM Tier 2","solution":"Rebooted"},)"
    R"("external_reference":{"system":"SM","id":"IM1"},"groups":{"SM Tier 2":"SM"}})";
const std::string kIncoming = R"({"incoming": "Assign", "incident": {"phase": "Review"}})";

struct Log {
  std::atomic<int> decisions{0}, reloads{0};
  std::mutex mutex;
  std::vector<std::string> lines;
};

void on_log(void* user_data, casex_log_kind kind, const char* line) {
  auto* log = static_cast<Log*>(user_data);
  (kind == CASEX_LOG_DECISION ? log->decisions : log->reloads)++;
  std::lock_guard<std::mutex> lock(log->mutex);
  log->lines.emplace_back(line);
}

}  // namespace

TEST_CASE("log hook: one call per decision from 4 threads, each the decision-log line",
          "[capi][log]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  Log log;
  REQUIRE(casex_engine_set_log(engine, on_log, &log) == CASEX_OK);
  constexpr int kThreads = 4, kEach = 500;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string& doc = (i + t) % 2 ? kChange : kIncoming;
        casex_result* r = nullptr;
        if (casex_eval(engine, doc.data(), doc.size(), &r) != CASEX_OK) ++failures;
        casex_result_free(r);
        const std::string bad = "{\"before\": 1}";  // bad input: not a decision, not logged
        if (casex_eval(engine, bad.data(), bad.size(), &r) != CASEX_BAD_INPUT) ++failures;
        casex_result_free(r);
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(log.decisions == kThreads * kEach);
  CHECK(log.reloads == 0);
  // Each line is what `casex eval --log` writes for that document.
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  for (const std::string* doc : {&kChange, &kIncoming}) {
    bj::object expected =
        bj::parse(casex::decision_log_line(rules.version(), *doc, rules.eval_json(*doc).output, ""))
            .as_object();
    int seen = 0;
    for (const auto& line : log.lines) {
      bj::object got = bj::parse(line).as_object();
      REQUIRE(got.contains("time"));
      got.erase("time");
      seen += got == expected;
    }
    CHECK(seen == kThreads * kEach / 2);
  }
  // Removing the hook: no more calls.
  REQUIRE(casex_engine_set_log(engine, nullptr, nullptr) == CASEX_OK);
  casex_result* r = nullptr;
  REQUIRE(casex_eval(engine, kChange.data(), kChange.size(), &r) == CASEX_OK);
  casex_result_free(r);
  CHECK(log.decisions == kThreads * kEach);
  CHECK(casex_engine_set_log(nullptr, on_log, &log) == CASEX_INVALID_ARGUMENT);
  casex_engine_free(engine);
}

TEST_CASE("log hook: reloads are logged, taken and refused, with the versions", "[capi][log]") {
  fs::path dir = fs::temp_directory_path() / ("casex-hook-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : casex::RuleSet::builtin_sources())
    std::ofstream(dir / fs::path(f.name).filename(), std::ios::binary) << f.text;
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(dir.c_str(), &engine, nullptr) == CASEX_OK);
  Log log;
  REQUIRE(casex_engine_set_log(engine, on_log, &log) == CASEX_OK);
  std::ofstream(dir / "done.yaml", std::ios::app) << "\n  - this is: [not a rule\n";
  CHECK(casex_engine_reload(engine, nullptr) == CASEX_RULES_INVALID);
  REQUIRE(log.reloads == 1);
  bj::object line = bj::parse(log.lines.back()).as_object();
  CHECK(line.at("kind") == "reload");
  CHECK(line.at("ok") == false);
  CHECK(line.at("rules_version") == "896bf72711ca0fd9");
  CHECK(line.at("previous_version") == "896bf72711ca0fd9");
  CHECK(line.at("errors").as_int64() >= 1);
  CHECK(log.decisions == 0);
  casex_engine_free(engine);
  fs::remove_all(dir);
}

TEST_CASE("log hook: Engine::set_log sees eval_json, eval and evaluate alike", "[engine][log]") {
  auto engine = casex::Engine::open("");
  REQUIRE(engine);
  std::vector<std::string> lines;
  engine->set_log([&](const casex::LogEvent& e) { lines.emplace_back(e.line); });
  engine->eval_json(kChange);
  engine->eval(kIncoming);
  casex::Change change;
  change.before = {{"phase", "InitialSupport"}};
  change.after = {{"phase", "InitialSupport"}, {"solution", "Rebooted"}};
  change.external_reference = casex::ExternalReference{"SM", "IM1"};
  engine->evaluate(change);
  REQUIRE(lines.size() == 3);
  CHECK(bj::parse(lines[0]).at("kind") == "change");
  CHECK(bj::parse(lines[1]).at("kind") == "incoming");
  CHECK(bj::parse(lines[2]).at("rules_fired") ==
        bj::array{"resolution.update", "validation.resolve"});
}

TEST_CASE("C API explain: the JSON and the text of casex explain, and bad input named",
          "[capi][explain]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  casex::Explanation e = casex::explain_document(*casex::RuleSet::load_builtin().rules, kChange);
  REQUIRE(e.ok);
  char* json = nullptr;
  REQUIRE(casex_explain(engine, kChange.data(), kChange.size(), CASEX_FORMAT_JSON, &json) ==
          CASEX_OK);
  CHECK(json == e.json);
  CHECK(bj::parse(json).at("kind") == "change");
  casex_string_free(json);
  char* text = nullptr;
  REQUIRE(casex_explain(engine, kChange.data(), kChange.size(), CASEX_FORMAT_TEXT, &text) ==
          CASEX_OK);
  CHECK(text == e.text);
  casex_string_free(text);
  const std::string bad = R"({"before": {"phase": "Reveiw"}, "after": {"phase": "Review"}})";
  CHECK(casex_explain(engine, bad.data(), bad.size(), CASEX_FORMAT_TEXT, &text) == CASEX_BAD_INPUT);
  CHECK(text == nullptr);
  CHECK(std::string(casex_engine_last_error(engine)) ==
        R"(before.phase: unknown phase "Reveiw"; did you mean "Review"?)");
  CHECK(casex_explain(engine, bad.data(), bad.size(), static_cast<casex_format>(7), &text) ==
        CASEX_INVALID_ARGUMENT);
  CHECK(casex_explain(engine, bad.data(), bad.size(), CASEX_FORMAT_JSON, nullptr) ==
        CASEX_INVALID_ARGUMENT);
  CHECK(casex_explain(nullptr, bad.data(), bad.size(), CASEX_FORMAT_JSON, &text) ==
        CASEX_INVALID_ARGUMENT);
  casex_engine_free(engine);
}

TEST_CASE("C API lint: a directory and in-memory files, with witnesses, as casex lint finds",
          "[capi][lint]") {
  // The built-in rules lint clean.
  casex_diagnostics* d = nullptr;
  REQUIRE(casex_lint(nullptr, 0, &d) == CASEX_OK);
  casex::LoadResult builtin = casex::lint_paths({});
  CHECK(casex_diagnostics_count(d) == builtin.diagnostics.size());
  casex_diagnostics_free(d);

  // A rule after done.close that it shadows under `first`: a finding with a witness.
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  for (auto& f : files)
    if (fs::path(f.name).filename() == "done.yaml")
      f.text += "\n    - id: done.again\n      when: changed(solution)\n      then: Close\n";
  casex::LoadResult expected = casex::lint_texts(files);
  std::vector<const char*> names, texts;
  for (const auto& f : files) names.push_back(f.name.c_str()), texts.push_back(f.text.c_str());
  REQUIRE(casex_lint_texts(names.data(), texts.data(), files.size(), &d) == CASEX_OK);
  REQUIRE(casex_diagnostics_count(d) == expected.diagnostics.size());
  bool witnessed = false;
  for (const auto& x : expected.diagnostics) witnessed |= !x.witness.empty();
  CHECK(witnessed);
  for (size_t i = 0; i < expected.diagnostics.size(); ++i) {
    CHECK(casex_diagnostic_code(d, i) == expected.diagnostics[i].code);
    CHECK(casex_diagnostic_witness(d, i) == expected.diagnostics[i].witness);
  }
  casex_diagnostics_free(d);

  // A broken file: CASEX_RULES_INVALID and the error, from a directory.
  fs::path dir = fs::temp_directory_path() / ("casex-lint-capi-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : casex::RuleSet::builtin_sources()) {
    std::string text = f.text;
    if (fs::path(f.name).filename() == "done.yaml")
      text.replace(text.find("hit_policy: first"), 17, "hit_policy: firts");
    std::ofstream(dir / fs::path(f.name).filename(), std::ios::binary) << text;
  }
  const std::string path = dir.string();
  const char* paths[] = {path.c_str()};
  REQUIRE(casex_lint(paths, 1, &d) == CASEX_RULES_INVALID);
  bool found = false;
  for (size_t i = 0; i < casex_diagnostics_count(d); ++i)
    found |= std::string(casex_diagnostic_code(d, i)) == "unknown-hit-policy";
  CHECK(found);
  CHECK(std::string(casex_engine_last_error(nullptr)).rfind("the rules do not load: ", 0) == 0);
  casex_diagnostics_free(d);
  const char* missing[] = {"/nonexistent/casex-rules"};
  CHECK(casex_lint(missing, 1, &d) == CASEX_RULES_INVALID);
  CHECK(casex_diagnostics_count(d) >= 1);
  casex_diagnostics_free(d);
  CHECK(casex_lint(paths, 1, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(casex_lint(nullptr, 1, &d) == CASEX_INVALID_ARGUMENT);
  const char* null_path[] = {nullptr};
  CHECK(casex_lint(null_path, 1, &d) == CASEX_INVALID_ARGUMENT);
  CHECK(casex_lint_texts(nullptr, nullptr, 1, &d) == CASEX_INVALID_ARGUMENT);
  fs::remove_all(dir);
}

namespace {

// One row of the shared fixture table: a typed Change and the same change as
// a `casex eval` document.
struct TypedCase {
  const char* what;
  casex::Change change;
  std::string document;
};

std::vector<TypedCase> typed_cases() {
  auto with = [](std::vector<casex::Field> before, std::vector<casex::Field> after) {
    casex::Change c;
    c.before = std::move(before);
    c.after = std::move(after);
    return c;
  };
  std::vector<TypedCase> cases;
  cases.push_back({"unknown phase, with did you mean",
                   with({{"phase", "Reveiw"}}, {{"phase", "Review"}}),
                   R"({"before":{"phase":"Reveiw"},"after":{"phase":"Review"}})"});
  cases.push_back({"missing phase", with({{"assignment", "x"}}, {{"phase", "Review"}}),
                   R"({"before":{"assignment":"x"},"after":{"phase":"Review"}})"});
  cases.push_back({"a value not of the field's set, with did you mean",
                   with({{"phase", "Review"}},
                        {{"phase", "Review"}, {"completion_code", "completioncodefulfilled"}}),
                   R"({"before":{"phase":"Review"},"after":{"phase":"Review",)"
                   R"("completion_code":"completioncodefulfilled"}})"});
  {
    casex::Change c = with({{"phase", "Review"}}, {{"phase", "Review"}});
    c.external_reference = casex::ExternalReference{"SM", "IM1"};
    c.groups = {{"G", "SM"}};
    c.origin = "SM";
    c.flags = {{"comment_added", true}};
    cases.push_back({"a valid change with every part", c,
                     R"({"before":{"phase":"Review"},"after":{"phase":"Review"},)"
                     R"("comment_added":true,"external_reference":{"system":"SM","id":"IM1"},)"
                     R"("groups":{"G":"SM"},"origin":"SM"})"});
  }
  return cases;
}

}  // namespace

TEST_CASE("typed change: refused with the JSON path's message word for word (one fixture table)",
          "[engine][typed]") {
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  for (const TypedCase& c : typed_cases()) {
    INFO(c.what);
    casex::JsonResult json = rules.eval_json(c.document);
    if (json.ok) {
      casex::Decision d = rules.evaluate(c.change);
      casex::Outcome o = casex::read_outcome(json.output);
      CHECK(d.phase == o.decision.phase);
      CHECK(d.operations.size() == o.decision.operations.size());
      CHECK(d.suppressed.size() == o.decision.suppressed.size());
      continue;
    }
    std::string typed_error;
    try {
      rules.evaluate(c.change);
    } catch (const std::invalid_argument& e) {
      typed_error = e.what();
    }
    CHECK(typed_error == json.error);
  }
  // The typed "did you mean" of an unknown phase, in full.
  casex::Change c;
  c.before = {{"phase", "Reveiw"}};
  c.after = {{"phase", "Review"}};
  CHECK_THROWS_WITH(rules.evaluate(c),
                    R"(before.phase: unknown phase "Reveiw"; did you mean "Review"?)");
  // A flag must be an event of the vocabulary (the typed form's own shape).
  c.before = {{"phase", "Review"}};
  c.flags = {{"incoming", true}};
  CHECK_THROWS_AS(rules.evaluate(c), std::invalid_argument);
}
