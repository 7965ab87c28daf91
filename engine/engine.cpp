// engine/engine.cpp: casex::Engine: the rule set in effect behind an atomic
// shared_ptr, reloads compiled to the side and swapped in whole, and the
// optional inotify watcher that reloads when the rule directory changes.
#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "casex/casex.hpp"
#include "casex/tooling.hpp"
#include "engine/api_internal.h"

#ifdef __linux__
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

namespace casex {

struct Engine::Impl {
  // The rule set in effect. Read with std::atomic_load, replaced with
  // std::atomic_store (C++17's atomic shared_ptr access): a reader holds its
  // own reference, so the set it took outlives any swap.
  std::shared_ptr<const RuleSet> current;
  std::string dir;
  std::mutex reload_mutex;  // one reload at a time (manual and watcher)

  // The watcher.
  std::mutex watch_mutex;
  std::thread watcher;
  int inotify_fd = -1;
  int stop_fd = -1;

  std::shared_ptr<const RuleSet> load() const { return std::atomic_load(&current); }

  // The log hook (set_log): read with std::atomic_load on every decision, so
  // setting it races with nothing; null when there is none.
  std::shared_ptr<const LogCallback> log;
  std::atomic<bool> logging{false};        // whether `log` is set: one relaxed load when it is not
  std::atomic<bool> lenient_input{false};  // set_input_options

  InputOptions input() const { return {lenient_input.load(std::memory_order_relaxed)}; }

  void log_decision(const RuleSet& rules, std::string_view input, std::string_view result) const {
    if (!logging.load(std::memory_order_relaxed)) return;
    std::shared_ptr<const LogCallback> hook = std::atomic_load(&log);
    if (!hook) return;
    std::string line = decision_log_line(rules.version(), input, result, log_time_now());
    (*hook)(LogEvent{LogEvent::Kind::Decision, line});
  }

  void log_reload(const ReloadResult& r) const {
    std::shared_ptr<const LogCallback> hook = std::atomic_load(&log);
    if (!hook) return;
    std::string line = reload_log_line(r, log_time_now());
    (*hook)(LogEvent{LogEvent::Kind::Reload, line});
  }

  ReloadResult swap_in(LoadResult loaded) {
    ReloadResult r;
    r.previous_version = load()->version();
    r.diagnostics = std::move(loaded.diagnostics);
    r.sources = std::move(loaded.sources);
    r.ok = loaded.rules.has_value();
    if (r.ok)
      std::atomic_store(&current,
                        std::shared_ptr<const RuleSet>(std::make_shared<RuleSet>(*loaded.rules)));
    r.version = load()->version();
    log_reload(r);
    return r;
  }
};

std::unique_ptr<Engine> Engine::open(const std::string& dir, ReloadResult* report) {
  LoadResult loaded = dir.empty() ? RuleSet::load_builtin() : RuleSet::load_directory(dir);
  std::unique_ptr<Engine> engine;
  if (loaded.rules) engine = std::make_unique<Engine>(*loaded.rules, dir);
  if (report) {
    report->ok = engine != nullptr;
    report->version = engine ? engine->version() : std::string();
    report->previous_version.clear();
    report->diagnostics = std::move(loaded.diagnostics);
    report->sources = std::move(loaded.sources);
  }
  return engine;
}

Engine::Engine(RuleSet rules, std::string dir) : impl_(std::make_unique<Impl>()) {
  impl_->current = std::make_shared<const RuleSet>(std::move(rules));
  impl_->dir = std::move(dir);
}

Engine::~Engine() { unwatch(); }

RuleSet Engine::rules() const { return *impl_->load(); }

std::string Engine::version() const { return impl_->load()->version(); }

const std::string& Engine::directory() const { return impl_->dir; }

EngineResult Engine::eval_json(std::string_view document) const {
  std::shared_ptr<const RuleSet> rules = impl_->load();
  EngineResult r;
  r.ok = rules->eval_json(document, r.output, r.error, impl_->input());
  r.version = rules->version();
  if (r.ok) impl_->log_decision(*rules, document, r.output);
  return r;
}

bool Engine::eval_json(std::string_view document, std::string& output, std::string& error,
                       std::string* version) const {
  std::shared_ptr<const RuleSet> rules = impl_->load();
  if (version) *version = rules->version();
  std::size_t start = output.size();
  if (!rules->eval_json(document, output, error, impl_->input())) return false;
  impl_->log_decision(*rules, document, std::string_view(output).substr(start));
  return true;
}

EngineOutcome Engine::eval(std::string_view document) const {
  std::shared_ptr<const RuleSet> rules = impl_->load();
  EngineOutcome o;
  std::string output;
  if (rules->eval_json(document, output, o.error, impl_->input())) {
    static_cast<Outcome&>(o) = read_outcome(output);
    impl_->log_decision(*rules, document, output);
  }
  o.version = rules->version();
  return o;
}

void Engine::set_input_options(const InputOptions& options) {
  impl_->lenient_input.store(options.lenient_input, std::memory_order_relaxed);
}

EngineDecision Engine::evaluate(const Change& change) const {
  EngineDecision d;
  std::string output;
  static_cast<Decision&>(d) = detail::EngineAccess::evaluate(*this, change, output, d.version);
  return d;
}

Decision detail::EngineAccess::evaluate(const Engine& engine, const Change& change,
                                        std::string& output, std::string& version) {
  std::shared_ptr<const RuleSet> rules = engine.impl_->load();
  version = rules->version();
  std::string document;
  Decision d = detail::evaluate_typed(*rules, change, document, output);
  engine.impl_->log_decision(*rules, document, output);
  return d;
}

void Engine::set_log(LogCallback callback) {
  std::shared_ptr<const LogCallback> hook;
  if (callback) hook = std::make_shared<const LogCallback>(std::move(callback));
  bool on = hook != nullptr;
  std::atomic_store(&impl_->log, std::move(hook));
  impl_->logging.store(on);
}

ReloadResult Engine::reload() {
  std::lock_guard<std::mutex> lock(impl_->reload_mutex);
  return impl_->swap_in(impl_->dir.empty() ? RuleSet::load_builtin()
                                           : RuleSet::load_directory(impl_->dir));
}

ReloadResult Engine::reload(std::vector<SourceFile> files) {
  std::lock_guard<std::mutex> lock(impl_->reload_mutex);
  return impl_->swap_in(RuleSet::load_texts(std::move(files)));
}

#ifdef __linux__

bool Engine::watch(ReloadCallback on_reload, std::chrono::milliseconds settle, std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->watch_mutex);
  auto fail = [&](std::string what) {
    if (error) *error = std::move(what);
    return false;
  };
  if (impl_->watcher.joinable()) return fail("the engine is already watching its directory");
  if (impl_->dir.empty())
    return fail("the engine runs on the built-in rules: there is no directory to watch");
  int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (in < 0) return fail(fmt::format("inotify_init1: {}", std::strerror(errno)));
  // Every way a file of the directory can change: written, created, deleted,
  // renamed in or out (editors and ConfigMap-style symlink swaps rename).
  uint32_t mask = IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  if (inotify_add_watch(in, impl_->dir.c_str(), mask) < 0) {
    std::string what = fmt::format("cannot watch {}: {}", impl_->dir, std::strerror(errno));
    close(in);
    return fail(what);
  }
  int stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop < 0) {
    close(in);
    return fail(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  impl_->inotify_fd = in;
  impl_->stop_fd = stop;
  impl_->watcher = std::thread([this, in, stop, on_reload = std::move(on_reload), settle] {
    alignas(inotify_event) char buf[4096];
    bool pending = false;  // a change seen, not yet reloaded
    for (;;) {
      pollfd fds[2] = {{stop, POLLIN, 0}, {in, POLLIN, 0}};
      // Waiting for the directory to settle: reload once `settle` passes quietly.
      int timeout = pending ? static_cast<int>(settle.count()) : -1;
      int n = poll(fds, 2, timeout);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents) return;
      if (n == 0) {
        pending = false;
        try {
          ReloadResult r = reload();
          if (on_reload) on_reload(r);
        } catch (...) {
          // Out of memory while reloading: the previous rules stay; try again on the next change.
        }
        continue;
      }
      if (fds[1].revents & POLLIN) {
        while (read(in, buf, sizeof buf) > 0) {}
        pending = true;
      }
    }
  });
  return true;
}

void Engine::unwatch() {
  std::lock_guard<std::mutex> lock(impl_->watch_mutex);
  if (!impl_->watcher.joinable()) return;
  uint64_t one = 1;
  if (write(impl_->stop_fd, &one, sizeof one) < 0) {
    // An eventfd write fails only on overflow, which one write cannot cause.
  }
  impl_->watcher.join();
  close(impl_->inotify_fd);
  close(impl_->stop_fd);
  impl_->inotify_fd = impl_->stop_fd = -1;
}

#else

bool Engine::watch(ReloadCallback, std::chrono::milliseconds, std::string* error) {
  if (error) *error = "watching a directory needs Linux inotify";
  return false;
}

void Engine::unwatch() {}

#endif

}  // namespace casex
