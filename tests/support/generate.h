// tests/support/generate.h: generated rule sets of any size, for the lint's
// benchmarks and tests (a Resolution table of N rules over the default vocabulary).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "casex/casex.hpp"

namespace casex::detail {

/// A rule file holding one Resolution table of `n` rules: rule 2k sends Update
/// when the incident is assigned to "Group k" and its solution changes or a
/// comment is added; rule 2k+1 sends Assign (k even) or Accept (k odd) when it
/// is assigned to "Group k" and its expected resolution time changes. Lints
/// clean with hit policy first; under unique, rules 2k and 2k+1 overlap.
std::string generate_table(std::size_t n, std::string_view hit_policy = "first");

/// The built-in rules with resolution.yaml replaced by `table`.
std::vector<SourceFile> builtin_with_resolution(std::string table);

/// The built-in rules with resolution.yaml replaced by generate_table(n).
std::vector<SourceFile> generated_rule_set(std::size_t n, std::string_view hit_policy = "first");

}  // namespace casex::detail
