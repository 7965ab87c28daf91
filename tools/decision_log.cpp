// tools/decision_log.cpp: the append-only decision log file of `casex eval
// --log` and `casex serve --log` (the lines are the library's, casex/tooling.hpp).
#include "tools/decision_log.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace casex::cli {

DecisionLog::DecisionLog(const std::string& path) : path_(path) {
  if (path_.empty()) return;
  file_ = std::fopen(path_.c_str(), "ab");
  opened_ = file_ != nullptr;
  if (!file_) errno_ = errno ? errno : EIO;
}

DecisionLog::~DecisionLog() { close(); }

bool DecisionLog::close() {
  if (!file_) return errno_ == 0;
  if (std::fclose(file_) != 0 && errno_ == 0) errno_ = errno ? errno : EIO;
  file_ = nullptr;
  return errno_ == 0;
}

std::string DecisionLog::error() const {
  return fmt::format("cannot {} the decision log {}: {}", opened_ ? "write" : "open", path_,
                     std::strerror(errno_ ? errno_ : EIO));
}

// Nothing survives from one decision to the next but the FILE's fixed buffer:
// the line is freed when it is written.
bool DecisionLog::record(std::string_view rules_version, std::string_view input,
                         std::string_view result, std::string_view request_id) {
  if (!file_) return errno_ == 0;
  if (errno_ != 0) return false;
  return write(decision_log_line(rules_version, input, result, log_time_now(), request_id));
}

bool DecisionLog::write(std::string_view text) {
  if (!file_) return errno_ == 0;
  if (errno_ != 0) return false;
  std::string line(text);
  line.push_back('\n');
  errno = 0;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    errno_ = errno ? errno : EIO;
  return errno_ == 0;
}

}  // namespace casex::cli
