// tests/document_memory_test.cpp: what an evaluator keeps between documents is
// bounded by the largest document, never by how many it has read; a document
// that cannot be evaluated within memory is that document's error, and the
// next document is answered (README "Limits and guarantees").
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/explain/explain.h"
#include "engine/json/document_arena.h"
#include "engine/json/json_io.h"

namespace {

const casex::RuleSet& rules() {
  static const casex::RuleSet r = *casex::RuleSet::load_builtin().rules;
  return r;
}

// An incoming Assign whose incident carries a description of `bytes` bytes
// (the shape a host feeding realistic incidents sends).
std::string incoming(std::size_t bytes, std::size_t id) {
  return "{\"incoming\":\"Assign\",\"system\":\"SM\",\"id\":\"" + std::to_string(id) +
         "\",\"incident\":{\"phase\":\"Review\",\"description\":\"" + std::string(bytes, 'x') +
         "\"},\"external_reference\":{\"system\":\"SM\",\"id\":\"" + std::to_string(id) + "\"}}";
}

// A size field of /proc/self/status ("VmHWM", "VmRSS", "VmSize"), in bytes.
std::size_t status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  return 0;
}
// The peak resident set since the last reset_peak(), and the resident set now.
std::size_t peak_rss() { return status_bytes("VmHWM"); }
std::size_t current_rss() { return status_bytes("VmRSS"); }
// Resets VmHWM to the current resident set (Linux: "5" to clear_refs).
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

constexpr std::size_t MiB = std::size_t{1} << 20;

// Under AddressSanitizer resident memory counts its shadow and its quarantine,
// and an exhausted address space aborts in its allocator instead of throwing:
// the documents are still all answered, the memory bounds are not asserted.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// peak - before stays under `bound`, unless under ASan.
void check_flat(std::size_t before, std::size_t bound) {
  if (kAsan) return;
  CHECK(peak_rss() < before + bound);
}

}  // namespace

TEST_CASE(
    "arena: a document starts in the first block again after a larger one, so memory does not grow "
    "with N",
    "[memory]") {
  casex::detail::DocumentArena arena(64 * MiB);
  auto fill = [&](std::size_t bytes) {
    arena.reset();
    for (std::size_t got = 0; got < bytes; got += 4096) arena.allocate(4096, 16);
    return arena.heap_bytes();
  };
  std::size_t first = fill(3 * MiB);
  CHECK(first >= 3 * MiB - casex::detail::DocumentArena::kFirstBlock);
  // The old monotonic_resource doubled its next block on every document that overflowed:
  // a hundred documents alike must take the same memory as the first.
  for (int i = 0; i < 100; ++i) REQUIRE(fill(3 * MiB) == first);
  // Blocks stop doubling at kMaxBlock: a 3 MiB document wastes at most one block.
  CHECK(first <= 3 * MiB + casex::detail::DocumentArena::kMaxBlock);
  arena.reset();
  CHECK(arena.heap_bytes() == 0);
}

TEST_CASE(
    "arena: past its limit an allocation throws DocumentMemoryExceeded, and reset makes it whole",
    "[memory]") {
  casex::detail::DocumentArena arena(2 * MiB);
  CHECK_THROWS_AS(arena.allocate(3 * MiB, 8), casex::detail::DocumentMemoryExceeded);
  arena.reset();
  CHECK_NOTHROW(arena.allocate(MiB, 8));
}

TEST_CASE("memory: 1,000 incoming documents of 70 KB are all answered with flat memory",
          "[memory]") {
  std::string out, error;
  REQUIRE(rules().eval_json(incoming(70000, 0), out, error));  // warm this thread's evaluator
  reset_peak();
  std::size_t before = current_rss();
  for (std::size_t i = 1; i <= 1000; ++i) {
    out.clear();
    INFO("document " << i << ": " << error);
    REQUIRE(rules().eval_json(incoming(70000, i), out, error));
    REQUIRE(out.find("\"id\":\"" + std::to_string(i) + "\"") != std::string::npos);
  }
  // Before the fix the arena's next block doubled per document: 2 GiB by the ~15th.
  check_flat(before, 16 * MiB);
}

TEST_CASE("memory: 200 incoming documents of 1 MB are all answered with flat memory", "[memory]") {
  std::string out, error;
  REQUIRE(rules().eval_json(incoming(MiB, 0), out, error));
  reset_peak();
  std::size_t before = current_rss();
  for (std::size_t i = 1; i <= 200; ++i) {
    out.clear();
    INFO("document " << i << ": " << error);
    REQUIRE(rules().eval_json(incoming(MiB, i), out, error));
  }
  check_flat(before, 16 * MiB);
}

TEST_CASE(
    "memory: casex explain's evaluator answers 1,000 incoming documents of 70 KB with flat memory",
    "[memory]") {
  casex::detail::JsonEvaluator ev(casex::detail::compiled(rules()));
  casex::detail::EvalTrace trace;
  bool is_incoming = false;
  std::string out, error;
  REQUIRE(ev.explain(incoming(70000, 0), trace, is_incoming, out, error));
  reset_peak();
  std::size_t before = current_rss();
  for (std::size_t i = 1; i <= 1000; ++i) {
    out.clear();
    INFO("document " << i << ": " << error);
    REQUIRE(ev.explain(incoming(70000, i), trace, is_incoming, out, error));
    REQUIRE(is_incoming);
  }
  check_flat(before, 16 * MiB);
  // And the explanation itself, as `casex explain` builds it.
  boost::json::object explained;
  REQUIRE(casex::detail::explain_document(casex::detail::compiled(rules()), incoming(MiB, 7),
                                          explained, error));
  CHECK(explained.contains("result"));
}

TEST_CASE(
    "memory: the C API answers 1,000 documents of 70 KB and 200 of 1 MB on 4 threads of one engine",
    "[memory]") {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  const std::string small = incoming(70000, 1), large = incoming(MiB, 2);
  std::vector<int> failures(4, 0);
  reset_peak();
  std::size_t before = current_rss();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string& doc = i % 6 == 0 ? large : small;  // 250 small and 50 large per thread
        casex_result* result = nullptr;
        if (casex_eval(engine, doc.data(), doc.size(), &result) != CASEX_OK) ++failures[t];
        casex_result_free(result);
      }
    });
  }
  for (auto& t : threads) t.join();
  casex_engine_free(engine);
  CHECK(failures == std::vector<int>(4, 0));
  // Four threads, each with its own evaluator, each holding at most a few times the largest
  // document.
  check_flat(before, 64 * MiB);
}

TEST_CASE(
    "memory: a document whose parsed form passes the memory limit is its own error, the next is "
    "answered",
    "[memory]") {
  casex::detail::JsonEvaluator ev(casex::detail::compiled(rules()), 2 * MiB);
  std::string out, error;
  CHECK_FALSE(ev.eval(incoming(3 * MiB, 1), out, error));
  CHECK(error ==
        "the document needs more than 2097152 bytes of memory once parsed; the limit is 2097152 "
        "bytes");
  CHECK(out.empty());  // nothing partial
  // An array of numbers takes far more memory parsed than as text.
  std::string numbers = "{\"incoming\":\"Assign\",\"incident\":{\"phase\":\"Review\",\"x\":[";
  for (int i = 0; i < 200000; ++i) numbers += i ? ",1" : "1";
  numbers += "]}}";
  CHECK_FALSE(ev.eval(numbers, out, error));
  CHECK(error.find("the limit is 2097152 bytes") != std::string::npos);
  error.clear();
  CHECK(ev.eval(incoming(70000, 2), out, error));
  CHECK(error.empty());
}

TEST_CASE("memory: an allocation failure inside a document is that document's error, not an abort",
          "[memory]") {
  // In a child process whose address space is capped just above what it uses,
  // a document that needs more than the cap meets a real std::bad_alloc.
  if (kAsan) {
    WARN("skipped under AddressSanitizer: its allocator aborts instead of throwing std::bad_alloc");
    return;
  }
  std::string big = "{\"incoming\":\"Assign\",\"incident\":{\"phase\":\"Review\",\"x\":[";
  for (int i = 0; i < 2000000; ++i) big += i ? ",1" : "1";
  big += "]}}";
  const std::string good = incoming(100, 1);
  std::fflush(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    casex::detail::JsonEvaluator ev(casex::detail::compiled(rules()));
    std::string out, error;
    if (!ev.eval(good, out, error)) _exit(10);
    std::size_t vm = status_bytes("VmSize");
    rlimit cap{vm + 24 * MiB, vm + 24 * MiB};
    if (setrlimit(RLIMIT_AS, &cap) != 0) _exit(11);
    out.clear();
    if (ev.eval(big, out, error)) _exit(12);  // 2,000,000 values: 32 MB parsed, over the cap
    if (error != "out of memory while evaluating the document") _exit(13);
    if (!out.empty()) _exit(14);
    if (!ev.eval(good, out, error)) _exit(15);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("numbers: 1e400 in a document is an error naming its path, never Infinity in the output",
          "[memory]") {
  std::string out, error;
  CHECK_FALSE(rules().eval_json(R"({"incoming":"Assign","incident":{"phase":"Review","x":1e400}})",
                                out, error));
  CHECK(error == "incident.x: the number is out of range (beyond about 1.8e308)");
  CHECK(out.empty());
  boost::json::object explained;
  error.clear();
  CHECK_FALSE(casex::detail::explain_document(
      casex::detail::compiled(rules()),
      R"({"incoming":"Assign","incident":{"phase":"Review","x":[1,-1e400]}})", explained, error));
  CHECK(error == "incident.x[1]: the number is out of range (beyond about 1.8e308)");
}
