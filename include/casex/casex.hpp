// casex/casex.hpp: the public C++ API of casex, a table-driven rules engine
// for case exchange (incidents, requests, changes: whatever the rules describe). Load a rule set
// once, then evaluate changes and apply incoming operations from any number of threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "casex/export.h"

namespace casex {

class RuleSet;

struct LoadResult;
struct Change;
struct Decision;
namespace detail {
struct CompiledRules;
struct Scratch;
struct Pipeline;
struct EngineAccess;  // Internal (engine/api_internal.h): what the C API reaches in an Engine.
/// Internal (engine/api_internal.h): the compiled form of a rule set.
const CompiledRules& compiled(const RuleSet& rules);
/// Internal (engine/pipeline.h): a load result from the pipeline's forms.
LoadResult load_result(Pipeline&& p);
/// Internal (engine/api_internal.h): RuleSet::evaluate with the documents it read and gave.
Decision evaluate_typed(const RuleSet& rules, const Change& change, std::string& document,
                        std::string& output);
}  // namespace detail

/// How serious a diagnostic is.
enum class Severity : uint8_t { Error, Warning, Info };

/// Another place of the rule files a finding involves: the rule that shadows
/// a shadowed rule, the other rule of an overlap, the other table of a scope.
struct RelatedPlace {
  std::string what;  // "rule" or "table"
  std::string id;    // its id
  std::string file;
  int line = 0, column = 0;          // where its id starts (1-based)
  int end_line = 0, end_column = 0;  // just past the id's last byte (0: unknown)
};

/// One finding about a rule file: a stable code, where it is, and what is wrong.
struct Diagnostic {
  std::string code;  // stable identifier, e.g. "unknown-field"
  Severity severity = Severity::Error;
  std::string file;  // rule file name as given to the loader
  int line = 0;      // 1-based; 0 when the finding has no position
  int column = 0;    // 1-based
  std::string message;
  std::string help;  // a suggested fix, or empty
  std::string
      witness;  // casex lint: a change document (`casex eval` JSON) proving the finding, or empty
  // Where the finding's text ends (a YAML scalar, an expression's token): the
  // 1-based line and column just past its last byte; 0 when the engine does not know.
  int end_line = 0;
  int end_column = 0;
  std::vector<RelatedPlace> related;  // the other rules or tables it involves, in order
};

/// A rule file given as text, for loading rules that are not on disk.
struct SourceFile {
  std::string name;  // shown in diagnostics
  std::string text;
};

/// The largest document (or JSON Lines line) eval_json accepts: 16 MiB.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{16} << 20;

/// The most memory one document's parsed form (its JSON DOM) may take: 64 MiB.
/// Past it eval_json answers that document with an error and goes on.
inline constexpr std::size_t kMaxDocumentMemory = std::size_t{64} << 20;

/// Renders diagnostics in the compilers' shape: `file:line:col: error[code]: message`,
/// then the source line with a caret under the column and a `help:` line.
CASEX_API std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics,
                                         const std::vector<SourceFile>& sources);

/// Outcome of evaluating one JSON document: the result document or an error.
struct JsonResult {
  bool ok = false;
  std::string output;  // the result document (one line, no newline) when ok
  std::string error;   // one-line message naming the JSON path or line/column when !ok
};

/// How strictly a `casex eval` document is read. By default input that could
/// be silently misread is bad input, with "did you mean": a top-level key
/// that is a near miss of a key casex reads (`comment_addd`), a snapshot key
/// that names a field but for letter case or separators (`Solution`), a text
/// one edit or one letter case away from a declared value of its field
/// (unless the field is `open: true`), and a key given twice in an object
/// casex reads. `lenient_input` (`--lenient-input`) reads such documents as
/// before: near misses are kept or ignored, the last of two keys wins.
struct InputOptions {
  bool lenient_input = false;
};

/// An external reference: the record's counterpart in an external system.
struct ExternalReference {
  std::string system;
  std::string id;
};

/// One snapshot field: name and value ("" or std::nullopt both mean "no value").
using Field = std::pair<std::string, std::optional<std::string>>;

/// A change of a record (an incident with the default rules): the snapshots
/// before and after one save, plus the save's events; the typed form of the
/// `casex eval` change document.
struct Change {
  std::optional<std::string> record;  // the record's id (the document's `record:` key)
  std::vector<Field> before;          // must hold "phase"
  std::vector<Field> after;           // must hold "phase"
  std::vector<std::pair<std::string, bool>> flags;  // e.g. {"comment_added", true}
  std::optional<ExternalReference> external_reference;
  std::vector<std::pair<std::string, std::string>> groups;  // group -> external system
  std::optional<std::string> origin;
};

/// One outgoing operation decided for a change.
struct Operation {
  std::string operation;  // e.g. the name of an outgoing operation of the vocabulary
  std::string system;     // target external system
  std::string phase;      // phase of the step that produced it
  std::string rule;       // id of the rule that fired
};

/// What a change sends: the phase after the workflow, operations sent and suppressed.
struct Decision {
  std::string phase;
  std::vector<Operation> operations;
  std::vector<Operation> suppressed;
};

/// What an incoming operation changes on the record: the typed form of its
/// result document.
struct IncomingOutcome {
  std::vector<Field> fields;                            // the record's fields after the operation
  std::vector<std::string> comments;                    // comments to add, in order
  std::optional<ExternalReference> external_reference;  // the reference it sets, if any
  std::string rule;                                     // id of the rule that fired
};

/// The outcome of one `casex eval` document, typed: the error, a change's
/// Decision, or an incoming operation's IncomingOutcome.
struct Outcome {
  enum class Kind { Error, Change, Incoming };
  Kind kind = Kind::Error;
  std::string error;                  // Error: the one-line message
  std::optional<std::string> record;  // Change: the record's id, when the document gave one
  Decision decision;                  // Change: phase after the workflow, operations, suppressed
  IncomingOutcome incoming;           // Incoming
};

/// Reads a result document (JsonResult::output, one line of JSON) into an
/// Outcome; a text that is not a result document gives Kind::Error.
CASEX_API Outcome read_outcome(std::string_view result_document);

/// An immutable, compiled rule set. Cheap to copy (shared), safe to use from
/// many threads at once.
class CASEX_API RuleSet {
 public:
  /// Loads every `*.yaml` file of a directory.
  static LoadResult load_directory(const std::string& dir);
  /// Loads rule files given as texts.
  static LoadResult load_texts(std::vector<SourceFile> files);
  /// Loads the default rules built into the library.
  static LoadResult load_builtin();
  /// The default rule files built into the library, as texts.
  static std::vector<SourceFile> builtin_sources();

  /// Evaluates a `casex eval` document (a change or an incoming operation).
  JsonResult eval_json(std::string_view document) const;

  /// Same, appending the result document to `output` (reused buffers: no
  /// allocation per call once warm); on failure sets `error` and leaves `output`.
  bool eval_json(std::string_view document, std::string& output, std::string& error) const;
  /// Same, reading the document as `options` say.
  bool eval_json(std::string_view document, std::string& output, std::string& error,
                 const InputOptions& options) const;

  /// Evaluates a `casex eval` document into a typed Outcome (eval_json, then read_outcome).
  Outcome eval(std::string_view document) const;

  /// Decides the outgoing operations of a change. Field values are text; a
  /// number or boolean field takes "12.5" or "true"/"false". The change is
  /// checked by the one reader of `casex eval` documents (it is written as
  /// that document and read back), so it is refused with the JSON path's
  /// messages word for word: std::invalid_argument on a change the vocabulary
  /// rejects (unknown phase with "did you mean", a value of the wrong type)
  /// and std::runtime_error on a run-time error of the rules (two matches in
  /// a `unique` table).
  Decision evaluate(const Change& change) const;

  /// A digest of the rule files this set was compiled from.
  const std::string& version() const;

 private:
  friend const detail::CompiledRules& detail::compiled(const RuleSet& rules);
  friend LoadResult detail::load_result(detail::Pipeline&& p);
  friend Decision detail::evaluate_typed(const RuleSet& rules, const Change& change,
                                         std::string& document, std::string& output);
  explicit RuleSet(std::shared_ptr<const detail::CompiledRules> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::CompiledRules> impl_;
};

/// Outcome of loading: the rule set when there is no error, and every diagnostic.
struct LoadResult {
  std::optional<RuleSet> rules;
  std::vector<Diagnostic> diagnostics;
  std::vector<SourceFile> sources;  // the texts loaded, for format_diagnostics
};

/// Loads rule files as `casex lint` checks them: every load diagnostic plus the
/// semantic findings on the compiled tables (overlaps under `unique`, shadowed
/// and unsatisfiable rules, gaps of complete tables, conditions that never
/// matter, operations no rule produces), each with its witness where it has one.
CASEX_API LoadResult lint_texts(std::vector<SourceFile> files);

/// What Engine::open or Engine::reload did: whether the new rules are in
/// effect, which version is, and every diagnostic of the rules it read.
struct ReloadResult {
  bool ok = false;      // true: the new rules are in effect; false: the previous ones still are
  std::string version;  // the version in effect afterwards ("" when open failed)
  std::string previous_version;  // the version in effect before ("" for open)
  std::vector<Diagnostic> diagnostics;
  std::vector<SourceFile> sources;  // the texts read, for format_diagnostics
};

/// A JsonResult with the version of the rule set that produced it.
struct EngineResult : JsonResult {
  std::string version;
};

/// A Decision with the version of the rule set that produced it.
struct EngineDecision : Decision {
  std::string version;
};

/// An Outcome with the version of the rule set that produced it.
struct EngineOutcome : Outcome {
  std::string version;
};

/// One entry of an Engine's log hook (Engine::set_log).
struct LogEvent {
  enum class Kind { Decision, Reload };
  Kind kind = Kind::Decision;
  /// One JSON line (no newline). Decision: the decision-log line of `casex eval
  /// --log` (time, input_sha256, rules_version, kind, rules_fired, operations
  /// or comments). Reload: {"time", "kind": "reload", "ok", "rules_version",
  /// "previous_version", "errors", "warnings"}.
  std::string_view line;
};

/// Owns the current rule set of a host and replaces it while the host runs.
/// Every member may be called from any number of threads at once. An
/// evaluation takes the rule set in effect when it starts and finishes on it;
/// reload() compiles the new rules to the side and swaps them in atomically; a
/// reload that fails keeps the previous rules and returns the diagnostics.
class CASEX_API Engine {
 public:
  /// Loads the rules of `dir` (empty: the built-in rules); null when they do
  /// not load, and `report` (if given) says why.
  static std::unique_ptr<Engine> open(const std::string& dir, ReloadResult* report = nullptr);
  /// An engine on rules already loaded; reload() reads `dir` (empty: the built-in rules).
  explicit Engine(RuleSet rules, std::string dir = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// The rule set in effect now: a snapshot that later reloads do not change.
  RuleSet rules() const;
  /// The version (digest of the rule files) in effect now.
  std::string version() const;
  /// The directory reload() reads ("" for the built-in rules).
  const std::string& directory() const;

  /// Evaluates a `casex eval` document on the rules in effect.
  EngineResult eval_json(std::string_view document) const;
  /// Same, appending to `output` (see RuleSet::eval_json); `version` (if given)
  /// receives the version of the rules used.
  bool eval_json(std::string_view document, std::string& output, std::string& error,
                 std::string* version = nullptr) const;
  /// Evaluates a `casex eval` document into a typed Outcome on the rules in effect.
  EngineOutcome eval(std::string_view document) const;
  /// Decides the operations of a change (throws as RuleSet::evaluate).
  EngineDecision evaluate(const Change& change) const;

  /// How eval_json and eval read documents from now on (default: strict; see
  /// InputOptions). A typed Change (evaluate) is always checked strictly.
  void set_input_options(const InputOptions& options);

  /// Reads the directory again (or the built-in rules) and swaps the new
  /// rules in if they load without error.
  ReloadResult reload();
  /// Swaps in rules given as texts if they load without error (the directory
  /// stays the one reload() reads).
  ReloadResult reload(std::vector<SourceFile> files);

  /// Receives each decision (each document or change evaluated without error
  /// by eval_json, eval or evaluate) and each reload (reload() and the
  /// watcher's), on the thread that made it: it may run on many threads at
  /// once and must be thread-safe; it must not throw. An empty function
  /// removes the hook; with none, nothing is formatted.
  using LogCallback = std::function<void(const LogEvent&)>;
  void set_log(LogCallback callback);

  /// Called after each automatic reload, on the watching thread.
  using ReloadCallback = std::function<void(const ReloadResult&)>;
  /// Starts reloading automatically when a file of the directory changes
  /// (Linux inotify): after a change, once `settle` passes with no further
  /// change, it reloads with the guarantees of reload(). False (and `error`
  /// set) when the engine has no directory or the system cannot watch it.
  bool watch(ReloadCallback on_reload = {},
             std::chrono::milliseconds settle = std::chrono::milliseconds(200),
             std::string* error = nullptr);
  /// Stops watching (also done by the destructor); waits for a running reload.
  void unwatch();

 private:
  friend struct detail::EngineAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace casex
