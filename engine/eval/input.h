// engine/eval/input.h: the engine's input and output forms: a change or an
// incoming operation as views into the host's data, and what evaluation decides.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/check/checked.h"
#include "engine/common/compiler.h"

namespace casex::detail {

/// A runtime value. "No value" (missing, null, "") is kind None. 24 bytes: a
/// number and a text share their storage, so read `number` only of a Number
/// and `text` only of a Text or of no value (whose text is empty).
struct Value {
  ConstKind kind = ConstKind::None;
  bool boolean = false;
  int sym = -1;  // phase id (Sym)
  union {
    double number;
    std::string_view text{};
  };
};
static_assert(sizeof(Value) == 24);

namespace text_detail {
inline uint64_t load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

inline uint32_t load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

}  // namespace text_detail

// a == b for texts, inlined: the usual texts (group names, codes, times,
// short solutions) are compared in two overlapping loads of 4, 8 or 16 bytes
// per side, without branching between the two halves.
CASEX_ALWAYS_INLINE bool same_text(std::string_view a, std::string_view b) {
  using text_detail::load4;
  using text_detail::load8;
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char *x = a.data(), *y = b.data();
  if (n >= 16) {
    if (n > 32) return std::memcmp(x, y, n) == 0;
    return ((load8(x) ^ load8(y)) | (load8(x + 8) ^ load8(y + 8)) |
            (load8(x + n - 16) ^ load8(y + n - 16)) | (load8(x + n - 8) ^ load8(y + n - 8))) == 0;
  }
  if (n >= 8) return ((load8(x) ^ load8(y)) | (load8(x + n - 8) ^ load8(y + n - 8))) == 0;
  if (n >= 4) return ((load4(x) ^ load4(y)) | (load4(x + n - 4) ^ load4(y + n - 4))) == 0;
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

/// The one equality of values (`==`, `in`, `changed()`): the same kind and
/// the same value; "no value" equals only "no value".
inline bool equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ConstKind::None: return true;
    case ConstKind::Text: return same_text(a.text, b.text);
    case ConstKind::Number: return a.number == b.number;
    case ConstKind::Bool: return a.boolean == b.boolean;
    case ConstKind::Sym: return a.sym == b.sym;
  }
  return false;
}

/// The largest integer a number field holds exactly (2^53): inputs beyond it
/// are refused, so that `==` and `changed()` never compare rounded numbers.
inline constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

/// When field `f` refuses case variants (`case_variants: refuse`): the declared
/// value that `s` spells with another letter case when `s` itself is not
/// declared; otherwise null. Values are case-sensitive: such an input is then
/// refused, not taken for a value no rule names.
inline const std::string* near_miss_value(const Vocabulary::Field& f, std::string_view s) {
  if (!f.refuse_case_variants) return nullptr;
  const std::string* variant = nullptr;
  for (const auto& v : f.values) {
    if (v.size() != s.size()) continue;
    if (v == s) return nullptr;
    bool same = true;
    for (std::size_t i = 0; i < s.size() && same; ++i) {
      auto lower = [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      };
      same = lower(v[i]) == lower(s[i]);
    }
    if (same) variant = &v;
  }
  return variant;
}

/// The events of a change, one bit per vocabulary event (the first 64 in one
/// word, which the evaluator tests together).
class EventSet {
 public:
  void reset(std::size_t n) { words_.assign(n / 64 + 1, 0); }
  bool operator[](std::size_t i) const { return words_[i >> 6] >> (i & 63) & 1; }
  void set(std::size_t i, bool on) {
    const uint64_t bit = uint64_t{1} << (i & 63);
    words_[i >> 6] = on ? words_[i >> 6] | bit : words_[i >> 6] & ~bit;
  }
  uint64_t first_word() const { return words_.empty() ? 0 : words_[0]; }

 private:
  std::vector<uint64_t> words_;
};

/// A change of a record, as views into the host's data; fields by slot.
/// A field of type text holds a Text value with a non-empty text, or no value
/// (kind None, empty text): the evaluator compares such fields by text alone.
struct ChangeInput {
  bool has_record = false;
  std::string_view record;
  std::vector<Value> before, after;  // one per vocabulary field
  EventSet events;                   // one per vocabulary event
  bool has_ref = false;
  std::string_view ref_system, ref_id;
  std::vector<std::pair<std::string_view, std::string_view>> groups;  // group -> system
  std::string_view origin;                                            // empty: none
  /// What was sent for the record before this change (`sent`): operation, system.
  std::vector<std::pair<std::string_view, std::string_view>> sent;

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

/// An incoming operation and the record it applies to.
struct IncomingInput {
  int op = -1;
  std::string_view system, id;  // of the message
  std::vector<Value> record;    // one per vocabulary field
  /// `fields`: the values the message carries, one per vocabulary field
  /// (kind None when it carries none); carried[slot]: the message names it.
  std::vector<Value> fields;
  std::vector<bool> carried;
  bool has_ref = false;
  std::string_view ref_system, ref_id;
};

/// What an incoming operation does to the record.
struct IncomingOutcome {
  enum class FieldChange : uint8_t { None, Set, Cleared };
  int rule = -1;
  std::vector<FieldChange> changes;  // per field slot
  std::vector<Value> record;         // the snapshot after
  std::vector<std::string> comments;
  bool has_ref = false;
  std::string_view ref_system, ref_id;
  std::deque<std::string> storage;  // owns texts the actions made
  std::string error;
};

}  // namespace casex::detail
