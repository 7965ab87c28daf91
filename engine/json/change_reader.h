// engine/json/change_reader.h: the fast path of `casex eval`: reads a change
// document straight into ChangeInput with a SAX parser (no DOM). Anything
// unusual (an error, an incoming operation) is left to the DOM path.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/eval/input.h"

namespace casex::detail {

/// Reads well-formed change documents without building a DOM. One per thread.
class ChangeReader {
 public:
  /// What read() found.
  enum class Result : uint8_t {
    Ok,        // `in` holds the change
    Fallback,  // an incoming operation, bad input or something rare: use the DOM path
  };

  explicit ChangeReader(const Vocabulary& v);
  ~ChangeReader();
  ChangeReader(const ChangeReader&) = delete;
  ChangeReader& operator=(const ChangeReader&) = delete;

  /// Reads `document` into `in`. Every text of `in` is a view into `arena`,
  /// which is cleared and reserved to the document's size first (so the views
  /// stay valid until the next read into the same arena).
  Result read(std::string_view document, ChangeInput& in, std::string& arena);

  /// Lenient (`--lenient-input`): near misses and duplicate keys are not
  /// looked for (the DOM path then reads them as before issue 20).
  void set_lenient(bool lenient);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace casex::detail
