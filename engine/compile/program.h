// engine/compile/program.h: the compiled rule set (CompiledRules): decision
// tables as atoms plus care/value bit rows, and lookup tables from phases,
// transitions and operations to what applies. Immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "casex/casex.hpp"
#include "engine/check/checked.h"
#include "engine/eval/input.h"

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

/// An atom as the compiled form runs it: common shapes decoded, the rest Generic.
struct AtomCode {
  enum class Kind : uint8_t {
    Generic,      // eval_truth(atom)
    Changed,      // changed(slot)
    Event,        // event slot
    Entered,      // entered(slot)
    RefExists,    // has_value(external_reference)
    HasField,     // has_value(side.slot)
    IsExternal,   // is_external(side.slot)
    FieldEq,      // side.slot == constant (Ne: negate)
    MetaphaseEq,  // metaphase(side.slot) == metaphase `sym` (Ne: negate)
    RefIsSystem,  // external_reference.system == external_system(side.slot) (Ne: negate)
  };
  Kind kind = Kind::Generic;
  bool negate = false;
  Side side = Side::After;
  int slot = -1;
  ConstKind ckind = ConstKind::None;  // FieldEq: the constant
  int sym = -1;
  bool boolean = false;
  double number = 0;
  std::string text;
  /// The constant of a FieldEq as a value (viewing `text`).
  Value constant() const {
    Value v;
    v.kind = ckind;
    v.boolean = boolean;
    v.sym = sym;
    if (ckind == ConstKind::Number)
      v.number = number;
    else
      v.text = text;
    return v;
  }
};

/// The compiled form of one table of a rule set whose atoms do not fit the
/// facts word (WideForm): its atoms decoded, its `field == "text"` atoms
/// indexed, its rows sparse.
struct TableCode {
  std::vector<AtomCode> code;  // parallel to DecisionTable::atoms
  /// Atoms `side.slot == "text"` of 8 or more constants on one field: looked up
  /// by the field's value (binary search) instead of tested one by one.
  struct EqIndex {
    Side side = Side::After;
    int slot = -1;
    std::vector<std::pair<std::string, uint32_t>> atom_of;  // constant -> atom, sorted
  };
  std::vector<EqIndex> eq_index;  // empty: every row is tried
  std::vector<uint32_t> direct;   // atoms not in an EqIndex, tested one by one
  /// With an EqIndex, only candidate rows are tried: the rows anchored on an
  /// atom that holds (a row is anchored on one of its positive EqIndex
  /// literals) and the free rows (no such literal), in row order.
  std::vector<uint32_t> free_rows;
  std::vector<std::vector<uint32_t>> anchored;  // per atom
  /// The rows, sparse: the words a row cares about.
  struct Word {
    uint32_t word = 0;
    uint64_t care = 0, value = 0;
  };
  std::vector<Word> sparse;
  std::vector<uint32_t> sparse_begin;  // per row, into sparse; one more at the end
};

/// The compiled form of a rule set whose atoms do not fit the facts word:
/// each table on its own, over its decoded atoms.
struct WideForm {
  std::vector<TableCode> tables;  // parallel to CompiledRules::tables
  TableCode moves;
};

/// A row over the facts word: it matches when (facts & care) == value and, if
/// `any` is not zero, (facts & any) != 0: the rows of a rule that differ only
/// in one positive literal each (`a or b or c`) are one row.
struct FactRow {
  uint64_t care = 0, value = 0, any = 0;
  uint32_t rule = 0;
  int16_t op = -1;          // the rule's operation (tables; -1 for the moves)
  bool own_system = false;  // the rule names its system (else the targets: entries decide)
};

/// The compiled form of a rule set whose distinct atoms (moves and every
/// table) fit one 64-bit word: bit i is atom i. The evaluator computes the
/// cheap ones once per change, kind by kind with no dispatch, and every
/// table's rows test that one word; a costly atom (a group lookup, an
/// interpreted expression) is evaluated only when a row still in the
/// running needs it.
struct Facts {
  struct Probe {
    uint16_t slot = 0;
    Side side = Side::After;
    uint8_t bit = 0;
  };
  /// The atoms on a phase field (FieldEq to a phase, MetaphaseEq): their bits
  /// by the field's phase, one lookup for them all.
  struct ByPhase {
    Probe at;                    // side and slot (bit unused)
    std::vector<uint64_t> bits;  // per phase
    uint64_t none = 0;           // when the field has no phase
  };
  /// side.slot == "text" on a field of type text, the constant beside it.
  struct TextProbe {
    const char* data = nullptr;  // the constant (owned by code[bit].text)
    uint32_t size = 0;
    uint16_t slot = 0;
    Side side = Side::After;
    uint8_t bit = 0;
    bool negate = false;
  };
  /// is_external(before.slot) and is_external(after.slot): both sides' groups
  /// found in one scan of the change's groups.
  struct Lookup {
    uint16_t slot = 0;
    uint64_t before = 0,
             after = 0;  // the bit set when that side's group has a system (0: not read)
  };
  /// Cheap atoms computed together, kind by kind. The compiler fills the
  /// first lists; finish_group() moves what has a faster form to the others.
  struct Group {
    std::vector<Probe> changed, events, has_field;
    std::vector<Probe> is_external;  // those the table's first row reads (it is always tried)
    std::vector<Probe> compare;      // FieldEq on text, number or bool: side.slot against code[bit]
    std::vector<ByPhase> by_phase;
    uint64_t ref_exists = 0;  // bits of has_value(external_reference)
    // the faster forms
    std::vector<Probe>
        changed_text;  // changed() of a text field: the texts compared (no value has none)
    uint64_t event_slots =
        0;  // events at slots below 64, bit per slot (their bits: Facts::event_bit)
    std::vector<Lookup> lookups;  // every is_external of the group
    std::vector<TextProbe> compare_text;
  };
  uint8_t event_bit[64] = {};  // the bit of the atom of event slot i (i < 64)
  std::vector<TExpr> atoms;    // per bit
  std::vector<AtomCode> code;  // per bit

  /// The rule set specialized for one pair (before.phase, after.phase): the
  /// atoms on the phase field and entered() are constants there, folded into
  /// the rows (rows they falsify are dropped), so a change computes one group
  /// of facts and tests rows over it. Every pair of phases has one.
  struct Path {
    Group group;                 // every fact the moves and the reachable tables read
    uint64_t phases = 0;         // the values of the folded phase atoms (their bits only)
    std::vector<FactRow> moves;  // the moves' rows, folded; rule = move
    uint64_t moves_lazy = 0;
    /// Phases are relative, so that pairs that behave alike share one Path:
    /// a step's operations carry before.phase or the phase after the workflow.
    struct Step {
      int table = -1;
      HitPolicy policy = HitPolicy::First;
      bool at_new_phase =
          false;  // its operations carry the phase after the workflow (else before.phase)
      bool entered = false;       // it enters the phase after the workflow
      std::vector<FactRow> rows;  // folded
      uint64_t lazy = 0;          // atoms evaluated only when a row needs them
    };
    struct Plan {
      int phase = -1;           // the phase after the workflow; -1: after.phase (no move)
      std::vector<Step> steps;  // the steps with a table
    };
    std::vector<Plan> plans;  // [0]: no move, [1 + m]: move m applied
  };
  std::vector<Path> paths;        // the distinct specializations
  std::vector<uint16_t> path_of;  // before.phase * phases + after.phase -> index into paths
};

/// Limit on the rows one scenario may expand to.
inline constexpr std::size_t kMaxRowsPerRule = 256;

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
