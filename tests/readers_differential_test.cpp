// tests/readers_differential_test.cpp: a change document has two readers, the
// SAX reader of the fast path (engine/json/change_reader.cpp) and the DOM
// reader that words the errors (engine/json/json_io.cpp); `casex explain`
// always takes the DOM one. Fed the fuzz corpus and 100,000 generated
// documents (aliases, escapes, duplicate keys, wrong types, numbers at the
// edges of their range, unknown keys and near misses of keys, fields and
// values), both must give the same result or the same error, byte for byte,
// read strictly (the default) and with --lenient-input.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/json/json_io.h"

namespace {

using casex::detail::EvalTrace;
using casex::detail::JsonEvaluator;

const casex::RuleSet& rules() {
  static const casex::RuleSet r = *casex::RuleSet::load_builtin().rules;
  return r;
}

struct Answer {
  bool ok = false;
  std::string text;  // the result, or the error
};

// eval(): the SAX reader when it accepts the document, else the DOM reader.
Answer by_eval(JsonEvaluator& ev, const std::string& doc) {
  Answer a;
  std::string error;
  a.ok = ev.eval(doc, a.text, error);
  if (!a.ok) a.text = error;
  return a;
}

// explain(): the DOM reader always.
Answer by_dom(JsonEvaluator& ev, const std::string& doc) {
  Answer a;
  EvalTrace trace;
  bool incoming = false;
  std::string error;
  a.ok = ev.explain(doc, trace, incoming, a.text, error);
  if (!a.ok) a.text = error;
  return a;
}

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  std::string document() {
    std::string d = "{";
    bool first = true;
    auto member = [&](const std::string& key, const std::string& value) {
      if (!first) d += ",";
      first = false;
      d += json_string(key) + ":" + value;
    };
    if (chance(80)) member("incident", chance(90) ? json_string(pick(texts_)) : scalar());
    member("before", chance(97) ? snapshot() : scalar());
    member("after", chance(97) ? snapshot() : scalar());
    for (const char* e : {"comment_added", "attachment_changed"})
      if (chance(50)) member(e, chance(95) ? (chance(50) ? "true" : "false") : scalar());
    if (chance(60)) member("external_reference", chance(90) ? reference() : scalar());
    if (chance(80)) member("groups", chance(95) ? groups() : scalar());
    if (chance(30)) member("origin", chance(90) ? json_string(pick(systems_)) : scalar());
    if (chance(10)) member(pick(unknown_), scalar());
    if (chance(3)) member("x", scalar());              // a duplicate when unknown_ gave "x"
    if (chance(5)) member("before", snapshot());       // a duplicate key
    if (chance(2)) member(pick(near_top_), scalar());  // a near miss of a key
    d += "}";
    return d;
  }

 private:
  bool chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(rng_) < percent; }
  const std::string& pick(const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng_)];
  }

  static std::string json_string(const std::string& s) {
    std::string out;
    casex::detail::append_json_string(out, s);
    return out;
  }

  // A value of any kind, often of the wrong type for where it goes.
  std::string scalar() {
    static const std::vector<std::string> any = {"null",
                                                 "true",
                                                 "false",
                                                 "0",
                                                 "-1",
                                                 "3.5",
                                                 "1e308",
                                                 "1e400",
                                                 "-1e400",
                                                 "9007199254740992",
                                                 "9007199254740993",
                                                 "-9007199254740993",
                                                 "18446744073709551615",
                                                 "\"\"",
                                                 "\"x\"",
                                                 "[]",
                                                 "{}",
                                                 "[1,2]",
                                                 "{\"phase\":\"Log\"}",
                                                 "\"\\u0041\""};
    return pick(any);
  }

  std::string snapshot() {
    std::string d = "{";
    bool first = true;
    auto member = [&](const std::string& key, const std::string& value) {
      if (!first) d += ",";
      first = false;
      d += key + ":" + value;
    };
    if (chance(97)) member("\"phase\"", chance(95) ? json_string(pick(phases_)) : scalar());
    for (const char* f :
         {"assignment", "solution", "completion_code", "expected_resolution_time"}) {
      if (!chance(60)) continue;
      std::string value = chance(90)
                              ? json_string(pick(f == std::string("assignment") ? groups_ : texts_))
                              : scalar();
      if (chance(3)) member("\"" + std::string(f) + "\"", scalar());  // duplicated field
      member(chance(5) ? escaped_key(f) : "\"" + std::string(f) + "\"", value);
    }
    if (chance(20)) member(json_string(pick(unknown_)), scalar());
    if (chance(3)) member(json_string(pick(near_fields_)), json_string(pick(texts_)));
    if (chance(2)) member("\"x\"", scalar());  // a duplicate when unknown_ gave "x"
    if (chance(3)) member("\"phase\"", json_string(pick(phases_)));  // a duplicate phase
    d += "}";
    return d;
  }

  // The same key with its first letter as a \u escape.
  static std::string escaped_key(const std::string& key) {
    return fmt::format("\"\\u{:04x}{}\"", static_cast<unsigned>(key[0]), key.substr(1));
  }

  std::string reference() {
    std::string d = "{";
    if (chance(90)) d += "\"system\":" + (chance(90) ? json_string(pick(systems_)) : scalar());
    if (chance(80))
      d += std::string(d.size() > 1 ? "," : "") + "\"id\":" + (chance(90) ? "\"IM1\"" : scalar());
    return d + "}";
  }

  std::string groups() {
    std::string d = "{";
    int n = std::uniform_int_distribution<int>(0, 4)(rng_);
    for (int i = 0; i < n; ++i) {
      if (i) d += ",";
      d += json_string(pick(groups_)) + ":" +
           (chance(85)   ? json_string(pick(systems_))
            : chance(50) ? "null"
                         : scalar());
    }
    return d + "}";
  }

  std::mt19937 rng_;
  const std::vector<std::string> phases_ = {
      "Log",    "Classify", "InitialSupport", "Initial Support", "Escalate", "Review", "Close",
      "Closed", "",         "review",         "Nowhere"};
  const std::vector<std::string> groups_ = {"SM Tier 2", "Local", "Ext",      "",
                                            "G\xc3\xa9", "A\"B",  "tab\there"};
  const std::vector<std::string> systems_ = {"SM", "EXT", "", "sm", "\xe2\x82\xac"};
  const std::vector<std::string> texts_ = {"Rebooted",
                                           "",
                                           "WithdrawnbyUser",
                                           "withdrawnbyuser",
                                           "REQUESTREJECTED",
                                           "WithdrawnbyUsr",
                                           "RequestRejectd",
                                           "CompletionCodeFulfiled",
                                           "RequestRejected",
                                           "x\\y",
                                           "line\nbreak",
                                           "{incident.solution}",
                                           "%s%n",
                                           "\xf0\x9f\x98\x80"};
  const std::vector<std::string> unknown_ = {"description", "prio", "x", "incoming_", "groups "};
  const std::vector<std::string> near_top_ = {"comment_addd", "Comment_Added", "attachment-changed",
                                              "befor",        "Origin",        "grups",
                                              "ID",           "sytem"};
  const std::vector<std::string> near_fields_ = {"Solution", "completionCode", "ASSIGNMENT",
                                                 "expected-resolution-time", "solutoin"};
};

void check_same(JsonEvaluator& fast, JsonEvaluator& dom, const std::string& doc) {
  Answer a = by_eval(fast, doc), b = by_dom(dom, doc);
  INFO("document: " << doc);
  REQUIRE(a.ok == b.ok);
  REQUIRE(a.text == b.text);
}

}  // namespace

TEST_CASE(
    "readers: the SAX and DOM readers of a change give the same result or error on 100,000 "
    "generated documents",
    "[readers]") {
  JsonEvaluator fast(casex::detail::compiled(rules())), dom(casex::detail::compiled(rules()));
  Generator gen(20261129);
  casex::detail::ChangeReader reader(casex::detail::compiled(rules()).rules.vocabulary);
  casex::detail::ChangeInput input;
  std::string texts;
  int ok = 0, fast_read = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string doc = gen.document();
    fast_read += reader.read(doc, input, texts) == casex::detail::ChangeReader::Result::Ok;
    Answer a = by_eval(fast, doc), b = by_dom(dom, doc);
    INFO("document " << i << ": " << doc);
    REQUIRE(a.ok == b.ok);
    REQUIRE(a.text == b.text);
    ok += a.ok;
  }
  // The generator must reach both outcomes and both readers often, or the comparison proves little
  // (duplicate keys and near misses, bad input since issue 20, make about a third fewer documents
  // good).
  CHECK(ok > 5000);
  CHECK(ok < 90000);
  CHECK(fast_read > 5000);
}

TEST_CASE(
    "readers: read with --lenient-input, the SAX and DOM readers give the same result or error "
    "on 30,000 generated documents, and accept more of them than read strictly",
    "[readers]") {
  JsonEvaluator fast(casex::detail::compiled(rules())), dom(casex::detail::compiled(rules()));
  JsonEvaluator strict(casex::detail::compiled(rules()));
  fast.set_lenient(true);
  dom.set_lenient(true);
  Generator gen(7);
  int ok = 0, strict_ok = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string doc = gen.document();
    Answer a = by_eval(fast, doc), b = by_dom(dom, doc), s = by_eval(strict, doc);
    INFO("document " << i << ": " << doc);
    REQUIRE(a.ok == b.ok);
    REQUIRE(a.text == b.text);
    // Whatever strict reading accepts, lenient reading accepts with the same result.
    if (s.ok) REQUIRE(a.text == s.text);
    ok += a.ok;
    strict_ok += s.ok;
  }
  CHECK(ok > strict_ok);
}

TEST_CASE("readers: the SAX and DOM readers agree on every document of the eval_json fuzz corpus",
          "[readers]") {
  JsonEvaluator fast(casex::detail::compiled(rules())), dom(casex::detail::compiled(rules()));
  int n = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(CASEX_FUZZ_CORPUS_DIR "/eval_json")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    check_same(fast, dom, ss.str());
    ++n;
  }
  CHECK(n > 100);
}
