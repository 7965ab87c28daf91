// tests/capi_input_test.cpp: input that cannot be silently misread, through the
// C API (issue 20): every near-miss fixture of tests/data/eval/near-miss gives
// CASEX_BAD_INPUT with its expected message (or its expected result), and
// casex_engine_set_lenient_input reads the refused ones as before.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "casex/casex.h"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Answer {
  casex_status status;
  std::string output, error;
};

Answer eval(casex_engine* engine, const std::string& doc) {
  casex_result* r = nullptr;
  Answer a{casex_eval(engine, doc.data(), doc.size(), &r), "", ""};
  a.output = casex_result_output(r);
  a.error = casex_result_error(r);
  casex_result_free(r);
  return a;
}

}  // namespace

TEST_CASE(
    "C API input: every near-miss fixture is CASEX_BAD_INPUT with its message, and read as "
    "before with casex_engine_set_lenient_input",
    "[capi][input]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  int refused = 0, accepted = 0;
  for (const auto& entry : fs::directory_iterator(CASEX_TEST_DATA_DIR "/eval/near-miss")) {
    fs::path p = entry.path();
    std::string name = p.filename().string();
    if (p.extension() != ".json" || name.find(".expected") != std::string::npos) continue;
    INFO(name);
    std::string doc = slurp(p);
    fs::path want_error = p;
    want_error.replace_extension(".expected-error.txt");
    REQUIRE(casex_engine_set_lenient_input(engine, 0) == CASEX_OK);
    Answer strict = eval(engine, doc);
    if (fs::exists(want_error)) {
      std::string text = slurp(want_error);
      std::string message = text.substr(text.find('\n') + 1);
      message = message.substr(0, message.find('\n'));
      CHECK(strict.status == CASEX_BAD_INPUT);
      CHECK(strict.error.find(message) != std::string::npos);
      CHECK(std::string(casex_engine_last_error(engine)) == strict.error);
      // Lenient: read as before, so not refused for the near miss (a key
      // "Before" then leaves `before` missing); only a case variant of a
      // `case_variants: refuse` value is refused as it was.
      REQUIRE(casex_engine_set_lenient_input(engine, 1) == CASEX_OK);
      Answer lenient = eval(engine, doc);
      if (name.find("one-case-change") != std::string::npos)
        CHECK(lenient.error == strict.error);
      else if (name.find("top-level-snapshot-key") != std::string::npos)
        CHECK(lenient.error == "before: missing");
      else
        CHECK(lenient.status == CASEX_OK);
      ++refused;
    } else {
      CHECK(strict.status == CASEX_OK);
      ++accepted;
    }
  }
  CHECK(refused >= 10);
  CHECK(accepted >= 2);
  CHECK(casex_engine_set_lenient_input(nullptr, 1) == CASEX_INVALID_ARGUMENT);
  CHECK(std::string(casex_engine_last_error(nullptr)) ==
        "casex_engine_set_lenient_input: engine is NULL");
  casex_engine_free(engine);
}
