// tools/serve/server.h: the HTTP/1.1 server of `casex serve` (Boost.Beast over
// Asio, optional TLS through Beast's ssl_stream): connections, limits,
// timeouts, signals and the drain; what it answers is Service's.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "tools/serve/service.h"

namespace casex::serve {

struct ServerOptions {
  std::string listen = "127.0.0.1:8181";  // HOST:PORT, [IPv6]:PORT; port 0 takes a free port
  unsigned threads = 0;                   // 0: one per processor
  std::size_t max_connections = 1024;     // more are answered 503 and closed
  std::size_t header_limit = 16 * 1024;   // larger request headers: 431
  std::chrono::milliseconds read_timeout{10000};   // a request's header and body, each
  std::chrono::milliseconds idle_timeout{30000};   // between requests of a keep-alive connection
  std::chrono::milliseconds drain_timeout{10000};  // SIGTERM/SIGINT: in-flight requests finish
  std::string tls_cert, tls_key;                   // PEM files: HTTPS when both are given
  std::string access_log;                          // one JSON line per request; "" for none
  bool watch = false;
};

/// Serves until SIGTERM or SIGINT (then drains). Writes one ready line on
/// standard error. Returns the exit status: 0 after a drain, 2 when it cannot
/// listen or the TLS files do not load (one line on standard error).
int run_server(Service& service, const ServerOptions& options);

}  // namespace casex::serve
