// engine/capi.cpp: the C API (include/casex/casex.h) over casex::Engine: each
// handle wraps a C++ object, every entry point catches what the C++ side throws.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "casex/tooling.hpp"
#include "casex/version.h"  // generated from project(casex VERSION)
#include "engine/api_internal.h"

struct casex_engine {
  std::unique_ptr<casex::Engine> engine;
};

struct casex_result {
  std::string output, error, version;
  // The output read into types on the first structured accessor (results are
  // read from any thread: once only).
  mutable std::once_flag typed_once;
  mutable casex::Outcome typed;
};

struct casex_change {
  casex::Change change;
};

struct casex_diagnostics {
  std::vector<casex::Diagnostic> items;
  std::string text;
  std::string version;
};

namespace {

// The calling thread's last status-returning call: the engine it was on and its message.
struct LastError {
  const casex_engine* engine = nullptr;
  std::string message;
};
thread_local LastError last_error;

// Records the outcome of a call on `engine` for casex_engine_last_error.
casex_status record(const casex_engine* engine, casex_status status, std::string_view message) {
  last_error.engine = engine;
  try {
    last_error.message.assign(status == CASEX_OK ? std::string_view() : message);
  } catch (...) {
    last_error.message.clear();  // no memory for the message: the status says it
  }
  return status;
}

casex_status null_argument(const char* function, const char* what) {
  return record(nullptr, CASEX_INVALID_ARGUMENT, std::string(function) + ": " + what + " is NULL");
}

casex_diagnostics* make_diagnostics(const std::vector<casex::Diagnostic>& items,
                                    const std::vector<casex::SourceFile>& sources) {
  auto d = std::make_unique<casex_diagnostics>();
  d->items = items;
  d->text = casex::format_diagnostics(items, sources);
  return d.release();
}

casex_diagnostics* make_diagnostics(const casex::ReloadResult& r) {
  auto* d = new casex_diagnostics;
  d->items = r.diagnostics;
  d->text = casex::format_diagnostics(r.diagnostics, r.sources);
  d->version = r.version;
  return d;
}

// The message of rules that do not load: their first error, where it is.
std::string rules_message(const std::vector<casex::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == casex::Severity::Error)
      return "the rules do not load: " + d.file +
             (d.line ? ":" + std::to_string(d.line) + ":" + std::to_string(d.column) : "") + ": " +
             d.message;
  return "the rules do not load";
}

// The result's outcome, read on first use; an error result (or NULL) is Kind::Error.
const casex::Outcome* outcome(const casex_result* r) {
  static const casex::Outcome none;
  if (!r) return &none;
  try {
    std::call_once(r->typed_once, [r] {
      if (r->error.empty()) r->typed = casex::read_outcome(r->output);
    });
  } catch (...) {
    return &none;  // out of memory reading it: nothing to show
  }
  return &r->typed;
}

const casex::Operation* op_at(const casex_result* r, size_t i, bool suppressed) {
  const casex::Outcome* o = outcome(r);
  const auto& list = suppressed ? o->decision.suppressed : o->decision.operations;
  return i < list.size() ? &list[i] : nullptr;
}

const casex::Diagnostic* at(const casex_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? &d->items[i] : nullptr;
}

// Runs `f`, turning what it throws into a status and a message on `engine`.
template <typename F>
casex_status guarded(const casex_engine* engine, F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return record(engine, CASEX_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return record(engine, CASEX_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return record(engine, CASEX_INTERNAL, "internal error");
  }
}

char* copy_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// Runs a setter on `change` (not NULL), turning what it throws into a status.
template <typename F>
casex_status change_setter(const char* function, casex_change* change, F&& f) noexcept {
  if (!change) return null_argument(function, "change");
  return guarded(nullptr, [&] {
    f(change->change);
    return record(nullptr, CASEX_OK, {});
  });
}

std::optional<std::string> optional_text(const char* s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

}  // namespace

extern "C" {

const char* casex_version(void) { return CASEX_VERSION; }

long casex_version_number(void) { return CASEX_VERSION_NUMBER; }

const char* casex_engine_last_error(const casex_engine* engine) {
  return last_error.engine == engine ? last_error.message.c_str() : "";
}

const char* casex_status_name(casex_status status) {
  switch (status) {
    case CASEX_OK: return "CASEX_OK";
    case CASEX_BAD_INPUT: return "CASEX_BAD_INPUT";
    case CASEX_RULES_INVALID: return "CASEX_RULES_INVALID";
    case CASEX_INVALID_ARGUMENT: return "CASEX_INVALID_ARGUMENT";
    case CASEX_UNSUPPORTED: return "CASEX_UNSUPPORTED";
    case CASEX_NO_MEMORY: return "CASEX_NO_MEMORY";
    case CASEX_INTERNAL: return "CASEX_INTERNAL";
  }
  return "CASEX_UNKNOWN_STATUS";
}

void casex_string_free(char* text) { std::free(text); }

casex_status casex_engine_open(const char* rules_dir, casex_engine** engine,
                               casex_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!engine) return null_argument("casex_engine_open", "engine");
  *engine = nullptr;
  return guarded(nullptr, [&] {
    casex::ReloadResult report;
    auto e = casex::Engine::open(rules_dir ? rules_dir : "", &report);
    if (!e) {
      if (diagnostics) *diagnostics = make_diagnostics(report);
      return record(nullptr, CASEX_RULES_INVALID, rules_message(report.diagnostics));
    }
    auto handle = std::make_unique<casex_engine>(casex_engine{std::move(e)});
    if (diagnostics) *diagnostics = make_diagnostics(report);
    *engine = handle.release();
    return record(*engine, CASEX_OK, {});
  });
}

void casex_engine_free(casex_engine* engine) {
  if (engine && last_error.engine == engine)
    last_error.engine = nullptr, last_error.message.clear();
  delete engine;
}

char* casex_engine_version(const casex_engine* engine) {
  if (!engine) return nullptr;
  try {
    return copy_string(engine->engine->version());
  } catch (...) {
    return nullptr;
  }
}

casex_status casex_engine_reload(casex_engine* engine, casex_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!engine) return null_argument("casex_engine_reload", "engine");
  return guarded(engine, [&] {
    casex::ReloadResult r = engine->engine->reload();
    if (diagnostics) *diagnostics = make_diagnostics(r);
    return r.ok ? record(engine, CASEX_OK, {})
                : record(engine, CASEX_RULES_INVALID, rules_message(r.diagnostics));
  });
}

casex_status casex_engine_watch(casex_engine* engine, unsigned settle_ms,
                                casex_reload_callback callback, void* user_data) {
  if (!engine) return null_argument("casex_engine_watch", "engine");
  return guarded(engine, [&] {
    casex::Engine::ReloadCallback cb;
    if (callback) {
      cb = [callback, user_data](const casex::ReloadResult& r) {
        try {
          casex_diagnostics d;
          d.items = r.diagnostics;
          d.text = casex::format_diagnostics(r.diagnostics, r.sources);
          d.version = r.version;
          callback(user_data, r.ok ? CASEX_OK : CASEX_RULES_INVALID, &d, r.version.c_str());
        } catch (...) {
          // The watcher carries on; the callback simply is not called this time.
        }
      };
    }
    std::string error;
    bool ok = engine->engine->watch(std::move(cb),
                                    std::chrono::milliseconds(settle_ms ? settle_ms : 200), &error);
    return ok ? record(engine, CASEX_OK, {}) : record(engine, CASEX_UNSUPPORTED, error);
  });
}

casex_status casex_engine_set_log(casex_engine* engine, casex_log_callback callback,
                                  void* user_data) {
  if (!engine) return null_argument("casex_engine_set_log", "engine");
  return guarded(engine, [&] {
    casex::Engine::LogCallback hook;
    if (callback)
      hook = [callback, user_data](const casex::LogEvent& e) {
        try {
          std::string line(e.line);  // NUL-terminated for C
          callback(user_data,
                   e.kind == casex::LogEvent::Kind::Reload ? CASEX_LOG_RELOAD : CASEX_LOG_DECISION,
                   line.c_str());
        } catch (...) {
          // No memory for the line: this one is not logged; the decision stands.
        }
      };
    engine->engine->set_log(std::move(hook));
    return record(engine, CASEX_OK, {});
  });
}

casex_status casex_explain(const casex_engine* engine, const char* document, size_t length,
                           casex_format format, char** explanation) {
  if (explanation) *explanation = nullptr;
  if (!engine) return null_argument("casex_explain", "engine");
  if (!explanation)
    return record(engine, CASEX_INVALID_ARGUMENT, "casex_explain: explanation is NULL");
  if (!document && length)
    return record(engine, CASEX_INVALID_ARGUMENT, "casex_explain: document is NULL");
  if (format != CASEX_FORMAT_TEXT && format != CASEX_FORMAT_JSON)
    return record(engine, CASEX_INVALID_ARGUMENT,
                  "casex_explain: format is neither CASEX_FORMAT_TEXT nor CASEX_FORMAT_JSON");
  return guarded(engine, [&] {
    casex::Explanation e = casex::explain_document(
        engine->engine->rules(), std::string_view(document ? document : "", length));
    if (!e.ok) return record(engine, CASEX_BAD_INPUT, e.error);
    char* out = copy_string(format == CASEX_FORMAT_JSON ? e.json : e.text);
    if (!out) return record(engine, CASEX_NO_MEMORY, "out of memory");
    *explanation = out;
    return record(engine, CASEX_OK, {});
  });
}

namespace {

casex_status lint_status(const casex::LoadResult& r, casex_diagnostics** diagnostics) {
  *diagnostics = make_diagnostics(r.diagnostics, r.sources);
  for (const auto& d : r.diagnostics)
    if (d.severity == casex::Severity::Error)
      return record(nullptr, CASEX_RULES_INVALID, rules_message(r.diagnostics));
  return record(nullptr, CASEX_OK, {});
}

}  // namespace

casex_status casex_lint(const char* const* paths, size_t count, casex_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!diagnostics) return null_argument("casex_lint", "diagnostics");
  if (!paths && count) return null_argument("casex_lint", "paths");
  for (size_t i = 0; i < count; ++i)
    if (!paths[i]) return null_argument("casex_lint", "a path");
  return guarded(nullptr, [&] {
    return lint_status(casex::lint_paths(std::vector<std::string>(paths, paths + count)),
                       diagnostics);
  });
}

casex_status casex_lint_texts(const char* const* names, const char* const* texts, size_t count,
                              casex_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!diagnostics) return null_argument("casex_lint_texts", "diagnostics");
  if ((!names || !texts) && count) return null_argument("casex_lint_texts", "names or texts");
  for (size_t i = 0; i < count; ++i)
    if (!names[i] || !texts[i]) return null_argument("casex_lint_texts", "a name or text");
  return guarded(nullptr, [&] {
    std::vector<casex::SourceFile> files;
    for (size_t i = 0; i < count; ++i) files.push_back({names[i], texts[i]});
    return lint_status(casex::lint_texts(std::move(files)), diagnostics);
  });
}

void casex_engine_unwatch(casex_engine* engine) {
  if (engine) engine->engine->unwatch();
}

casex_status casex_engine_set_lenient_input(casex_engine* engine, int lenient) {
  if (!engine) return null_argument("casex_engine_set_lenient_input", "engine");
  engine->engine->set_input_options(casex::InputOptions{lenient != 0});
  return record(engine, CASEX_OK, {});
}

casex_status casex_eval(const casex_engine* engine, const char* document, size_t length,
                        casex_result** result) {
  if (result) *result = nullptr;
  if (!engine) return null_argument("casex_eval", "engine");
  if (!result) return record(engine, CASEX_INVALID_ARGUMENT, "casex_eval: result is NULL");
  if (!document && length)
    return record(engine, CASEX_INVALID_ARGUMENT, "casex_eval: document is NULL");
  return guarded(engine, [&] {
    auto r = std::make_unique<casex_result>();
    bool ok = engine->engine->eval_json(std::string_view(document ? document : "", length),
                                        r->output, r->error, &r->version);
    *result = r.release();
    return ok ? record(engine, CASEX_OK, {}) : record(engine, CASEX_BAD_INPUT, (*result)->error);
  });
}

casex_change* casex_change_new(void) { return new (std::nothrow) casex_change; }

void casex_change_free(casex_change* change) { delete change; }

casex_status casex_change_set_record(casex_change* change, const char* id) {
  return change_setter("casex_change_set_record", change,
                       [&](casex::Change& c) { c.record = optional_text(id); });
}

casex_status casex_change_set_field(casex_change* change, casex_side side, const char* name,
                                    const char* value) {
  if (!name) return null_argument("casex_change_set_field", "name");
  if (side != CASEX_BEFORE && side != CASEX_AFTER)
    return record(nullptr, CASEX_INVALID_ARGUMENT,
                  "casex_change_set_field: side is neither CASEX_BEFORE nor CASEX_AFTER");
  return change_setter("casex_change_set_field", change, [&](casex::Change& c) {
    (side == CASEX_BEFORE ? c.before : c.after).emplace_back(name, optional_text(value));
  });
}

casex_status casex_change_set_event(casex_change* change, const char* name, int value) {
  if (!name) return null_argument("casex_change_set_event", "name");
  return change_setter("casex_change_set_event", change,
                       [&](casex::Change& c) { c.flags.emplace_back(name, value != 0); });
}

casex_status casex_change_set_external_reference(casex_change* change, const char* system,
                                                 const char* id) {
  if (!system != !id)
    return record(nullptr, CASEX_INVALID_ARGUMENT,
                  "casex_change_set_external_reference: one of system and id is NULL");
  return change_setter("casex_change_set_external_reference", change, [&](casex::Change& c) {
    if (system)
      c.external_reference = casex::ExternalReference{system, id};
    else
      c.external_reference.reset();
  });
}

casex_status casex_change_set_group(casex_change* change, const char* group, const char* system) {
  if (!group || !system) return null_argument("casex_change_set_group", "group or system");
  return change_setter("casex_change_set_group", change,
                       [&](casex::Change& c) { c.groups.emplace_back(group, system); });
}

casex_status casex_change_set_origin(casex_change* change, const char* system) {
  return change_setter("casex_change_set_origin", change,
                       [&](casex::Change& c) { c.origin = optional_text(system); });
}

casex_status casex_engine_evaluate_change(const casex_engine* engine, const casex_change* change,
                                          casex_result** result) {
  if (result) *result = nullptr;
  if (!engine) return null_argument("casex_engine_evaluate_change", "engine");
  if (!change)
    return record(engine, CASEX_INVALID_ARGUMENT, "casex_engine_evaluate_change: change is NULL");
  if (!result)
    return record(engine, CASEX_INVALID_ARGUMENT, "casex_engine_evaluate_change: result is NULL");
  return guarded(engine, [&] {
    auto r = std::make_unique<casex_result>();
    try {
      casex::detail::EngineAccess::evaluate(*engine->engine, change->change, r->output, r->version);
    } catch (const std::invalid_argument& e) {  // the change is not valid input
      r->output.clear();
      r->error = e.what();
    } catch (const std::runtime_error& e) {  // the rules fail on it (as casex_eval says it)
      r->output.clear();
      r->error = e.what();
    }
    *result = r.release();
    return (*result)->error.empty() ? record(engine, CASEX_OK, {})
                                    : record(engine, CASEX_BAD_INPUT, (*result)->error);
  });
}

const char* casex_result_output(const casex_result* result) {
  return result ? result->output.c_str() : "";
}
const char* casex_result_error(const casex_result* result) {
  return result ? result->error.c_str() : "";
}
const char* casex_result_version(const casex_result* result) {
  return result ? result->version.c_str() : "";
}
void casex_result_free(casex_result* result) { delete result; }

casex_kind casex_result_kind(const casex_result* result) {
  switch (outcome(result)->kind) {
    case casex::Outcome::Kind::Change: return CASEX_KIND_CHANGE;
    case casex::Outcome::Kind::Incoming: return CASEX_KIND_INCOMING;
    case casex::Outcome::Kind::Error: break;
  }
  return CASEX_KIND_ERROR;
}
const char* casex_result_record(const casex_result* result) {
  const auto& id = outcome(result)->record;
  return id ? id->c_str() : "";
}
const char* casex_result_phase(const casex_result* result) {
  return outcome(result)->decision.phase.c_str();
}
size_t casex_result_operation_count(const casex_result* result) {
  return outcome(result)->decision.operations.size();
}
size_t casex_result_suppressed_count(const casex_result* result) {
  return outcome(result)->decision.suppressed.size();
}
#define CASEX_OPERATION_ACCESSOR(list, suppressed, part, member)                       \
  const char* casex_result_##list##_##part(const casex_result* result, size_t index) { \
    const casex::Operation* op = op_at(result, index, suppressed);                     \
    return op ? op->member.c_str() : "";                                               \
  }
CASEX_OPERATION_ACCESSOR(operation, false, name, operation)
CASEX_OPERATION_ACCESSOR(operation, false, system, system)
CASEX_OPERATION_ACCESSOR(operation, false, phase, phase)
CASEX_OPERATION_ACCESSOR(operation, false, rule, rule)
CASEX_OPERATION_ACCESSOR(suppressed, true, name, operation)
CASEX_OPERATION_ACCESSOR(suppressed, true, system, system)
CASEX_OPERATION_ACCESSOR(suppressed, true, phase, phase)
CASEX_OPERATION_ACCESSOR(suppressed, true, rule, rule)
#undef CASEX_OPERATION_ACCESSOR
size_t casex_result_field_count(const casex_result* result) {
  return outcome(result)->incoming.fields.size();
}
const char* casex_result_field_name(const casex_result* result, size_t index) {
  const auto& fields = outcome(result)->incoming.fields;
  return index < fields.size() ? fields[index].first.c_str() : "";
}
const char* casex_result_field_value(const casex_result* result, size_t index) {
  const auto& fields = outcome(result)->incoming.fields;
  return index < fields.size() && fields[index].second ? fields[index].second->c_str() : "";
}
size_t casex_result_comment_count(const casex_result* result) {
  return outcome(result)->incoming.comments.size();
}
const char* casex_result_comment(const casex_result* result, size_t index) {
  const auto& comments = outcome(result)->incoming.comments;
  return index < comments.size() ? comments[index].c_str() : "";
}
const char* casex_result_reference_system(const casex_result* result) {
  const auto& ref = outcome(result)->incoming.external_reference;
  return ref ? ref->system.c_str() : "";
}
const char* casex_result_reference_id(const casex_result* result) {
  const auto& ref = outcome(result)->incoming.external_reference;
  return ref ? ref->id.c_str() : "";
}
const char* casex_result_rule(const casex_result* result) {
  return outcome(result)->incoming.rule.c_str();
}

size_t casex_diagnostics_count(const casex_diagnostics* diagnostics) {
  return diagnostics ? diagnostics->items.size() : 0;
}
const char* casex_diagnostics_version(const casex_diagnostics* diagnostics) {
  return diagnostics ? diagnostics->version.c_str() : "";
}
const char* casex_diagnostics_text(const casex_diagnostics* diagnostics) {
  return diagnostics ? diagnostics->text.c_str() : "";
}
const char* casex_diagnostic_code(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->code.c_str() : "";
}
casex_severity casex_diagnostic_severity(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  if (!x) return CASEX_SEVERITY_NONE;
  switch (x->severity) {
    case casex::Severity::Error: return CASEX_SEVERITY_ERROR;
    case casex::Severity::Warning: return CASEX_SEVERITY_WARNING;
    case casex::Severity::Info: return CASEX_SEVERITY_INFO;
  }
  return CASEX_SEVERITY_ERROR;
}
const char* casex_diagnostic_file(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->file.c_str() : "";
}
int casex_diagnostic_line(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->line : 0;
}
int casex_diagnostic_column(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->column : 0;
}
const char* casex_diagnostic_message(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->message.c_str() : "";
}
const char* casex_diagnostic_help(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->help.c_str() : "";
}
const char* casex_diagnostic_witness(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->witness.c_str() : "";
}
void casex_diagnostics_free(casex_diagnostics* diagnostics) { delete diagnostics; }

}  // extern "C"
