// engine/common/diagnostics.h: the one shape of a finding (casex::Diagnostic),
// its codes, and a sink that the stages report into.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "casex/casex.hpp"

namespace casex::detail {

/// Diagnostic codes; the list lives in codes.def.
enum class Code {
#define CASEX_CODE(id, name, sev, desc) id,
#include "engine/common/codes.def"
#undef CASEX_CODE
};

/// How many codes there are (Code values are 0 .. kCodeCount - 1).
inline constexpr int kCodeCount = 0
#define CASEX_CODE(id, name, sev, desc) +1
#include "engine/common/codes.def"
#undef CASEX_CODE
    ;

/// The stable name of a code ("unknown-field").
const char* code_name(Code c);
/// The one-line description of a code.
const char* code_description(Code c);
/// The default severity of a code.
Severity code_severity(Code c);
/// The code's section of docs/lint.md (embedded at build time): what it means,
/// an example and its fix, as plain text; "" when the manual has none.
std::string code_explanation(Code c);

/// A position in a rule file (1-based; 0 = unknown).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  int end_line = 0;  // just past the last byte of what is located (0: unknown)
  int end_column = 0;
};

/// `what` "id" at `at` as a related place of a diagnostic.
RelatedPlace related_place(std::string what, std::string id, const Location& at);

/// A diagnostic of `code` (its name and default severity) at `at`.
Diagnostic make_diagnostic(Code code, const Location& at, std::string message,
                           std::string help = {});

/// Collects diagnostics from every stage.
class Diagnostics {
 public:
  /// Adds a diagnostic; the reference (valid until the next report) lets the
  /// caller add what it relates to.
  Diagnostic& report(Code code, const Location& at, std::string message, std::string help = {});
  bool has_errors() const { return errors_ > 0; }
  std::vector<Diagnostic>& items() { return items_; }
  /// Moves another list's diagnostics to the end of this one.
  void append(Diagnostics&& other) {
    for (auto& d : other.items_) items_.push_back(std::move(d));
    errors_ += other.errors_;
    other.items_.clear();
    other.errors_ = 0;
  }

 private:
  std::vector<Diagnostic> items_;
  int errors_ = 0;
};

/// The Levenshtein distance of two texts, letter case ignored (the one edit
/// distance of casex: "did you mean" and the input checks use it).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate within a small edit distance, or "" (for "did you mean").
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

/// `did you mean "x"?` or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace casex::detail
