// tools/serve/access_log.h: the access log of `casex serve --access-log FILE`:
// one JSON line per answered request (time, remote address, method, target,
// status, body bytes, duration in µs, request id), appended and flushed.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace casex::serve {

struct AccessEntry {
  std::chrono::system_clock::time_point time;  // when the request's header was read
  std::string_view remote;                     // "ADDRESS:PORT" of the client
  std::string_view method, target;             // empty: unknown (answered before it was read)
  unsigned status = 0;
  std::size_t bytes = 0;  // the answer's body
  std::chrono::microseconds duration{0};
  std::string_view request_id;  // empty: none
};

/// One access-log line (no newline): a JSON object; bytes of the target
/// outside printable ASCII are written %XX, so that every line is valid JSON.
std::string access_log_line(const AccessEntry& e);

/// The append-only file; write() may be called from any thread.
class AccessLog {
 public:
  /// Null with `error` ("cannot open PATH: REASON") when it cannot be opened.
  static std::unique_ptr<AccessLog> open(const std::string& path, std::string& error);
  ~AccessLog();
  /// Appends and flushes one line; a failed write is said once on standard error.
  void write(const AccessEntry& e);

 private:
  AccessLog() = default;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::mutex m_;
  bool failed_ = false;
};

}  // namespace casex::serve
