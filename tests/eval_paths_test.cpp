// tests/eval_paths_test.cpp: the compiled form of a rule set (Facts: the rule
// set specialized per pair of phases over one word of facts, when its atoms
// fit 64 bits; WideForm otherwise: each table's decoded atoms, column index and
// sparse rows) decides every change exactly as the reference path, the traced
// evaluation that `casex explain` runs, which interprets every atom of a table
// and tests every row.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <variant>
#include <vector>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/eval/eval.h"
#include "tests/support/generate.h"

namespace {

using namespace casex;
using namespace casex::detail;

// Which compiled form a rule set runs on.
bool on_facts(const RuleSet& r) {
  return std::holds_alternative<Facts>(casex::detail::compiled(r).fast);
}
bool on_wide(const RuleSet& r) {
  return std::holds_alternative<WideForm>(casex::detail::compiled(r).fast);
}

RuleSet load(const std::vector<SourceFile>& files) {
  LoadResult loaded = RuleSet::load_texts(files);
  INFO(format_diagnostics(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.rules);
  return *loaded.rules;
}

// A Resolution table under `policy` whose scenarios use every kind of atom:
// changes, events, presence, groups, constants, phases, metaphases,
// entered(), ordering and membership (interpreted), a group's system
// compared with the record's, alternatives on phases alone, and the
// functions changed_to() (compiled as its meaning), starts_with() and
// sent_before() (interpreted).
std::string mixed_table(const std::string& policy) {
  return fmt::format(R"(table:
  id: resolution
  scope: {{metaphase: Resolution}}
  hit_policy: {}
  rules:
    - id: r.assign
      when: not is_external(before.assignment) and is_external(after.assignment)
      then: Assign
      priority: 3
    - id: r.accept
      when: is_external(before.assignment) and not is_external(after.assignment)
      then: Accept
      priority: 2
    - id: r.same-system
      when: has_value(external_reference) and external_reference.system == external_system(after.assignment)
      then: Update
      priority: 5
    - id: r.solution
      when: changed(solution) and (after.solution > "s3" or after.solution in ["s1", "s2"])
      then: Update
      priority: 4
    - id: r.events
      when: comment_added or attachment_changed or changed(expected_resolution_time)
      then: Update
      priority: 1
    - id: r.phase
      when: before.phase != after.phase and metaphase(before.phase) == "Resolution" and after.phase == "Escalate"
      then: Update
      priority: 6
    - id: r.code
      when: after.completion_code == "RequestRejected" or not has_value(after.assignment)
      then: Reject
      priority: 7
    - id: r.phases-only
      when: after.phase == "Escalate" or entered("Escalate") or before.phase == "Log"
      then: Cancel
      priority: 0
    - id: r.functions
      when: changed_to(solution, "s2") or changed_to(assignment, null) or starts_with(after.assignment, "SM") or (sent_before("Cancel", "SYS1") and comment_added)
      then: Resolve
      priority: 8
)",
                     policy);
}

// `n` rules each testing an ordering of the solution: more than 64 atoms,
// none indexable, so the table's rows span two words.
std::string wide_table(int n) {
  std::string t =
      "table:\n  id: resolution\n  scope: {metaphase: Resolution}\n  hit_policy: first\n  rules:\n";
  for (int k = 0; k < n; ++k)
    t += fmt::format(
        "    - id: r.w{0}\n      when: after.solution > \"s{0:03}\" and comment_added\n      then: "
        "{1}\n",
        k, k % 2 ? "Update" : "Assign");
  return t;
}

// Random changes over the default vocabulary, from small pools so that rules match.
class Changes {
 public:
  explicit Changes(const Vocabulary& v) : v_(v) {}

  void next(ChangeInput& in) {
    in.reset(v_);
    for (auto* side : {&in.before, &in.after})
      for (std::size_t f = 0; f < v_.fields.size(); ++f) {
        Value& x = (*side)[f];
        if (static_cast<int>(f) == v_.phase_field) {
          x.kind = ConstKind::Sym;
          x.sym = static_cast<int>(pick(v_.phases.size()));
          continue;
        }
        const auto& pool = f == 1 || v_.fields[f].name == "far_group" ? groups_
                           : f == 3                                   ? codes_
                                                                      : texts_;
        std::string_view t = pool[pick(pool.size())];
        if (!t.empty()) {
          x.kind = ConstKind::Text;
          x.text = t;
        }
      }
    if (pick(3) == 0) in.after = in.before;  // many saves change nothing
    for (std::size_t e = 0; e < v_.events.size(); ++e) in.events.set(e, pick(3) == 0);
    in.has_ref = pick(2) == 0;
    if (in.has_ref) in.ref_system = systems_[pick(systems_.size())];
    in.groups = {{"Ext One", "SYS1"}, {"Ext Two", "SYS2"}, {"Group 3", "SYS1"}, {"Empty", ""}};
    in.origin = systems_[pick(systems_.size())];
    if (pick(3) == 0) in.sent.emplace_back("Cancel", systems_[pick(systems_.size())]);
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  const Vocabulary& v_;
  std::mt19937 rng_{20261127};
  std::vector<std::string_view> groups_{"", "Local", "Ext One", "Ext Two", "Group 3", "Empty"};
  std::vector<std::string_view> codes_{"", "WithdrawnbyUser", "RequestRejected",
                                       "CompletionCodeFulfilled"};
  std::vector<std::string_view> texts_{"", "s1", "s2", "s4", "s031", "s070", "t1"};
  std::vector<std::string_view> systems_{"", "SYS1", "SYS2"};
};

std::string describe(const CompiledRules& r, const detail::Outcome& o, bool ok) {
  std::string s = fmt::format("ok={} phase={} error={}", ok, o.phase, o.error);
  for (const auto* list : {&o.ops, &o.suppressed}) {
    s += list == &o.ops ? " | ops:" : " | suppressed:";
    for (const auto& op : *list)
      s += fmt::format(" {}/{}/{}@{}", r.rules.vocabulary.outgoing[op.op],
                       r.rules.tables[op.table].rules[op.rule].id, op.phase, op.system);
  }
  return s;
}

// Evaluates `n` random changes both ways and requires identical outcomes.
void require_paths_agree(const RuleSet& rules, int n) {
  const CompiledRules& c = casex::detail::compiled(rules);
  Changes gen(c.rules.vocabulary);
  ChangeInput in;
  detail::Outcome fast, reference;
  Scratch s1, s2;
  int sent = 0;
  for (int i = 0; i < n; ++i) {
    gen.next(in);
    bool ok1 = evaluate_change(c, in, fast, s1);
    EvalTrace trace;
    bool ok2 = evaluate_change(c, in, reference, s2, &trace);
    INFO("change " << i);
    REQUIRE(describe(c, fast, ok1) == describe(c, reference, ok2));
    sent += static_cast<int>(fast.ops.size());
  }
  CHECK(sent > n / 20);  // the changes exercise the rules
}

}  // namespace

TEST_CASE("per-phase specialization decides like the reference path on the default rules",
          "[eval][paths]") {
  LoadResult loaded = RuleSet::load_builtin();
  REQUIRE(loaded.rules);
  REQUIRE(on_facts(*loaded.rules));
  require_paths_agree(*loaded.rules, 20000);
}

TEST_CASE("per-phase specialization decides like the reference path under every hit policy",
          "[eval][paths]") {
  for (const char* policy : {"first", "unique", "priority", "collect"}) {
    INFO(policy);
    RuleSet rules = load(builtin_with_resolution(mixed_table(policy)));
    REQUIRE(on_facts(rules));
    require_paths_agree(rules, 5000);
  }
}

TEST_CASE(
    "the request and change rule sets (transition scope over a metaphase pair, sent_before) decide "
    "alike on every route",
    "[eval][paths]") {
  for (const char* set : {"request", "change"}) {
    INFO(set);
    LoadResult loaded = RuleSet::load_directory(std::string(CASEX_EXAMPLES_DIR) + "/rules/" + set);
    REQUIRE(loaded.rules);
    REQUIRE(on_facts(*loaded.rules));
    require_paths_agree(*loaded.rules, 5000);
  }
}

// The condition of the default rules' move to Review, and those rules with the
// mixed table (first hit) and that condition replaced by `when`.
const std::string kReviewMove =
    "when: metaphase(after.phase) == \"Resolution\" and changed(solution) and "
    "has_value(after.solution)";

std::vector<SourceFile> mixed_with_review_move(const std::string& when) {
  std::vector<SourceFile> files = builtin_with_resolution(mixed_table("first"));
  for (auto& f : files)
    if (f.name.find("workflow.yaml") != std::string::npos) {
      auto at = f.text.find(kReviewMove);
      REQUIRE(at != std::string::npos);
      f.text.replace(at, kReviewMove.size(), when);
    }
  return files;
}

TEST_CASE(
    "moves over more than 64 atoms, beside tables that fit one word, run on the wide form and "
    "decide like the reference path",
    "[eval][paths]") {
  // The move's condition names 70 values of solution: its table needs two words,
  // while every metaphase table fits one word.
  std::string to =
      "when: metaphase(after.phase) == \"Resolution\" and changed(solution) and (after.solution == "
      "\"s1\"";
  for (int i = 100; i < 170; ++i) to += fmt::format(" or after.solution == \"s{}\"", i);
  to += ")";
  RuleSet rules = load(mixed_with_review_move(to));
  REQUIRE(casex::detail::compiled(rules).moves.words == 2);
  REQUIRE(on_wide(rules));
  // s1 moves the incident to Review: the production path must see it.
  JsonResult r = rules.eval_json(
      R"({"before": {"phase": "InitialSupport"}, "after": {"phase": "InitialSupport", "solution": "s1"}})");
  REQUIRE(r.ok);
  CHECK(r.output.find(R"("phase":"Review")") != std::string::npos);
  require_paths_agree(rules, 5000);
}

TEST_CASE(
    "a move too complex to expand is one opaque condition on the facts form and decides like the "
    "reference path",
    "[eval][paths]") {
  // The move's condition and-ed with nine tautologies: 512 alternatives, more
  // than a scenario may expand to, so the move is one row on its whole condition.
  std::string to = kReviewMove;
  for (const char* x : {"comment_added", "attachment_changed", "changed(assignment)",
                        "changed(completion_code)", "changed(expected_resolution_time)",
                        "has_value(before.solution)", "has_value(before.assignment)",
                        "has_value(after.assignment)", "has_value(external_reference)"})
    to += fmt::format(" and ({0} or not {0})", x);
  RuleSet rules = load(mixed_with_review_move(to));
  // One row of the moves tests one atom: the whole condition.
  const DecisionTable& moves = casex::detail::compiled(rules).moves;
  int opaque = 0;
  for (const auto& row : moves.rows)
    for (uint32_t a = 0; a < moves.atoms.size(); ++a)
      if (moves.pool[row.offset + a / 64] >> (a % 64) & 1) opaque += moves.atoms[a].op == Op::And;
  REQUIRE(opaque == 1);
  REQUIRE(on_facts(rules));
  // s1 moves the incident to Review through the opaque condition.
  JsonResult r = rules.eval_json(
      R"({"before": {"phase": "InitialSupport"}, "after": {"phase": "InitialSupport", "solution": "s1"}})");
  REQUIRE(r.ok);
  CHECK(r.output.find(R"("phase":"Review")") != std::string::npos);
  require_paths_agree(rules, 5000);
}

TEST_CASE("column-indexed tables of the wide form decide like the reference path",
          "[eval][paths]") {
  RuleSet rules = load(generated_rule_set(200));
  REQUIRE(on_wide(rules));
  bool indexed = false;
  for (const auto& t : std::get<WideForm>(casex::detail::compiled(rules).fast).tables)
    indexed = indexed || !t.eq_index.empty();
  REQUIRE(indexed);
  require_paths_agree(rules, 5000);
}

TEST_CASE("multi-word tables of the wide form decide like the reference path", "[eval][paths]") {
  RuleSet rules = load(builtin_with_resolution(wide_table(80)));
  REQUIRE(on_wide(rules));
  REQUIRE(casex::detail::compiled(rules).max_words > 1);
  require_paths_agree(rules, 5000);
}

TEST_CASE("fields and events past the 64th slot decide like the reference path", "[eval][paths]") {
  // 60 more fields and 64 more events: far_group and far_text sit at slots 65
  // and 66, e62 and e63 at 64 and 65, where the one-word event set and the
  // per-change memory of group lookups stop and the general forms take over.
  std::string fields, events = "  events: [comment_added, attachment_changed";
  for (int i = 0; i < 60; ++i) fields += fmt::format("    - {{name: x{}, type: text}}\n", i);
  fields += "    - {name: far_group, type: text}\n    - {name: far_text, type: text}\n\n";
  for (int i = 0; i < 64; ++i) events += fmt::format(", e{}", i);
  events += "]";
  std::vector<SourceFile> files = builtin_with_resolution(R"(table:
  id: resolution
  scope: {metaphase: Resolution}
  hit_policy: first
  rules:
    - id: r.far-assign
      when: not is_external(before.far_group) and is_external(after.far_group)
      then: Assign
    - id: r.far-event
      when: e63 or e62 or changed(far_text)
      then: Update
    - id: r.near
      when: comment_added or e3 or after.far_text == "s1" or is_external(after.assignment)
      then: Update
)");
  bool edited = false;
  for (auto& f : files)
    if (f.name.find("vocabulary.yaml") != std::string::npos) {
      const std::string old_events = "  events: [comment_added, attachment_changed]";
      auto at = f.text.find(old_events);
      REQUIRE(at != std::string::npos);
      f.text.replace(at, old_events.size(), fields + events);
      edited = true;
    }
  REQUIRE(edited);
  RuleSet rules = load(files);
  const auto& v = casex::detail::compiled(rules).rules.vocabulary;
  REQUIRE(v.find_field("far_group") >= 64);
  REQUIRE(Vocabulary::index_of(v.events, "e63") >= 64);
  REQUIRE(on_facts(rules));
  require_paths_agree(rules, 20000);
}

namespace {

// The rules around `table` (a Resolution table), and one change of them: from
// `before` to `after`, a comment added, the record with SM.
struct OneChange {
  RuleSet rules;
  ChangeInput in;
  explicit OneChange(const std::string& table) : rules(load(builtin_with_resolution(table))) {}
  void set(const char* before, const char* after) {
    const Vocabulary& v = casex::detail::compiled(rules).rules.vocabulary;
    in.reset(v);
    in.before[v.phase_field].kind = in.after[v.phase_field].kind = ConstKind::Sym;
    in.before[v.phase_field].sym = v.find_phase(before);
    in.after[v.phase_field].sym = v.find_phase(after);
    REQUIRE(in.before[v.phase_field].sym >= 0);
    REQUIRE(in.after[v.phase_field].sym >= 0);
    in.events.set(static_cast<std::size_t>(Vocabulary::index_of(v.events, "comment_added")), true);
    in.has_ref = true;
    in.ref_system = "SM";
  }
  // The rules whose operations are sent, in order, on the fast and on the reference path (must
  // agree).
  std::string sent() {
    const CompiledRules& c = casex::detail::compiled(rules);
    detail::Outcome fast, reference;
    Scratch s1, s2;
    EvalTrace trace;
    bool ok1 = evaluate_change(c, in, fast, s1);
    bool ok2 = evaluate_change(c, in, reference, s2, &trace);
    INFO("fast: " << describe(c, fast, ok1) << "\nreference: " << describe(c, reference, ok2));
    CHECK(ok1);
    CHECK(ok2);
    auto ids = [&c](const detail::Outcome& o) {
      std::string s;
      for (const auto& op : o.ops)
        s += (s.empty() ? "" : " ") + c.rules.tables[op.table].rules[op.rule].id;
      return s;
    };
    CHECK(ids(fast) == ids(reference));
    return ids(reference);
  }
};

}  // namespace

TEST_CASE(
    "entered() of a phase of another metaphase holds only in the new metaphase's step, on both "
    "paths",
    "[eval][paths]") {
  // The Resolution table asks entered("Review") and entered("Close"), phases of
  // Validation and Done: on a change from InitialSupport to Review the old
  // metaphase's step (this table) does not enter Review, so r.entered-review
  // does not fire there; Validation's own table, consulted for the new phase, does.
  OneChange c(R"(table:
  id: resolution
  scope: {metaphase: Resolution}
  hit_policy: collect
  rules:
    - id: r.entered-review
      when: entered("Review")
      then: Cancel
    - id: r.entered-close
      when: entered("Close") or entered("Escalate")
      then: Reject
    - id: r.comment
      when: comment_added
      then: Update
)");
  REQUIRE(on_facts(c.rules));  // the fast path is the specialized one
  c.set("InitialSupport", "Review");
  CHECK(c.sent() == "r.comment validation.resolve");
  c.set("Escalate", "Close");
  CHECK(c.sent() == "r.comment done.close");
  c.set("InitialSupport", "Escalate");  // within Resolution: nothing is entered
  CHECK(c.sent() == "r.comment");
  c.set("Classify",
        "Escalate");  // Resolution entered: its own entered("Escalate") holds in the new step
  CHECK(c.sent() == "r.entered-close r.comment");
  require_paths_agree(c.rules, 5000);
}

TEST_CASE(
    "hit policy priority: a tie goes to the earlier rule on the fast and on the reference path",
    "[eval][paths]") {
  // Independent of hit_policy_test.cpp: two rules of priority 4 both match; the earlier one is
  // sent.
  OneChange c(R"(table:
  id: resolution
  scope: {metaphase: Resolution}
  hit_policy: priority
  rules:
    - id: r.low
      when: comment_added
      then: Reject
      priority: 1
    - id: r.first-of-tie
      when: comment_added
      then: Update
      priority: 4
    - id: r.second-of-tie
      when: comment_added or attachment_changed
      then: Cancel
      priority: 4
)");
  c.set("InitialSupport", "InitialSupport");
  CHECK(c.sent() == "r.first-of-tie");
  c.set("Escalate", "InitialSupport");
  CHECK(c.sent() == "r.first-of-tie");
}

TEST_CASE("a rule set with 46 phases runs on the facts form and decides like the reference path",
          "[eval][paths]") {
  // 40 more Resolution phases: 2,116 pairs of phases, specialized by signature.
  std::string phases;
  for (int i = 0; i < 40; ++i)
    phases += fmt::format("    - {{name: R{}, metaphase: Resolution}}\n", i);
  std::vector<SourceFile> files = builtin_with_resolution(mixed_table("collect"));
  bool edited = false;
  for (auto& f : files)
    if (f.name.find("vocabulary.yaml") != std::string::npos) {
      const std::string anchor = "    - {name: Escalate,       metaphase: Resolution}\n";
      auto at = f.text.find(anchor);
      REQUIRE(at != std::string::npos);
      f.text.insert(at + anchor.size(), phases);
      edited = true;
    }
  REQUIRE(edited);
  RuleSet rules = load(files);
  REQUIRE(casex::detail::compiled(rules).rules.vocabulary.phases.size() == 46);
  REQUIRE(on_facts(rules));
  const Facts& f = std::get<Facts>(casex::detail::compiled(rules).fast);
  CHECK(f.paths.size() < 46 * 46 / 10);  // pairs that behave alike share one specialization
  require_paths_agree(rules, 5000);
}
