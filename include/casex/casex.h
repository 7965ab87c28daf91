/* casex/casex.h: the C API of casex, stable across releases of one major
   version: opaque handles, plain C types, no exception crosses it. Evaluates
   the `casex eval` JSON documents and reloads rules while other threads evaluate. */
#ifndef CASEX_CASEX_H
#define CASEX_CASEX_H

#include <stddef.h>

#include "casex/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Ownership, for every function below:
 * - A handle (casex_engine, casex_result, casex_diagnostics) returned through
 *   an out-parameter belongs to the caller, who frees it with its own
 *   casex_*_free function. Freeing NULL does nothing.
 * - A `char *` returned belongs to the caller, who frees it with casex_string_free.
 * - A `const char *` returned by an accessor belongs to the handle it was read
 *   from and stays valid until that handle is freed; never free it. Texts are
 *   UTF-8 and NUL-terminated.
 * - casex_version and casex_status_name return static strings.
 *
 * Errors: every function returning a casex_status records, for the calling
 * thread, a one-line message ("" on CASEX_OK) that casex_engine_last_error
 * returns. Accessors never fail: on a NULL handle or an index out of range a
 * text accessor returns "" and a number accessor 0 (severity: CASEX_SEVERITY_NONE).
 *
 * Threads: every casex_engine function may be called from any number of
 * threads at once, except casex_engine_free, which must be the last call on
 * that engine. Results and diagnostics are immutable: read them from any thread.
 */

/** What a call did. */
typedef enum casex_status {
  CASEX_OK = 0,
  CASEX_BAD_INPUT = 1, /* the document is not valid input, or the rules fail on it (one-line message
                          in casex_result_error) */
  CASEX_RULES_INVALID = 2, /* the rules do not load; the previous rules, if any, stay in effect (see
                              the diagnostics) */
  CASEX_INVALID_ARGUMENT = 3, /* a NULL handle or pointer where one is required */
  CASEX_UNSUPPORTED =
      4, /* not possible here: watching without inotify, or an engine on the built-in rules */
  CASEX_NO_MEMORY = 5, /* an allocation failed */
  CASEX_INTERNAL = 6   /* an unexpected failure inside the library */
} casex_status;

/** How serious a diagnostic is. */
typedef enum casex_severity {
  CASEX_SEVERITY_NONE = -1, /* no such diagnostic (NULL handle or index out of range) */
  CASEX_SEVERITY_ERROR = 0,
  CASEX_SEVERITY_WARNING = 1,
  CASEX_SEVERITY_INFO = 2
} casex_severity;

/** What a result holds (casex_result_kind). */
typedef enum casex_kind {
  CASEX_KIND_ERROR = 0,   /* an error: casex_result_error says what (or a NULL result) */
  CASEX_KIND_CHANGE = 1,  /* a change: phase, operations, suppressed operations */
  CASEX_KIND_INCOMING = 2 /* an incoming operation: fields, comments, reference, rule */
} casex_kind;

/** An engine: the rule set in effect, replaced by reloads. */
typedef struct casex_engine casex_engine;
/** The outcome of one evaluation: result document or error, and the rules' version. */
typedef struct casex_result casex_result;
/** The diagnostics of loading rules: structured, and formatted as text. */
typedef struct casex_diagnostics casex_diagnostics;
/** A change filled in field by field (casex_change_new), evaluated without JSON. */
typedef struct casex_change casex_change;

/** The library's version, CASEX_VERSION of <casex/version.h> (static). */
CASEX_API const char* casex_version(void);
/** The library's CASEX_VERSION_NUMBER (MAJOR * 1000000 + MINOR * 1000 + PATCH), for a
    host to compare with the CASEX_VERSION_NUMBER it was compiled against. */
CASEX_API long casex_version_number(void);
/** The name of a status, e.g. "CASEX_BAD_INPUT" (static). */
CASEX_API const char* casex_status_name(casex_status status);
/** Frees a string the library returned. NULL does nothing. */
CASEX_API void casex_string_free(char* text);

/**
 * Creates an engine on the rule files (`*.yaml`) of `rules_dir`, or on the
 * rules built into the library when `rules_dir` is NULL. On CASEX_OK sets
 * *engine; otherwise sets it to NULL. When `diagnostics` is not NULL it
 * receives the diagnostics of loading (possibly none), whatever the status.
 */
CASEX_API casex_status casex_engine_open(const char* rules_dir, casex_engine** engine,
                                         casex_diagnostics** diagnostics);
/** Frees an engine (stops its watcher first). */
CASEX_API void casex_engine_free(casex_engine* engine);
/** The version (a digest of the rule files) in effect now; free with casex_string_free. */
CASEX_API char* casex_engine_version(const casex_engine* engine);

/**
 * The one-line message of the calling thread's most recent call that returned
 * a casex_status, if that call was on `engine` (NULL: on no engine, e.g. a
 * casex_engine_open that failed or a call given a NULL engine); "" when it
 * succeeded or was on another engine. E.g. "casex_eval: the engine is NULL",
 * the first error of rules that do not load, or the document's error (the
 * text of casex_result_error). Valid until the thread's next call into casex.
 */
CASEX_API const char* casex_engine_last_error(const casex_engine* engine);

/**
 * Reads the engine's directory again (or the built-in rules) and, if the
 * rules load without error, swaps them in atomically: evaluations already
 * running finish on the previous rules. CASEX_RULES_INVALID keeps the
 * previous rules. `diagnostics` as for casex_engine_open; its
 * casex_diagnostics_version is the version this reload left in effect (no
 * race with a later reload, unlike casex_engine_version).
 */
CASEX_API casex_status casex_engine_reload(casex_engine* engine, casex_diagnostics** diagnostics);

/** What a log line is about. */
typedef enum casex_log_kind {
  CASEX_LOG_DECISION = 0, /* one evaluation without error: the decision-log line */
  CASEX_LOG_RELOAD = 1    /* one reload, manual or automatic, taken or refused */
} casex_log_kind;

/** Receives one log line (JSON, no newline; valid during the call). Called on
    the thread that evaluated or reloaded, from many threads at once: it must
    be thread-safe, and must not call casex_engine_set_log or casex_engine_free. */
typedef void (*casex_log_callback)(void* user_data, casex_log_kind kind, const char* line);

/**
 * Hands `callback` each decision of casex_eval (the line `casex eval --log`
 * writes: time, input_sha256, rules_version, kind, rules_fired, operations or
 * comments) and each reload ({"time", "kind": "reload", "ok", "rules_version",
 * "previous_version", "errors", "warnings"}). NULL removes the hook; an
 * evaluation already running may still call the previous one.
 */
CASEX_API casex_status casex_engine_set_log(casex_engine* engine, casex_log_callback callback,
                                            void* user_data);

/** Called after each automatic reload, on the watching thread: the status of
    the reload, its diagnostics (owned by the library, valid during the call)
    and the version in effect. It must not call casex_engine_unwatch. */
typedef void (*casex_reload_callback)(void* user_data, casex_status status,
                                      const casex_diagnostics* diagnostics, const char* version);

/**
 * Reloads automatically when a file of the engine's directory changes, once
 * `settle_ms` milliseconds pass with no further change (0: 200 ms), with the
 * guarantees of casex_engine_reload. `callback` may be NULL.
 */
CASEX_API casex_status casex_engine_watch(casex_engine* engine, unsigned settle_ms,
                                          casex_reload_callback callback, void* user_data);
/** Stops watching; waits for a reload in progress. */
CASEX_API void casex_engine_unwatch(casex_engine* engine);

/**
 * How casex_eval reads documents from now on. 0 (the default): input that
 * could be silently misread is CASEX_BAD_INPUT with "did you mean" (a
 * top-level key that is a near miss of a known key, a snapshot key naming a
 * field but for letter case or separators, a text one edit from a declared
 * value of a field that is not `open: true`, a key given twice). Non-zero
 * (`--lenient-input`): such documents are read as before (near misses kept or
 * ignored, the last of two keys wins).
 */
CASEX_API casex_status casex_engine_set_lenient_input(casex_engine* engine, int lenient);

/**
 * Evaluates one `casex eval` document of `length` bytes: a change (which
 * operations to send) or an incoming operation (what it changes on the
 * incident). Sets *result to a new result on CASEX_OK and CASEX_BAD_INPUT,
 * else to NULL.
 */
CASEX_API casex_status casex_eval(const casex_engine* engine, const char* document, size_t length,
                                  casex_result** result);
/*
 * A change without JSON: the C form of the C++ casex::Change. Fill it with
 * the setters, then casex_engine_evaluate_change. It is checked by the one
 * reader of `casex eval` documents, so it is refused with the JSON path's
 * messages word for word (unknown phase, a value one edit from its value set,
 * a field in another letter case or given twice, each with "did you mean");
 * a field or event the vocabulary does not have is refused too (a change
 * built in C has no keys to keep for the host). Always checked strictly
 * (casex_engine_set_lenient_input does not apply). A change is not shared
 * between threads while it is filled; evaluating only reads it.
 *
 * Values are text, as in a document: a number field takes "12.5", a boolean
 * field "true" or "false"; NULL or "" is no value (JSON null). The setters
 * return CASEX_INVALID_ARGUMENT for a NULL change or name (message in
 * casex_engine_last_error(NULL)) and CASEX_NO_MEMORY; what they take is
 * checked when the change is evaluated.
 */
/** Which snapshot of a change a field belongs to. */
typedef enum casex_side {
  CASEX_BEFORE = 0, /* the record as it was before the save */
  CASEX_AFTER = 1   /* the record as the save left it */
} casex_side;

/** A new, empty change (free with casex_change_free); NULL when out of memory. */
CASEX_API casex_change* casex_change_new(void);
/** Frees a change. NULL does nothing. */
CASEX_API void casex_change_free(casex_change* change);
/** The record's id (the document's `record:` key); NULL removes it. */
CASEX_API casex_status casex_change_set_record(casex_change* change, const char* id);
/**
 * Adds field `name` with `value` to a snapshot, in order; each snapshot needs
 * "phase". A field added twice to one snapshot is refused when evaluated
 * ("after.solution: duplicate key ..."), as in JSON.
 */
CASEX_API casex_status casex_change_set_field(casex_change* change, casex_side side,
                                              const char* name, const char* value);
/** Adds event `name` (e.g. "comment_added") with its value (non-zero: true). */
CASEX_API casex_status casex_change_set_event(casex_change* change, const char* name, int value);
/** The external reference (system and id); NULL for both removes it. */
CASEX_API casex_status casex_change_set_external_reference(casex_change* change, const char* system,
                                                           const char* id);
/** Adds group `group` mapped to external system `system`. */
CASEX_API casex_status casex_change_set_group(casex_change* change, const char* group,
                                              const char* system);
/** The external system the change came from; NULL removes it. */
CASEX_API casex_status casex_change_set_origin(casex_change* change, const char* system);
/**
 * Decides the operations of a change on the rules in effect, as casex_eval
 * does for its document (the log hook sees it the same way). Sets *result on
 * CASEX_OK and CASEX_BAD_INPUT (the message in casex_result_error, e.g.
 * `after.phase: unknown phase "X"; did you mean "Y"?`), else to NULL.
 */
CASEX_API casex_status casex_engine_evaluate_change(const casex_engine* engine,
                                                    const casex_change* change,
                                                    casex_result** result);

/** The result document (one line of JSON, as `casex eval` prints it), or "" on error. */
CASEX_API const char* casex_result_output(const casex_result* result);
/** The one-line error message, or "" on success. */
CASEX_API const char* casex_result_error(const casex_result* result);
/** The version of the rules that produced this result. */
CASEX_API const char* casex_result_version(const casex_result* result);

/*
 * The result, structured (the same content as casex_result_output). A
 * change's accessors on an incoming result (and the reverse) give 0 and "",
 * as do indexes out of range and a NULL result.
 */
/** Whether the result is an error, a change's or an incoming operation's. */
CASEX_API casex_kind casex_result_kind(const casex_result* result);
/** Change: the record's id given in the document under the vocabulary's
    `record:` key, e.g. "incident" ("" when none). */
CASEX_API const char* casex_result_record(const casex_result* result);
/** Change: the phase after the workflow. */
CASEX_API const char* casex_result_phase(const casex_result* result);
/** Change: how many operations are sent. */
CASEX_API size_t casex_result_operation_count(const casex_result* result);
/** Change: the name of operation `index`, as the vocabulary's outgoing operations spell it. */
CASEX_API const char* casex_result_operation_name(const casex_result* result, size_t index);
/** Change: the external system it goes to. */
CASEX_API const char* casex_result_operation_system(const casex_result* result, size_t index);
/** Change: the phase of the step that produced it. */
CASEX_API const char* casex_result_operation_phase(const casex_result* result, size_t index);
/** Change: the id of the rule that produced it. */
CASEX_API const char* casex_result_operation_rule(const casex_result* result, size_t index);
/** Change: how many operations are suppressed (de-duplicated or back to their origin). */
CASEX_API size_t casex_result_suppressed_count(const casex_result* result);
/** Change: suppressed operation `index`: name, system, phase and rule as above. */
CASEX_API const char* casex_result_suppressed_name(const casex_result* result, size_t index);
CASEX_API const char* casex_result_suppressed_system(const casex_result* result, size_t index);
CASEX_API const char* casex_result_suppressed_phase(const casex_result* result, size_t index);
CASEX_API const char* casex_result_suppressed_rule(const casex_result* result, size_t index);
/** Incoming: how many fields the record has after the operation. */
CASEX_API size_t casex_result_field_count(const casex_result* result);
/** Incoming: the name of field `index`, e.g. "phase". */
CASEX_API const char* casex_result_field_name(const casex_result* result, size_t index);
/** Incoming: its value as text (a number or boolean as JSON writes it; "" for no value). */
CASEX_API const char* casex_result_field_value(const casex_result* result, size_t index);
/** Incoming: how many comments to add to the record. */
CASEX_API size_t casex_result_comment_count(const casex_result* result);
/** Incoming: comment `index`. */
CASEX_API const char* casex_result_comment(const casex_result* result, size_t index);
/** Incoming: the external reference's system and id it sets ("" when it sets none). */
CASEX_API const char* casex_result_reference_system(const casex_result* result);
CASEX_API const char* casex_result_reference_id(const casex_result* result);
/** Incoming: the id of the rule that fired. */
CASEX_API const char* casex_result_rule(const casex_result* result);
/** Frees a result. */
CASEX_API void casex_result_free(casex_result* result);

/** How many diagnostics there are. */
CASEX_API size_t casex_diagnostics_count(const casex_diagnostics* diagnostics);
/** The rule set version in effect after the open or reload that gave these
    diagnostics ("" when the open failed, or for casex_lint). */
CASEX_API const char* casex_diagnostics_version(const casex_diagnostics* diagnostics);
/** All of them formatted as `casex lint` prints them ("" when there are none). */
CASEX_API const char* casex_diagnostics_text(const casex_diagnostics* diagnostics);
/** The stable code of diagnostic `index`, e.g. "unknown-field" ("" when out of range). */
CASEX_API const char* casex_diagnostic_code(const casex_diagnostics* diagnostics, size_t index);
/** Its severity (CASEX_SEVERITY_NONE when out of range). */
CASEX_API casex_severity casex_diagnostic_severity(const casex_diagnostics* diagnostics,
                                                   size_t index);
/** The rule file it is in. */
CASEX_API const char* casex_diagnostic_file(const casex_diagnostics* diagnostics, size_t index);
/** Its 1-based line, 0 when it has no position. */
CASEX_API int casex_diagnostic_line(const casex_diagnostics* diagnostics, size_t index);
/** Its 1-based column, 0 when it has no position. */
CASEX_API int casex_diagnostic_column(const casex_diagnostics* diagnostics, size_t index);
/** What is wrong. */
CASEX_API const char* casex_diagnostic_message(const casex_diagnostics* diagnostics, size_t index);
/** A suggested fix, or "". */
CASEX_API const char* casex_diagnostic_help(const casex_diagnostics* diagnostics, size_t index);
/** casex_lint: a change document (`casex eval` JSON) on which the finding shows, or "". */
CASEX_API const char* casex_diagnostic_witness(const casex_diagnostics* diagnostics, size_t index);
/** Frees diagnostics. */
CASEX_API void casex_diagnostics_free(casex_diagnostics* diagnostics);

/** The form of an explanation. */
typedef enum casex_format {
  CASEX_FORMAT_TEXT = 0, /* for people, as `casex explain` prints it */
  CASEX_FORMAT_JSON = 1  /* one JSON object, as `casex explain --format json` prints it */
} casex_format;

/**
 * Explains one `casex eval` document on the rules in effect, as `casex
 * explain` does: the workflow move, every rule of each table with its
 * outcome, the targets, de-duplication and origin suppression. On CASEX_OK
 * sets *explanation (free with casex_string_free); CASEX_BAD_INPUT when the
 * document is not valid input (the message in casex_engine_last_error).
 */
CASEX_API casex_status casex_explain(const casex_engine* engine, const char* document,
                                     size_t length, casex_format format, char** explanation);

/**
 * Lints rule files as `casex lint PATH...` does: each path a directory (its
 * *.yaml and *.yml files) or a rule file; count 0: the built-in rules. Every
 * load diagnostic, then the semantic findings, each with its witness
 * (casex_diagnostic_witness). CASEX_OK when no finding is an error,
 * CASEX_RULES_INVALID when one is; *diagnostics is set either way.
 */
CASEX_API casex_status casex_lint(const char* const* paths, size_t count,
                                  casex_diagnostics** diagnostics);
/** The same on rule files given as texts: `names[i]` (shown in diagnostics) holds `texts[i]`. */
CASEX_API casex_status casex_lint_texts(const char* const* names, const char* const* texts,
                                        size_t count, casex_diagnostics** diagnostics);

#ifdef __cplusplus
}
#endif

#endif /* CASEX_CASEX_H */
