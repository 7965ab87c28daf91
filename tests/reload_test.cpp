// tests/reload_test.cpp: casex::Engine under concurrency: threads evaluating
// while another reloads good and broken rule sets, and the inotify watcher.
// Also built with -fsanitize=thread by the "tsan: ..." ctest.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "casex/casex.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* const kChange =
    R"({"incident":"INC-1","before":{"phase":"InitialSupport","assignment":"SM Tier 2"},)"
    R"("after":{"phase":"InitialSupport","assignment":"SM Tier 2","solution":"Rebooted"},)"
    R"("external_reference":{"system":"SM","id":"IM1"},"groups":{"SM Tier 2":"SM"}})";
const char* const kIncoming = R"({"incoming":"Assign","incident":{"phase":"Review"}})";

// The built-in rule files with `from` replaced by `to` in the file named `file`.
std::vector<casex::SourceFile> edited(const std::string& file, const std::string& from,
                                      const std::string& to) {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  bool done = false;
  for (auto& f : files) {
    if (fs::path(f.name).filename() != file) continue;
    auto at = f.text.find(from);
    REQUIRE(at != std::string::npos);
    f.text.replace(at, from.size(), to);
    done = true;
  }
  REQUIRE(done);
  return files;
}

// Rule set B: the incoming Assign comment differs from the built-in rules (A).
std::vector<casex::SourceFile> rules_b() {
  return edited("incoming.yaml", "add_comment: Incident was assigned locally from external system",
                "add_comment: Incident was assigned locally from external system (rules B)");
}

// A broken rule set: a misspelt hit policy.
std::vector<casex::SourceFile> rules_broken() {
  return edited("done.yaml", "hit_policy: first", "hit_policy: firts");
}

casex::RuleSet loaded(std::vector<casex::SourceFile> files) {
  casex::LoadResult r = casex::RuleSet::load_texts(std::move(files));
  REQUIRE(r.rules);
  return *r.rules;
}

struct Expected {
  std::string change, incoming;
};

Expected expected_of(const casex::RuleSet& rules) {
  casex::JsonResult c = rules.eval_json(kChange), i = rules.eval_json(kIncoming);
  REQUIRE(c.ok);
  REQUIRE(i.ok);
  return {c.output, i.output};
}

fs::path temp_rules_dir(const char* name) {
  fs::path dir = fs::temp_directory_path() /
                 (std::string("casex-reload-test-") + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : casex::RuleSet::builtin_sources()) {
    std::ofstream(dir / fs::path(f.name).filename(), std::ios::binary) << f.text;
  }
  return dir;
}

void write_file(const fs::path& path, const std::string& text) {
  // Written beside and renamed in, as editors and deploy tools do.
  fs::path tmp = path;
  tmp += ".tmp";
  std::ofstream(tmp, std::ios::binary) << text;
  fs::rename(tmp, path);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE(
    "Engine: threads evaluating while another reloads good and broken rules see no failed or "
    "inconsistent "
    "evaluation",
    "[engine][reload]") {
  casex::RuleSet a = casex::RuleSet::load_builtin().rules.value();
  casex::RuleSet b = loaded(rules_b());
  REQUIRE(a.version() != b.version());
  const std::map<std::string, Expected> expected = {{a.version(), expected_of(a)},
                                                    {b.version(), expected_of(b)}};
  REQUIRE(expected.at(a.version()).incoming != expected.at(b.version()).incoming);

  casex::Engine engine(a);
  std::atomic<bool> stop{false};
  std::atomic<long> evaluations{0}, failures{0}, seen_a{0}, seen_b{0};
  std::mutex first_failure_mutex;
  std::string first_failure;
  auto fail = [&](std::string what) {
    ++failures;
    std::lock_guard<std::mutex> lock(first_failure_mutex);
    if (first_failure.empty()) first_failure = std::move(what);
  };

  const int kThreads = 4;
  std::vector<std::thread> evaluators;
  for (int t = 0; t < kThreads; ++t) {
    evaluators.emplace_back([&, t] {
      std::string out, error, version;
      for (long i = 0; !stop.load(); ++i) {
        bool incoming = (i + t) % 2 == 0;
        out.clear();
        if (i % 3 == 0) {  // the appending overload
          if (!engine.eval_json(incoming ? kIncoming : kChange, out, error, &version))
            fail("evaluation failed: " + error);
        } else {
          casex::EngineResult r = engine.eval_json(incoming ? kIncoming : kChange);
          if (!r.ok) fail("evaluation failed: " + r.error);
          out = r.output;
          version = r.version;
        }
        auto it = expected.find(version);
        if (it == expected.end()) {
          fail("unknown rule set version " + version);
        } else if (out != (incoming ? it->second.incoming : it->second.change)) {
          fail("output of version " + version + " is not that version's: " + out);
        }
        (version == a.version() ? seen_a : seen_b)++;
        ++evaluations;
      }
    });
  }

  // The reloader: good B, broken, good A, broken, ... each reload checked.
  const auto texts_a = casex::RuleSet::builtin_sources(), texts_b = rules_b(),
             texts_broken = rules_broken();
  int reloads = 0, refused = 0;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (reloads < 8 || std::chrono::steady_clock::now() < deadline) {
    for (int step = 0; step < 4; ++step) {
      const bool good = step % 2 == 0;
      const auto& target = step == 0 ? b : a;
      std::string before = engine.version();
      casex::ReloadResult r = engine.reload(good ? (step == 0 ? texts_b : texts_a) : texts_broken);
      if (good) {
        CHECK(r.ok);
        CHECK(r.version == target.version());
        CHECK(r.diagnostics.empty());
        ++reloads;
      } else {
        CHECK_FALSE(r.ok);
        CHECK(r.version == before);  // the previous rules stay in effect
        REQUIRE_FALSE(r.diagnostics.empty());
        CHECK(r.diagnostics.front().code == "unknown-hit-policy");
        CHECK(engine.version() == before);
        ++refused;
      }
      std::this_thread::sleep_for(1ms);
    }
    if (reloads > 2000) break;
  }
  stop = true;
  for (auto& t : evaluators) t.join();

  INFO(first_failure);
  CHECK(failures.load() == 0);
  CHECK(evaluations.load() > 100);
  CHECK(seen_a.load() > 0);  // both rule sets served evaluations
  CHECK(seen_b.load() > 0);
  CHECK(refused == reloads);
}

TEST_CASE("Engine: an evaluation on the rules taken before a reload finishes on them",
          "[engine][reload]") {
  casex::Engine engine(casex::RuleSet::load_builtin().rules.value());
  casex::RuleSet before = engine.rules();
  Expected old_out = expected_of(before);
  REQUIRE(engine.reload(rules_b()).ok);
  CHECK(before.eval_json(kIncoming).output == old_out.incoming);  // the snapshot is unchanged
  CHECK(engine.eval_json(kIncoming).output != old_out.incoming);
  CHECK(engine.version() != before.version());
}

TEST_CASE("Engine: a failed reload keeps the previous rules and returns the diagnostics",
          "[engine][reload]") {
  casex::Engine engine(casex::RuleSet::load_builtin().rules.value());
  std::string version = engine.version();
  casex::ReloadResult r = engine.reload(rules_broken());
  CHECK_FALSE(r.ok);
  CHECK(r.previous_version == version);
  CHECK(r.version == version);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "unknown-hit-policy");
  CHECK(casex::format_diagnostics(r.diagnostics, r.sources).find("did you mean \"first\"?") !=
        std::string::npos);
  CHECK(engine.eval_json(kChange).ok);
}

TEST_CASE(
    "Engine: watch() reloads when a rule file changes and keeps the rules when the new files are "
    "broken",
    "[engine][reload][watch]") {
  fs::path dir = temp_rules_dir("watch");
  auto engine = casex::Engine::open(dir.string());
  REQUIRE(engine);
  const std::string original = engine->version();

  std::mutex m;
  std::condition_variable cv;
  std::vector<casex::ReloadResult> reloads;
  std::string error;
  REQUIRE(engine->watch(
      [&](const casex::ReloadResult& r) {
        std::lock_guard<std::mutex> lock(m);
        reloads.push_back(r);
        cv.notify_all();
      },
      50ms, &error));
  auto wait_for_reload = [&](std::size_t count) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, 10s, [&] { return reloads.size() >= count; });
  };

  // Evaluations keep running while the files change.
  std::atomic<bool> stop{false};
  std::atomic<long> failures{0};
  std::thread evaluator([&] {
    while (!stop) {
      if (!engine->eval_json(kIncoming).ok) ++failures;
      std::this_thread::sleep_for(1ms);
    }
  });

  // A good edit: the new rules take effect.
  fs::path incoming = dir / "incoming.yaml";
  std::string text = read_file(incoming);
  std::string edited_text = text;
  const std::string from = "add_comment: Incident was assigned locally from external system";
  edited_text.replace(edited_text.find(from), from.size(),
                      "add_comment: Incident was assigned here");
  write_file(incoming, edited_text);
  REQUIRE(wait_for_reload(1));
  std::string good_version;
  {
    std::lock_guard<std::mutex> lock(m);
    CHECK(reloads.back().ok);
    good_version = reloads.back().version;
  }
  CHECK(good_version != original);
  CHECK(good_version == casex::RuleSet::load_directory(dir.string()).rules.value().version());
  CHECK(engine->eval_json(kIncoming).output.find("assigned here") != std::string::npos);

  // A broken edit: refused, the previous rules stay.
  std::size_t count = 0;
  {
    std::lock_guard<std::mutex> lock(m);
    count = reloads.size();
  }
  std::string done = read_file(dir / "done.yaml");
  write_file(dir / "done.yaml",
             done.replace(done.find("hit_policy: first"), 17, "hit_policy: firts"));
  REQUIRE(wait_for_reload(count + 1));
  {
    std::lock_guard<std::mutex> lock(m);
    CHECK_FALSE(reloads.back().ok);
    REQUIRE_FALSE(reloads.back().diagnostics.empty());
    CHECK(reloads.back().diagnostics.front().code == "unknown-hit-policy");
  }
  CHECK(engine->version() == good_version);
  CHECK(engine->eval_json(kIncoming).output.find("assigned here") != std::string::npos);

  stop = true;
  evaluator.join();
  engine->unwatch();
  CHECK(failures.load() == 0);
  fs::remove_all(dir);
}

TEST_CASE("Engine: reload() reads the directory again", "[engine][reload]") {
  fs::path dir = temp_rules_dir("dir");
  casex::ReloadResult opened;
  auto engine = casex::Engine::open(dir.string(), &opened);
  REQUIRE(engine);
  CHECK(opened.ok);
  CHECK(engine->directory() == dir.string());
  const std::string original = engine->version();
  CHECK(engine->reload().version == original);  // nothing changed: same digest

  std::string text = read_file(dir / "incoming.yaml");
  write_file(dir / "incoming.yaml", text + "\n# a comment changes the digest\n");
  casex::ReloadResult r = engine->reload();
  CHECK(r.ok);
  CHECK(r.previous_version == original);
  CHECK(r.version != original);
  CHECK(engine->version() == r.version);
  fs::remove_all(dir);
}

TEST_CASE("Engine: open() on rules that do not load gives no engine and the diagnostics",
          "[engine]") {
  fs::path dir = temp_rules_dir("broken");
  std::string done = read_file(dir / "done.yaml");
  write_file(dir / "done.yaml",
             done.replace(done.find("hit_policy: first"), 17, "hit_policy: firts"));
  casex::ReloadResult report;
  CHECK(casex::Engine::open(dir.string(), &report) == nullptr);
  CHECK_FALSE(report.ok);
  REQUIRE(report.diagnostics.size() == 1);
  CHECK(report.diagnostics[0].code == "unknown-hit-policy");
  CHECK(report.diagnostics[0].line == 7);
  fs::remove_all(dir);
}

TEST_CASE("Engine: watch() on the built-in rules fails and says why", "[engine][watch]") {
  casex::Engine engine(casex::RuleSet::load_builtin().rules.value());
  std::string error;
  CHECK_FALSE(engine.watch({}, 50ms, &error));
  CHECK(error.find("built-in") != std::string::npos);
}
