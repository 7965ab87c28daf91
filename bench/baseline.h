// bench/baseline.h: the hand-written C++ implementation of the default
// behaviour (the Outgoing section), the way a programmer would hard-code it:
// plain structs, every table row an if-statement. casex is measured against it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casex_bench::baseline {

enum class Phase : uint8_t { Log, Classify, InitialSupport, Escalate, Review, Close };
enum class Op : uint8_t { None, Assign, Accept, Update, Resolve, Close, Cancel, Reject, Reopen };
enum class Rule : uint8_t {
  None,
  ResAssign,
  ResAccept,
  ResUpdate,
  ValCancel,
  ValReject,
  ValResolve,
  DoneCancel,
  DoneReject,
  DoneClose,
  RvIsReopen,
  RvIsAssign
};

/// "No value" (missing, null or "") is the empty string.
struct Snapshot {
  Phase phase = Phase::Log;
  std::string assignment, solution, completion_code, expected_resolution_time;
};

struct Change {
  std::string incident;
  bool has_incident = false;
  Snapshot before, after;
  bool comment_added = false, attachment_changed = false;
  bool has_ref = false;
  std::string ref_system, ref_id;
  std::vector<std::pair<std::string, std::string>> groups;  // group -> external system
  std::string origin;                                       // "" = none
};

struct OutOp {
  Op op = Op::None;
  Rule rule = Rule::None;
  Phase phase = Phase::Log;
  const std::string* system = nullptr;  // points into the Change
};

struct Result {
  Phase phase = Phase::Log;
  uint8_t n_ops = 0, n_sup = 0;
  OutOp ops[2], sup[2];
};

/// Decides the operations of a change (the Outgoing section, hard-coded).
void evaluate(const Change& c, Result& r);

/// Reads a change document (Boost.JSON DOM, as the peers' baseline-boostjson);
/// false on bad input.
bool parse(std::string_view line, Change& c);

/// Appends the result document and a newline.
void write_result(std::string& out, const Change& c, const Result& r);

}  // namespace casex_bench::baseline
