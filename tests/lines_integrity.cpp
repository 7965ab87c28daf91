// tests/lines_integrity.cpp: "nothing lost": feeds `casex eval --lines` N lines
// (default 100,000) with random faults mixed in — malformed JSON, invalid
// UTF-8, NUL bytes, blank lines, CR endings, documents of 100 B to 4 MB
// (change and incoming, good and bad), template syntax, near misses of keys,
// fields and values and duplicate keys (issue 20: each an error line naming
// what it meant) — and checks that line k of the output answers line k of the input.
// Usage: lines_integrity CASEX [N] [SEED]
#include <fmt/format.h>
#include <boost/json.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace bj = boost::json;

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: lines_integrity CASEX [N] [SEED]\n");
    return 2;
  }
  const std::string casex = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 100000;
  std::mt19937 rng(argc > 3 ? std::atoi(argv[3]) : 42);
  std::uniform_int_distribution<int> pick(0, 99);
  std::uniform_real_distribution<double> sizes(std::log(100.0), std::log(4.0 * 1024 * 1024));
  std::map<int, std::string> expected_ref;    // line -> external reference id of an incoming result
  std::map<int, std::string> expected_error;  // line -> a text its error line must contain

  // expected[k]: the incident id the result must carry, or "" when line k must be an error.
  std::vector<std::string> expected;
  std::string input;
  const char* phases[] = {"Log", "InitialSupport", "Escalate", "Review", "Close"};
  for (int k = 1; k <= n; ++k) {
    std::string id = fmt::format("INC-{}", k);
    std::string solution =
        pick(rng) < 50 ? "null" : "\"fixed {} %n %s {{incident.solution}} \\u00e9\"";
    std::string good = fmt::format(
        R"({{"incident":"{}","before":{{"phase":"{}","assignment":"A","solution":null}},)"
        R"("after":{{"phase":"{}","assignment":"B","solution":{}}},"groups":{{"B":"SM"}},"comment_added":{}}})",
        id, phases[pick(rng) % 5], phases[pick(rng) % 5], solution,
        pick(rng) < 50 ? "true" : "false");
    int fault = pick(rng);
    std::string line;
    bool ok = true;
    if (fault < 80) {
      line = good;
    } else if (fault < 83) {
      line = good.substr(0, good.size() / 2);  // truncated
      ok = false;
    } else if (fault < 85) {
      line = good + " trailing";
      ok = false;
    } else if (fault < 87) {
      line = "";  // blank line
      ok = false;
    } else if (fault < 89) {
      line = good;
      line.insert(line.find("null"), std::string("\"\xff\xfe\""));  // invalid UTF-8 in a string
      line.erase(line.find("null", line.find("\xfe")), 4);
      ok = false;
    } else if (fault < 91) {
      line = good;
      line[line.size() / 3] = '\0';  // a NUL byte
      ok = false;
    } else if (fault < 93) {
      line = good + "\r";  // CRLF ending: still a good line
    } else if (fault < 95) {
      line = fmt::format(
          R"({{"incident":"{}","before":{{"phase":"Nowhere"}},"after":{{"phase":"Log"}}}})", id);
      ok = false;
    } else if (fault < 97) {
      // Large documents, 100 B to 4 MB, change and incoming, good and bad: the
      // DOM path's arena must come back to its first size after each.
      int kind = pick(rng);
      // Log-uniform sizes: one in ten up to 4 MB, the others up to 100 KB.
      double scale =
          pick(rng) < 10 ? 1.0 : std::log(100000.0 / 100) / std::log(4.0 * 1024 * 1024 / 100);
      std::size_t size =
          static_cast<std::size_t>(100 * std::exp((sizes(rng) - std::log(100.0)) * scale));
      std::string big(size, 'x');
      if (kind < 70) {
        line = fmt::format(
            R"({{"incident":"{}","before":{{"phase":"Review","solution":"{}"}},"after":{{"phase":"Review"}}}})",
            id, big);
      } else if (kind < 85) {
        line = fmt::format(
            R"({{"incoming":"Assign","system":"SM","id":"{}","incident":{{"phase":"Review","description":"{}"}},)"
            R"("external_reference":{{"system":"SM","id":"{}"}}}})",
            id, big, id);
        expected_ref.emplace(k, id);
      } else if (kind < 93) {
        // A change the fast reader refuses (a number where a text is expected): the DOM path words
        // it.
        line = fmt::format(
            R"({{"incident":"{}","before":{{"phase":"Review","solution":1}},"after":{{"phase":"Review","d":"{}"}}}})",
            id, big);
        ok = false;
      } else {
        line =
            fmt::format(R"({{"incoming":"Assign","incident":{{"phase":"Review","description":"{}")",
                        big);  // cut short
        ok = false;
      }
    } else if (fault < 98) {
      // A near miss or a duplicate key: refused in place, saying what was meant.
      static const std::pair<const char*, const char*> misses[] = {
          {"\"comment_added\"", "\"comment_addd\""},
          {"\"assignment\":\"B\"", "\"Assignment\":\"B\""},
          {"\"groups\"", "\"Groups\""},
          {"\"assignment\":\"A\"", "\"assignment\":\"A\",\"assignment\":\"C\""}};
      static const char* says[] = {"did you mean \"comment_added\"", "did you mean \"assignment\"",
                                   "did you mean \"groups\"", "before.assignment: duplicate key"};
      std::size_t which = static_cast<std::size_t>(pick(rng) % 4);
      line = good;
      line.replace(line.find(misses[which].first), std::strlen(misses[which].first),
                   misses[which].second);
      expected_error.emplace(k, says[which]);
      ok = false;
    } else {
      line = "{{{{[[[[\"";  // garbage
      ok = false;
    }
    input += line;
    input.push_back('\n');
    expected.push_back(ok ? id : std::string());
  }
  std::string in_path = fmt::format("/tmp/casex-lines-{}.jsonl", ::getpid());
  std::string out_path = in_path + ".out";
  std::ofstream(in_path, std::ios::binary) << input;
  int status =
      std::system(fmt::format("'{}' eval --lines < '{}' > '{}'", casex, in_path, out_path).c_str());
  std::ifstream out(out_path, std::ios::binary);
  std::string result;
  int k = 0, bad = 0;
  while (std::getline(out, result)) {
    ++k;
    if (k > n) break;
    bj::error_code ec;
    bj::value v = bj::parse(result, ec);
    const std::string& want = expected[k - 1];
    bool good = !ec && v.is_object();
    if (good && want.empty()) {
      good = v.as_object().contains("error") && v.as_object().at("line") == k;
      if (good && expected_error.count(k)) {
        const bj::value& e = v.as_object().at("error");
        good = e.is_string() &&
               std::string_view(e.get_string()).find(expected_error[k]) != std::string_view::npos;
      }
    } else if (good && expected_ref.count(k)) {
      const bj::value* ref = v.as_object().if_contains("external_reference");
      good = ref && ref->is_object() && ref->as_object().if_contains("id") &&
             ref->as_object().at("id") == expected_ref[k].c_str();
    } else if (good) {
      const bj::value* inc = v.as_object().if_contains("incident");
      good = inc && inc->is_string() && inc->get_string() == want;
    }
    if (!good && ++bad <= 5)
      fmt::print(stderr, "line {}: expected {}, got {}\n", k, want.empty() ? "an error" : want,
                 result.substr(0, 200));
  }
  if (!std::getenv("KEEP")) std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  if (k != n) {
    fmt::print(stderr, "{} input lines gave {} output lines\n", n, k);
    return 1;
  }
  if (bad) return 1;
  if (status == 0) {
    fmt::print(stderr, "exit status 0 although some lines are bad\n");
    return 1;
  }
  fmt::print("{} passed, 0 failed: {} lines in, {} lines out, each in its place\n", n, n, k);
  return 0;
}
