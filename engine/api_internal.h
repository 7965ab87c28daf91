// engine/api_internal.h: what the engine and its tests reach inside a public
// casex::RuleSet (not installed; hosts use include/casex/ only).
#pragma once

#include "casex/casex.hpp"
#include "engine/compile/program.h"

namespace casex::detail {

/// The compiled form of a rule set (RuleSet befriends this accessor).
const CompiledRules& compiled(const RuleSet& rules);

/// The `casex eval` change document of a typed Change (its fields in order,
/// duplicates kept), so that both are read and checked by the one reader.
std::string change_document(const Change& change, const Vocabulary& vocabulary);

/// RuleSet::evaluate, also giving the document it read and the result
/// document (for Engine's log hook).
Decision evaluate_typed(const RuleSet& rules, const Change& change, std::string& document,
                        std::string& output);

/// What the C API reaches inside a public casex::Engine (Engine befriends it).
struct EngineAccess {
  /// Engine::evaluate, also giving the result document and the version of the
  /// rules that decided (casex_engine_evaluate_change); the log hook is called
  /// as for Engine::evaluate. Throws as Engine::evaluate.
  static Decision evaluate(const Engine& engine, const Change& change, std::string& output,
                           std::string& version);
};

}  // namespace casex::detail
