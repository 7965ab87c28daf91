// engine/lint/lint.h: `casex lint`'s semantic analysis of the compiled decision
// tables (overlaps, shadowed rules, unsatisfiable scenarios, gaps of complete
// tables, conditions that never matter, operations no rule produces), each
// finding with its witness. This file's external interface is lint_rules().
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "casex/casex.hpp"
#include "engine/compile/program.h"
#include "engine/load/raw.h"

namespace casex::detail {

/// Counters of one lint run (for benchmarks and tuning).
struct LintStats {
  std::size_t tables = 0;           // tables analysed
  std::size_t rows = 0;             // rows of those tables
  std::size_t candidate_pairs = 0;  // row pairs the overlap index passed to the solver
  std::size_t solver_queries = 0;   // conjunctions the theory solver decided
  std::size_t budget_steps =
      0;  // the most solver steps one table's analysis spent (see lint::Budget)
  std::size_t incomplete_tables =
      0;                   // tables whose analysis stopped at the budget (analysis-incomplete)
  std::size_t checks = 0;  // lint rules started on a table (one per rule per table analysed)
  bool cancelled = false;  // the run was stopped by its `cancel` function
};

/// Runs every lint rule over the compiled tables. `raw` (the same files, as
/// loaded) gives the exact positions of conditions; without it findings point
/// at the rules. A table whose rules did not all compile is skipped.
/// `has_errors`: the rule set had load errors (rule-set-wide findings are then skipped).
/// `load`: the load diagnostics; a table (of `raw`) with an error among them is
/// not analysed, and an analysis-skipped note says so.
/// `cancel` (may be null) is asked before each table, before each lint rule of
/// a table and every Budget::kCancelSteps solver steps; once it answers true
/// the run stops at once with the findings so far (`stats->cancelled` set).
std::vector<Diagnostic> lint_rules(const CompiledRules& rules, const RawRuleSet* raw,
                                   LintStats* stats = nullptr, bool has_errors = false,
                                   const std::vector<Diagnostic>* load = nullptr,
                                   const std::function<bool()>* cancel = nullptr);

/// Loads rule files and lints them: every load diagnostic, then the findings,
/// sorted by file and position (the implementation of casex::lint_texts).
/// `cancel`: as for lint_rules (also asked once the files are loaded).
LoadResult lint_sources(std::vector<SourceFile> files, LintStats* stats = nullptr,
                        const std::function<bool()>* cancel = nullptr);

}  // namespace casex::detail
