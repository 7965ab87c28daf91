// tests/hostile_load_test.cpp: issue 13, "one loader, one verdict": a rule file
// (or rule test file) that is not a regular, readable, single-document, UTF-8
// YAML file within the loader's limits is a diagnostic at file:line:col, the
// same from RuleSet::load_directory (eval, explain, render, test, the Engine)
// and from read_rule_paths (lint); never an abort, a hang or a file skipped.
// The commands themselves: tests/hostile_load.sh.
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/load/load.h"
#include "engine/ruletest/ruletest.h"

namespace fs = std::filesystem;

namespace {

// A fresh copy of rules/ in a temporary directory, removed at the end.
struct RuleDir {
  fs::path dir;
  RuleDir() {
    dir = fs::temp_directory_path() /
          ("casex-hostile-load-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(CASEX_RULES_DIR))
      if (e.path().extension() == ".yaml") fs::copy_file(e.path(), dir / e.path().filename());
  }
  ~RuleDir() {
    std::error_code ec;
    fs::permissions(dir / "done.yaml", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir, ec);
  }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << text;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The built-in rules with one more file.
casex::LoadResult load_with(const std::string& text) {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  files.push_back({"rules/extra.yaml", text});
  return casex::RuleSet::load_texts(files);
}

const casex::Diagnostic* find(const std::vector<casex::Diagnostic>& ds, const std::string& code) {
  for (const auto& d : ds)
    if (d.code == code) return &d;
  return nullptr;
}

// load_directory (eval, explain, render, test) and read_rule_paths (lint) both
// refuse the directory with one file-read diagnostic naming `file`, containing
// `message`; `others` files of the directory are read.
void refused_by_both(const RuleDir& r, const std::string& file, const std::string& message,
                     std::size_t others) {
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  CHECK_FALSE(loaded.rules);
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].code == "file-read");
  CHECK(loaded.diagnostics[0].file == r / file);
  CHECK_THAT(loaded.diagnostics[0].message, Catch::Contains(message));
  std::vector<casex::Diagnostic> problems;
  auto files = casex::detail::read_rule_paths({r.dir.string()}, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].code == loaded.diagnostics[0].code);
  CHECK(problems[0].file == loaded.diagnostics[0].file);
  CHECK(problems[0].message == loaded.diagnostics[0].message);
  CHECK(files.size() == others);
}

std::vector<casex::detail::RuleTestCase> read_tests(const std::string& path,
                                                    std::vector<std::string>& errors) {
  static const casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  return casex::detail::read_rule_tests(path, casex::detail::compiled(rules).rules.vocabulary,
                                        errors);
}

}  // namespace

TEST_CASE("a rule directory holding a symlink loop is a diagnostic, not an abort",
          "[hostile_load]") {
  RuleDir r;
  fs::create_symlink("loop.yaml", r.dir / "loop.yaml");
  refused_by_both(r, "loop.yaml", "its symbolic links form a loop", 7);
}

TEST_CASE(
    "a rule file that is a dangling symlink, a FIFO or a directory is a diagnostic, not skipped",
    "[hostile_load]") {
  RuleDir r;
  fs::remove(r.dir / "done.yaml");
  SECTION("a dangling symbolic link") {
    fs::create_symlink("gone.yaml", r.dir / "done.yaml");
    refused_by_both(r, "done.yaml", "it is a dangling symbolic link", 6);
  }
  SECTION("a FIFO, refused without blocking on it") {
    REQUIRE(::mkfifo((r / "done.yaml").c_str(), 0644) == 0);
    refused_by_both(r, "done.yaml", "not a regular file (a FIFO)", 6);
  }
  SECTION("a directory") {
    fs::create_directory(r.dir / "done.yaml");
    refused_by_both(r, "done.yaml", "not a regular file (a directory)", 6);
  }
}

TEST_CASE("a FIFO named as a rule file is refused as not a regular file, without blocking",
          "[hostile_load]") {
  RuleDir r;
  REQUIRE(::mkfifo((r / "x.yaml").c_str(), 0644) == 0);
  std::vector<casex::Diagnostic> problems;
  auto files = casex::detail::read_rule_paths({r / "x.yaml"}, problems);
  CHECK(files.empty());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].code == "file-read");
  CHECK(problems[0].message == "not a regular file (a FIFO)");
}

// Whether load_directory and read_rule_paths both refuse `r`, whose done.yaml
// cannot be read, with the one diagnostic naming it (no Catch macros: this
// also runs in a child process).
bool unreadable_refused(const RuleDir& r) {
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  std::vector<casex::Diagnostic> problems;
  auto files = casex::detail::read_rule_paths({r.dir.string()}, problems);
  auto one = [&](const std::vector<casex::Diagnostic>& ds) {
    return ds.size() == 1 && ds[0].code == "file-read" && ds[0].file == r / "done.yaml" &&
           ds[0].message == "cannot read the file: Permission denied";
  };
  return !loaded.rules && one(loaded.diagnostics) && one(problems) && files.size() == 6;
}

TEST_CASE("an unreadable rule file is refused by eval's loader as by lint's", "[hostile_load]") {
  RuleDir r;
  fs::permissions(r.dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(r.dir / "done.yaml", fs::perms::none);
  if (::geteuid() != 0) {
    CHECK(unreadable_refused(r));
    return;
  }
  // Root reads a file of mode 000 (and CI runs as root): the loads run in a
  // child process that has become nobody (uid and gid 65534, no groups).
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    ::_exit(unreadable_refused(r) ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  INFO(
      "exit status 3: the child could not become nobody; 1: the loaders did not both refuse "
      "done.yaml");
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a rule file over the size limit is refused when read, without reading it whole",
          "[hostile_load]") {
  RuleDir r;
  r.write("big.yaml", "# " + std::string(casex::detail::kMaxRuleFileBytes, 'x') + "\n");
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  CHECK_FALSE(loaded.rules);
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].code == "limit-exceeded");
  CHECK(loaded.diagnostics[0].message == "the file is 1048579 bytes; the limit is 1048576 bytes");
}

TEST_CASE("a rule file holding two YAML documents is an error, not its second document ignored",
          "[hostile_load]") {
  RuleDir r;
  r.write("done.yaml", "---\n{}\n---\n" + slurp(std::string(CASEX_RULES_DIR) + "/done.yaml"));
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  CHECK_FALSE(loaded.rules);
  const casex::Diagnostic* d = find(loaded.diagnostics, "yaml-syntax");
  REQUIRE(d);
  CHECK(d->file == r / "done.yaml");
  CHECK(d->line == 3);
  CHECK(d->column == 1);
  CHECK_THAT(d->message, Catch::Contains("a second YAML document"));
  // a document end marker starts a second document as well
  CHECK(find(load_with("{}\n...\nvocabulary: {}\n").diagnostics, "yaml-syntax"));
  // one document, with or without its markers, loads
  CHECK(load_with("---\n{}\n...\n").rules);
  CHECK(load_with("# --- not a marker\n{}\n").rules);
}

TEST_CASE(
    "invalid UTF-8 in a rule id or a comment template is refused at load at its line and column",
    "[hostile_load]") {
  std::string table =
      "table:\n  id: t\n  scope: {transition: {from: Log, to: Close}}\n  hit_policy: first\n  "
      "rules:\n"
      "    - {id: t.r\xff, then: Close, when: comment_added}\n";
  casex::LoadResult a = load_with(table);
  CHECK_FALSE(a.rules);
  const casex::Diagnostic* d = find(a.diagnostics, "yaml-syntax");
  REQUIRE(d);
  CHECK(d->file == "rules/extra.yaml");
  CHECK(d->line == 6);
  CHECK(d->column == 15);
  CHECK(d->message == "the byte 0xFF is not UTF-8 (casex reads YAML files as UTF-8 text)");
  // an overlong form, a surrogate, a truncated sequence at the end: each refused at its first byte
  for (const std::string bad : {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"}) {
    casex::LoadResult b = load_with(
        "incoming:\n  - {id: x, operation: Reopen, actions: [{add_comment: \"a" + bad + "\"}]}");
    const casex::Diagnostic* e = find(b.diagnostics, "yaml-syntax");
    REQUIRE(e);
    CHECK(e->line == 2);
    CHECK(e->column == 58);
  }
  // valid UTF-8 of every length is no finding
  casex::LoadResult ok = load_with("# é € 𝄞 \xef\xbb\xbf\n{}\n");
  CHECK(ok.rules);
}

TEST_CASE(
    "a scenario alias named by 10,000 rules is refused by the alias expansion limit, at the alias",
    "[hostile_load]") {
  std::string expr = "after.assignment in [\"g0\"";
  for (int i = 1; i < 1500; ++i) expr += ", \"g" + std::to_string(i) + "\"";
  expr += "]";
  auto table = [&](int n) {
    std::string t =
        "table:\n  id: many\n  scope: {transition: {from: Log, to: Close}}\n  hit_policy: collect\n"
        "  rules:\n    - {id: many.0, then: Close, when: &e '" +
        expr + "'}\n";
    for (int i = 1; i <= n; ++i)
      t += "    - {id: many." + std::to_string(i) + ", then: Close, when: *e}\n";
    return t;
  };
  auto t0 = std::chrono::steady_clock::now();
  casex::LoadResult big = load_with(table(10000));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_FALSE(big.rules);
  const casex::Diagnostic* d = find(big.diagnostics, "limit-exceeded");
  REQUIRE(d);
  // the first alias that takes the expanded text past 1 MiB
  const int crossing = static_cast<int>(casex::detail::kMaxYamlAliasBytes / expr.size()) + 1;
  CHECK(d->line == 6 + crossing);
  CHECK(d->column == 38 + static_cast<int>(std::to_string(crossing).size()));
  CHECK(d->message == "YAML aliases expand to more than 1048576 bytes of text in this file");
  CHECK(seconds < 10);  // was 3.8 s and 776 MB at 3,000 rules, an abort at 10,000
  // a few aliases within the limit load as if written out
  casex::LoadResult few = load_with(table(20));
  CHECK(few.rules);
}

TEST_CASE(
    "aliases expanding to more than 100,000 nodes, or into themselves, are refused at the alias",
    "[hostile_load]") {
  // six levels of nine under an unknown key: 9^6 nodes when walked
  std::string text = "junk:\n  a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (std::string level : {"b", "c", "d", "e", "f"}) {
    text += "  " + level + ": &" + level + " [*" + prev;
    for (int i = 1; i < 9; ++i) text += ", *" + prev;
    text += "]\n";
    prev = level;
  }
  casex::LoadResult bomb = load_with(text);
  const casex::Diagnostic* d = find(bomb.diagnostics, "limit-exceeded");
  REQUIRE(d);
  CHECK(d->message == "YAML aliases expand to more than 100000 nodes in this file");
  CHECK(d->line == 7);  // level f: b..e add 74,718 nodes; the first *e of f adds 66,430 more
  CHECK_FALSE(find(bomb.diagnostics, "unknown-key"));  // refused before the walk
  // an alias inside the node it names would be a cycle for any walk
  casex::LoadResult cycle = load_with("vocabulary: &v {metaphases: [*v]}\n");
  const casex::Diagnostic* c = find(cycle.diagnostics, "yaml-syntax");
  REQUIRE(c);
  CHECK(c->line == 1);
  CHECK(c->column == 30);
  CHECK(c->message == "an alias refers to the node that holds it (a cycle)");
}

TEST_CASE("a rule test file with an 8-level alias bomb is refused at file:line:col, not expanded",
          "[hostile_load]") {
  RuleDir r;
  std::string text =
      "cases:\n  - name: bomb\n    input:\n      before: {phase: Close}\n      after: {phase: "
      "Close}\n"
      "      junk:\n        a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (std::string level : {"b", "c", "d", "e", "f", "g", "h"}) {
    text += "        " + level + ": &" + level + " [*" + prev;
    for (int i = 1; i < 9; ++i) text += ", *" + prev;
    text += "]\n";
    prev = level;
  }
  text += "    expect: {phase: Close}\n";
  r.write("bomb.yaml", text);
  std::vector<std::string> errors;
  auto t0 = std::chrono::steady_clock::now();
  auto cases = read_tests(r / "bomb.yaml", errors);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5);
  CHECK(cases.empty());
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::StartsWith(r / "bomb.yaml:12:"));
  CHECK_THAT(errors[0],
             Catch::EndsWith("YAML aliases expand to more than 100000 nodes in this file"));
}

TEST_CASE("a number beyond a double in a rule test file is an error at its line, not an abort",
          "[hostile_load]") {
  RuleDir r;
  for (const std::string n : {"1e400", "1e-400", "-1e400",
                              "0.0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000001"}) {
    r.write("num.yaml",
            "cases:\n  - name: n\n    input:\n      before: {phase: Close}\n      after: {phase: "
            "Close}\n"
            "      x: " +
                n + "\n    expect: {phase: Close}\n");
    std::vector<std::string> errors;
    auto cases = read_tests(r / "num.yaml", errors);
    CHECK(cases.empty());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == r / "num.yaml" + ":6:10: the number " + n +
                           " is out of range (a double holds about 4.9e-324 to 1.8e308)");
  }
  // in range, however written, is a number
  r.write(
      "num.yaml",
      "cases:\n  - name: n\n    input:\n      before: {phase: Close}\n      after: {phase: Close}\n"
      "      x: 1e300\n      y: 0e-400\n      z: 5e-324\n    expect: {phase: Close}\n");
  std::vector<std::string> errors;
  auto cases = read_tests(r / "num.yaml", errors);
  CHECK(errors.empty());
  REQUIRE(cases.size() == 1);
  CHECK_THAT(cases[0].input, Catch::Contains("\"x\":1E300"));
}

TEST_CASE(
    "a rule test directory holding a symlink loop, a FIFO or a directory named .yaml is walked "
    "without throwing",
    "[hostile_load]") {
  RuleDir r;
  fs::create_symlink("loop.yaml", r.dir / "loop.yaml");
  REQUIRE(::mkfifo((r / "pipe.yaml").c_str(), 0644) == 0);
  fs::create_directory(r.dir / "sub.yaml");
  r.write("sub.yaml/inner.yaml", "cases: []\n");
  std::vector<std::string> errors;
  auto files = casex::detail::rule_test_files({r.dir.string()}, errors);
  CHECK(errors.empty());
  CHECK(std::find(files.begin(), files.end(), r / "loop.yaml") != files.end());
  CHECK(std::find(files.begin(), files.end(), r / "pipe.yaml") != files.end());
  CHECK(std::find(files.begin(), files.end(), r / "sub.yaml/inner.yaml") != files.end());
  CHECK(std::find(files.begin(), files.end(), r / "sub.yaml") == files.end());
  std::vector<std::string> loop_errors, pipe_errors;
  read_tests(r / "loop.yaml", loop_errors);
  read_tests(r / "pipe.yaml", pipe_errors);
  REQUIRE(loop_errors.size() == 1);
  CHECK(loop_errors[0] ==
        r / "loop.yaml" + ": cannot read the file: its symbolic links form a loop");
  REQUIRE(pipe_errors.size() == 1);
  CHECK(pipe_errors[0] == r / "pipe.yaml" + ": not a regular file (a FIFO)");
  std::vector<std::string> missing;
  casex::detail::rule_test_files({r / "no-such.yaml"}, missing);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0] == r / "no-such.yaml" + ": no such file or directory");
}

TEST_CASE(
    "an Engine reload of a rule directory that gained a FIFO or a second document is refused, the "
    "rules stay",
    "[hostile_load]") {
  RuleDir r;
  casex::ReloadResult opened;
  auto engine = casex::Engine::open(r.dir.string(), &opened);
  REQUIRE(engine);
  const std::string version = engine->version();
  SECTION("a FIFO named *.yaml, refused without blocking on it") {
    REQUIRE(::mkfifo((r / "extra.yaml").c_str(), 0644) == 0);
    casex::ReloadResult reloaded = engine->reload();
    CHECK_FALSE(reloaded.ok);
    REQUIRE(reloaded.diagnostics.size() == 1);
    CHECK(reloaded.diagnostics[0].file == r / "extra.yaml");
    CHECK(reloaded.diagnostics[0].message == "not a regular file (a FIFO)");
  }
  SECTION("a second YAML document appended to done.yaml") {
    r.write("done.yaml", slurp(std::string(CASEX_RULES_DIR) + "/done.yaml") + "---\ntable: {}\n");
    casex::ReloadResult reloaded = engine->reload();
    CHECK_FALSE(reloaded.ok);
    const casex::Diagnostic* d = find(reloaded.diagnostics, "yaml-syntax");
    REQUIRE(d);
    CHECK(d->file == r / "done.yaml");
  }
  CHECK(engine->version() == version);
}

TEST_CASE(
    "a rule directory of more than 1,000 .yaml files is refused as a limit, listed no further",
    "[hostile_load]") {
  RuleDir r;  // the 7 default files
  for (int i = 0; i < 1000; ++i) r.write("extra" + std::to_string(1000 + i) + ".yaml", "");
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  CHECK_FALSE(loaded.rules);
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].code == "limit-exceeded");
  CHECK(loaded.diagnostics[0].file == r.dir.string());
  CHECK(loaded.diagnostics[0].message ==
        "the rule directory holds more than 1000 .yaml files; a rule set holds at most 1000 files");
  std::vector<casex::Diagnostic> problems;
  CHECK(casex::detail::read_rule_paths({r.dir.string()}, problems).empty());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message == loaded.diagnostics[0].message);
  // 993 more (1,000 in all) load
  for (int i = 993; i < 1000; ++i)
    fs::remove(r.dir / ("extra" + std::to_string(1000 + i) + ".yaml"));
  CHECK(casex::RuleSet::load_directory(r.dir.string()).rules);
}

TEST_CASE(
    "rule files coming to more than 16 MiB are refused at the file that crosses it, nothing read "
    "after",
    "[hostile_load]") {
  RuleDir r;
  const std::string comment = "# " + std::string(999997, 'x') + "\n";  // 1,000,000 bytes
  for (int i = 10; i < 27; ++i) r.write("extra" + std::to_string(i) + ".yaml", comment);
  casex::LoadResult loaded = casex::RuleSet::load_directory(r.dir.string());
  CHECK_FALSE(loaded.rules);
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].code == "limit-exceeded");
  // done.yaml, then extra10 .. extra25 (16,000,000 bytes) are read; extra26 crosses 16,777,216
  CHECK(loaded.diagnostics[0].file == r / "extra26.yaml");
  CHECK_THAT(loaded.diagnostics[0].message,
             Catch::StartsWith("with this file the rule files come to 17"));
  CHECK_THAT(loaded.diagnostics[0].message,
             Catch::EndsWith("; a rule set holds at most 16777216 bytes"));
  std::vector<casex::Diagnostic> problems;
  auto files = casex::detail::read_rule_paths({r.dir.string()}, problems);
  CHECK(files.size() == 17);  // done.yaml and extra10 .. extra25; nothing after the limit
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].file == r / "extra26.yaml");
}
