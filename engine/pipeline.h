// engine/pipeline.h: the one pipeline driver: rule files -> load -> check ->
// compile, each form returned. The API (RuleSet::load_texts), lint, render
// and the rule tests all load rules through it.
#pragma once

#include <memory>
#include <vector>

#include "casex/casex.hpp"
#include "engine/compile/program.h"
#include "engine/load/raw.h"

namespace casex::detail {

struct Pipeline {
  std::vector<SourceFile> sources;          // the rule files, in load order
  RawRuleSet raw;                           // what the loader read
  std::shared_ptr<CompiledRules> compiled;  // checked and compiled; made also when there are
                                            // errors (lint analyses what loaded), run only without
  std::vector<Diagnostic> diagnostics;      // of every stage, by file, line and column
  bool has_errors = false;
};

/// Loads, checks and compiles rule files. Never throws on bad rules: every
/// fault is a diagnostic.
Pipeline run_pipeline(std::vector<SourceFile> files);

/// The public result of loading: the diagnostics, the sources, and the rule
/// set when there is no error (the pipeline's compiled form).
LoadResult load_result(Pipeline&& p);

/// The version of a rule set: the first 16 hex digits of the SHA-256 of its
/// files (docs/embedding.md says how the files are framed).
std::string rules_version(const std::vector<SourceFile>& files);

}  // namespace casex::detail
