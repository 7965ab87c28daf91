// tests/rules_edit_test.cpp: the behaviour lives in the rule files. Each test
// evaluates a change with the default rules, then with a copy of them edited in
// memory (no recompilation), and shows the behaviour follow the edit.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace {

namespace bj = boost::json;
using Files = std::vector<casex::SourceFile>;

// Replaces the one occurrence of `from` in rule file `file` (e.g. "workflow.yaml").
void edit(Files& files, const std::string& file, const std::string& from, const std::string& to) {
  for (auto& f : files) {
    if (f.name != "rules/" + file) continue;
    auto at = f.text.find(from);
    INFO(file << " should hold once: " << from);
    REQUIRE(at != std::string::npos);
    REQUIRE(f.text.find(from, at + 1) == std::string::npos);
    f.text.replace(at, from.size(), to);
    return;
  }
  FAIL("no rule file " << file);
}

casex::RuleSet load(const Files& files) {
  casex::LoadResult loaded = casex::RuleSet::load_texts(files);
  INFO(casex::format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.diagnostics.empty());
  REQUIRE(loaded.rules);
  return *loaded.rules;
}

// The default rules and a copy to edit.
struct Fixture {
  Files files = casex::RuleSet::builtin_sources();
  casex::RuleSet defaults = load(files);

  // The edited copy; its version differs from the defaults'.
  casex::RuleSet edited() const {
    casex::RuleSet r = load(files);
    CHECK(r.version() != defaults.version());
    return r;
  }
};

// A change's result in short: "PHASE: OP SYSTEM RULE, ... [suppressed: OP SYSTEM RULE, ...]".
std::string decide(const casex::RuleSet& rules, const std::string& document) {
  casex::JsonResult r = rules.eval_json(document);
  INFO(r.error);
  REQUIRE(r.ok);
  bj::object out = bj::parse(r.output).as_object();
  std::string s = std::string(out.at("phase").as_string()) + ":";
  auto list = [&](const bj::array& ops) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& o = ops[i].as_object();
      s += std::string(i ? ", " : " ") + std::string(o.at("operation").as_string()) + " " +
           std::string(o.at("system").as_string()) + " " + std::string(o.at("rule").as_string());
    }
  };
  list(out.at("operations").as_array());
  if (!out.at("suppressed").as_array().empty()) {
    s += " [suppressed:";
    list(out.at("suppressed").as_array());
    s += "]";
  }
  return s;
}

// The comments an incoming operation adds.
std::vector<std::string> comments(const casex::RuleSet& rules, const std::string& document) {
  casex::JsonResult r = rules.eval_json(document);
  INFO(r.error);
  REQUIRE(r.ok);
  std::vector<std::string> out;
  bj::value result = bj::parse(r.output);
  for (const auto& c : result.at("comments").as_array()) out.emplace_back(c.as_string());
  return out;
}

const char* const kGroups = R"("groups": {"SM Tier 2": "SM", "Vendor Network": "VENDOR"})";

}  // namespace

TEST_CASE(
    "rules edit: moving validation.resolve above validation.cancel turns a WithdrawnbyUser change "
    "into Resolve",
    "[rules-edit]") {
  Fixture fx;
  const std::string withdrawn =
      std::string(R"({"before": {"phase": "Review", "assignment": "SM Tier 2"},
      "after": {"phase": "Review", "assignment": "SM Tier 2", "completion_code": "WithdrawnbyUser"},
      "external_reference": {"system": "SM", "id": "IM1"}, )") +
      kGroups + "}";
  CHECK(decide(fx.defaults, withdrawn) == "Review: Cancel SM validation.cancel");

  // Cut the last row (validation.resolve) and paste it above the first (validation.cancel).
  for (auto& f : fx.files) {
    if (f.name != "rules/validation.yaml") continue;
    auto resolve = f.text.find("    - id: validation.resolve");
    auto cancel = f.text.find("    - id: validation.cancel");
    REQUIRE(resolve != std::string::npos);
    REQUIRE(cancel != std::string::npos);
    std::string row = f.text.substr(resolve);
    f.text.erase(resolve);
    f.text.insert(cancel, row + "\n");
  }
  CHECK(decide(fx.edited(), withdrawn) == "Review: Resolve SM validation.resolve");
}

TEST_CASE("rules edit: a new comment text in incoming.yaml is what an incoming Assign adds",
          "[rules-edit]") {
  Fixture fx;
  const std::string assign =
      R"({"incoming": "Assign", "system": "SM", "id": "IM1", "incident": {"phase": "InitialSupport"}})";
  CHECK(comments(fx.defaults, assign) ==
        std::vector<std::string>{"Incident was assigned locally from external system"});

  edit(fx.files, "incoming.yaml", "add_comment: Incident was assigned locally from external system",
       R"(add_comment: "Assigned locally by {message.system} (ticket {message.id}), {{sic}}")");
  CHECK(comments(fx.edited(), assign) ==
        std::vector<std::string>{"Assigned locally by SM (ticket IM1), {sic}"});
}

TEST_CASE(
    "rules edit: a phase alias added to the vocabulary is accepted as input and reported "
    "canonically",
    "[rules-edit]") {
  Fixture fx;
  const std::string first_line =
      R"({"before": {"phase": "1st Line"}, "after": {"phase": "1st Line"},
      "comment_added": true, "external_reference": {"system": "SM", "id": "IM1"}})";
  casex::JsonResult before_edit = fx.defaults.eval_json(first_line);
  CHECK_FALSE(before_edit.ok);
  CHECK_THAT(before_edit.error, Catch::Contains("before.phase") && Catch::Contains("\"1st Line\""));

  edit(fx.files, "vocabulary.yaml", R"(aliases: ["Initial Support"])",
       R"(aliases: ["Initial Support", "1st Line"])");
  CHECK(decide(fx.edited(), first_line) == "InitialSupport: Update SM resolution.update");
}

TEST_CASE("rules edit: renaming the alias Initial Support retires the old name", "[rules-edit]") {
  Fixture fx;
  const std::string old_name =
      R"({"before": {"phase": "Initial Support"}, "after": {"phase": "Initial Support"},
      "comment_added": true, "external_reference": {"system": "SM", "id": "IM1"}})";
  CHECK(decide(fx.defaults, old_name) == "InitialSupport: Update SM resolution.update");

  edit(fx.files, "vocabulary.yaml", R"(aliases: ["Initial Support"])",
       R"(aliases: ["Initial-Support"])");
  casex::RuleSet edited = fx.edited();
  casex::JsonResult r = edited.eval_json(old_name);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("unknown phase \"Initial Support\""));
  std::string new_name = old_name;
  for (std::size_t at; (at = new_name.find("Initial Support")) != std::string::npos;)
    new_name.replace(at, 15, "Initial-Support");
  CHECK(decide(edited, new_name) == "InitialSupport: Update SM resolution.update");
}

TEST_CASE("rules edit: a workflow move to Close makes a solution give Update then Close",
          "[rules-edit]") {
  Fixture fx;
  const std::string solution =
      std::string(R"({"before": {"phase": "InitialSupport", "assignment": "SM Tier 2"},
      "after": {"phase": "InitialSupport", "assignment": "SM Tier 2", "solution": "Rebooted"},
      "external_reference": {"system": "SM", "id": "IM1"}, )") +
      kGroups + "}";
  CHECK(decide(fx.defaults, solution) ==
        "Review: Update SM resolution.update, Resolve SM validation.resolve");

  edit(fx.files, "workflow.yaml", "      to: Review\n", "      to: Close\n");
  CHECK(decide(fx.edited(), solution) == "Close: Update SM resolution.update, Close SM done.close");
}

TEST_CASE("rules edit: with deduplicate off, Cancel from Review to Close is sent by both steps",
          "[rules-edit]") {
  Fixture fx;
  const std::string cancel = R"({"before": {"phase": "Review"},
      "after": {"phase": "Close", "completion_code": "WithdrawnbyUser"},
      "external_reference": {"system": "SM", "id": "IM1"}})";
  CHECK(decide(fx.defaults, cancel) == "Close: Cancel SM validation.cancel");

  edit(fx.files, "workflow.yaml", "deduplicate: true", "deduplicate: false");
  CHECK(decide(fx.edited(), cancel) == "Close: Cancel SM validation.cancel, Cancel SM done.cancel");
}

TEST_CASE("rules edit: with suppress_origin off, an operation back to the origin is sent",
          "[rules-edit]") {
  Fixture fx;
  const std::string echo =
      R"({"before": {"phase": "InitialSupport"}, "after": {"phase": "InitialSupport"},
      "comment_added": true, "external_reference": {"system": "SM", "id": "IM1"}, "origin": "SM"})";
  CHECK(decide(fx.defaults, echo) == "InitialSupport: [suppressed: Update SM resolution.update]");

  edit(fx.files, "workflow.yaml", "suppress_origin: true", "suppress_origin: false");
  CHECK(decide(fx.edited(), echo) == "InitialSupport: Update SM resolution.update");
}

TEST_CASE(
    "rules edit: a target entry preferring the assigned group's system over the record redirects "
    "Update",
    "[rules-edit]") {
  Fixture fx;
  const std::string comment =
      std::string(R"({"before": {"phase": "InitialSupport", "assignment": "Vendor Network"},
      "after": {"phase": "InitialSupport", "assignment": "Vendor Network"}, "comment_added": true,
      "external_reference": {"system": "SM", "id": "IM1"}, )") +
      kGroups + "}";
  CHECK(decide(fx.defaults, comment) == "InitialSupport: Update SM resolution.update");

  edit(fx.files, "workflow.yaml", "  - when: has_value(external_reference)\n",
       "  - when: is_external(after.assignment)\n"
       "    system: external_system(after.assignment)\n"
       "  - when: has_value(external_reference)\n");
  CHECK(decide(fx.edited(), comment) == "InitialSupport: Update VENDOR resolution.update");
}

TEST_CASE("rules edit: a scenario edited in a table changes which changes send the operation",
          "[rules-edit]") {
  Fixture fx;
  const std::string ert =
      R"({"before": {"phase": "Review", "expected_resolution_time": "2026-12-01T10:00:00Z"},
      "after": {"phase": "Review", "expected_resolution_time": "2026-12-02T10:00:00Z"},
      "external_reference": {"system": "SM", "id": "IM1"}})";
  CHECK(decide(fx.defaults, ert) == "Review:");

  edit(fx.files, "validation.yaml", "or comment_added or attachment_changed",
       "or comment_added or attachment_changed or changed(expected_resolution_time)");
  CHECK(decide(fx.edited(), ert) == "Review: Resolve SM validation.resolve");
}

TEST_CASE(
    "rules edit: create_reference from a message without an id or a system is an error naming the "
    "empty part",
    "[rules-edit]") {
  Fixture fx;
  const std::string ok =
      R"({"incoming": "Create", "system": "SM", "id": "IM7", "incident": {"phase": "Log"}})";
  casex::JsonResult r = fx.defaults.eval_json(ok);
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(bj::parse(r.output).at("external_reference") ==
        bj::parse(R"({"system": "SM", "id": "IM7"})"));
  for (const char* doc :
       {R"({"incoming": "Create", "system": "SM", "id": "", "incident": {"phase": "Log"}})",
        R"({"incoming": "Create", "system": "", "id": "IM7", "incident": {"phase": "Log"}})"}) {
    INFO(doc);
    casex::JsonResult bad = fx.defaults.eval_json(doc);
    CHECK_FALSE(bad.ok);
    CHECK_THAT(bad.error, Catch::Contains("incoming.create") && Catch::Contains("has no value"));
    CHECK_THAT(bad.error, Catch::Contains(std::string(doc).find(R"("id": "")") != std::string::npos
                                              ? "but {message.id} has no value"
                                              : "but {message.system} has no value"));
  }
}

TEST_CASE(
    "rules edit: an incoming action's condition sees the record as the earlier actions left it",
    "[rules-edit]") {
  Fixture fx;
  // Create makes the record, then comments only if there is one; Reject deletes it, then
  // comments only if there is none left.
  edit(fx.files, "incoming.yaml",
       R"(      - create_reference: {system: "{message.system}", id: "{message.id}"})",
       R"(      - create_reference: {system: "{message.system}", id: "{message.id}"}
      - add_comment: "Linked to {external_reference.system} {external_reference.id}"
        when: has_value(external_reference))");
  edit(fx.files, "incoming.yaml", "      - delete_reference: true\n",
       "      - delete_reference: true\n"
       "      - add_comment: Unlinked\n"
       "        when: not has_value(external_reference)\n");
  casex::RuleSet rules = fx.edited();
  CHECK(
      comments(
          rules,
          R"({"incoming": "Create", "system": "SM", "id": "IM7", "incident": {"phase": "Log"}})") ==
      std::vector<std::string>{"Linked to SM IM7"});
  CHECK(
      comments(
          rules,
          R"({"incoming": "Reject", "system": "SM", "id": "IM7", "incident": {"phase": "InitialSupport"},
                           "external_reference": {"system": "SM", "id": "IM7"}})")
          .front() == "Unlinked");
}

TEST_CASE(
    "rules edit: an incoming operation reads a boolean field, and its set stores true and false as "
    "written",
    "[rules-edit]") {
  Fixture fx;
  edit(fx.files, "vocabulary.yaml", "    - {name: expected_resolution_time, type: text}\n",
       "    - {name: expected_resolution_time, type: text}\n    - {name: major, type: boolean}\n");
  edit(fx.files, "incoming.yaml",
       "      - add_comment: Incident was assigned locally from external system\n",
       "      - add_comment: Incident was assigned locally from external system\n"
       "      - {set: major, value: \"true\"}\n");
  edit(fx.files, "incoming.yaml", "      - delete_reference: true\n",
       "      - delete_reference: true\n      - {set: major, value: \"false\"}\n");
  edit(fx.files, "incoming.yaml",
       R"(      - create_reference: {system: "{message.system}", id: "{message.id}"})",
       R"(      - create_reference: {system: "{message.system}", id: "{message.id}"}
      - add_comment: Major incident
        when: incident.major)");
  casex::RuleSet rules = fx.edited();
  // the incident's boolean as read from an incoming document, in an action's condition
  CHECK(
      comments(
          rules,
          R"({"incoming": "Create", "system": "SM", "id": "IM1", "incident": {"phase": "Log", "major": true}})") ==
      std::vector<std::string>{"Major incident"});
  CHECK(
      comments(
          rules,
          R"({"incoming": "Create", "system": "SM", "id": "IM1", "incident": {"phase": "Log", "major": false}})")
          .empty());
  auto major = [&](const char* document) {
    casex::JsonResult r = rules.eval_json(document);
    INFO(r.error);
    REQUIRE(r.ok);
    return bj::serialize(bj::parse(r.output).at("incident").at("major"));
  };
  CHECK(
      major(
          R"({"incoming": "Assign", "system": "SM", "id": "IM1", "incident": {"phase": "Log", "major": false}})") ==
      "true");
  CHECK(
      major(
          R"({"incoming": "Reject", "system": "SM", "id": "IM1", "incident": {"phase": "Log", "major": true}})") ==
      "false");
  // an operation that does not set it keeps the incident's value, as read
  CHECK(
      major(
          R"({"incoming": "Create", "system": "SM", "id": "IM1", "incident": {"phase": "Log", "major": true}})") ==
      "true");
}
