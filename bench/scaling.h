// bench/scaling.h: generated rule sets for the scaling benchmarks: the default
// rules with the Resolution table replaced by N rules that each test one field
// against a constant (`after.code == "C17"`), and changes that hit them.
#pragma once

#include <string>
#include <vector>

#include "casex/casex.hpp"

namespace casex_bench {

/// The default rule files, with a text field `code` added to the vocabulary and
/// a Resolution table of `rules` rules `after.code == "C<i>"` (first hit).
std::vector<casex::SourceFile> scaled_rules(int rules);

/// A change document in InitialSupport whose after.code is "C<code>" (a code
/// of no rule when code >= rules).
std::string scaled_change(int code);

}  // namespace casex_bench
