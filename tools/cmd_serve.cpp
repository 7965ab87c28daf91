// tools/cmd_serve.cpp: `casex serve`: the engine as an HTTP service
// (tools/serve/: the router in service.cpp, connections in server.cpp).
#include <fmt/format.h>

#include <cctype>

#include "tools/commands.h"
#include "tools/io.h"
#include "tools/serve/server.h"
#include "tools/serve/service.h"

namespace casex::cli {

namespace {

struct ServeOptions {
  serve::ServiceOptions service;
  serve::ServerOptions server;
  std::string token_file;
  double read_timeout = 10, idle_timeout = 30, drain_timeout = 10;
};

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

int run(ServeOptions o) {
  if (!o.token_file.empty()) {
    std::string text, error;
    if (!io::read_limited(o.token_file, 4096, text, error, "token file")) {
      io::errf("casex serve: --token-file {}: {}\n", o.token_file, error);
      return 2;
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (text.empty() || text.find_first_of(" \t\r\n") != std::string::npos) {
      io::errf("casex serve: --token-file {}: expected one token (no spaces) on one line\n",
               o.token_file);
      return 2;
    }
    o.service.token = text;
  }
  if (o.server.tls_cert.empty() != o.server.tls_key.empty()) {
    io::err("casex serve: --tls-cert and --tls-key go together\n");
    return 2;
  }
  o.server.read_timeout = ms(o.read_timeout);
  o.server.idle_timeout = ms(o.idle_timeout);
  o.server.drain_timeout = ms(o.drain_timeout);
  std::string error;
  auto service = serve::Service::open(o.service, error);
  if (!service) {
    io::err(error);
    return 2;
  }
  return serve::run_server(*service, o.server);
}

}  // namespace

void add_serve_command(CLI::App& app, int& status) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve the engine over HTTP/1.1 (JSON): POST /v1/eval, /v1/eval/lines, /v1/explain,\n"
      "/v1/lint, /v1/reload (with --token-file); GET / (the rules page with a simulator),\n"
      "/v1/rules, /v1/rules/version, /v1/vocabulary, /v1/scenarios, /health, /ready,\n"
      "/metrics (Prometheus). Every answer carries X-Casex-Rules-Version. One line on\n"
      "stderr when ready. SIGHUP reloads the rules (a failed reload keeps the rules in effect);\n"
      "SIGTERM/SIGINT drain: no new connection, requests in flight answered, exit 0.\n"
      "Exit status: 0 after a drain, 2 rules that do not load, an address that cannot be\n"
      "listened on, bad TLS files or token file, bad usage. docs/serve.md has the reference.");
  cmd->add_option("--rules", o->service.rules_dir,
                  "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--listen", o->server.listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8181; [::1]:PORT for IPv6; port 0:\n"
                  "any free port, shown on the ready line)");
  cmd->add_flag("--lenient-input", o->service.input.lenient_input,
                "POST /v1/eval and /v1/eval/lines read input as casex eval --lenient-input");
  cmd->add_flag("--watch", o->server.watch,
                "Reload when a file of --rules changes (inotify); a failed reload keeps the rules");
  cmd->add_option("--log", o->service.log_path,
                  "Append the decision log of `casex eval --log` to FILE, one line per decision,\n"
                  "with the request's id (X-Request-Id)");
  cmd->add_option("--access-log", o->server.access_log,
                  "Append one JSON line per answered request to FILE (time, remote, method,\n"
                  "target, status, bytes, duration_us, request_id)");
  cmd->add_option("--tests", o->service.tests_dir,
                  "Directory of rule tests (as `casex test`) listed as scenarios on the page\n"
                  "at / (GET /v1/scenarios runs them against the rules in effect)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--threads", o->server.threads, "Threads serving (default 0: one per processor)")
      ->check(CLI::Range(0u, 256u));
  cmd->add_option("--token-file", o->token_file,
                  "FILE holding the bearer token of POST /v1/reload (without it the endpoint\n"
                  "answers 404)");
  cmd->add_option("--tls-cert", o->server.tls_cert, "PEM certificate chain: serve HTTPS")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", o->server.tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-connections", o->server.max_connections,
                  "Connections served at once (default 1024); more are answered 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cmd->add_option("--header-limit", o->server.header_limit,
                  "Largest request header in bytes (default 16384); larger: 431")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  cmd->add_option("--max-body", o->service.max_body,
                  "Largest body in bytes but for /v1/eval/lines (default 16 MiB); larger: 413")
      ->check(CLI::Range(std::size_t{1}, kMaxDocumentBytes));
  cmd->add_option("--max-lines-body", o->service.max_lines_body,
                  "Largest body of POST /v1/eval/lines in bytes (default 256 MiB; read in\n"
                  "pieces, never held whole); larger: 413")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  cmd->add_option("--read-timeout", o->read_timeout,
                  "Seconds to read a request's header, and then its body (default 10); a\n"
                  "slower client is disconnected")
      ->check(CLI::Range(0.05, 3600.0));
  cmd->add_option("--idle-timeout", o->idle_timeout,
                  "Seconds a keep-alive connection may wait for its next request (default 30)")
      ->check(CLI::Range(0.05, 3600.0));
  cmd->add_option("--drain-timeout", o->drain_timeout,
                  "Seconds SIGTERM/SIGINT waits for requests in flight (default 10)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->callback([o, &status] { status = io::guarded("serve", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
