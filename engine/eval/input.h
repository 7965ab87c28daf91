// engine/eval/input.h: the engine's input and output forms: a change or an
// incoming operation as views into the host's data, and what evaluation decides.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/check/checked.h"

namespace casex::detail {

/// A runtime value. "No value" (missing, null, "") is kind None.
struct Value {
  ConstKind kind = ConstKind::None;
  bool boolean = false;
  int sym = -1;  // phase id (Sym)
  double number = 0;
  std::string_view text;
};

/// A change of an incident, as views into the host's data; fields by slot.
struct ChangeInput {
  bool has_incident = false;
  std::string_view incident;
  std::vector<Value> before, after;  // one per vocabulary field
  std::vector<uint8_t> events;       // one per vocabulary event
  bool has_ref = false;
  std::string_view ref_system, ref_id;
  std::vector<std::pair<std::string_view, std::string_view>> groups;  // group -> system
  std::string_view origin;           // empty: none

  /// Sizes the vectors for a vocabulary and resets every value.
  void reset(const Vocabulary& v);
};

/// One operation decided by a step.
struct OutOp {
  int op = -1;
  int phase = -1;
  int table = -1;
  int rule = -1;
  std::string_view system;
};

/// What a change sends.
struct Outcome {
  int phase = -1;  // after the workflow
  std::vector<OutOp> ops, suppressed;
  std::string error;  // a run-time error (e.g. two rules of a unique table match)
};

/// An incoming operation and the incident it applies to.
struct IncomingInput {
  int op = -1;
  std::string_view system, id;  // of the message
  std::vector<Value> incident;  // one per vocabulary field
  bool has_ref = false;
  std::string_view ref_system, ref_id;
};

/// What an incoming operation does to the incident.
struct IncomingOutcome {
  enum class FieldChange : uint8_t { None, Set, Cleared };
  int rule = -1;
  std::vector<FieldChange> changes;  // per field slot
  std::vector<Value> incident;       // the snapshot after
  std::vector<std::string> comments;
  bool has_ref = false;
  std::string_view ref_system, ref_id;
  std::deque<std::string> storage;   // owns texts the actions made
  std::string error;
};

}  // namespace casex::detail
