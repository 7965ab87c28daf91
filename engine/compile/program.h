// engine/compile/program.h: the compiled rule set (CompiledRules): decision
// tables as atoms plus care/value bit rows, and lookup tables from phases,
// transitions and operations to what applies. Immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/check/checked.h"

namespace casex::detail {

/// A decision table: the distinct atomic conditions of a table's scenarios,
/// evaluated once per step, and each rule as one or more rows over them (its
/// scenario in disjunctive normal form). A row matches when
/// (atoms & care) == value.
struct DecisionTable {
  struct Row {
    uint32_t rule = 0;    // index into the table's rules
    uint32_t offset = 0;  // care mask at pool[offset], value mask at pool[offset + words]
  };
  std::vector<TExpr> atoms;
  uint32_t words = 1;  // 64-bit words per mask
  std::vector<Row> rows;
  std::vector<uint64_t> pool;
};

/// Limit on the rows one scenario may expand to.
inline constexpr std::size_t kMaxRowsPerRule = 256;

/// The compiled, immutable rule set shared by every evaluation.
struct CompiledRules {
  CheckedRuleSet rules;
  std::vector<DecisionTable> tables;               // parallel to rules.tables
  std::vector<int> metaphase_table;                // metaphase id -> table index, -1: none
  std::vector<int> transition_table;               // from * phases + to -> table index, -1: none
  std::vector<int> incoming_rule;                  // incoming operation id -> rules.incoming index
  std::vector<std::vector<uint32_t>> op_targets;   // outgoing op id -> target entries, in order
  uint32_t max_words = 1;                          // largest DecisionTable::words
  std::string version;                             // digest of the rule files
  std::vector<SourceFile> sources;

  int transition(int from, int to) const {
    return transition_table[static_cast<std::size_t>(from) * rules.vocabulary.phases.size() + to];
  }
};

}  // namespace casex::detail
