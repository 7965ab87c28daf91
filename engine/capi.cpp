// engine/capi.cpp: the C API (include/casex/casex.h) over casex::Engine: each
// handle wraps a C++ object, every entry point catches what the C++ side throws.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "casex/casex.h"
#include "casex/casex.hpp"
#include "casex/version.h"  // generated from project(casex VERSION)

struct casex_engine {
  std::unique_ptr<casex::Engine> engine;
};

struct casex_result {
  std::string output, error, version;
};

struct casex_diagnostics {
  std::vector<casex::Diagnostic> items;
  std::string text;
};

namespace {

casex_diagnostics* make_diagnostics(const casex::ReloadResult& r) {
  auto* d = new casex_diagnostics;
  d->items = r.diagnostics;
  d->text = casex::format_diagnostics(r.diagnostics, r.sources);
  return d;
}

const casex::Diagnostic* at(const casex_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? &d->items[i] : nullptr;
}

// Runs `f`, turning what it throws into a status.
template <typename F>
casex_status guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return CASEX_NO_MEMORY;
  } catch (...) {
    return CASEX_INTERNAL;
  }
}

char* copy_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

}  // namespace

extern "C" {

const char* casex_version(void) { return CASEX_VERSION; }

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
  if (!engine) return CASEX_INVALID_ARGUMENT;
  *engine = nullptr;
  return guarded([&] {
    casex::ReloadResult report;
    auto e = casex::Engine::open(rules_dir ? rules_dir : "", &report);
    if (!e) {
      if (diagnostics) *diagnostics = make_diagnostics(report);
      return CASEX_RULES_INVALID;
    }
    auto handle = std::make_unique<casex_engine>(casex_engine{std::move(e)});
    if (diagnostics) *diagnostics = make_diagnostics(report);
    *engine = handle.release();
    return CASEX_OK;
  });
}

void casex_engine_free(casex_engine* engine) { delete engine; }

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
  if (!engine) return CASEX_INVALID_ARGUMENT;
  return guarded([&] {
    casex::ReloadResult r = engine->engine->reload();
    if (diagnostics) *diagnostics = make_diagnostics(r);
    return r.ok ? CASEX_OK : CASEX_RULES_INVALID;
  });
}

casex_status casex_engine_watch(casex_engine* engine, unsigned settle_ms,
                                casex_reload_callback callback, void* user_data) {
  if (!engine) return CASEX_INVALID_ARGUMENT;
  return guarded([&] {
    casex::Engine::ReloadCallback cb;
    if (callback) {
      cb = [callback, user_data](const casex::ReloadResult& r) {
        try {
          casex_diagnostics d;
          d.items = r.diagnostics;
          d.text = casex::format_diagnostics(r.diagnostics, r.sources);
          callback(user_data, r.ok ? CASEX_OK : CASEX_RULES_INVALID, &d, r.version.c_str());
        } catch (...) {
          // The watcher carries on; the callback simply is not called this time.
        }
      };
    }
    std::string error;
    bool ok = engine->engine->watch(std::move(cb),
                                    std::chrono::milliseconds(settle_ms ? settle_ms : 200), &error);
    return ok ? CASEX_OK : CASEX_UNSUPPORTED;
  });
}

void casex_engine_unwatch(casex_engine* engine) {
  if (engine) engine->engine->unwatch();
}

casex_status casex_eval(const casex_engine* engine, const char* document, size_t length,
                        casex_result** result) {
  if (result) *result = nullptr;
  if (!engine || !result || (!document && length)) return CASEX_INVALID_ARGUMENT;
  return guarded([&] {
    auto r = std::make_unique<casex_result>();
    bool ok = engine->engine->eval_json(std::string_view(document ? document : "", length),
                                        r->output, r->error, &r->version);
    *result = r.release();
    return ok ? CASEX_OK : CASEX_BAD_INPUT;
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

size_t casex_diagnostics_count(const casex_diagnostics* diagnostics) {
  return diagnostics ? diagnostics->items.size() : 0;
}
const char* casex_diagnostics_text(const casex_diagnostics* diagnostics) {
  return diagnostics ? diagnostics->text.c_str() : "";
}
const char* casex_diagnostic_code(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->code.c_str() : nullptr;
}
casex_severity casex_diagnostic_severity(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  if (!x) return CASEX_SEVERITY_ERROR;
  switch (x->severity) {
    case casex::Severity::Error: return CASEX_SEVERITY_ERROR;
    case casex::Severity::Warning: return CASEX_SEVERITY_WARNING;
    case casex::Severity::Info: return CASEX_SEVERITY_INFO;
  }
  return CASEX_SEVERITY_ERROR;
}
const char* casex_diagnostic_file(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->file.c_str() : nullptr;
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
  return x ? x->message.c_str() : nullptr;
}
const char* casex_diagnostic_help(const casex_diagnostics* d, size_t i) {
  auto* x = at(d, i);
  return x ? x->help.c_str() : nullptr;
}
void casex_diagnostics_free(casex_diagnostics* diagnostics) { delete diagnostics; }

}  // extern "C"
