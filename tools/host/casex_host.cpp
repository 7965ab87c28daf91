// tools/host/casex_host.cpp: the example host of the README: reads changes and
// incoming operations as JSON Lines on standard input, evaluates each with a
// casex::Engine, writes one result line each to standard output, and reloads
// the rules on SIGHUP (or, with --watch, when a rule file changes).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <casex/casex.hpp>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

namespace {

// One log line per reload on standard error, with the diagnostics of a refused one.
void report(const casex::ReloadResult& r, const char* why) {
  if (r.ok) {
    std::fprintf(stderr, "casex-host: %s: rules %s -> %s\n", why, r.previous_version.c_str(),
                 r.version.c_str());
  } else {
    std::fprintf(stderr, "casex-host: %s: new rules refused, rules %s stay in effect\n%s", why,
                 r.version.c_str(), casex::format_diagnostics(r.diagnostics, r.sources).c_str());
  }
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "casex-host: evaluates JSON Lines from standard input with casex, reloading the rules on "
      "SIGHUP"};
  std::string dir;
  bool watch = false;
  app.add_option("--rules", dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--watch", watch, "Also reload when a file of the rule directory changes (inotify)");
  CLI11_PARSE(app, argc, argv);

  // SIGHUP is taken by one thread with sigwait: block it everywhere first.
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hup, nullptr);

  casex::ReloadResult opened;
  std::unique_ptr<casex::Engine> engine = casex::Engine::open(dir, &opened);
  if (!engine) {
    std::fputs(casex::format_diagnostics(opened.diagnostics, opened.sources).c_str(), stderr);
    return 2;
  }
  std::fprintf(stderr, "casex-host: rules %s from %s\n", engine->version().c_str(),
               dir.empty() ? "the built-in rules" : dir.c_str());

  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int sig = 0; sigwait(&hup, &sig) == 0 && !done;) report(engine->reload(), "SIGHUP");
  });
  std::string error;
  if (watch && !engine->watch([](const casex::ReloadResult& r) { report(r, "change"); },
                              std::chrono::milliseconds(200), &error))
    std::fprintf(stderr, "casex-host: not watching: %s\n", error.c_str());

  // Each line: {"rules": VERSION, "result": RESULT} or {"rules": VERSION, "line": N, "error":
  // MESSAGE}, written by Boost.JSON (the result document is parsed back to nest it).
  std::ios::sync_with_stdio(false);
  std::string line, result, version;
  int status = 0;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    result.clear();  // eval_json appends
    bool ok = engine->eval_json(line, result, error, &version);
    boost::json::object answer{{"rules", version}};
    boost::json::error_code ec;
    if (ok) {
      boost::json::value doc = boost::json::parse(result, ec);
      if (ec)
        error = "internal error: the result is not JSON: " + ec.message();
      else
        answer["result"] = std::move(doc);
    }
    if (!ok || ec) {
      answer["line"] = n;
      answer["error"] = error;
      status = 1;
    }
    std::string out = boost::json::serialize(answer);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);  // a host answers each message as it comes
  }

  engine->unwatch();
  done = true;
  pthread_kill(reloader.native_handle(), SIGHUP);
  reloader.join();
  return status;
}
