// tests/fuzz/fuzz_ruletest.cpp: libFuzzer target: any bytes as a `casex test`
// rule test file (engine/ruletest: YAML cases -> `casex eval` inputs, partial
// comparison of the expected result, rule coverage), run against the built-in
// rules; must never crash, hang or leak. The seed corpus is tests/rules/*.yaml.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/compile/program.h"
#include "engine/ruletest/ruletest.h"

namespace {

// read_rule_tests() reads a path: each input goes to one in-memory file
// (memfd, nothing left on disk even when the run stops at a crash), read
// back through /proc/self/fd.
struct InputFile {
  int fd = -1;
  std::string path;
  InputFile() {
    fd = memfd_create("casex-ruletest.yaml", 0);
    if (fd < 0) {
      std::perror("memfd_create");
      __builtin_trap();
    }
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  void write(const uint8_t* data, size_t size) {
    if (ftruncate(fd, 0) != 0) __builtin_trap();
    size_t done = 0;
    while (done < size) {
      ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) __builtin_trap();
      done += static_cast<size_t>(n);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  static InputFile file;
  const casex::detail::CompiledRules& compiled = casex::detail::compiled(rules);
  file.write(data, size);

  std::vector<std::string> errors;
  std::vector<casex::detail::RuleTestCase> cases =
      casex::detail::read_rule_tests(file.path, compiled.rules.vocabulary, errors);
  for (const auto& e : errors)
    if (e.empty()) __builtin_trap();

  casex::detail::RuleTestRunner runner(compiled);
  for (const auto& c : cases) {
    if (c.line < 1 || c.input.empty()) __builtin_trap();
    casex::detail::RuleTestResult r = runner.run(c);
    // A case passes exactly when nothing differs, and always shows what it got.
    if (r.passed != r.differences.empty() || r.actual.empty()) __builtin_trap();
  }
  const casex::detail::RuleCoverage& cov = runner.coverage();
  int fired = cov.fired(), total = cov.total();
  if (fired < 0 || fired > total) __builtin_trap();
  if (!casex::detail::coverage_reaches(fired, total, 0)) __builtin_trap();
  std::string percent = casex::detail::coverage_percent(fired, total);
  if (percent.empty() || (fired == total) != (percent == "100")) __builtin_trap();
  return 0;
}
