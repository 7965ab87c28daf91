// tests/version_test.cpp: the versions of issue 15: the rule set version is the
// SHA-256 (libcrypto) of the rule files framed as engine/api.cpp's digest() and
// docs/embedding.md say; the library's version comes from project(casex VERSION).
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "casex/version.h"
#include "tools/decision_log.h"

namespace {

// u64be(size of base name) | base name | u64be(size of text) | text, per file in order.
std::string framed(const std::vector<casex::SourceFile>& files) {
  std::string out;
  auto frame = [&](const std::string& s) {
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>(static_cast<uint64_t>(s.size()) >> (8 * i)));
    out += s;
  };
  for (const auto& f : files) {
    frame(std::filesystem::path(f.name).filename().string());
    frame(f.text);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "version: the rule set version is the first 16 hex digits of the SHA-256 of the framed rule "
    "files",
    "[version]") {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  casex::LoadResult r = casex::RuleSet::load_texts(files);
  REQUIRE(r.rules);
  CHECK(r.rules->version() == casex::cli::sha256_hex(framed(files)).substr(0, 16));
  CHECK(r.rules->version() == "896bf72711ca0fd9");  // docs/embedding.md and README quote it
}

TEST_CASE("version: casex_version(), casex --version and lint's SARIF give project()'s version",
          "[version]") {
  CHECK(std::string(casex_version()) == CASEX_VERSION);
  CHECK(std::string(CASEX_VERSION) == std::to_string(CASEX_VERSION_MAJOR) + "." +
                                          std::to_string(CASEX_VERSION_MINOR) + "." +
                                          std::to_string(CASEX_VERSION_PATCH));
  auto run = [](const std::string& args) {
    std::string out;
    if (FILE* p = popen((std::string(CASEX_BINARY) + " " + args).c_str(), "r")) {
      char buf[4096];
      for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
      pclose(p);
    }
    return out;
  };
  CHECK(run("--version") == std::string("casex ") + CASEX_VERSION + "\n");
  std::string sarif = run(std::string("lint --format sarif ") + CASEX_RULES_DIR);
  boost::json::error_code ec;
  boost::json::value doc = boost::json::parse(sarif, ec);
  REQUIRE(!ec);
  const boost::json::value* driver = doc.find_pointer("/runs/0/tool/driver", ec);
  REQUIRE(driver);
  CHECK(driver->at("name") == "casex lint");
  CHECK(driver->at("version") == CASEX_VERSION);
}
