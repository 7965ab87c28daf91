// tests/engine_test.cpp: the C API (include/casex/casex.h): engines from the
// built-in rules and from a directory, evaluation results and their version,
// bad input, structured diagnostics, reload; and the C++ Engine's typed evaluate().
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "casex/casex.h"
#include "casex/casex.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kChange =
    R"({"incident":"INC-1","before":{"phase":"InitialSupport","assignment":"SM Tier 2"},)"
    R"("after":{"phase":"InitialSupport","assignment":"SM Tier 2","solution":"Rebooted"},)"
    R"("external_reference":{"system":"SM","id":"IM1"},"groups":{"SM Tier 2":"SM"}})";

fs::path rules_copy(const char* name) {
  fs::path dir = fs::temp_directory_path() /
                 (std::string("casex-capi-test-") + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : casex::RuleSet::builtin_sources())
    std::ofstream(dir / fs::path(f.name).filename(), std::ios::binary) << f.text;
  return dir;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  in.close();
  text.replace(text.find(from), from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("C API: an engine on the built-in rules evaluates a change like casex eval", "[capi]") {
  casex_engine* engine = nullptr;
  casex_diagnostics* diags = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, &diags) == CASEX_OK);
  REQUIRE(engine);
  CHECK(casex_diagnostics_count(diags) == 0);
  CHECK(std::string(casex_diagnostics_text(diags)).empty());
  casex_diagnostics_free(diags);

  casex_result* result = nullptr;
  REQUIRE(casex_eval(engine, kChange.data(), kChange.size(), &result) == CASEX_OK);
  casex::RuleSet rules = casex::RuleSet::load_builtin().rules.value();
  CHECK(std::string(casex_result_output(result)) == rules.eval_json(kChange).output);
  CHECK(std::string(casex_result_error(result)).empty());
  CHECK(std::string(casex_result_version(result)) == rules.version());
  char* version = casex_engine_version(engine);
  CHECK(std::string(version) == rules.version());
  casex_string_free(version);
  casex_result_free(result);
  casex_engine_free(engine);
}

TEST_CASE("C API: bad input gives CASEX_BAD_INPUT and the one-line error of casex eval", "[capi]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  const std::string doc = R"({"before": {"phase": "Reveiw"}, "after": {"phase": "Review"}})";
  casex_result* result = nullptr;
  CHECK(casex_eval(engine, doc.data(), doc.size(), &result) == CASEX_BAD_INPUT);
  REQUIRE(result);
  CHECK(std::string(casex_result_output(result)).empty());
  CHECK(std::string(casex_result_error(result)) ==
        "before.phase: unknown phase \"Reveiw\"; did you mean \"Review\"?");
  casex_result_free(result);
  CHECK(casex_eval(engine, nullptr, 3, &result) == CASEX_INVALID_ARGUMENT);
  CHECK(result == nullptr);
  CHECK(casex_eval(nullptr, doc.data(), doc.size(), &result) == CASEX_INVALID_ARGUMENT);
  casex_engine_free(engine);
  CHECK(std::string(casex_status_name(CASEX_RULES_INVALID)) == "CASEX_RULES_INVALID");
}

TEST_CASE("C API: rules that do not load give CASEX_RULES_INVALID and structured diagnostics",
          "[capi]") {
  fs::path dir = rules_copy("broken");
  replace_in(dir / "done.yaml", "hit_policy: first", "hit_policy: firts");
  casex_engine* engine = reinterpret_cast<casex_engine*>(&dir);  // must be reset to NULL
  casex_diagnostics* diags = nullptr;
  CHECK(casex_engine_open(dir.c_str(), &engine, &diags) == CASEX_RULES_INVALID);
  CHECK(engine == nullptr);
  REQUIRE(casex_diagnostics_count(diags) == 1);
  CHECK(std::string(casex_diagnostic_code(diags, 0)) == "unknown-hit-policy");
  CHECK(casex_diagnostic_severity(diags, 0) == CASEX_SEVERITY_ERROR);
  CHECK(std::string(casex_diagnostic_file(diags, 0)) == (dir / "done.yaml").string());
  CHECK(casex_diagnostic_line(diags, 0) == 7);
  CHECK(casex_diagnostic_column(diags, 0) == 15);
  CHECK(std::string(casex_diagnostic_message(diags, 0)) == "unknown hit policy \"firts\"");
  CHECK(std::string(casex_diagnostic_help(diags, 0)) == "did you mean \"first\"?");
  CHECK(std::string(casex_diagnostics_text(diags)).find("error[unknown-hit-policy]") !=
        std::string::npos);
  CHECK(std::string(casex_diagnostic_code(diags, 1)).empty());  // out of range: ""
  casex_diagnostics_free(diags);
  fs::remove_all(dir);
}

TEST_CASE("C API: a reload swaps in good rules and refuses broken ones, keeping the previous",
          "[capi]") {
  fs::path dir = rules_copy("reload");
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(dir.c_str(), &engine, nullptr) == CASEX_OK);
  char* v1 = casex_engine_version(engine);

  replace_in(dir / "incoming.yaml",
             "add_comment: Incident was assigned locally from external system",
             "add_comment: Incident was assigned by the C test");
  casex_diagnostics* diags = nullptr;
  CHECK(casex_engine_reload(engine, &diags) == CASEX_OK);
  CHECK(casex_diagnostics_count(diags) == 0);
  casex_diagnostics_free(diags);
  char* v2 = casex_engine_version(engine);
  CHECK(std::string(v1) != v2);

  replace_in(dir / "done.yaml", "hit_policy: first", "hit_policy: firts");
  CHECK(casex_engine_reload(engine, &diags) == CASEX_RULES_INVALID);
  CHECK(casex_diagnostics_count(diags) == 1);
  casex_diagnostics_free(diags);
  char* v3 = casex_engine_version(engine);
  CHECK(std::string(v2) == v3);

  const std::string doc = R"({"incoming":"Assign","incident":{"phase":"Review"}})";
  casex_result* result = nullptr;
  REQUIRE(casex_eval(engine, doc.data(), doc.size(), &result) == CASEX_OK);
  CHECK(std::string(casex_result_output(result)).find("assigned by the C test") !=
        std::string::npos);
  CHECK(std::string(casex_result_version(result)) == v2);
  casex_result_free(result);

  CHECK(casex_engine_watch(engine, 50, nullptr, nullptr) == CASEX_OK);
  casex_engine_unwatch(engine);
  casex_string_free(v1);
  casex_string_free(v2);
  casex_string_free(v3);
  casex_engine_free(engine);
  fs::remove_all(dir);
}

TEST_CASE("C API: an engine on the built-in rules cannot watch or reload a directory", "[capi]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  CHECK(casex_engine_watch(engine, 0, nullptr, nullptr) == CASEX_UNSUPPORTED);
  CHECK(casex_engine_reload(engine, nullptr) == CASEX_OK);  // recompiles the built-in rules
  casex_engine_free(engine);
  casex_engine_free(nullptr);
  casex_result_free(nullptr);
  casex_diagnostics_free(nullptr);
  casex_string_free(nullptr);
}

TEST_CASE("Engine: evaluate() decides a change and names the version that decided it", "[engine]") {
  casex::Engine engine(casex::RuleSet::load_builtin().rules.value());
  casex::Change change;
  change.before = {{"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}};
  change.after = {
      {"phase", "InitialSupport"}, {"assignment", "SM Tier 2"}, {"solution", "Rebooted"}};
  change.external_reference = casex::ExternalReference{"SM", "IM10023"};
  change.groups = {{"SM Tier 2", "SM"}};
  casex::EngineDecision d = engine.evaluate(change);
  CHECK(d.phase == "Review");
  REQUIRE(d.operations.size() == 2);
  CHECK(d.operations[0].operation == "Update");
  CHECK(d.operations[1].operation == "Resolve");
  CHECK(d.version == engine.version());
  CHECK(engine.directory().empty());
}
