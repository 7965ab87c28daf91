// engine/plan/plan.h: the compiled form the evaluator runs without a trace,
// built by build_plan from the reference form (engine/compile/program.h):
// Facts, the rule set specialized per pair of phases over one word of facts,
// when its atoms fit 64 bits; else WideForm, each table over its own decoded
// atoms. The reference interpreter (engine/eval, traced) never reads it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/check/checked.h"
#include "engine/eval/input.h"

namespace casex::detail {

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

struct CompiledRules;

/// The compiled form of a rule set without errors: Facts when its atoms fit
/// one word (and it has a phase field), else WideForm.
std::variant<std::monostate, Facts, WideForm> build_plan(const CompiledRules& c);

}  // namespace casex::detail
