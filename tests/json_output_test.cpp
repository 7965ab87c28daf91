// tests/json_output_test.cpp: the one JSON writer of casex that is not Boost.JSON's
// serializer: the eval result (engine/json/json_io.cpp write_change/write_incoming
// and append_json_string, kept for the speed of eval --lines). Every output of the
// eval fixtures and 10,000 generated results must parse with Boost.JSON and
// serialize back to the same bytes (Boost.JSON's escapes, key order and numbers).
// And eval --lines' error lines, now written by Boost.JSON, read back the same.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "casex/casex.hpp"

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True when `out` is JSON that Boost.JSON reads and writes back byte for byte.
bool round_trips(const std::string& out, std::string& why) {
  bj::error_code ec;
  bj::value v = bj::parse(out, ec);
  if (ec) {
    why = "does not parse: " + ec.message() + ": " + out;
    return false;
  }
  std::string back = bj::serialize(v);
  if (back != out) {
    why = "serializes back as\n  " + back + "\nnot\n  " + out;
    return false;
  }
  return true;
}

// The input documents of tests/data/eval: each .json, and each line of each .jsonl.
std::vector<std::string> fixture_documents() {
  std::vector<std::string> docs;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(CASEX_TEST_DATA_DIR) / "eval")) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.find(".expected") == std::string::npos &&
        (e.path().extension() == ".json" || e.path().extension() == ".jsonl"))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (f.extension() == ".json") {
      docs.push_back(slurp(f));
    } else {
      std::istringstream in(slurp(f));
      for (std::string line; std::getline(in, line);) docs.push_back(line);
    }
  }
  return docs;
}

// Text that exercises every escape: quotes, backslashes, every control
// character, DEL, and UTF-8 of two, three and four bytes.
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"a",
                                                  "Z",
                                                  "0",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "{",
                                                  "}",
                                                  "\x7f",
                                                  "\xC3\xA9",
                                                  "\xE2\x82\xAC",
                                                  "\xF0\x9D\x84\x9E",
                                                  "%s",
                                                  "{x}"};
  std::string s;
  std::size_t n = rng() % 12;
  for (std::size_t i = 0; i < n; ++i) {
    if (rng() % 4 == 0)
      s.push_back(static_cast<char>(rng() % 0x20));
    else
      s += pieces[rng() % pieces.size()];
  }
  return s;
}

bj::value random_value(std::mt19937& rng, int depth = 0) {
  switch (rng() % (depth < 2 ? 8 : 6)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - (1ll << 31);
    case 3: return std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 80) - 40);
    case 4:
    case 5: return bj::string(random_text(rng));
    case 6: {
      bj::array a;
      for (std::size_t i = rng() % 3; i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      bj::object o;
      for (std::size_t i = rng() % 3; i > 0; --i)
        o[random_text(rng)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

// A fixture document with its free texts, references and (incoming) unknown
// incident keys replaced by random ones.
std::string mutate(const bj::object& doc, std::mt19937& rng) {
  bj::object d = doc;
  auto text = [&] { return bj::value(bj::string(random_text(rng))); };
  if (d.contains("incident") && d.at("incident").is_string()) d["incident"] = text();
  if (auto* ref = d.if_contains("external_reference"); ref && ref->is_object()) {
    ref->get_object()["system"] = text();
    ref->get_object()["id"] = text();
  }
  for (const char* side : {"before", "after", "incident"})
    if (auto* s = d.if_contains(side); s && s->is_object()) {
      bj::object& o = s->get_object();
      if (o.contains("solution") && rng() % 2) o["solution"] = text();
      if (std::string(side) == "incident")
        for (std::size_t i = rng() % 4; i > 0; --i) o["x-" + random_text(rng)] = random_value(rng);
    }
  return bj::serialize(d);
}

}  // namespace

TEST_CASE("json output: every eval fixture's result round-trips through Boost.JSON byte for byte",
          "[json_output]") {
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  std::vector<std::string> docs = fixture_documents();
  REQUIRE(docs.size() > 100);
  std::size_t results = 0;
  for (const auto& doc : docs) {
    casex::JsonResult r = rules.eval_json(doc);
    if (!r.ok) continue;  // bad input: an error message, no document
    ++results;
    std::string why;
    INFO(doc);
    CHECK(round_trips(r.output, why));
    if (!why.empty()) FAIL_CHECK(why);
  }
  CHECK(results > 100);
}

TEST_CASE("json output: 10,000 generated results round-trip through Boost.JSON byte for byte",
          "[json_output]") {
  casex::RuleSet rules = *casex::RuleSet::load_builtin().rules;
  std::vector<bj::object> seeds;
  for (const auto& doc : fixture_documents()) {
    bj::error_code ec;
    bj::value v = bj::parse(doc, ec);
    if (!ec && v.is_object() && rules.eval_json(doc).ok) seeds.push_back(v.get_object());
  }
  REQUIRE(!seeds.empty());
  std::mt19937 rng(15);
  std::size_t results = 0, failures = 0, changes = 0, incoming = 0, escaped = 0, numbers = 0;
  for (std::size_t tries = 0; results < 10000 && tries < 100000; ++tries) {
    const bj::object& seed = seeds[rng() % seeds.size()];
    std::string doc = mutate(seed, rng);
    casex::JsonResult r = rules.eval_json(doc);
    if (!r.ok) continue;
    ++results;
    (seed.contains("incoming") ? incoming : changes)++;
    escaped +=
        r.output.find("\\u00") != std::string::npos && r.output.find("\\\"") != std::string::npos;
    for (std::size_t e = r.output.find('E', 1); e != std::string::npos;
         e = r.output.find('E', e + 1))
      if (std::isdigit(static_cast<unsigned char>(r.output[e - 1])) && e + 1 < r.output.size() &&
          (std::isdigit(static_cast<unsigned char>(r.output[e + 1])) || r.output[e + 1] == '-')) {
        ++numbers;  // a double, as Boost.JSON writes it (1.5E0)
        break;
      }
    std::string why;
    if (!round_trips(r.output, why) && failures++ < 5) FAIL_CHECK("input " << doc << "\n" << why);
  }
  CHECK(results == 10000);
  CHECK(failures == 0);
  CHECK(changes > 1000);
  CHECK(incoming > 1000);
  CHECK(escaped > 1000);  // results that carry \u00XX and \" escapes
  CHECK(numbers > 100);   // and doubles
}

TEST_CASE("json output: eval --lines writes a bad line's {\"line\",\"error\"} through Boost.JSON",
          "[json_output]") {
  fs::path input =
      fs::temp_directory_path() / ("casex-json-output-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(input, std::ios::binary)
      << "{\"incoming\": \"As\\u0001si\\\"gn\\n\\\\\"}\n\n{\"before\": 1}\n";
  std::string out;
  if (FILE* p = popen(
          (std::string(CASEX_BINARY) + " eval --lines " + input.string() + " 2>/dev/null").c_str(),
          "r")) {
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  fs::remove(input);
  std::istringstream lines(out);
  std::vector<bj::value> got;
  for (std::string line; std::getline(lines, line);) {
    std::string why;
    CHECK(round_trips(line, why));
    if (!why.empty()) FAIL_CHECK(why);
    got.push_back(bj::parse(line));
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0].at("line") == 1);
  CHECK(got[0].at("error").as_string().find("\"As\x01si\"gn\n\\\"") != bj::string::npos);
  CHECK(got[1] == bj::parse(R"({"line":2,"error":"empty line: expected a JSON document"})"));
  CHECK(got[2].at("line") == 3);
}
