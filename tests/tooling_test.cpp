// tests/tooling_test.cpp: the public tooling API (include/casex/tooling.hpp),
// what the casex command calls for explain, lint, render and test.
#include "casex/tooling.hpp"  // first: the public header stands alone

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/api_internal.h"  // only to list the table ids the page must show

namespace {

const casex::RuleSet& builtin() {
  static casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  return rules;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("tooling: explain of examples/change.json gives a change explanation as JSON and text") {
  std::string doc = read(CASEX_EXAMPLES_DIR "/change.json");
  REQUIRE_FALSE(doc.empty());
  casex::Explanation e = casex::explain_document(builtin(), doc);
  REQUIRE(e.ok);
  CHECK(e.error.empty());
  CHECK_FALSE(e.rules_error);
  CHECK(e.json.find("\"kind\":\"change\"") != std::string::npos);
  CHECK_FALSE(e.text.empty());
  CHECK(e.text.back() == '\n');
}

TEST_CASE("tooling: explain of a document that is not JSON is an error, not an explanation") {
  casex::Explanation e = casex::explain_document(builtin(), "{not json");
  CHECK_FALSE(e.ok);
  CHECK_FALSE(e.error.empty());
  CHECK(e.json.empty());
}

TEST_CASE("tooling: lint of the built-in rules has no findings, every code is listed") {
  casex::LoadResult r = casex::lint_texts(casex::RuleSet::builtin_sources());
  CHECK(r.rules.has_value());
  CHECK(r.diagnostics.empty());
  auto codes = casex::diagnostic_codes();
  REQUIRE_FALSE(codes.empty());
  bool shadowed = false;
  for (const auto& c : codes) {
    CHECK_FALSE(c.name.empty());
    CHECK_FALSE(c.description.empty());
    shadowed = shadowed || c.name == "shadowed-rule";
  }
  CHECK(shadowed);
  std::vector<casex::Diagnostic> problems;
  auto files = casex::read_rule_files({CASEX_RULES_DIR}, problems);
  CHECK(problems.empty());
  CHECK(files.size() == casex::RuleSet::builtin_sources().size());
}

TEST_CASE("tooling: render returns an HTML page with each table id and the options' title") {
  casex::RenderOptions o;
  o.title = "tooling & title";
  o.source = "the built-in rules";
  std::string html = casex::render_rules_html(builtin(), {}, o);
  CHECK(html.find("<html") != std::string::npos);
  CHECK(html.find("tooling &amp; title") != std::string::npos);
  const auto& tables = casex::detail::compiled(builtin()).rules.tables;
  REQUIRE_FALSE(tables.empty());
  for (const auto& t : tables) CHECK(html.find("data-table=\"" + t.id + "\"") != std::string::npos);
}

TEST_CASE("tooling: rule tests of tests/rules run with coverage, JUnit XML escapes for XML 1.0") {
  casex::RuleTestReport report =
      casex::run_rule_tests(builtin(), {CASEX_TEST_RULES_DIR "/done.yaml"});
  REQUIRE(report.errors.empty());
  REQUIRE_FALSE(report.cases.empty());
  CHECK(report.failed() == 0);
  CHECK(report.total > 0);
  CHECK(report.fired > 0);
  CHECK_FALSE(report.coverage.empty());
  CHECK(casex::coverage_reaches(1, 2, 50));
  CHECK_FALSE(casex::coverage_reaches(999, 1000, 100));
  CHECK(casex::coverage_percent(999, 1000) == "99.9");

  casex::RuleTestReport made;
  casex::RuleTestCaseResult c;
  c.file = "a<b>.yaml";
  c.name = "quote \" and \x01";
  c.line = 3;
  c.differences = {"phase: expected \"A\", got \"B\""};
  c.actual = "{}";
  made.cases.push_back(c);
  std::string xml = casex::junit_xml(made);
  CHECK(xml.find("failures=\"1\"") != std::string::npos);
  CHECK(xml.find("a&lt;b&gt;.yaml") != std::string::npos);
  CHECK(xml.find("quote &quot; and \\u0001") != std::string::npos);
  CHECK(casex::failure_text(c) == "    phase: expected \"A\", got \"B\"\n    actual: {}\n");

  casex::RuleTestReport missing =
      casex::run_rule_tests(builtin(), {CASEX_TEST_RULES_DIR "/no-such-file.yaml"});
  CHECK_FALSE(missing.errors.empty());
  CHECK(missing.cases.empty());
}

TEST_CASE(
    "tooling: lint --explain of every code is its section of docs/lint.md, with an example and "
    "its fix") {
  std::string doc = read(CASEX_RULES_DIR "/../docs/lint.md");
  REQUIRE_FALSE(doc.empty());
  for (const auto& c : casex::diagnostic_codes()) {
    INFO("code " << c.name << ":\n" << c.explanation);
    CHECK(doc.find("\n### `" + c.name + "`\n") != std::string::npos);
    // an example diagnostic of the code, as docs/lint.md shows it
    std::size_t at = c.explanation.find("[" + c.name + "]");
    REQUIRE(at != std::string::npos);
    std::size_t start = c.explanation.rfind('\n', at) + 1;
    std::string example = c.explanation.substr(start, c.explanation.find('\n', at) - start);
    REQUIRE(example.rfind("    ", 0) == 0);  // shown as an indented example
    CHECK(doc.find("\n" + example.substr(4) + "\n") != std::string::npos);
    // and how to fix it
    CHECK((c.explanation.find("Fix") != std::string::npos ||
           c.explanation.find("help:") != std::string::npos));
    CHECK(c.explanation.find("```") == std::string::npos);
  }
}

TEST_CASE(
    "tooling: value-not-in-set's help names the vocabulary file and line of the field's values: "
    "to extend") {
  std::vector<casex::Diagnostic> problems;
  auto files = casex::read_rule_files({CASEX_RULES_DIR}, problems);
  REQUIRE(problems.empty());
  std::string vocabulary;
  for (auto& f : files) {
    if (f.name.find("vocabulary.yaml") != std::string::npos) vocabulary = f.name;
    if (f.name.find("validation.yaml") != std::string::npos) {
      std::size_t at = f.text.find("\"RequestRejected\"");
      REQUIRE(at != std::string::npos);
      f.text.replace(at, 17, "\"RequestRejectd\"");
    }
  }
  REQUIRE_FALSE(vocabulary.empty());
  // the line of `values:` of completion_code in the vocabulary file
  std::string text = read(vocabulary);
  std::size_t field = text.find("name: completion_code");
  REQUIRE(field != std::string::npos);
  std::size_t values = text.find("values:", field);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + values, '\n'));
  casex::LoadResult r = casex::lint_texts(files);
  bool found = false;
  for (const auto& d : r.diagnostics)
    if (d.code == "value-not-in-set") {
      found = true;
      CHECK(d.help ==
            "did you mean \"RequestRejected\"? or, to allow \"RequestRejectd\", add it "
            "to the `values:` of completion_code at " +
                vocabulary + ":" + std::to_string(line));
    }
  CHECK(found);
}

TEST_CASE(
    "tooling: lint_texts_cancellable stops at its cancellation points, never cancelled it is "
    "lint_texts") {
  const auto files = casex::RuleSet::builtin_sources();
  casex::LintRun full = casex::lint_texts_cancellable(files, [] { return false; });
  CHECK_FALSE(full.cancelled);
  CHECK(full.checks > 6);  // several tables, six lint rules each
  CHECK(full.result.diagnostics.size() == casex::lint_texts(files).diagnostics.size());
  CHECK(casex::lint_texts_cancellable(files, {}).checks == full.checks);  // empty: never asked

  // Cancelled at the first question (once the files are loaded): no lint rule runs.
  int asked = 0;
  casex::LintRun at_once = casex::lint_texts_cancellable(files, [&] { return ++asked >= 1; });
  CHECK(at_once.cancelled);
  CHECK(at_once.checks == 0);
  CHECK(asked == 1);

  // Cancelled at the fifth question: some lint rules ran, not all, and no question after.
  asked = 0;
  casex::LintRun midway = casex::lint_texts_cancellable(files, [&] { return ++asked >= 5; });
  CHECK(midway.cancelled);
  CHECK(midway.checks > 0);
  CHECK(midway.checks < full.checks);
  CHECK(asked == 5);
}

TEST_CASE("tooling: a cancelled lint of a 1,000-rule table stops inside the table's analysis") {
  auto files = casex::RuleSet::builtin_sources();
  std::string table =
      "table:\n  id: resolution\n  scope: {metaphase: Resolution}\n  hit_policy: first\n  rules:\n";
  for (int i = 0; i < 1000; ++i)
    table += "    - id: scale.r" + std::to_string(i) +
             "\n      when: after.expected_resolution_time == \"C" + std::to_string(i) +
             "\" or changed(solution)\n      then: Update\n";
  bool replaced = false;
  for (auto& f : files)
    if (f.name.find("resolution") != std::string::npos) {
      f.text = table;
      replaced = true;
    }
  REQUIRE(replaced);
  // Never cancelling: asked more often than the points between tables and lint
  // rules (once after loading, before each table and each of its lint rules, before
  // each rule-set-wide rule): the solver asks inside the table's analysis too.
  int asked = 0;
  casex::LintRun full = casex::lint_texts_cancellable(files, [&] {
    ++asked;
    return false;
  });
  REQUIRE_FALSE(full.cancelled);
  const int between = 1 + static_cast<int>(full.checks / 6) * 7 + 6;
  CHECK(asked > between);
  // Cancelled at the middle question: the run stops there, with fewer checks.
  const int middle = asked / 2;
  asked = 0;
  casex::LintRun run = casex::lint_texts_cancellable(files, [&] { return ++asked >= middle; });
  CHECK(run.cancelled);
  CHECK(asked == middle);
  CHECK(run.checks < full.checks);
}

namespace {

// The built-in rules with `old` replaced by `now` in the file whose name holds `file`.
std::vector<casex::SourceFile> edited(const std::string& file, const std::string& old,
                                      const std::string& now) {
  auto files = casex::RuleSet::builtin_sources();
  for (auto& f : files)
    if (f.name.find(file) != std::string::npos) {
      std::size_t at = f.text.find(old);
      REQUIRE(at != std::string::npos);
      f.text.replace(at, old.size(), now);
    }
  return files;
}

const casex::Diagnostic* find_code(const casex::LoadResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics)
    if (d.code == code) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("tooling: a diagnostic in an expression ends where its token ends (the parser's span)") {
  // line 11: `      when: changed(completion_code) and ...`; "completon_code" starts at column 21
  auto r = casex::lint_texts(edited(
      "validation", "changed(completion_code) and after.completion_code == \"WithdrawnbyUser\"",
      "changed(completon_code) and after.completion_code == \"WithdrawnbyUser\""));
  const casex::Diagnostic* d = find_code(r, "unknown-field");
  REQUIRE(d != nullptr);
  CHECK(d->line == 11);
  CHECK(d->column == 21);
  CHECK(d->end_line == 11);
  CHECK(d->end_column == 21 + 14);  // just past "completon_code"
}

TEST_CASE(
    "tooling: a diagnostic at a YAML scalar ends where the scalar ends, a quoted one after its "
    "quote") {
  auto plain = casex::lint_texts(edited("validation", "      then: Cancel", "      then: Cancle"));
  const casex::Diagnostic* d = find_code(plain, "unknown-operation");
  REQUIRE(d != nullptr);
  CHECK(d->line == 12);
  CHECK(d->column == 13);
  CHECK(d->end_line == 12);
  CHECK(d->end_column == 13 + 6);
  auto quoted =
      casex::lint_texts(edited("validation", "      then: Cancel", "      then: \"Cancle\""));
  d = find_code(quoted, "unknown-operation");
  REQUIRE(d != nullptr);
  CHECK(d->column == 13);
  CHECK(d->end_column == 13 + 8);  // the quotes included
  // a folded condition on two lines, shadowed: its range is all of it
  auto folded = casex::lint_texts(
      edited("validation", "    - id: validation.cancel",
             "    - id: validation.all\n      when: entered(\"Review\") or changed(solution) or "
             "changed(completion_code) or comment_added or attachment_changed\n      then: "
             "Update\n\n    - id: validation.cancel"));
  const casex::Diagnostic* last = nullptr;
  for (const auto& f : folded.diagnostics)
    if (f.code == "shadowed-rule") last = &f;  // validation.resolve, the last rule
  REQUIRE(last != nullptr);
  CHECK(last->message.find("\"validation.resolve\"") != std::string::npos);
  CHECK(last->line == 29);
  CHECK(last->column == 9);
  CHECK(last->end_line == 30);
  CHECK(last->end_column == 9 + 38);  // just past "or comment_added or attachment_changed"
}

TEST_CASE("tooling: a shadowed rule names the rule that shadows it, with where its id is") {
  auto r = casex::lint_texts(edited("validation", "    - id: validation.cancel",
                                    "    - id: validation.any-code\n      when: "
                                    "changed(completion_code)\n      then: Update\n\n    - id: "
                                    "validation.cancel"));
  const casex::Diagnostic* d = find_code(r, "shadowed-rule");
  REQUIRE(d != nullptr);
  REQUIRE(d->related.size() == 1);
  CHECK(d->related[0].what == "rule");
  CHECK(d->related[0].id == "validation.any-code");
  CHECK(d->related[0].file == d->file);
  CHECK(d->related[0].line == 9);
  CHECK(d->related[0].column == 11);
  CHECK(d->related[0].end_line == 9);
  CHECK(d->related[0].end_column == 11 + 19);
}

TEST_CASE("tooling: two tables of one scope: the finding names the other table") {
  auto r = casex::lint_texts(
      edited("done", "scope: {metaphase: Done}", "scope: {metaphase: Validation}"));
  const casex::Diagnostic* d = find_code(r, "duplicate-scope");
  REQUIRE(d != nullptr);
  REQUIRE(d->related.size() == 1);
  CHECK(d->related[0].what == "table");
  CHECK(d->message.find("as table \"" + d->related[0].id + "\"") != std::string::npos);
  CHECK(d->related[0].line == 5);
  CHECK(d->related[0].column == 7);
}

TEST_CASE(
    "tooling: a rule test file naming an unknown rule id or phase gets diagnostics at the names") {
  const auto rules = casex::RuleSet::builtin_sources();
  casex::SourceFile test{
      "t.yaml",
      "cases:\n"
      "  - name: c\n"
      "    input: {before: {phase: Reviw}, after: {phase: Close}}\n"
      "    expect:\n"
      "      operations:\n"
      "        - {operation: Cancel, system: SM, phase: Close, rule: done.cancle}\n"};
  auto ds = casex::check_rule_test_file(rules, test);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].code == "unknown-phase");
  CHECK(ds[0].line == 3);
  CHECK(ds[0].column == 29);
  CHECK(ds[0].end_column == 34);
  CHECK(ds[0].help == "did you mean \"Review\"?");
  CHECK(ds[1].code == "unknown-rule");
  CHECK(ds[1].line == 6);
  CHECK(ds[1].column == 63);
  CHECK(ds[1].end_column == 74);
  CHECK(ds[1].help == "did you mean \"done.cancel\"?");
  // the test files of the repository name only what the rules declare
  test.text = read(CASEX_RULES_DIR "/../tests/rules/done.yaml");
  CHECK(casex::check_rule_test_file(rules, test).empty());
}

TEST_CASE(
    "tooling: rule test file fixtures (tests/data/ruletest): the diagnostics of each, as "
    "expected") {
  const std::string dir = CASEX_RULES_DIR "/../tests/data/ruletest/";
  for (const char* name : {"unknown-rule"}) {
    casex::SourceFile test{std::string(name) + ".yaml", read(dir + name + ".yaml")};
    REQUIRE_FALSE(test.text.empty());
    auto ds = casex::check_rule_test_file(casex::RuleSet::builtin_sources(), test);
    CHECK(casex::format_diagnostics(ds, {test}) == read(dir + name + ".expected"));
  }
}
