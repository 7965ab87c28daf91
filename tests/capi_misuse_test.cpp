// tests/capi_misuse_test.cpp: the C API's error channel and misuse (issue 21):
// every status-returning call leaves its message for casex_engine_last_error,
// on the engine it was on; NULL handles and indexes out of range give what the
// header promises ("" and CASEX_SEVERITY_NONE); invalid UTF-8 is named with its
// byte offset; a reload's diagnostics name the version it left in effect.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "casex/version.h"

namespace {

namespace fs = std::filesystem;

std::string s(const char* text) { return text ? text : "(NULL)"; }

fs::path rules_copy(const char* name) {
  fs::path dir = fs::temp_directory_path() /
                 (std::string("casex-misuse-test-") + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : casex::RuleSet::builtin_sources())
    std::ofstream(dir / fs::path(f.name).filename(), std::ios::binary) << f.text;
  return dir;
}

}  // namespace

TEST_CASE("C API misuse: CASEX_VERSION_NUMBER and casex_version_number() agree with CASEX_VERSION",
          "[capi][version]") {
  CHECK(CASEX_VERSION_NUMBER ==
        CASEX_VERSION_MAJOR * 1000000L + CASEX_VERSION_MINOR * 1000L + CASEX_VERSION_PATCH);
  CHECK(casex_version_number() == CASEX_VERSION_NUMBER);
}

TEST_CASE("C API misuse: NULL arguments give CASEX_INVALID_ARGUMENT and a message naming them",
          "[capi][errors]") {
  CHECK(casex_engine_open(nullptr, nullptr, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_engine_open: engine is NULL");
  casex_result* result = nullptr;
  CHECK(casex_eval(nullptr, "{}", 2, &result) == CASEX_INVALID_ARGUMENT);
  CHECK(result == nullptr);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_eval: engine is NULL");
  CHECK(casex_engine_reload(nullptr, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_engine_reload: engine is NULL");
  CHECK(casex_engine_watch(nullptr, 0, nullptr, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_engine_watch: engine is NULL");

  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  CHECK(s(casex_engine_last_error(engine)).empty());
  CHECK(casex_eval(engine, "{}", 2, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(engine)) == "casex_eval: result is NULL");
  CHECK(s(casex_engine_last_error(nullptr)).empty());  // that call was on `engine`
  CHECK(casex_eval(engine, nullptr, 3, &result) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(engine)) == "casex_eval: document is NULL");
  CHECK(casex_engine_watch(engine, 0, nullptr, nullptr) == CASEX_UNSUPPORTED);
  CHECK(s(casex_engine_last_error(engine)) ==
        "the engine runs on the built-in rules: there is no directory to watch");
  CHECK(casex_engine_reload(engine, nullptr) == CASEX_OK);
  CHECK(s(casex_engine_last_error(engine)).empty());  // a success clears it
  casex_engine_free(engine);
}

TEST_CASE("C API misuse: bad input leaves the document's error on the engine and the result",
          "[capi][errors]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  const std::string bad = R"({"before": {"phase": "Reveiw"}, "after": {"phase": "Review"}})";
  casex_result* result = nullptr;
  REQUIRE(casex_eval(engine, bad.data(), bad.size(), &result) == CASEX_BAD_INPUT);
  CHECK(s(casex_result_error(result)) ==
        R"(before.phase: unknown phase "Reveiw"; did you mean "Review"?)");
  CHECK(s(casex_engine_last_error(engine)) == s(casex_result_error(result)));
  casex_result_free(result);
  casex_engine_free(engine);
}

TEST_CASE("C API misuse: invalid UTF-8 is named as such, with its byte offset", "[capi][errors]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  const std::string doc =
      "{\"incoming\": \"Assign\", \"incident\": {\"phase\": \"Rev\xff"
      "iew\"}}";
  casex_result* result = nullptr;
  REQUIRE(casex_eval(engine, doc.data(), doc.size(), &result) == CASEX_BAD_INPUT);
  CHECK(s(casex_result_error(result)) ==
        "malformed JSON at line 1, column 50: invalid UTF-8 (byte 0xff at byte offset 49)");
  casex_result_free(result);
  // An overlong encoding of '/' and a lone continuation byte: not UTF-8 either.
  for (std::string bytes : {std::string("\xc0\xaf"), std::string("\x80")}) {
    std::string d = "{\"incoming\": \"" + bytes + "\"}";
    REQUIRE(casex_eval(engine, d.data(), d.size(), &result) == CASEX_BAD_INPUT);
    CHECK(s(casex_result_error(result)).find("invalid UTF-8") != std::string::npos);
    CHECK(s(casex_result_error(result)).find("at byte offset 14") != std::string::npos);
    casex_result_free(result);
  }
  // Well-formed multi-byte UTF-8 is not an error of encoding.
  const std::string ok =
      "{\"incoming\": \"Assign\", \"incident\": {\"phase\": \"Review\", "
      "\"solution\": \"red\xc3\xa9marr\xc3\xa9 \xe2\x9c\x93\"}}";
  CHECK(casex_eval(engine, ok.data(), ok.size(), &result) == CASEX_OK);
  casex_result_free(result);
  casex_engine_free(engine);
}

TEST_CASE("C API misuse: accessors on NULL or out of range give \"\", 0 and CASEX_SEVERITY_NONE",
          "[capi][errors]") {
  CHECK(s(casex_result_output(nullptr)).empty());
  CHECK(s(casex_result_error(nullptr)).empty());
  CHECK(s(casex_result_version(nullptr)).empty());
  CHECK(casex_diagnostics_count(nullptr) == 0);
  CHECK(s(casex_diagnostics_text(nullptr)).empty());
  CHECK(s(casex_diagnostics_version(nullptr)).empty());
  casex_engine* engine = nullptr;
  casex_diagnostics* diags = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, &diags) == CASEX_OK);
  REQUIRE(casex_diagnostics_count(diags) == 0);
  for (const casex_diagnostics* d : {static_cast<const casex_diagnostics*>(diags),
                                     static_cast<const casex_diagnostics*>(nullptr)}) {
    CHECK(s(casex_diagnostic_code(d, 0)).empty());
    CHECK(s(casex_diagnostic_file(d, 0)).empty());
    CHECK(s(casex_diagnostic_message(d, 0)).empty());
    CHECK(s(casex_diagnostic_help(d, 0)).empty());
    CHECK(casex_diagnostic_line(d, 0) == 0);
    CHECK(casex_diagnostic_column(d, 0) == 0);
    CHECK(casex_diagnostic_severity(d, 0) == CASEX_SEVERITY_NONE);
  }
  casex_diagnostics_free(diags);
  CHECK(casex_engine_version(nullptr) == nullptr);
  casex_engine_free(engine);
}

TEST_CASE("C API misuse: rules that do not load leave their first error as the message",
          "[capi][errors]") {
  fs::path dir = rules_copy("broken");
  {
    std::ifstream in(dir / "done.yaml", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    in.close();
    text.replace(text.find("hit_policy: first"), 17, "hit_policy: firts");
    std::ofstream(dir / "done.yaml", std::ios::binary | std::ios::trunc) << text;
  }
  casex_engine* engine = nullptr;
  casex_diagnostics* diags = nullptr;
  CHECK(casex_engine_open(dir.c_str(), &engine, &diags) == CASEX_RULES_INVALID);
  CHECK(s(casex_engine_last_error(nullptr)) ==
        "the rules do not load: " + (dir / "done.yaml").string() +
            ":7:15: unknown hit policy \"firts\"");
  CHECK(s(casex_diagnostics_version(diags)).empty());  // no engine: no version in effect
  casex_diagnostics_free(diags);
  fs::remove_all(dir);
}

TEST_CASE("C API misuse: a reload's diagnostics name the version it left in effect",
          "[capi][errors]") {
  fs::path dir = rules_copy("reload-version");
  casex_engine* engine = nullptr;
  casex_diagnostics* diags = nullptr;
  REQUIRE(casex_engine_open(dir.c_str(), &engine, &diags) == CASEX_OK);
  const std::string first = casex_diagnostics_version(diags);
  CHECK(first == "896bf72711ca0fd9");
  casex_diagnostics_free(diags);
  std::ofstream(dir / "incoming.yaml", std::ios::app) << "\n# edited\n";
  REQUIRE(casex_engine_reload(engine, &diags) == CASEX_OK);
  const std::string second = casex_diagnostics_version(diags);
  CHECK(second.size() == 16);
  CHECK(second != first);
  char* now = casex_engine_version(engine);
  CHECK(second == now);
  casex_string_free(now);
  casex_diagnostics_free(diags);
  std::ofstream(dir / "done.yaml", std::ios::app) << "\n  - this is: [not a rule\n";
  REQUIRE(casex_engine_reload(engine, &diags) == CASEX_RULES_INVALID);
  CHECK(s(casex_diagnostics_version(diags)) == second);  // refused: the previous stays
  CHECK(s(casex_engine_last_error(engine)).rfind("the rules do not load: ", 0) == 0);
  casex_diagnostics_free(diags);
  casex_engine_free(engine);
  fs::remove_all(dir);
}

TEST_CASE("C API misuse: the change builder takes NULL and bad arguments without a crash",
          "[capi][errors][change]") {
  casex_change_free(nullptr);  // does nothing
  CHECK(casex_change_set_record(nullptr, "INC-1") == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_change_set_record: change is NULL");
  CHECK(casex_change_set_field(nullptr, CASEX_AFTER, "phase", "Review") == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_change_set_field: change is NULL");
  CHECK(casex_change_set_event(nullptr, "comment_added", 1) == CASEX_INVALID_ARGUMENT);
  CHECK(casex_change_set_external_reference(nullptr, "SM", "IM1") == CASEX_INVALID_ARGUMENT);
  CHECK(casex_change_set_group(nullptr, "SM Tier 2", "SM") == CASEX_INVALID_ARGUMENT);
  CHECK(casex_change_set_origin(nullptr, "SM") == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_change_set_origin: change is NULL");

  casex_change* change = casex_change_new();
  REQUIRE(change != nullptr);
  CHECK(casex_change_set_field(change, CASEX_AFTER, nullptr, "x") == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_change_set_field: name is NULL");
  CHECK(casex_change_set_field(change, static_cast<casex_side>(7), "phase", "Review") ==
        CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) ==
        "casex_change_set_field: side is neither CASEX_BEFORE nor CASEX_AFTER");
  CHECK(casex_change_set_event(change, nullptr, 1) == CASEX_INVALID_ARGUMENT);
  CHECK(casex_change_set_external_reference(change, "SM", nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(nullptr)) ==
        "casex_change_set_external_reference: one of system and id is NULL");
  CHECK(casex_change_set_group(change, nullptr, "SM") == CASEX_INVALID_ARGUMENT);
  // NULL clears what can be absent.
  CHECK(casex_change_set_record(change, nullptr) == CASEX_OK);
  CHECK(casex_change_set_origin(change, nullptr) == CASEX_OK);
  CHECK(casex_change_set_external_reference(change, nullptr, nullptr) == CASEX_OK);
  CHECK(s(casex_engine_last_error(nullptr)).empty());

  casex_result* result = reinterpret_cast<casex_result*>(change);  // must be reset to NULL
  CHECK(casex_engine_evaluate_change(nullptr, change, &result) == CASEX_INVALID_ARGUMENT);
  CHECK(result == nullptr);
  CHECK(s(casex_engine_last_error(nullptr)) == "casex_engine_evaluate_change: engine is NULL");
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  CHECK(casex_engine_evaluate_change(engine, nullptr, &result) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(engine)) == "casex_engine_evaluate_change: change is NULL");
  CHECK(casex_engine_evaluate_change(engine, change, nullptr) == CASEX_INVALID_ARGUMENT);
  CHECK(s(casex_engine_last_error(engine)) == "casex_engine_evaluate_change: result is NULL");
  // An empty change is bad input, worded as the JSON path words `{}`.
  CHECK(casex_engine_evaluate_change(engine, change, &result) == CASEX_BAD_INPUT);
  REQUIRE(result != nullptr);
  std::string out, json_error;
  REQUIRE_FALSE(casex::RuleSet::load_builtin().rules->eval_json(R"({"before":{},"after":{}})", out,
                                                                json_error));
  CHECK(s(casex_result_error(result)) == json_error);
  CHECK(s(casex_engine_last_error(engine)) == json_error);
  CHECK(casex_result_kind(result) == CASEX_KIND_ERROR);
  CHECK(s(casex_result_output(result)).empty());
  casex_result_free(result);
  casex_engine_free(engine);
  casex_change_free(change);
}
