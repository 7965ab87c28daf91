// tools/decision_log.h: the decision log of `casex eval --log FILE`: one JSON line
// per decision (time, input digest, rule set version, rules fired, operations), for audits.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "casex/tooling.hpp"

namespace casex::cli {

using casex::sha256_hex;

/// One decision-log line: the library's (casex/tooling.hpp), the line Engine's log hook gives.
using casex::decision_log_line;

/// An append-only decision log file; disabled (records nothing) when opened with an empty path.
class DecisionLog {
 public:
  explicit DecisionLog(const std::string& path);
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  /// False when a path was given and the file cannot be opened for appending,
  /// or once a write to it failed.
  bool ok() const { return path_.empty() || (file_ != nullptr && errno_ == 0); }
  /// True when decisions are recorded (a path was given).
  bool enabled() const { return file_ != nullptr; }
  /// Appends the line of one decision, stamped with the current time, and
  /// flushes it; false when it could not be written (see error()). Not
  /// synchronised: one thread at a time.
  bool record(std::string_view rules_version, std::string_view input, std::string_view result,
              std::string_view request_id = {});
  /// Appends one line as given (e.g. from Engine's log hook) and flushes it;
  /// false when it could not be written. Not synchronised: one thread at a time.
  bool write(std::string_view line);
  /// Closes the file; false when closing (the last flush) failed.
  bool close();
  /// Why the log cannot be opened or written: "cannot open/write PATH: REASON".
  std::string error() const;

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int errno_ = 0;
  bool opened_ = false;
};

}  // namespace casex::cli
