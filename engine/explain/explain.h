// engine/explain/explain.h: EvalTrace -> explanation: why one `casex eval` document
// gave its result (workflow move, steps, every rule's outcome with the false or true
// part of its scenario and the values it read, targets, de-duplication, suppression).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compile/program.h"
#include "engine/eval/eval.h"

namespace casex::detail {

/// The text of a typed expression as a rule file would write it (moves and
/// targets keep no source text; rules do, in CheckedRule::scenario).
std::string expr_text(const TExpr& e, const Vocabulary& v);

/// A value read by an expression of type `type`, as JSON (no value: null).
boost::json::value value_json(const Value& value, Type type, const Vocabulary& v);

/// Explains one `casex eval` document against `rules`. On bad input returns
/// false and sets `error`; otherwise fills `out` (the data of `casex explain
/// --format json`). A run-time error of the rules is explained too, under "error".
bool explain_document(const CompiledRules& rules, std::string_view document,
                      boost::json::object& out, std::string& error);

/// The systems the rules name as constants: the texts in the `system:` of the
/// targets: entries and of the rules that name their own.
std::vector<std::string> named_systems(const CompiledRules& rules);

/// The note on a change's `origin` that matches no system it could mean: none
/// of `change_systems` (the systems of the change's groups and of its external
/// reference) nor named_systems(rules); compared exactly (case-sensitive), as
/// origin suppression compares. "" when the origin is empty or matches one.
std::string origin_note(const CompiledRules& rules, std::string_view origin,
                        const std::vector<std::string_view>& change_systems);

/// Renders an explanation made by explain_document() as text for people.
std::string explanation_text(const boost::json::object& explanation);

}  // namespace casex::detail
