// engine/render/render.h: CompiledRules -> one self-contained HTML page (no network):
// each table as the source document shows it (Scenario | Operation, in order), the
// workflow as inline SVG, targets, incoming actions, and findings beside their rule.
// This file's external interface is render_html().
#pragma once

#include <string>
#include <vector>

#include "casex/casex.hpp"
#include "engine/compile/program.h"

namespace casex::detail {

/// What the page says about where the rules come from.
struct RenderOptions {
  std::string title = "casex rules";
  std::string source;  // e.g. "built-in rules" or the rules directory
};

/// A comment or value template as a rule file writes it (`{expression}`, braces doubled).
std::string template_text(const Template& t, const Vocabulary& v);

/// The phases a workflow move may start from: those where its condition is not
/// false whatever the other fields (its condition evaluated on after.phase alone).
std::vector<int> move_sources(const CompiledRules& rules, const CheckedMove& move);

/// The HTML page of a rule set; `findings` (load and lint diagnostics) are shown
/// beside the rule they point into, the others at the top.
std::string render_html(const CompiledRules& rules, const std::vector<Diagnostic>& findings,
                        const RenderOptions& options);

}  // namespace casex::detail
