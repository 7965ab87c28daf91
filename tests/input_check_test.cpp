// tests/input_check_test.cpp: input that cannot be silently misread (issue 20)
// and the typed Change checked like JSON (issue 21): one fixture table read
// through the JSON document and the typed Change gives the same errors word for
// word; --lenient-input (InputOptions, Engine::set_input_options) reads the
// same documents as before; `open: true` lets a field take near-miss values.
#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "casex/casex.h"
#include "casex/casex.hpp"

namespace {

const casex::RuleSet& builtin() {
  static const casex::RuleSet r = *casex::RuleSet::load_builtin().rules;
  return r;
}

// A change in Review with a solution and a completion code.
casex::Change base_change() {
  casex::Change c;
  c.record = "INC-1";
  c.before = {{"phase", "Review"},
              {"assignment", "SM Tier 2"},
              {"solution", "Rebooted"},
              {"completion_code", std::nullopt}};
  c.after = {{"phase", "Review"},
             {"assignment", "SM Tier 2"},
             {"solution", "Rebooted"},
             {"completion_code", "WithdrawnbyUser"}};
  c.flags = {{"comment_added", false}};
  c.groups = {{"SM Tier 2", "SM"}};
  return c;
}

// The `casex eval` document of a typed Change, written by hand (duplicates
// kept, field values as strings), as a host would write it.
std::string document(const casex::Change& c) {
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  std::string d = "{\"incident\":" + q(*c.record);
  auto snapshot = [&](const char* side, const std::vector<casex::Field>& fields) {
    d += std::string(",\"") + side + "\":{";
    for (std::size_t i = 0; i < fields.size(); ++i)
      d += (i ? "," : "") + q(fields[i].first) + ":" +
           (fields[i].second ? q(*fields[i].second) : "null");
    d += "}";
  };
  snapshot("before", c.before);
  snapshot("after", c.after);
  for (const auto& [name, on] : c.flags) d += "," + q(name) + ":" + (on ? "true" : "false");
  d += ",\"groups\":{";
  for (std::size_t i = 0; i < c.groups.size(); ++i)
    d += (i ? "," : "") + q(c.groups[i].first) + ":" + q(c.groups[i].second);
  return d + "}}";
}

std::string typed_error(const casex::Change& c) {
  try {
    builtin().evaluate(c);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string json_error(const std::string& doc, casex::InputOptions options = {}) {
  std::string out, error;
  if (builtin().eval_json(doc, out, error, options)) return "";
  return error;
}

void rename_field(std::vector<casex::Field>& fields, const std::string& from,
                  const std::string& to) {
  for (auto& f : fields)
    if (f.first == from) f.first = to;
}

void set_field(std::vector<casex::Field>& fields, const std::string& name,
               std::optional<std::string> value) {
  for (auto& f : fields)
    if (f.first == name) f.second = std::move(value);
}

struct Row {
  const char* what;
  void (*edit)(casex::Change&);
  const char* error;       // of both paths
  bool json_kept = false;  // the JSON path keeps the key for the host (no error there)
};

const Row kRows[] = {
    {"a snapshot field in another letter case",
     [](casex::Change& c) { rename_field(c.after, "solution", "Solution"); },
     "after.Solution: unknown field \"Solution\"; did you mean \"solution\"?"},
    {"a snapshot field without its separator",
     [](casex::Change& c) { rename_field(c.before, "completion_code", "completionCode"); },
     "before.completionCode: unknown field \"completionCode\"; did you mean \"completion_code\"?"},
    {"a snapshot field given twice",
     [](casex::Change& c) {
       c.after.push_back({"solution", "Other"});
     },
     "after.solution: duplicate key (a key may appear once in an object)"},
    {"an unknown phase", [](casex::Change& c) { set_field(c.after, "phase", "Reveiw"); },
     "after.phase: unknown phase \"Reveiw\"; did you mean \"Review\"?"},
    {"a value one edit from the value set",
     [](casex::Change& c) { set_field(c.after, "completion_code", "WithdrawnbyUsr"); },
     "after.completion_code: \"WithdrawnbyUsr\" is not a value of completion_code; did you mean "
     "\"WithdrawnbyUser\"? (values are case-sensitive)"},
    {"a value in another letter case",
     [](casex::Change& c) { set_field(c.after, "completion_code", "withdrawnByUser"); },
     "after.completion_code: \"withdrawnByUser\" is not a value of completion_code; did you mean "
     "\"WithdrawnbyUser\"? (values are case-sensitive)"},
    {"an event one letter off",
     [](casex::Change& c) {
       c.flags = {{"comment_addd", true}};
     },
     "comment_addd: unknown key; did you mean \"comment_added\"? (keys are case-sensitive)"},
    {"an event with a hyphen",
     [](casex::Change& c) {
       c.flags = {{"attachment-changed", true}};
     },
     "attachment-changed: unknown key; did you mean \"attachment_changed\"? (keys are "
     "case-sensitive)"},
    // A typed Change has no keys to keep for the host: any unknown field is an error.
    {"a misspelt field (typed only: the JSON path keeps the key for the host)",
     [](casex::Change& c) { rename_field(c.after, "solution", "solutoin"); },
     "after.solutoin: unknown field \"solutoin\"; did you mean \"solution\"?", true},
};

}  // namespace

TEST_CASE(
    "input: the typed Change and its JSON document are refused with the same words on every "
    "row of the fixture table",
    "[input]") {
  REQUIRE(typed_error(base_change()).empty());
  REQUIRE(json_error(document(base_change())).empty());
  for (const Row& row : kRows) {
    INFO(row.what);
    casex::Change c = base_change();
    row.edit(c);
    CHECK(typed_error(c) == row.error);
    CHECK(json_error(document(c)) == (row.json_kept ? "" : row.error));
  }
}

namespace {

// The error of a typed Change filled in through the C change builder
// (casex_change_*) and evaluated by casex_engine_evaluate_change, "" when none.
std::string builder_error(const casex::Change& c, bool lenient_engine = false) {
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  if (lenient_engine) REQUIRE(casex_engine_set_lenient_input(engine, 1) == CASEX_OK);
  casex_change* ch = casex_change_new();
  REQUIRE(ch);
  auto text = [](const std::optional<std::string>& v) { return v ? v->c_str() : nullptr; };
  REQUIRE(casex_change_set_record(ch, text(c.record)) == CASEX_OK);
  for (const auto& [name, value] : c.before)
    REQUIRE(casex_change_set_field(ch, CASEX_BEFORE, name.c_str(), text(value)) == CASEX_OK);
  for (const auto& [name, value] : c.after)
    REQUIRE(casex_change_set_field(ch, CASEX_AFTER, name.c_str(), text(value)) == CASEX_OK);
  for (const auto& [name, on] : c.flags)
    REQUIRE(casex_change_set_event(ch, name.c_str(), on) == CASEX_OK);
  for (const auto& [group, system] : c.groups)
    REQUIRE(casex_change_set_group(ch, group.c_str(), system.c_str()) == CASEX_OK);
  casex_result* result = nullptr;
  casex_status status = casex_engine_evaluate_change(engine, ch, &result);
  std::string error = casex_result_error(result);
  CHECK((status == CASEX_OK) == error.empty());
  CHECK(std::string(casex_engine_last_error(engine)) == error);
  casex_result_free(result);
  casex_change_free(ch);
  casex_engine_free(engine);
  return error;
}

}  // namespace

TEST_CASE(
    "input: the C change builder is refused with the typed Change's words on every row of the "
    "fixture table, lenient engine or not",
    "[input][capi][change]") {
  REQUIRE(builder_error(base_change()).empty());
  for (const Row& row : kRows) {
    INFO(row.what);
    casex::Change c = base_change();
    row.edit(c);
    CHECK(builder_error(c) == row.error);
    CHECK(builder_error(c, true) == row.error);  // a built change is always checked strictly
  }
}

TEST_CASE("input: with InputOptions::lenient_input every near miss of the table is read as before",
          "[input]") {
  casex::InputOptions lenient{true};
  for (const Row& row : kRows) {
    INFO(row.what);
    casex::Change c = base_change();
    row.edit(c);
    std::string error = json_error(document(c), lenient);
    // An unknown phase is an error whatever the options; a case variant of a
    // value refused by `case_variants: refuse` too, as before.
    if (std::string(row.what) == "an unknown phase" ||
        std::string(row.what) == "a value in another letter case")
      CHECK(error == row.error);
    else
      CHECK(error.empty());
  }
}

TEST_CASE("input: Engine::set_input_options switches eval_json and eval, never evaluate(Change)",
          "[input]") {
  casex::Engine engine(builtin());
  casex::Change c = base_change();
  c.flags = {{"comment_addd", true}};
  std::string doc = document(c);
  CHECK_FALSE(engine.eval_json(doc).ok);
  CHECK(engine.eval(doc).kind == casex::Outcome::Kind::Error);
  engine.set_input_options({true});
  CHECK(engine.eval_json(doc).ok);
  CHECK(engine.eval(doc).kind == casex::Outcome::Kind::Change);
  CHECK_THROWS_AS(engine.evaluate(c), std::invalid_argument);
  engine.set_input_options({});
  CHECK_FALSE(engine.eval_json(doc).ok);
}

TEST_CASE("input: a field declared open: true takes values one edit from its value set",
          "[input]") {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  bool replaced = false;
  for (auto& f : files) {
    auto at = f.text.find("case_variants: refuse");
    if (at == std::string::npos) continue;
    f.text.replace(at, std::string("case_variants: refuse").size(), "open: true");
    replaced = true;
  }
  REQUIRE(replaced);
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  REQUIRE(loaded.rules);
  casex::Change c = base_change();
  for (const char* value : {"WithdrawnbyUsr", "withdrawnbyuser", "Anything"}) {
    INFO(value);
    set_field(c.after, "completion_code", value);
    CHECK_NOTHROW(loaded.rules->evaluate(c));
    std::string out, error;
    CHECK(loaded.rules->eval_json(document(c), out, error));
  }
}

TEST_CASE("input: open is a boolean in the rule files, anything else is a load error", "[input]") {
  std::vector<casex::SourceFile> files = casex::RuleSet::builtin_sources();
  for (auto& f : files) {
    auto at = f.text.find("case_variants: refuse");
    if (at != std::string::npos)
      f.text.replace(at, std::string("case_variants: refuse").size(), "open: maybe");
  }
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  CHECK_FALSE(loaded.rules);
  bool named = false;
  for (const auto& d : loaded.diagnostics) named |= d.message.find("open") != std::string::npos;
  CHECK(named);
}

TEST_CASE(
    "input: unknown keys far from every known key are ignored at the top level and kept in a "
    "snapshot",
    "[input]") {
  casex::Change c = base_change();
  std::string doc = document(c);
  std::string with_extra = doc.substr(0, doc.size() - 1) + ",\"trace_id\":\"t-1\",\"prio\":2}";
  std::string out1, out2, error;
  REQUIRE(builtin().eval_json(doc, out1, error));
  REQUIRE(builtin().eval_json(with_extra, out2, error));
  CHECK(out1 == out2);
}

TEST_CASE(
    "input: a change built in C gives the result document of its JSON document byte for byte, "
    "and the log hook sees it",
    "[input][capi][change]") {
  const casex::Change c = base_change();
  std::string want, error;
  REQUIRE(builtin().eval_json(document(c), want, error));
  casex_engine* engine = nullptr;
  REQUIRE(casex_engine_open(nullptr, &engine, nullptr) == CASEX_OK);
  int logged = 0;
  REQUIRE(casex_engine_set_log(
              engine,
              [](void* n, casex_log_kind kind, const char*) {
                if (kind == CASEX_LOG_DECISION) ++*static_cast<int*>(n);
              },
              &logged) == CASEX_OK);
  casex_change* ch = casex_change_new();
  REQUIRE(ch);
  REQUIRE(casex_change_set_record(ch, c.record->c_str()) == CASEX_OK);
  for (const auto& [name, value] : c.before)
    REQUIRE(casex_change_set_field(ch, CASEX_BEFORE, name.c_str(),
                                   value ? value->c_str() : nullptr) == CASEX_OK);
  for (const auto& [name, value] : c.after)
    REQUIRE(casex_change_set_field(ch, CASEX_AFTER, name.c_str(),
                                   value ? value->c_str() : nullptr) == CASEX_OK);
  for (const auto& [name, on] : c.flags)
    REQUIRE(casex_change_set_event(ch, name.c_str(), on) == CASEX_OK);
  for (const auto& [group, system] : c.groups)
    REQUIRE(casex_change_set_group(ch, group.c_str(), system.c_str()) == CASEX_OK);
  casex_result* result = nullptr;
  REQUIRE(casex_engine_evaluate_change(engine, ch, &result) == CASEX_OK);
  CHECK(std::string(casex_result_output(result)) == want);
  CHECK(std::string(casex_result_record(result)) == "INC-1");
  CHECK(casex_result_kind(result) == CASEX_KIND_CHANGE);
  CHECK(std::string(casex_result_version(result)) == builtin().version());
  CHECK(logged == 1);
  casex_result_free(result);
  casex_change_free(ch);
  casex_engine_free(engine);
}
