// tests/soak.cpp: soak test: threads evaluate changes for SECONDS while another
// thread reloads good and broken rule sets in a loop; every result must equal
// the one the rules give at rest, and the resident memory must not grow.
// Usage: casex_soak EVAL_FIXTURE_DIR SECONDS THREADS
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "casex/casex.hpp"

namespace {

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: casex_soak EVAL_FIXTURE_DIR SECONDS THREADS\n");
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const int threads = std::atoi(argv[3]);
  std::vector<std::string> docs;
  for (const auto& e : std::filesystem::recursive_directory_iterator(argv[1])) {
    std::string p = e.path().string();
    if (e.path().extension() != ".json" || p.find(".expected") != std::string::npos) continue;
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    docs.push_back(ss.str());
  }
  std::vector<casex::SourceFile> good = casex::RuleSet::builtin_sources();
  std::vector<casex::SourceFile> broken = good;
  broken[0].text += "\nnot: [valid\n";
  casex::Engine engine(*casex::RuleSet::load_builtin().rules);
  // What each document gives at rest: the reference for every evaluation.
  std::vector<casex::EngineResult> expected;
  for (const auto& d : docs) expected.push_back(engine.eval_json(d));

  std::atomic<bool> stop{false};
  std::atomic<long> evaluations{0}, wrong{0}, reloads{0};
  auto worker = [&](int id) {
    std::string out, error;
    std::size_t i = static_cast<std::size_t>(id);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t k = i++ % docs.size();
      out.clear();
      error.clear();
      bool ok = engine.eval_json(docs[k], out, error);
      if (ok != expected[k].ok || (ok ? out != expected[k].output : error != expected[k].error))
        ++wrong;
      ++evaluations;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  std::thread reloader([&] {
    while (!stop.load()) {
      engine.reload(reloads % 2 ? broken : good);
      ++reloads;
    }
  });
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (elapsed() < seconds / 4) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  long warm = rss_kib();
  long peak = warm;
  while (elapsed() < seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peak = std::max(peak, rss_kib());
  }
  stop = true;
  for (auto& t : pool) t.join();
  reloader.join();
  long end = rss_kib();
  std::printf(
      "%ld evaluations on %d threads, %ld reloads, %ld wrong; RSS after warm-up %ld KiB, peak %ld "
      "KiB, end %ld KiB\n",
      evaluations.load(), threads, reloads.load(), wrong.load(), warm, peak, end);
  bool grew = end - warm > 32 * 1024;
  if (grew) std::printf("resident memory grew by %ld KiB\n", end - warm);
  std::printf("%ld passed, %ld failed\n", evaluations.load() - wrong.load(), wrong.load());
  return wrong == 0 && !grew && evaluations > 0 ? 0 : 1;
}
