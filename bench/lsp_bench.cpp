// bench/lsp_bench.cpp: casex lsp (issue 19): the time from an edit to its
// diagnostics, through the server's real path: a didChange handled by the
// message loop, the analysis on the worker thread (debounce 0), the
// publishDiagnostics of the edited version received. On the default rules
// (goal 50 ms) and on the default rules with a 1,000-rule Resolution table,
// the edit in that table (goal 200 ms). Also: the resident memory after
// 10,000 edits of the default rules as a counter (goal: flat), each edit
// superseding the last (as typing does: only the last is analysed).
// Run: build-rel/bench/casex_lsp_bench
#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "bench/scaling.h"
#include "tools/lsp/server.h"
#include "tools/lsp/text.h"

namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

// A rule set written to a temporary directory, a server with one of its files
// open, and a way to wait for the diagnostics of a version.
class Session {
 public:
  Session(const std::vector<casex::SourceFile>& files, const std::string& edited) {
    char tmpl[] = "/tmp/casex-lsp-bench-XXXXXX";
    dir_ = mkdtemp(tmpl);
    for (const auto& f : files) {
      std::string name = fs::path(f.name).filename().string();
      std::ofstream(dir_ + "/" + name) << f.text;
      if (name == edited) text_ = f.text;
    }
    uri_ = casex::lsp::path_to_uri(dir_ + "/" + edited);
    casex::lsp::ServerOptions o;
    o.debounce_ms = 0;
    o.docs_url = "https://casex.example/docs/lint.md";
    server_ = std::make_unique<casex::lsp::Server>(o, [this](const std::string& m) { receive(m); });
    server_->handle(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})");
    send("textDocument/didOpen",
         bj::object{
             {"textDocument",
              bj::object{{"uri", uri_}, {"languageId", "yaml"}, {"version", 0}, {"text", text_}}}});
    wait(0);
  }
  ~Session() {
    server_.reset();
    fs::remove_all(dir_);
  }

  /// Sends the file with a comment line appended (`n` varies the text).
  void edit(long long version) {
    send(
        "textDocument/didChange",
        bj::object{
            {"textDocument", bj::object{{"uri", uri_}, {"version", version}}},
            {"contentChanges",
             bj::array{bj::object{{"text", text_ + "# edit " + std::to_string(version) + "\n"}}}}});
  }

  /// Waits for the diagnostics of `version`; their count.
  std::size_t wait(long long version) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return published_ >= version; });
    return count_;
  }

 private:
  void send(const char* method, bj::object params) {
    server_->handle(bj::serialize(
        bj::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}));
  }
  void receive(const std::string& message) {
    bj::value v = bj::parse(message);
    const auto& o = v.as_object();
    auto* method = o.if_contains("method");
    if (!method || method->as_string() != "textDocument/publishDiagnostics") return;
    const auto& p = o.at("params").as_object();
    if (p.at("uri").as_string() != uri_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    published_ = p.at("version").as_int64();
    count_ = p.at("diagnostics").as_array().size();
    done_.notify_all();
  }

  std::string dir_, uri_, text_;
  std::unique_ptr<casex::lsp::Server> server_;
  std::mutex mutex_;
  std::condition_variable done_;
  long long published_ = -1;
  std::size_t count_ = 0;
};

void edits(benchmark::State& state, const std::vector<casex::SourceFile>& files,
           const std::string& edited) {
  Session s(files, edited);
  long long version = 0;
  std::size_t diagnostics = 0;
  for (auto _ : state) {
    s.edit(++version);
    diagnostics = s.wait(version);
  }
  state.counters["diagnostics"] = static_cast<double>(diagnostics);
}

// Edit of validation.yaml of the default rules -> its diagnostics (goal 50 ms).
void BM_LspDiagnostics_default_rules(benchmark::State& state) {
  edits(state, casex::RuleSet::builtin_sources(), "validation.yaml");
}
BENCHMARK(BM_LspDiagnostics_default_rules)->Unit(benchmark::kMillisecond)->UseRealTime();

// Edit of a 1,000-rule table -> its diagnostics (goal 200 ms).
void BM_LspDiagnostics_1000_rule_table(benchmark::State& state) {
  edits(state, casex_bench::scaled_rules(1000), "resolution.yaml");
}
BENCHMARK(BM_LspDiagnostics_1000_rule_table)->Unit(benchmark::kMillisecond)->UseRealTime();

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 16, '\n');
  }
  return 0;
}

// 10,000 edits sent as fast as the loop takes them (each supersedes the one
// before, as typing does), then the last one's diagnostics: the resident
// memory before and after, in KiB (goal: the same).
void BM_LspMemory_10000_edits(benchmark::State& state) {
  Session s(casex::RuleSet::builtin_sources(), "validation.yaml");
  long long version = 0;
  for (int i = 0; i < 100; ++i) s.edit(++version);  // warm up the allocator
  s.wait(version);
  long before = rss_kib();
  for (auto _ : state) {
    for (int i = 0; i < 10000; ++i) s.edit(++version);
    s.wait(version);
  }
  long after = rss_kib();
  state.counters["rss_before_kib"] = static_cast<double>(before);
  state.counters["rss_growth_kib"] = static_cast<double>(after - before);
}
BENCHMARK(BM_LspMemory_10000_edits)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
