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
  CASEX_SEVERITY_ERROR = 0,
  CASEX_SEVERITY_WARNING = 1,
  CASEX_SEVERITY_INFO = 2
} casex_severity;

/** An engine: the rule set in effect, replaced by reloads. */
typedef struct casex_engine casex_engine;
/** The outcome of one evaluation: result document or error, and the rules' version. */
typedef struct casex_result casex_result;
/** The diagnostics of loading rules: structured, and formatted as text. */
typedef struct casex_diagnostics casex_diagnostics;

/** The library's version, CASEX_VERSION of <casex/version.h> (static). */
CASEX_API const char* casex_version(void);
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
 * Reads the engine's directory again (or the built-in rules) and, if the
 * rules load without error, swaps them in atomically: evaluations already
 * running finish on the previous rules. CASEX_RULES_INVALID keeps the
 * previous rules. `diagnostics` as for casex_engine_open.
 */
CASEX_API casex_status casex_engine_reload(casex_engine* engine, casex_diagnostics** diagnostics);

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
 * Evaluates one `casex eval` document of `length` bytes: a change (which
 * operations to send) or an incoming operation (what it changes on the
 * incident). Sets *result to a new result on CASEX_OK and CASEX_BAD_INPUT,
 * else to NULL.
 */
CASEX_API casex_status casex_eval(const casex_engine* engine, const char* document, size_t length,
                                  casex_result** result);
/** The result document (one line of JSON, as `casex eval` prints it), or "" on error. */
CASEX_API const char* casex_result_output(const casex_result* result);
/** The one-line error message, or "" on success. */
CASEX_API const char* casex_result_error(const casex_result* result);
/** The version of the rules that produced this result. */
CASEX_API const char* casex_result_version(const casex_result* result);
/** Frees a result. */
CASEX_API void casex_result_free(casex_result* result);

/** How many diagnostics there are. */
CASEX_API size_t casex_diagnostics_count(const casex_diagnostics* diagnostics);
/** All of them formatted as `casex lint` prints them ("" when there are none). */
CASEX_API const char* casex_diagnostics_text(const casex_diagnostics* diagnostics);
/** The stable code of diagnostic `index`, e.g. "unknown-field" (NULL when out of range). */
CASEX_API const char* casex_diagnostic_code(const casex_diagnostics* diagnostics, size_t index);
/** Its severity. */
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
/** Frees diagnostics. */
CASEX_API void casex_diagnostics_free(casex_diagnostics* diagnostics);

#ifdef __cplusplus
}
#endif

#endif /* CASEX_CASEX_H */
