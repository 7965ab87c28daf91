// engine/compile/program.h: the compiled rule set (CompiledRules): decision
// tables as atoms plus care/value bit rows (the reference form), the compiled
// form of engine/plan, and lookup tables from phases, transitions and
// operations to what applies. Immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "casex/casex.hpp"
#include "engine/check/checked.h"
#include "engine/eval/input.h"
#include "engine/plan/plan.h"

namespace casex::detail {

/// A decision table in its reference form: the distinct atomic conditions of
/// a table's scenarios and each rule as one or more rows over them (its
/// scenario in disjunctive normal form). A row matches when
/// (atoms & care) == value. The reference evaluator interprets every atom and
/// tests these rows; lint, diff and explain read them.
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

/// The tables a change consults, from before.phase to the phase after the
/// workflow: the transition table of that pair; else the table of their one
/// metaphase; else the old metaphase's table, then the new one's. The one
/// planner of steps: the evaluator, the compiled paths and the rules page use it.
struct StepPlan {
  enum class Kind : uint8_t { Transition, SameMetaphase, TwoMetaphases };
  struct Step {
    int table = -1;             // -1: a metaphase without a table sends nothing
    bool at_new_phase = false;  // its operations carry the phase after the workflow (else before)
    bool entered = false;       // it enters the phase after the workflow: entered() holds there
  };
  Kind kind = Kind::SameMetaphase;
  Step steps[2];
  int count = 1;
};

/// The compiled, immutable rule set shared by every evaluation.
struct CompiledRules {
  CheckedRuleSet rules;
  std::vector<DecisionTable> tables;  // parallel to rules.tables
  DecisionTable moves;                // the workflow moves' conditions, one rule per move
  /// The compiled form the untraced evaluator runs: Facts when the rule set's
  /// atoms fit one word, else WideForm; none for a rule set with errors
  /// (never run).
  std::variant<std::monostate, Facts, WideForm> fast;
  std::vector<int> metaphase_table;               // metaphase id -> table index, -1: none
  std::vector<int> transition_table;              // from * phases + to -> table index, -1: none
  std::vector<int> incoming_rule;                 // incoming operation id -> rules.incoming index
  std::vector<std::vector<uint32_t>> op_targets;  // outgoing op id -> target entries, in order
  uint32_t max_words = 1;                         // largest DecisionTable::words
  /// A targets: entry as the evaluator runs it (common shapes decoded).
  struct TargetCode {
    enum class When : uint8_t { Always, RefExists, Generic };
    enum class System : uint8_t {
      FieldSystem,
      RefSystem,
      Generic
    };  // FieldSystem: external_system(side.slot)
    When when = When::Generic;
    System system = System::Generic;
    Side side = Side::After;
    int slot = -1;
  };
  /// op_targets as the evaluator runs it: the entries of operation `op` are
  /// target_run[target_begin[op]] up to target_run[target_begin[op + 1]].
  struct TargetRun {
    TargetCode code;
    uint32_t entry = 0;  // into rules.targets
  };
  std::vector<TargetRun> target_run;
  std::vector<uint32_t> target_begin;
  std::string version;  // digest of the rule files
  std::vector<SourceFile> sources;

  int transition(int from, int to) const {
    return transition_table[static_cast<std::size_t>(from) * rules.vocabulary.phases.size() + to];
  }
  /// The table of a metaphase (-1: none, or no metaphase).
  int metaphase_table_of(int metaphase) const {
    return metaphase < 0 ? -1 : metaphase_table[static_cast<std::size_t>(metaphase)];
  }
  /// The steps of a change from phase p0 to np, the phase after the workflow.
  StepPlan plan_steps(int p0, int np) const {
    StepPlan p;
    const auto& pm = rules.vocabulary.phase_metaphase;
    const int m0 = pm[static_cast<std::size_t>(p0)], m1 = pm[static_cast<std::size_t>(np)];
    if (const int t = transition(p0, np); t >= 0) {
      p.kind = StepPlan::Kind::Transition;
      p.steps[0] = {t, true, p0 != np};
    } else if (m0 == m1) {
      p.kind = StepPlan::Kind::SameMetaphase;
      p.steps[0] = {metaphase_table_of(m0), false, false};
    } else {
      p.kind = StepPlan::Kind::TwoMetaphases;
      p.steps[0] = {metaphase_table_of(m0), false, false};
      p.steps[1] = {metaphase_table_of(m1), true, true};
      p.count = 2;
    }
    return p;
  }
};

}  // namespace casex::detail
