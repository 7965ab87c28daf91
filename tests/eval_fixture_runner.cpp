// tests/eval_fixture_runner.cpp: runs one golden fixture of tests/data/eval
// through the `casex eval` command and compares the result as JSON values.
// Usage: eval_fixture_runner CASEX_BINARY CASE_INPUT (.json or .jsonl)
#include <fmt/format.h>
#include <boost/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bj = boost::json;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

struct Run {
  int status = -1;
  std::string out, err;
};

Run run(const std::string& cmd) {
  char tmpl[] = "/tmp/casex-fixture-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd >= 0) close(fd);
  std::string errfile = tmpl;
  Run r;
  FILE* p = popen((cmd + " 2>" + errfile).c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(errfile);
  std::remove(errfile.c_str());
  return r;
}

int fail(const std::string& what, const Run& r) {
  fmt::print(stderr, "FAIL: {}\n--- exit status: {}\n--- stdout:\n{}--- stderr:\n{}", what,
             r.status, r.out, r.err);
  return 1;
}

bool parse(const std::string& text, bj::value& v) {
  bj::error_code ec;
  v = bj::parse(text, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: eval_fixture_runner CASEX CASE.json|CASE.jsonl\n");
    return 2;
  }
  std::string casex = argv[1], input = argv[2];
  bool lines = input.size() > 6 && input.substr(input.size() - 6) == ".jsonl";
  std::string base = input.substr(0, input.size() - (lines ? 6 : 5));
  std::string quoted = "'" + input + "'";
  if (lines) {
    Run r = run(casex + " eval --lines " + quoted);
    auto expected = lines_of(slurp(base + ".expected.jsonl"));
    auto actual = lines_of(r.out);
    if (actual.size() != expected.size())
      return fail(fmt::format("{} output lines, expected {}", actual.size(), expected.size()), r);
    bool any_error = false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      bj::value e, a;
      if (!parse(expected[i], e)) return fail(fmt::format("bad expected line {}", i + 1), r);
      if (!parse(actual[i], a)) return fail(fmt::format("line {} is not JSON", i + 1), r);
      const bj::object* eo = e.if_object();
      if (eo && eo->size() == 2 && eo->contains("line") && eo->contains("error")) {
        any_error = true;
        const bj::object* ao = a.if_object();
        if (!ao || ao->size() != 2 || !ao->contains("error") || !ao->contains("line") ||
            ao->at("line") != eo->at("line") || !ao->at("error").is_string() ||
            std::string(ao->at("error").get_string())
                    .find(std::string(eo->at("error").get_string())) == std::string::npos)
          return fail(fmt::format("line {}: expected an error like {}, got {}", i + 1, expected[i],
                                  actual[i]),
                      r);
      } else if (a != e) {
        return fail(fmt::format("line {}: expected {}, got {}", i + 1, expected[i], actual[i]), r);
      }
    }
    if (r.status != (any_error ? 1 : 0)) return fail(fmt::format("exit status {}", r.status), r);
    return 0;
  }
  Run r = run(casex + " eval " + quoted);
  if (exists(base + ".expected-error.txt")) {
    auto want = lines_of(slurp(base + ".expected-error.txt"));
    int status = want.empty() ? 1 : std::atoi(want[0].c_str());
    if (r.status != status)
      return fail(fmt::format("exit status {}, expected {}", r.status, status), r);
    if (!r.out.empty()) return fail("a partial result on stdout", r);
    auto err_lines = lines_of(r.err);
    if (err_lines.size() != 1) return fail("stderr is not one line", r);
    for (std::size_t i = 1; i < want.size(); ++i)
      if (r.err.find(want[i]) == std::string::npos)
        return fail(fmt::format("stderr lacks \"{}\"", want[i]), r);
    return 0;
  }
  bj::value e, a;
  if (!parse(slurp(base + ".expected.json"), e)) return fail("bad expected file", r);
  if (r.status != 0) return fail("non-zero exit status", r);
  if (!parse(r.out, a)) return fail("stdout is not one JSON document", r);
  if (a != e) return fail(fmt::format("expected {}", bj::serialize(e)), r);
  return 0;
}
