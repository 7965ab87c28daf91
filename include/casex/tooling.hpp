// casex/tooling.hpp: the admin tooling of casex as a public API, for hosts and
// for the `casex` command alike: explain one document, read and lint rule
// files, render the rules page, run rule test files. Only value types of the
// public headers cross it; everything here may be called from any thread
// (each call works on its own data and an immutable RuleSet).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "casex/casex.hpp"
#include "casex/export.h"

namespace casex {

// ---- explain (`casex explain`) ---------------------------------------------

/// Why one `casex eval` document gives its result.
struct Explanation {
  bool ok = false;    // false: the document is not valid input (see error)
  std::string error;  // one-line message when !ok
  std::string
      json;  // the explanation as one JSON object (`casex explain --format json`), no newline
  std::string text;  // the same for people (`casex explain`), newline-terminated
  bool rules_error =
      false;  // the rules failed at run time on it (explained, under "error" of json)
};

/// Explains one `casex eval` document (a change or an incoming operation): the
/// workflow move, the steps, every rule of each table with its outcome, the
/// target choice, de-duplication and origin suppression.
CASEX_API Explanation explain_document(const RuleSet& rules, std::string_view document);

/// When `document` is a change whose `origin` matches no system of its
/// `groups`, its `external_reference` or the rules' targets (exact,
/// case-sensitive, as origin suppression compares): the note `casex explain`
/// prints about it; else "" (also for anything that is not such a change).
/// Not an error: a host may know systems the change does not mention.
CASEX_API std::string origin_note(const RuleSet& rules, std::string_view document);

/// The top-level keys of `document` that casex reads nowhere: not a key of
/// its kind of document nor a near miss of one (a near miss is bad input),
/// so ignored; in document order. `casex explain` lists them and `casex eval
/// --lines --stats` counts them. Empty for anything that is not a JSON object.
CASEX_API std::vector<std::string> ignored_keys(const RuleSet& rules, std::string_view document);

// ---- lint (`casex lint`; casex::lint_texts in casex.hpp runs the analysis) --

/// One diagnostic code: its stable name, default severity and description.
struct DiagnosticCode {
  std::string name;  // e.g. "unknown-field"
  Severity severity = Severity::Error;
  std::string description;
  std::string explanation;  // its section of docs/lint.md: an example and its fix
};

/// Every diagnostic code a load or lint may report, in a stable order.
CASEX_API std::vector<DiagnosticCode> diagnostic_codes();

/// The rule files of `paths` as the loader reads them: each directory's
/// *.yaml and *.yml files (sorted), each other path as a rule file. A path
/// that cannot be read is a diagnostic in `problems`; the files read are returned.
CASEX_API std::vector<SourceFile> read_rule_files(const std::vector<std::string>& paths,
                                                  std::vector<Diagnostic>& problems);

/// Lints rule files as `casex lint PATH...` does: reads `paths` with
/// read_rule_files (none: the built-in rules), then runs lint_texts on them. A
/// file that cannot be read is a diagnostic first, and then nothing is
/// analysed (`rules` stays empty, `*unreadable` set when given); `sources`
/// are the files read.
CASEX_API LoadResult lint_paths(const std::vector<std::string>& paths, bool* unreadable = nullptr);

/// What lint_texts_cancellable did.
struct LintRun {
  LoadResult result;       // as lint_texts; when cancelled: the load diagnostics and the
                           // findings made before the stop (an incomplete list)
  bool cancelled = false;  // stopped because `cancelled` answered true
  std::size_t checks = 0;  // lint rules started on a table (one per rule per table analysed)
};

/// lint_texts that can be stopped early: `cancelled` (may be empty: never) is
/// asked once the files are loaded, before each table and each lint rule of a
/// table, and every few thousand solver steps inside one; once it answers
/// true, the analysis stops there. The language server passes "a newer edit
/// came"; `casex lint` calls lint_texts (no cancellation).
CASEX_API LintRun lint_texts_cancellable(std::vector<SourceFile> files,
                                         const std::function<bool()>& cancelled);

/// The `casex lint --format json` document of `diagnostics` found in `files`
/// rule files: {"diagnostics": [...], "summary": {...}} on one line, with a newline.
CASEX_API std::string lint_json(const std::vector<Diagnostic>& diagnostics, std::size_t files);

// ---- the decision log (`casex eval --log`, Engine::set_log) ----------------

/// One decision-log line (no newline) for an input document and the result
/// document it gave: time (ISO 8601, UTC; left out when empty), request_id
/// (left out when empty), input_sha256, rules_version, kind, and the rules
/// fired with the operations (a change) or comments and reference (incoming).
CASEX_API std::string decision_log_line(std::string_view rules_version, std::string_view input,
                                        std::string_view result, std::string_view time,
                                        std::string_view request_id = {});

/// The log line of a reload (LogEvent::Kind::Reload).
CASEX_API std::string reload_log_line(const ReloadResult& reload, std::string_view time);

/// The current time as the log lines write it: "2026-01-02T03:04:05Z" (UTC).
CASEX_API std::string log_time_now();

/// SHA-256 of `data` as 64 lowercase hex digits (the log's input_sha256).
CASEX_API std::string sha256_hex(std::string_view data);

// ---- render (`casex render`) -----------------------------------------------

/// The vocabulary of a rule set as one JSON document: its version, the
/// metaphases, the phases (with metaphase and aliases), the fields (type and
/// value set), the events and the operations. Used by `casex serve`
/// (GET /v1/vocabulary and the simulator's form).
CASEX_API std::string vocabulary_json(const RuleSet& rules);

/// What the rules page says about where the rules come from.
struct RenderOptions {
  std::string title = "casex rules";
  std::string source;  // e.g. "the built-in rules" or the rules directory
};

/// The rules as one self-contained HTML page (no network): each table as the
/// source document shows it, the workflow as inline SVG, and `findings` (e.g.
/// the diagnostics of lint_texts on the same files) beside the rule they point
/// into, the others at the top.
CASEX_API std::string render_rules_html(const RuleSet& rules,
                                        const std::vector<Diagnostic>& findings,
                                        const RenderOptions& options = {});

// ---- rule tests (`casex test`) ---------------------------------------------

/// The outcome of one case of a rule test file.
struct RuleTestCaseResult {
  std::string file;  // the test file, as given
  std::string name;
  int line = 0;  // 1-based line of the case in its file
  bool passed = false;
  std::vector<std::string> differences;  // "path: expected X, got Y", one per mismatch
  std::string actual;                    // the result document, or "error: MESSAGE"
  double seconds = 0;                    // time taken by the case
  std::string input;                     // the case's input document (JSON)
  std::string expect;                    // the case's expectation (a JSON object)
};

/// Which rules of one group fired in at least one case.
struct RuleCoverageGroup {
  std::string name;  // "table resolution", "workflow moves", "targets", "incoming"
  std::vector<std::string> ids;
  std::vector<int> hits;  // parallel to ids: how many times each fired
};

/// Condition coverage of one rule of a table: each atomic condition of its
/// scenario seen true and seen false at a step of that table in some case, and
/// each member of an `in [...]` list matched (the field equal to it) in some case.
struct RuleConditionCoverage {
  std::string table, rule;  // ids
  struct Condition {
    std::string text;  // as the rules page writes it, e.g. changed(solution)
    bool seen_true = false, seen_false = false;
  };
  struct Member {
    std::string condition;  // the `in` condition
    std::string value;      // the member, e.g. "Solved"
    bool matched = false;
  };
  std::vector<Condition> conditions;
  std::vector<Member> members;
  /// Outcomes seen / outcomes to see: two per condition (true, false), one per member.
  int covered() const {
    int n = 0;
    for (const auto& c : conditions) n += c.seen_true + c.seen_false;
    for (const auto& m : members) n += m.matched;
    return n;
  }
  int total() const { return static_cast<int>(2 * conditions.size() + members.size()); }
};

/// The outcome of a run of rule test files.
struct RuleTestReport {
  std::vector<std::string>
      errors;  // unreadable files or cases ("file:line: message"); no case ran when any
  std::vector<RuleTestCaseResult> cases;
  std::vector<RuleCoverageGroup> coverage;
  int fired = 0;  // rules that fired in at least one case, over every group
  int total = 0;  // rules, over every group
  std::vector<RuleConditionCoverage> conditions;     // every rule of every table, in order
  int conditions_covered = 0, conditions_total = 0;  // summed over `conditions`
  int failed() const {
    int n = 0;
    for (const auto& c : cases) n += !c.passed;
    return n;
  }
};

/// Runs the rule test files of `paths` (a directory: its *.yaml and *.yml
/// files at any depth, sorted) against `rules`. Never throws for bad files.
CASEX_API RuleTestReport run_rule_tests(const RuleSet& rules,
                                        const std::vector<std::string>& paths);

/// The names rule test file `test` (given as text) writes that the rule files
/// `rules` do not declare, each a diagnostic with its range: a phase
/// (unknown-phase) of a case's input or expectation, a rule id (unknown-rule)
/// of its expectation. A test file that is not YAML gives its yaml-syntax
/// diagnostic; what else `casex test` refuses in a file, run_rule_tests reports.
CASEX_API std::vector<Diagnostic> check_rule_test_file(const std::vector<SourceFile>& rules,
                                                       const SourceFile& test);

/// Whether fired/total reaches `percent` (exact: 999/1000 does not reach 100).
CASEX_API bool coverage_reaches(int fired, int total, double percent);
/// fired/total as a percentage rounded down to one decimal ("99.9", "100").
CASEX_API std::string coverage_percent(int fired, int total);

/// A failed case's differences and actual result, as indented lines of text.
CASEX_API std::string failure_text(const RuleTestCaseResult& result);

/// The results as JUnit XML (one testsuite per file; text escaped for XML 1.0).
CASEX_API std::string junit_xml(const RuleTestReport& report);

// ---- diff (`casex diff`) ---------------------------------------------------

/// One way two rule sets decide differently.
struct RuleDifference {
  enum class Kind {
    Decision,  // a (before.phase, phase after the workflow) pair whose operations can differ
    Move,      // a (before.phase, after.phase) pair whose phase after the workflow can differ
    Incoming,  // an incoming operation whose actions differ
    Setting,   // a rule-set-wide setting (deduplicate, suppress_origin) or the phases differ
  };
  Kind kind = Kind::Decision;
  std::string before_phase;  // Decision, Move: before.phase
  std::string phase;  // Decision: the phase after the workflow; Move: after.phase; else the subject
  std::vector<std::string> old_rules, new_rules;  // what each side sends, moves to or does
  std::string witness;  // a document on which the two differ ("" when none could be verified)
  std::string old_result,
      new_result;  // the witness evaluated on each side (result or "error: ...")
};

/// The semantic difference of two rule sets (casex diff).
struct RulesDiff {
  std::string old_version, new_version;
  std::vector<RuleDifference> differences;
  /// targets: entries written differently, as "Accept: old TEXT -> new TEXT" (what
  /// they change shows in `differences`; an entry rewritten to the same effect changes nothing)
  std::vector<std::string> targets;
  bool complete = true;  // false: the solver's budget ran out somewhere (a difference is assumed)
  bool identical() const { return differences.empty() && complete; }
};

/// Compares what two rule sets decide, on their compiled tables with lint's
/// solver: every (before.phase, phase after the workflow) pair whose
/// operations (with their systems) can differ, every workflow move that can
/// differ, every incoming operation whose actions differ; each with a
/// witness document checked by evaluating it on both rule sets.
CASEX_API RulesDiff diff_rules(const RuleSet& old_rules, const RuleSet& new_rules);

// ---- the outline of rule files (`casex lsp`) -------------------------------

/// A name or value as written in a rule file, with where it starts (1-based
/// line and byte column; 0 when it has no position).
struct OutlineText {
  std::string value;
  std::string file;
  int line = 0, column = 0;
};

/// What rule files declare, every name with its position, as the loader read
/// them (before checking: half-typed files give what could be read). The
/// language server's hover, completion, navigation and outline read it.
struct RuleOutline {
  struct Phase {
    OutlineText name, metaphase;  // metaphase.value "" when none
    std::vector<OutlineText> aliases;
  };
  struct Field {
    OutlineText name, type;
    std::vector<OutlineText> values, aliases;
  };
  struct Rule {
    OutlineText id, description, when, then;  // when: the condition's text and its first byte
    int line = 0;                             // where the rule's mapping starts
    int priority = 0;
  };
  struct Table {
    OutlineText id, metaphase, transition_from, transition_to, hit_policy;  // unset scope: ""
    int line = 0;
    std::vector<Rule> rules;
  };
  struct Move {
    OutlineText id, description, when, to;
  };
  struct Target {
    std::string file;
    int line = 0, column = 0;             // where the entry's mapping starts
    std::vector<OutlineText> operations;  // none: every operation
    OutlineText system;
  };
  struct Incoming {
    OutlineText id, description;
    int line = 0;
    std::vector<OutlineText> operations;
    std::size_t actions = 0;
  };
  OutlineText vocabulary;  // value "vocabulary" where the section is, else ""
  std::vector<OutlineText> metaphases;
  /// The record's name (`record:`: the key of its id and snapshot, the root of
  /// `{RECORD.FIELD}`); the default name (no position) when none is declared.
  OutlineText record;
  std::vector<Phase> phases;
  std::vector<Field> fields;
  std::vector<OutlineText> events, outgoing, incoming_operations;
  OutlineText workflow;  // value "workflow" where the section is, else ""
  std::vector<Move> moves;
  std::vector<Target> targets;
  std::vector<Table> tables;
  std::vector<Incoming> incoming;
};

/// Reads rule files as the loader does and returns what they declare. Never
/// throws on bad rules (what does not load is left out).
CASEX_API RuleOutline outline_rules(std::vector<SourceFile> files);

/// One function of the expression language (engine/check/functions.def).
struct ExpressionFunction {
  std::string name;
  std::string arguments;       // one letter per argument: f field name, p "phase", v value of the
                               // field before it, t text, h phase, a any
  std::string result;          // boolean, text, number, phase or metaphase
  bool outgoing_only = false;  // only in a change's conditions (not in incoming actions)
};

/// Every function of the expression language, in declaration order.
CASEX_API std::vector<ExpressionFunction> expression_functions();

}  // namespace casex
