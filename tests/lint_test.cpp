// tests/lint_test.cpp: `casex lint`'s semantic analysis: golden fixtures
// (tests/data/lint, see its README.md), witnesses run through `casex eval` and
// checked to demonstrate their findings, and the default and generated rules.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/json/json_io.h"
#include "engine/lint/lint.h"
#include "tests/support/generate.h"

namespace fs = std::filesystem;
namespace bj = boost::json;

namespace {

const std::string kDataDir = CASEX_TEST_DATA_DIR;
const std::string kCaseDir = kDataDir + "/lint";
const std::string kRulesDir = CASEX_RULES_DIR;
const std::string kBinary = CASEX_BINARY;

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

std::vector<casex::SourceFile> default_rules() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(kRulesDir))
    if (e.is_regular_file() && e.path().extension() == ".yaml") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<casex::SourceFile> files;
  for (const auto& p : paths) files.push_back({"rules/" + p.filename().string(), slurp(p)});
  return files;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kCaseDir))
    if (e.is_regular_file() && e.path().extension() == ".yaml")
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The rule set of a case: the default rules with the case's file replacing or added.
std::vector<casex::SourceFile> case_files(const std::string& name) {
  std::string text = slurp(kCaseDir + "/" + name + ".yaml");
  std::string header = text.substr(0, text.find('\n'));
  const std::string replaces = "# replaces rules/", adds = "# adds rules/";
  bool replacing = header.rfind(replaces, 0) == 0;
  REQUIRE((replacing || header.rfind(adds, 0) == 0));
  std::string file = "rules/" + header.substr(replacing ? replaces.size() : adds.size());
  auto files = default_rules();
  auto it = std::find_if(files.begin(), files.end(),
                         [&](const casex::SourceFile& f) { return f.name == file; });
  REQUIRE(replacing == (it != files.end()));
  if (replacing) {
    it->text = text;
  } else {
    files.push_back({file, text});
    std::sort(
        files.begin(), files.end(),
        [](const casex::SourceFile& a, const casex::SourceFile& b) { return a.name < b.name; });
  }
  return files;
}

// What `casex lint` prints for the findings (its text format, without the summary line).
std::string render(const casex::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) {
    out += casex::format_diagnostics({d}, r.sources);
    if (!d.witness.empty()) out += "  witness: " + d.witness + "\n";
  }
  return out;
}

// The quoted names of a message, in order: rule and table ids.
std::vector<std::string> quoted(const std::string& message) {
  std::vector<std::string> out;
  for (std::size_t p = message.find('"'); p != std::string::npos;) {
    std::size_t q = message.find('"', p + 1);
    if (q == std::string::npos) break;
    out.push_back(message.substr(p + 1, q - p - 1));
    p = message.find('"', q + 1);
  }
  return out;
}

// The text between the first pair of backticks (a condition).
std::string backticked(const std::string& message) {
  std::size_t p = message.find('`'), q = message.find('`', p + 1);
  return p == std::string::npos || q == std::string::npos ? std::string()
                                                          : message.substr(p + 1, q - p - 1);
}

// `casex eval --rules DIR FILE` on a witness, through the command itself.
std::string eval_command(const std::vector<casex::SourceFile>& files, const std::string& document,
                         int& status) {
  fs::path dir = fs::temp_directory_path() / ("casex-lint-test-" + std::to_string(std::rand()));
  fs::create_directories(dir / "rules");
  for (const auto& f : files) std::ofstream(dir / f.name, std::ios::binary) << f.text;
  std::ofstream(dir / "witness.json", std::ios::binary) << document;
  std::string cmd = "'" + kBinary + "' eval --rules '" + (dir / "rules").string() + "' '" +
                    (dir / "witness.json").string() + "' 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = pclose(p);
  status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  fs::remove_all(dir);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int table_of_rule(const casex::detail::CompiledRules& c, const std::string& rule, int& index) {
  for (std::size_t t = 0; t < c.rules.tables.size(); ++t)
    for (std::size_t r = 0; r < c.rules.tables[t].rules.size(); ++r)
      if (c.rules.tables[t].rules[r].id == rule) {
        index = static_cast<int>(r);
        return static_cast<int>(t);
      }
  return -1;
}

bool rule_matches(const casex::detail::DecisionTable& dt, const std::vector<uint64_t>& bits,
                  int rule) {
  for (const auto& row : dt.rows) {
    if (static_cast<int>(row.rule) != rule) continue;
    bool ok = true;
    for (uint32_t w = 0; w < dt.words; ++w)
      ok = ok && (bits[w] & dt.pool[row.offset + w]) == dt.pool[row.offset + dt.words + w];
    if (ok) return true;
  }
  return false;
}

// The rules whose operations a result document sends.
std::set<std::string> rules_sent(const std::string& output) {
  std::set<std::string> out;
  bj::value v = bj::parse(output);
  for (const auto& op : v.at("operations").as_array())
    out.insert(std::string(op.at("rule").as_string()));
  return out;
}

}  // namespace

TEST_CASE("lint fixtures: findings equal the .expected files", "[lint]") {
  auto names = case_names();
  REQUIRE(!names.empty());
  for (const auto& name : names) {
    DYNAMIC_SECTION(name) {
      auto result = casex::lint_texts(case_files(name));
      std::string output = render(result);
      fs::path expected_path = kCaseDir + "/" + name + ".expected";
      if (update_mode()) {
        if (!fs::exists(expected_path) || slurp(expected_path) != output) {
          std::ofstream(expected_path, std::ios::binary) << output;
          WARN("rewrote " << expected_path.string());
        }
        continue;
      }
      std::string expected =
          fs::exists(expected_path) ? slurp(expected_path) : std::string("(missing)");
      if (output != expected) {
        std::cerr << "=== " << name << ": expected (" << expected_path.string() << "):\n"
                  << expected << "=== " << name << ": actual:\n"
                  << output << "===\n";
        FAIL_CHECK("findings differ from " << expected_path.string() << " (both printed above)");
      }
    }
  }
}

TEST_CASE("lint fixtures: every witness, run through casex eval, demonstrates its finding",
          "[lint]") {
  int witnesses = 0;
  std::set<std::string> codes_shown;
  for (const auto& name : case_names()) {
    auto files = case_files(name);
    auto result = casex::lint_texts(files);
    casex::LoadResult loaded = casex::RuleSet::load_texts(files);
    for (const auto& d : result.diagnostics) {
      if (d.witness.empty()) continue;
      INFO("case " << name << ": " << d.message << "\nwitness: " << d.witness);
      REQUIRE(loaded.rules);  // lint findings are not load errors: the rules load
      const casex::RuleSet& rules = *loaded.rules;
      const auto& compiled = casex::detail::compiled(rules);
      ++witnesses;
      codes_shown.insert(d.code);
      // casex eval, the command, gives what eval_json gives
      casex::JsonResult r = rules.eval_json(d.witness);
      int status = 0;
      std::string cli = eval_command(files, d.witness, status);
      CHECK(status == (r.ok ? 0 : 1));
      if (r.ok)
        CHECK(cli == r.output);
      else
        CHECK(cli.find(r.error) != std::string::npos);
      // the trace of the same evaluation: which rows of the table matched
      casex::detail::JsonEvaluator evaluator(compiled);
      casex::detail::EvalTrace trace;
      bool incoming = false;
      std::string out, err;
      evaluator.explain(d.witness, trace, incoming, out, err);
      auto ids = quoted(d.message);
      REQUIRE(!ids.empty());
      if (d.code == "unique-overlap") {
        REQUIRE(ids.size() >= 2);
        CHECK(!r.ok);
        CHECK(r.error.find("\"" + ids[0] + "\"") != std::string::npos);
        CHECK(r.error.find("\"" + ids[1] + "\"") != std::string::npos);
        CHECK(r.error.find("unique") != std::string::npos);
      } else if (d.code == "shadowed-rule") {
        REQUIRE(r.ok);
        int rule = -1;
        int table = table_of_rule(compiled, ids[0], rule);
        REQUIRE(table >= 0);
        bool matched = false;
        for (const auto& step : trace.steps)
          if (step.table == table)
            matched = matched || rule_matches(compiled.tables[table], step.bits, rule);
        CHECK(matched);  // the shadowed rule's scenario holds...
        auto sent = rules_sent(r.output);
        CHECK(sent.count(ids[0]) == 0);  // ...yet it does not fire...
        bool winner = false;
        for (std::size_t i = 1; i < ids.size(); ++i) winner = winner || sent.count(ids[i]);
        CHECK(winner);  // ...one of the rules named fires instead
      } else if (d.code == "incomplete-table") {
        REQUIRE(r.ok);
        int table = -1;
        for (std::size_t t = 0; t < compiled.rules.tables.size(); ++t)
          if (compiled.rules.tables[t].id == ids[0]) table = static_cast<int>(t);
        REQUIRE(table >= 0);
        bool consulted = false;
        for (const auto& step : trace.steps) {
          if (step.table != table) continue;
          consulted = true;
          for (std::size_t rule = 0; rule < compiled.rules.tables[table].rules.size(); ++rule)
            CHECK(!rule_matches(compiled.tables[table], step.bits, static_cast<int>(rule)));
        }
        CHECK(consulted);  // the table is consulted, and no rule of it matches
        for (const auto& rule : compiled.rules.tables[table].rules)
          CHECK(rules_sent(r.output).count(rule.id) == 0);
      } else if (d.code == "redundant-condition") {
        // the same result with the condition deleted from the rule's scenario
        std::string cond = backticked(d.message);
        REQUIRE(!cond.empty());
        std::string bare = cond.rfind("not ", 0) == 0 ? cond.substr(4) : cond;
        auto edited = files;
        bool deleted = false;
        for (auto& f : edited) {
          if (f.name != d.file) continue;
          std::size_t line_start = 0;
          for (int l = 1; l < d.line; ++l) line_start = f.text.find('\n', line_start) + 1;
          std::size_t at = line_start + static_cast<std::size_t>(d.column - 1);
          if (cond != bare) at = f.text.rfind("not ", at);
          std::size_t len = cond.size();
          if (f.text.compare(at, len, cond) != 0) continue;
          if (f.text.compare(at + len, 5, " and ") == 0)
            len += 5;
          else if (at >= 5 && f.text.compare(at - 5, 5, " and ") == 0)
            at -= 5, len += 5;
          f.text.erase(at, len);
          deleted = true;
        }
        REQUIRE(deleted);
        casex::LoadResult without = casex::RuleSet::load_texts(edited);
        REQUIRE(without.rules);
        casex::JsonResult r2 = without.rules->eval_json(d.witness);
        CHECK(r2.ok == r.ok);
        CHECK(r2.output == r.output);
      } else {
        FAIL("no check for the witness of " << d.code);
      }
    }
  }
  CHECK(witnesses >= 8);
  CHECK(codes_shown == std::set<std::string>{"unique-overlap", "shadowed-rule", "incomplete-table",
                                             "redundant-condition"});
}

TEST_CASE("lint fixtures: every diagnostic code of codes.def is shown by a load or lint fixture",
          "[lint]") {
  std::string all;
  for (const auto& n : case_names()) all += slurp(kCaseDir + "/" + n + ".expected");
  for (const auto& e : fs::directory_iterator(kDataDir + "/load"))
    if (e.path().extension() == ".expected") all += slurp(e.path());
  // rule test file checks (unknown-rule) have theirs in tests/data/ruletest
  for (const auto& e : fs::directory_iterator(kDataDir + "/ruletest"))
    if (e.path().extension() == ".expected") all += slurp(e.path());
  for (const auto& code : kAllCodes) {
    INFO("no .expected file of tests/data/lint or tests/data/load holds [" << code << "]");
    CHECK(all.find("[" + code + "]") != std::string::npos);
  }
}

TEST_CASE("lint: the default rules lint clean, built in and from rules/", "[lint]") {
  auto builtin = casex::lint_texts(casex::RuleSet::builtin_sources());
  CHECK(render(builtin) == "");
  auto files = casex::lint_texts(default_rules());
  CHECK(render(files) == "");
}

TEST_CASE(
    "lint: a table with a load error is not analysed under a guessed policy, a note says its "
    "analysis was skipped, and the other tables are analysed",
    "[lint]") {
  auto count = [](const casex::LoadResult& r, const std::string& code) {
    return std::count_if(r.diagnostics.begin(), r.diagnostics.end(),
                         [&](const casex::Diagnostic& d) { return d.code == code; });
  };
  // the same table under `first` has two shadowed rules
  auto first = casex::lint_texts(case_files("shadowed-rule"));
  REQUIRE(count(first, "shadowed-rule") == 2);
  // misspelt (`colect`): the load error and the note, no finding under a guessed `first`
  auto files = case_files("analysis-skipped-after-load-error");
  auto skipped = casex::lint_texts(files);
  CHECK(count(skipped, "unknown-hit-policy") == 1);
  CHECK(count(skipped, "shadowed-rule") == 0);
  CHECK(count(skipped, "redundant-condition") == 0);
  REQUIRE(count(skipped, "analysis-skipped") == 1);
  auto note = std::find_if(skipped.diagnostics.begin(), skipped.diagnostics.end(),
                           [](const casex::Diagnostic& d) { return d.code == "analysis-skipped"; });
  CHECK(note->severity == casex::Severity::Info);
  CHECK(note->file == "rules/done.yaml");
  CHECK(note->message.find("table \"done\"") != std::string::npos);
  CHECK(note->message.find("unknown-hit-policy") != std::string::npos);
  // a rule of the table that does not load (an unknown operation): skipped the same way
  for (auto& f : files)
    if (f.name == "rules/done.yaml") {
      f.text = slurp(kCaseDir + "/shadowed-rule.yaml");
      f.text.replace(f.text.find("then: Cancel"), 12, "then: Cancel2");
    }
  auto rule_error = casex::lint_texts(files);
  CHECK(count(rule_error, "unknown-operation") == 1);
  CHECK(count(rule_error, "shadowed-rule") == 0);
  CHECK(count(rule_error, "analysis-skipped") == 1);
  // an error in another table's file does not stop this table's analysis
  auto elsewhere = case_files("shadowed-rule");
  for (auto& f : elsewhere)
    if (f.name == "rules/resolution.yaml")
      f.text.replace(f.text.find("hit_policy: first"), 17, "hit_policy: colect");
  auto other = casex::lint_texts(elsewhere);
  CHECK(count(other, "shadowed-rule") == 2);
  REQUIRE(count(other, "analysis-skipped") == 1);
  for (const auto& d : other.diagnostics)
    if (d.code == "analysis-skipped") CHECK(d.file == "rules/resolution.yaml");
}

TEST_CASE("lint: a generated table of 1,000 rules lints clean, as unique it overlaps pairwise",
          "[lint]") {
  casex::detail::LintStats stats;
  auto result = casex::detail::lint_sources(casex::detail::generated_rule_set(1000), &stats);
  CHECK(render(result) == "");
  CHECK(stats.rows == 1500 + 16);        // 500 rules of two rows, 500 of one; the other tables' 16
  CHECK(stats.candidate_pairs < 10000);  // the index, not the 1,136,278 pairs of 1,508 rows
  auto unique = casex::detail::lint_sources(casex::detail::generated_rule_set(40, "unique"));
  int overlaps = 0;
  for (const auto& d : unique.diagnostics) overlaps += d.code == "unique-overlap";
  CHECK(overlaps == 20);  // rule 2k and rule 2k+1 share Group k; no other pair meets
}

TEST_CASE("lint: timings of the default rules and of generated tables", "[.][lint-timing]") {
  using clock = std::chrono::steady_clock;
  auto time = [](const std::vector<casex::SourceFile>& files, casex::detail::LintStats& stats) {
    auto t0 = clock::now();
    auto r = casex::detail::lint_sources(files, &stats);
    auto t1 = clock::now();
    return std::chrono::duration<double, std::milli>(t1 - t0).count();
  };
  casex::detail::LintStats s0;
  std::cout << "default rules: " << time(casex::RuleSet::builtin_sources(), s0) << " ms ("
            << s0.rows << " rows, " << s0.solver_queries << " solver queries)\n";
  for (std::size_t n : {100, 1000, 5000}) {
    casex::detail::LintStats s;
    double ms = time(casex::detail::generated_rule_set(n), s);
    std::cout << "generated table of " << n << " rules: " << ms << " ms (" << s.rows << " rows, "
              << s.candidate_pairs << " candidate pairs, " << s.solver_queries
              << " solver queries, " << s.budget_steps << " solver steps, " << s.incomplete_tables
              << " tables incomplete)\n";
  }
}

TEST_CASE(
    "lint: a witness candidate the evaluator does not reproduce is rejected, and the next one is "
    "reported",
    "[lint]") {
  // Under hit policy unique, r.update and r.resolve overlap whenever a comment is
  // added. The model of that overlap leaves the phases free, so the first
  // candidate is the change InitialSupport -> InitialSupport, where
  // r.in-initial-support matches too and the run-time error names it and
  // r.update, not the pair of the finding: that candidate must be rejected and
  // the next one (Escalate -> Escalate) reported. Every reported witness must
  // reproduce its finding: an error naming both of its rules.
  auto files = default_rules();
  bool edited = false;
  for (auto& f : files)
    if (f.name == "rules/resolution.yaml") {
      f.text =
          "table:\n  id: resolution\n  scope: {metaphase: Resolution}\n  hit_policy: unique\n  "
          "rules:\n"
          "    - id: r.in-initial-support\n      when: after.phase == \"InitialSupport\"\n      "
          "then: Cancel\n"
          "    - id: r.update\n      when: comment_added\n      then: Update\n"
          "    - id: r.resolve\n      when: comment_added\n      then: Resolve\n";
      edited = true;
    }
  REQUIRE(edited);
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.rules);
  auto result = casex::lint_texts(files);
  INFO(render(result));
  int overlaps = 0;
  bool update_resolve = false;
  for (const auto& d : result.diagnostics) {
    if (d.code != "unique-overlap") continue;
    ++overlaps;
    INFO("witness: " << d.witness);
    REQUIRE_FALSE(d.witness.empty());
    std::vector<std::string> names = quoted(d.message);
    REQUIRE(names.size() >= 2);
    casex::JsonResult r = loaded.rules->eval_json(d.witness);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("\"" + names[0] + "\"") != std::string::npos);
    CHECK(r.error.find("\"" + names[1] + "\"") != std::string::npos);
    if (names[0] == "r.update" && names[1] == "r.resolve") {
      update_resolve = true;
      CHECK(std::string(bj::parse(d.witness).at("after").at("phase").as_string()) !=
            "InitialSupport");
    }
  }
  CHECK(overlaps >= 1);
  CHECK(update_resolve);
}

TEST_CASE(
    "lint: entered() of a transition table's target phase holds there, so a rule asking it is "
    "satisfiable",
    "[lint]") {
  auto files = default_rules();
  bool edited = false;
  for (auto& f : files)
    if (f.name == "rules/review-initialsupport.yaml") {
      const std::string from =
          "      when: not is_external(before.assignment) and is_external(after.assignment)\n";
      auto at = f.text.find(from);
      REQUIRE(at != std::string::npos);
      f.text.replace(
          at, from.size(),
          "      when: entered(\"InitialSupport\") and not is_external(before.assignment) and "
          "is_external(after.assignment)\n");
      edited = true;
    }
  REQUIRE(edited);
  auto result = casex::lint_texts(files);
  INFO(render(result));
  for (const auto& d : result.diagnostics) {
    CHECK(d.severity != casex::Severity::Error);
    CHECK(d.code != "unsatisfiable-scenario");
    CHECK(d.code != "shadowed-rule");
  }
}
