// engine/load/raw.h: the rule set as written (RawRuleSet): what the YAML files
// say, every scalar with its source position, before any checking.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/common/diagnostics.h"

namespace casex::detail {

/// A scalar as written, with where it starts in its file.
struct Text {
  std::string value;
  Location loc;
};

/// An expression or template as written, with the file position of every byte
/// (so an error at byte k of the text points at `positions[k]` in the file,
/// whether the YAML scalar was plain, quoted, folded or literal).
struct SourceText {
  std::string text;
  Location loc;                                // the scalar's first byte
  std::vector<std::pair<int, int>> positions;  // text.size() + 1 entries: line, column

  /// Location of byte `offset` of the text.
  Location at(std::size_t offset) const;
  /// Location of bytes [begin, end) of the text: from the first to just past the last.
  Location span(std::size_t begin, std::size_t end) const;
};

/// A phase: its name, the metaphase it belongs to and other names for it.
struct RawPhase {
  Text name;
  std::optional<Text> metaphase;
  std::vector<Text> aliases;
};

/// A snapshot field: its name, type, optional value set, and aliases.
struct RawField {
  Text name;
  Text type;  // text | phase | number | boolean
  std::vector<Text> values;
  Location values_loc;                               // the `values:` key (where a value is added)
  std::vector<std::pair<Text, Text>> value_aliases;  // alias -> canonical value
  std::optional<Text> case_variants;                 // refuse | accept
  bool open = false;  // `open: true`: input values outside `values` are taken silently
  std::vector<Text> aliases;
};

/// The vocabulary section.
struct RawVocabulary {
  bool present = false;
  Location loc;
  std::optional<Text> record;  // the record's name (input and output key, template root)
  std::vector<Text> metaphases;
  std::vector<RawPhase> phases;
  std::vector<RawField> fields;
  std::vector<Text> events;
  std::vector<Text> outgoing;
  std::vector<Text> incoming;
  /// `transitions:` the phase changes an incoming operation may make: from -> to
  bool transitions_present = false;
  Location transitions_loc;
  std::vector<std::pair<std::vector<Text>, std::vector<Text>>> transitions;
};

/// A workflow move: when the condition holds, the record moves to `to`.
struct RawMove {
  Text id;
  Text description;
  SourceText when;
  Text to;
};

/// A target entry: for these operations (all when empty), if `when` holds,
/// the target system is `system`.
struct RawTarget {
  Location loc;
  std::vector<Text> operations;
  std::optional<SourceText> when;
  SourceText system;
};

/// The workflow section plus target selection.
struct RawWorkflow {
  bool present = false;
  Location loc;
  std::vector<RawMove> moves;
  bool deduplicate = true;
  bool suppress_origin = true;
  std::vector<RawTarget> targets;
  bool targets_present = false;
};

/// One row of a decision table.
struct RawRule {
  Location loc;
  Text id;
  Text description;
  SourceText when;
  Text then;                         // operation name
  std::optional<SourceText> system;  // overrides target selection
  int priority = 0;
};

/// One side of a transition scope: a phase (`Review`), a list of phases
/// (`[Accept, Review]`) or every phase of a metaphase (`{metaphase: Validation}`).
struct RawPhaseSet {
  Location loc;
  std::vector<Text> phases;
  std::optional<Text> metaphase;
  bool single = false;  // written as one phase name
};

/// One decision table: its scope, hit policy and ordered rules.
struct RawTable {
  Location loc;
  Text id;
  std::optional<Text> metaphase;                                  // scope: metaphase
  std::optional<std::pair<RawPhaseSet, RawPhaseSet>> transition;  // scope: transition from -> to
  Text hit_policy;
  bool complete = false;
  std::vector<RawRule> rules;
};

/// One action of an incoming rule.
/// The action kinds of an incoming rule, in the order of ActionKind
/// (engine/check/checked.h): the keys the loader accepts, the names check maps
/// to ActionKind and explain prints.
extern const std::vector<std::string> kActionKinds;

struct RawAction {
  Location loc;
  Text kind;  // set | set_if_no_value | clear | add_comment | create_reference | delete_reference
              // | set_from_message
  Text field;
  std::optional<SourceText> value;  // a template
  std::optional<SourceText> when;
  std::optional<SourceText> system;  // create_reference
  std::optional<SourceText> id;      // create_reference
};

/// A rule for one or more incoming operations.
struct RawIncoming {
  Location loc;
  Text id;
  Text description;
  std::vector<Text> operations;
  std::vector<RawAction> actions;
};

/// Everything the rule files say.
struct RawRuleSet {
  RawVocabulary vocabulary;
  RawWorkflow workflow;
  std::vector<RawTable> tables;
  std::vector<RawIncoming> incoming;
};

}  // namespace casex::detail
