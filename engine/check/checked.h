// engine/check/checked.h: the checked rule set (CheckedRuleSet): the
// vocabulary resolved, every expression typed and bound to fields, phases and
// operations by index. Nothing here refers to YAML any more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/diagnostics.h"
#include "engine/parse/ast.h"

namespace casex::detail {

/// The type of an expression.
enum class Type : uint8_t { Bool, Text, Number, Phase, Metaphase, Null, Record };

/// Name of a type, for messages.
const char* type_name(Type t);

/// The vocabulary: every name the rules may use, interned to small integers.
struct Vocabulary {
  /// The record's name (`record:`): the key of its id in a change, of its
  /// snapshot in an incoming document and a result, and the root of templates.
  std::string record = "incident";
  struct Field {
    std::string name;
    Type type = Type::Text;
    std::vector<std::string> values;  // declared value set (empty: any)
    std::string values_at;            // "file:line" of its `values:` (to extend the set)
    std::unordered_map<std::string, std::string> value_aliases;
    /// An input value that spells a declared value in another letter case is
    /// refused as bad input (`case_variants: refuse`), or taken as it is.
    bool refuse_case_variants = false;
    /// `case_variants: accept` said explicitly: a declared value in another
    /// letter case is taken as it is, even where near misses are refused.
    bool accept_case_variants = false;
    /// `open: true`: an input value outside `values` is taken as it is, even
    /// one edit away from a declared value (otherwise such a near miss is bad input).
    bool open = false;
  };
  std::vector<std::string> metaphases;
  std::vector<std::string> phases;
  std::vector<int> phase_metaphase;                // phase id -> metaphase id
  std::unordered_map<std::string, int> phase_ids;  // names and aliases -> phase id
  std::vector<Field> fields;
  std::unordered_map<std::string, int> field_ids;  // names and aliases -> field slot
  int phase_field = -1;                            // the slot of the field of type phase
  std::vector<std::string> events;                 // boolean keys of a change document
  std::vector<std::string> outgoing;
  std::vector<std::string> incoming;
  /// `transitions:` which phase changes an incoming operation may make
  /// (from * phases + to); empty: the vocabulary declares none, any is allowed.
  std::vector<bool> transitions;

  bool may_move(int from, int to) const {
    return transitions.empty() || from == to ||
           transitions[static_cast<std::size_t>(from) * phases.size() + to];
  }
  int find_phase(std::string_view name) const;
  int find_field(std::string_view name) const;
  static int index_of(const std::vector<std::string>& names, std::string_view name);
};

/// Where an expression is evaluated: on a change, or on an incoming operation.
enum class Context : uint8_t { Outgoing, Incoming };

/// Typed expression operations.
enum class Op : uint8_t {
  Const,  // constant: `kind` + text/number/boolean/sym
  Field,  // snapshot field: side, slot
  Event,  // change event flag: slot
  RefSystem,
  RefId,
  RefExists,
  Origin,
  RecordId,
  MessageSystem,
  MessageId,
// the functions (engine/check/functions.def): a field or phase argument in
// `slot`, the others in `args`
#define CASEX_FUNCTION(op, name, args, result, where) op,
#include "engine/check/functions.def"
#undef CASEX_FUNCTION
  Not,
  And,
  Or,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  NotIn,  // args[0] compared with each of args[1..]
};

/// Which snapshot a Field reads.
enum class Side : uint8_t { Before, After, Record, Message };  // Message: message.fields

/// Kind of a constant's value.
enum class ConstKind : uint8_t { None, Text, Number, Bool, Sym };

/// A typed expression node.
struct TExpr {
  Op op = Op::Const;
  Type type = Type::Null;
  Side side = Side::After;
  ConstKind kind = ConstKind::None;
  int slot = -1;  // field slot, event slot, or phase/metaphase id (Sym, Entered)
  double number = 0;
  bool boolean = false;
  std::string text;
  std::vector<TExpr> args;
  ast::Span span;
};

/// A function of the expression language, as engine/check/functions.def declares it.
struct Function {
  Op op;
  const char* name;
  const char* args;  // one letter per argument (see functions.def)
  Type result;
  bool outgoing_only;
};
/// Every function, in the order of functions.def.
const std::vector<Function>& functions();
/// The function of an Op, or null when the Op is not a function.
const Function* function_of(Op op);
/// The function a rule file names, or null.
const Function* find_function(std::string_view name);

/// changed_to(f, v) as the conditions it stands for: changed(f) and
/// after.f == v. The compiler and lint read it so; the interpreter evaluates
/// the call itself, and the differential test ties the two.
TExpr changed_to_meaning(const TExpr& call);

/// A comment or value template: literal pieces and interpolated expressions.
struct Template {
  struct Piece {
    std::string literal;
    std::optional<TExpr> value;  // when set, the piece is this value as plain text
  };
  std::vector<Piece> pieces;
};

/// How a table picks among matching rules (DMN's meanings).
enum class HitPolicy : uint8_t { First, Unique, Priority, Collect };

/// Name of a hit policy as written in rule files ("first", ...).
const char* hit_policy_name(HitPolicy p);

/// One rule of a decision table.
struct CheckedRule {
  std::string id;
  std::string description;
  std::string scenario;  // the expression as written
  TExpr when;
  int operation = -1;  // outgoing operation id
  std::optional<TExpr> system;
  int priority = 0;
  Location loc;
};

/// A decision table with its scope.
struct CheckedTable {
  std::string id;
  Location loc;
  int metaphase = -1;  // scope: a metaphase, or
  /// scope: a transition: every pair of phases (from, to) it covers, in order
  std::vector<std::pair<int, int>> pairs;
  int from = -1, to = -1;  // the pair, when the scope names one phase on each side
  std::string scope_text;  // the transition as written: "Review -> InitialSupport"
  HitPolicy policy = HitPolicy::First;
  bool complete = false;
  std::vector<CheckedRule> rules;
};

/// A workflow move.
struct CheckedMove {
  std::string id;
  std::string description;
  TExpr when;
  int to = -1;
};

/// A target selection entry.
struct CheckedTarget {
  std::vector<int> operations;  // empty: every operation
  std::optional<TExpr> when;
  TExpr system;
};

/// Kinds of incoming actions.
enum class ActionKind : uint8_t {
  Set,
  SetIfNoValue,
  Clear,
  AddComment,
  CreateReference,
  DeleteReference,
  SetFromMessage  // every field the message carries (field -1), or one field
};

/// One action of an incoming rule.
struct CheckedAction {
  ActionKind kind = ActionKind::Set;
  int field = -1;
  Template value;  // Set, SetIfNoValue, AddComment
  std::optional<TExpr> when;
  Template system, id;  // CreateReference
  std::string system_text, id_text;
};

/// A rule for incoming operations.
struct CheckedIncoming {
  std::string id;
  std::string description;
  std::vector<int> operations;
  std::vector<CheckedAction> actions;
};

/// The whole checked rule set.
struct CheckedRuleSet {
  Vocabulary vocabulary;
  std::vector<CheckedMove> moves;
  bool deduplicate = true;
  bool suppress_origin = true;
  std::vector<CheckedTarget> targets;
  std::vector<CheckedTable> tables;
  std::vector<CheckedIncoming> incoming;
};

}  // namespace casex::detail
