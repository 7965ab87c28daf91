// tests/load_test.cpp: golden fixtures of the loader's diagnostics (tests/data/load,
// see its README.md): each case's rendered format_diagnostics output must equal
// its .expected file; CASEX_UPDATE_FIXTURES=1 rewrites the .expected files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kDataDir = CASEX_TEST_DATA_DIR;
const std::string kCaseDir = kDataDir + "/load";
const std::string kRulesDir = CASEX_RULES_DIR;

// Every diagnostic code, from the single list of codes.
const std::vector<std::string> kAllCodes = {
#define CASEX_CODE(id, name, sev, desc) name,
#include "engine/common/codes.def"
#undef CASEX_CODE
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool update_mode() {
  const char* v = std::getenv("CASEX_UPDATE_FIXTURES");
  return v && std::string(v) == "1";
}

// The default rule files, named `rules/<file>` as the .expected files show them.
std::vector<casex::SourceFile> default_rules() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(kRulesDir))
    if (e.is_regular_file() && e.path().extension() == ".yaml") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<casex::SourceFile> files;
  for (const auto& p : paths) files.push_back({"rules/" + p.filename().string(), slurp(p)});
  return files;
}

// The case names: the base names of tests/data/load/*.yaml, sorted.
std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kCaseDir))
    if (e.is_regular_file() && e.path().extension() == ".yaml")
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The outcome of running one case.
struct CaseRun {
  std::string error;   // a malformed case (bad header), or empty
  std::string output;  // format_diagnostics of the load
  bool loaded = false;
  bool has_errors = false;
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

// Runs a case as its first line directs (see tests/data/load/README.md).
CaseRun run_case(const std::string& name) {
  CaseRun run;
  std::string text = slurp(kCaseDir + "/" + name + ".yaml");
  std::string header = text.substr(0, text.find('\n'));
  if (!header.empty() && header.back() == '\r') header.pop_back();
  casex::LoadResult result;
  const std::string replaces = "# replaces rules/", adds = "# adds rules/",
                    dir = "# load_directory ";
  if (header.rfind(dir, 0) == 0) {
    result = casex::RuleSet::load_directory(kCaseDir + "/" + header.substr(dir.size()));
  } else {
    bool replacing = header.rfind(replaces, 0) == 0;
    if (!replacing && header.rfind(adds, 0) != 0) {
      run.error =
          "the first line must be `# replaces rules/FILE`, `# adds rules/FILE` or "
          "`# load_directory DIR`";
      return run;
    }
    std::string file = "rules/" + header.substr(replacing ? replaces.size() : adds.size());
    auto files = default_rules();
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const casex::SourceFile& f) { return f.name == file; });
    if (replacing != (it != files.end())) {
      run.error = replacing ? file + " is not a default rule file"
                            : file + " is already a default rule file";
      return run;
    }
    if (replacing) {
      it->text = text;
    } else {
      files.push_back({file, text});
      std::sort(
          files.begin(), files.end(),
          [](const casex::SourceFile& a, const casex::SourceFile& b) { return a.name < b.name; });
    }
    result = casex::RuleSet::load_texts(std::move(files));
  }
  run.output = casex::format_diagnostics(result.diagnostics, result.sources);
  // load_directory names the files (and the directory) by their path
  replace_all(run.output, kDataDir + "/", "tests/data/");
  run.loaded = result.rules.has_value();
  run.has_errors = false;
  for (const auto& d : result.diagnostics) run.has_errors |= d.severity == casex::Severity::Error;
  return run;
}

}  // namespace

TEST_CASE("load fixtures: the default rules load without diagnostics", "[load]") {
  auto result = casex::RuleSet::load_texts(default_rules());
  CHECK(casex::format_diagnostics(result.diagnostics, result.sources) == "");
  CHECK(result.rules.has_value());
}

TEST_CASE("load fixtures: diagnostics equal the .expected files", "[load]") {
  auto names = case_names();
  REQUIRE(!names.empty());
  for (const auto& name : names) {
    DYNAMIC_SECTION(name) {
      CaseRun run = run_case(name);
      INFO("case " << kCaseDir << "/" << name << ".yaml");
      if (!run.error.empty()) FAIL(run.error);
      CHECK(run.loaded == !run.has_errors);  // a rule set loads exactly when it has no error
      fs::path expected_path = kCaseDir + "/" + name + ".expected";
      if (update_mode()) {
        if (!fs::exists(expected_path) || slurp(expected_path) != run.output) {
          std::ofstream(expected_path, std::ios::binary) << run.output;
          WARN("rewrote " << expected_path.string());
        }
        continue;
      }
      if (!fs::exists(expected_path)) {
        std::cerr << "=== " << name << ": actual:\n" << run.output << "===\n";
        FAIL("missing " << expected_path.string() << " (the actual output is printed above)");
      }
      std::string expected = slurp(expected_path);
      if (run.output != expected) {
        // Printed as they are: Catch would wrap the long lines and move the carets.
        std::cerr << "=== " << name << ": expected (" << expected_path.string() << "):\n"
                  << expected << "=== " << name << ": actual:\n"
                  << run.output << "===\n";
        FAIL_CHECK("diagnostics differ from " << expected_path.string() << " (both printed above)");
      }
    }
  }
}

TEST_CASE("load fixtures: every .expected file has its case", "[load]") {
  std::set<std::string> names;
  for (const auto& n : case_names()) names.insert(n);
  for (const auto& e : fs::directory_iterator(kCaseDir)) {
    if (e.path().extension() != ".expected") continue;
    INFO(e.path().string());
    CHECK(names.count(e.path().stem().string()) == 1);
  }
}

TEST_CASE("load fixtures: every diagnostic code of codes.def is shown by a fixture", "[load]") {
  std::string all;
  for (const auto& n : case_names()) all += slurp(kCaseDir + "/" + n + ".expected");
  // the codes of casex lint's semantic analysis have their fixtures in tests/data/lint
  for (const auto& e : fs::directory_iterator(kDataDir + "/lint"))
    if (e.path().extension() == ".expected") all += slurp(e.path());
  // rule test file checks (unknown-rule) have theirs in tests/data/ruletest
  for (const auto& e : fs::directory_iterator(kDataDir + "/ruletest"))
    if (e.path().extension() == ".expected") all += slurp(e.path());
  for (const auto& code : kAllCodes) {
    INFO("no .expected file of tests/data/load or tests/data/lint holds [" << code << "]");
    CHECK(all.find("[" + code + "]") != std::string::npos);
  }
}

TEST_CASE("a rule id used twice, by a table rule and an incoming rule, is refused naming the id",
          "[load]") {
  // Independent of the duplicate-rule-id fixtures: the rules of rules/ with one
  // incoming rule renamed to the id of a table rule.
  std::vector<casex::SourceFile> files;
  for (const auto& e : fs::directory_iterator(kRulesDir))
    if (e.path().extension() == ".yaml")
      files.push_back({"rules/" + e.path().filename().string(), slurp(e.path())});
  std::sort(files.begin(), files.end(),
            [](const casex::SourceFile& a, const casex::SourceFile& b) { return a.name < b.name; });
  REQUIRE(casex::RuleSet::load_texts(files).rules);
  bool renamed = false;
  for (auto& f : files)
    if (f.name == "rules/incoming.yaml") {
      auto at = f.text.find("- id: ");
      REQUIRE(at != std::string::npos);
      auto end = f.text.find('\n', at);
      f.text.replace(at, end - at, "- id: resolution.update");
      renamed = true;
    }
  REQUIRE(renamed);
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  CHECK_FALSE(loaded.rules);
  int named = 0;
  for (const auto& d : loaded.diagnostics)
    named +=
        d.code == "duplicate-id" && d.message == "rule id \"resolution.update\" is declared twice";
  CHECK(named == 1);
}
