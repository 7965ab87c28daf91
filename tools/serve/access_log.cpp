// tools/serve/access_log.cpp: access-log lines and their file.
#include "tools/serve/access_log.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace casex::serve {

namespace bj = boost::json;

namespace {

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f)
      out += fmt::format("%{:02X}", c);
    else
      out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z", stamp, us % 1000000);
}

bj::value text_or_null(std::string_view s) {
  return s.empty() ? bj::value(nullptr) : bj::value(printable(s));
}

}  // namespace

std::string access_log_line(const AccessEntry& e) {
  bj::object line;
  line["time"] = iso8601(e.time);
  line["remote"] = printable(e.remote);
  line["method"] = text_or_null(e.method);
  line["target"] = text_or_null(e.target);
  line["status"] = e.status;
  line["bytes"] = e.bytes;
  line["duration_us"] = e.duration.count();
  line["request_id"] = text_or_null(e.request_id);
  return bj::serialize(line);
}

std::unique_ptr<AccessLog> AccessLog::open(const std::string& path, std::string& error) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  log->path_ = path;
  log->file_ = std::fopen(path.c_str(), "ab");
  if (!log->file_) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno ? errno : EIO));
    return nullptr;
  }
  return log;
}

AccessLog::~AccessLog() {
  if (file_) std::fclose(file_);
}

void AccessLog::write(const AccessEntry& e) {
  std::string line = access_log_line(e);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(m_);
  errno = 0;
  if ((std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) &&
      !failed_) {
    failed_ = true;
    std::fprintf(stderr, "casex serve: cannot write the access log %s: %s\n", path_.c_str(),
                 std::strerror(errno ? errno : EIO));
  }
}

}  // namespace casex::serve
