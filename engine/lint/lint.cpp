// engine/lint/lint.cpp: runs the lint rules over every table and the rule set,
// and casex::lint_texts: loading plus lint, all findings in one list.
#include "engine/lint/lint.h"

#include <fmt/format.h>

#include <algorithm>

#include "casex/tooling.hpp"
#include "engine/check/check.h"
#include "engine/lint/rules.h"
#include "engine/pipeline.h"

namespace casex::detail {

namespace lint {

Diagnostic& Sink::report(Code code, const Location& at, std::string message, std::string help,
                         std::string witness) {
  Diagnostic d = make_diagnostic(code, at, std::move(message), std::move(help));
  d.witness = std::move(witness);
  items_.push_back(std::move(d));
  return items_.back();
}

std::vector<std::unique_ptr<Rule>> all_rules() {
  std::vector<std::unique_ptr<Rule>> r;
  r.push_back(unsatisfiable_scenario_rule());
  r.push_back(shadowed_rule_rule());
  r.push_back(unique_overlap_rule());
  r.push_back(incomplete_table_rule());
  r.push_back(redundant_condition_rule());
  r.push_back(unused_operation_rule());
  return r;
}

namespace {

const char* const kIncompleteHelp =
    "split the table, or give its rules fewer alternatives (each `or` of a scenario multiplies "
    "them) and "
    "conditions the analysis models exactly (not two fields compared by <, <=, >, >=)";

}  // namespace

// analysis-incomplete: the table's budget ran out; what stopped, and where.
void report_incomplete(const TableAnalysis& a, Sink& sink) {
  const Budget& b = a.budget;
  std::string at;
  if (b.stopped_rule >= 0 && static_cast<std::size_t>(b.stopped_rule) < a.checked.rules.size())
    at = fmt::format(" at rule \"{}\" ({} of {})", a.checked.rules[b.stopped_rule].id,
                     b.stopped_rule + 1, a.checked.rules.size());
  std::string whose =
      b.limit == Budget::kDefault
          ? std::string("the budget of a table")
          : fmt::format("what was left of the budget of {} for all tables", Budget::kRun);
  sink.report(
      Code::AnalysisIncomplete, a.table_location(),
      fmt::format(
          "analysis incomplete for table \"{}\": {} stopped after {} solver steps{}, {}; findings "
          "about its rules may be missing (those reported hold)",
          a.checked.id, b.stopped, b.limit, at, whose),
      kIncompleteHelp);
}

// analysis-incomplete: the run's budget was spent before the table's turn.
void report_not_analysed(const CompiledRules& rules, int table, const RawRuleSet* raw, Sink& sink) {
  const CheckedTable& ct = rules.rules.tables[table];
  Location at = ct.loc;
  if (raw)
    for (const auto& rt : raw->tables)
      if (rt.id.value == ct.id) at = rt.id.loc;
  sink.report(Code::AnalysisIncomplete, at,
              fmt::format("analysis incomplete for table \"{}\": not analysed, the budget of {} "
                          "solver steps for all "
                          "tables is spent; findings about its rules may be missing",
                          ct.id, Budget::kRun),
              kIncompleteHelp);
}

// Whether a diagnostic lies in a table: in its file, from the table's mapping
// to the line before whatever else (a table, an incoming rule, the workflow,
// the vocabulary) the same file holds after it.
bool in_table(const RawRuleSet& raw, const RawTable& table, const Diagnostic& d) {
  if (d.file != table.loc.file || d.line < table.loc.line) return false;
  auto before_next = [&](const Location& other) {
    return other.file != table.loc.file || other.line <= table.loc.line || d.line < other.line;
  };
  for (const auto& t : raw.tables)
    if (&t != &table && !before_next(t.loc)) return false;
  for (const auto& in : raw.incoming)
    if (!before_next(in.loc)) return false;
  if (raw.workflow.present && !before_next(raw.workflow.loc)) return false;
  return before_next(raw.vocabulary.loc);
}

// analysis-skipped: a table with a load error is not analysed (its rules, or
// its hit policy, are not what the file says); the first error it has.
const Diagnostic* table_error(const RawRuleSet& raw, const RawTable& table,
                              const std::vector<Diagnostic>& load) {
  for (const auto& d : load)
    if (d.severity == Severity::Error && in_table(raw, table, d)) return &d;
  return nullptr;
}

std::string quoted_list(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += i + 1 == ids.size() ? " and " : ", ";
    out += "\"" + ids[i] + "\"";
  }
  return out;
}

}  // namespace lint

std::vector<Diagnostic> lint_rules(const CompiledRules& rules, const RawRuleSet* raw,
                                   LintStats* stats, bool has_errors,
                                   const std::vector<Diagnostic>* load,
                                   const std::function<bool()>* cancel) {
  const Vocabulary& v = rules.rules.vocabulary;
  if (v.phase_field < 0 || v.phases.empty() || v.phases.size() > kMaxPhases ||
      v.metaphases.size() > kMaxPhases ||
      std::any_of(v.phase_metaphase.begin(), v.phase_metaphase.end(), [](int m) { return m < 0; }))
    return {};  // the vocabulary has errors of its own: nothing to analyse soundly
  LintStats own_stats;
  if (!stats) stats = &own_stats;
  auto stop = [&] {
    if (!stats->cancelled && cancel && (*cancel)()) stats->cancelled = true;
    return stats->cancelled;
  };
  JsonEvaluator evaluator(rules);
  lint::Sink sink;
  auto all = lint::all_rules();
  std::vector<std::unique_ptr<lint::TableAnalysis>> tables(rules.rules.tables.size());
  std::size_t run_left = lint::Budget::kRun;  // the steps left to the tables not analysed yet
  for (std::size_t t = 0; t < tables.size(); ++t) {
    if (stop()) return std::move(sink.items());
    const CheckedTable& ct = rules.rules.tables[t];
    if (raw) {
      auto rt = std::find_if(raw->tables.begin(), raw->tables.end(),
                             [&](const RawTable& r) { return r.id.value == ct.id; });
      if (rt == raw->tables.end()) continue;
      if (const Diagnostic* e = load ? lint::table_error(*raw, *rt, *load) : nullptr) {
        sink.report(Code::AnalysisSkipped, rt->id.loc,
                    fmt::format("semantic analysis of table \"{}\" skipped: the table has a load "
                                "error ({}, line {}), and lint does not analyse a table under a "
                                "guessed hit policy or without the rules that did not load",
                                ct.id, e->code, e->line),
                    "fix the error, then run casex lint again for the findings about its rules");
        continue;
      }
      if (rt->rules.size() != ct.rules.size()) continue;
    }
    if (ct.metaphase < 0 && ct.pairs.empty()) continue;
    if (run_left == 0) {
      lint::report_not_analysed(rules, static_cast<int>(t), raw, sink);
      ++stats->incomplete_tables;
      continue;
    }
    tables[t] =
        std::make_unique<lint::TableAnalysis>(rules, static_cast<int>(t), raw, evaluator,
                                              std::min(lint::Budget::kDefault, run_left), cancel);
    lint::TableAnalysis& a = *tables[t];
    for (auto& rule : all) {
      if (a.budget.exhausted() || stop()) break;
      a.budget.stage = code_name(rule->code());
      a.budget.rule = -1;
      ++stats->checks;
      rule->check_table(a, sink);
    }
    if (a.budget.cancelled) stats->cancelled = true;
    if (stats->cancelled) return std::move(sink.items());
    if (a.budget.exhausted()) report_incomplete(a, sink);
    run_left -= std::min(run_left, a.budget.used);
    a.release();
    ++stats->tables;
    stats->rows += a.rows.size();
    stats->candidate_pairs += a.candidate_pairs;
    stats->solver_queries += a.solver.queries();
    stats->budget_steps = std::max(stats->budget_steps, a.budget.used);
    stats->incomplete_tables += a.budget.exhausted();
  }
  lint::RuleSetView view{rules, raw, tables, has_errors};
  for (auto& rule : all) {
    if (stop()) break;
    rule->check_rule_set(view, sink);
  }
  return std::move(sink.items());
}

LoadResult lint_sources(std::vector<SourceFile> files, LintStats* stats,
                        const std::function<bool()>* cancel) {
  Pipeline p = run_pipeline(std::move(files));
  std::shared_ptr<const CompiledRules> compiled = p.compiled;  // analysed also with errors
  const RawRuleSet raw = std::move(p.raw);
  const bool has_errors = p.has_errors;
  LoadResult result = load_result(std::move(p));
  bool vocabulary_ok =
      std::none_of(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& d) {
        return d.code == code_name(Code::MissingSection) ||
               d.code == code_name(Code::PhaseWithoutMetaphase);
      });
  if (cancel && (*cancel)()) {
    if (stats) stats->cancelled = true;
    vocabulary_ok = false;  // nothing analysed
  }
  if (vocabulary_ok) {
    auto found = lint_rules(*compiled, &raw, stats, has_errors, &result.diagnostics, cancel);
    result.diagnostics.insert(result.diagnostics.end(), found.begin(), found.end());
  }
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
                   });
  return result;
}

}  // namespace casex::detail

namespace casex {

LoadResult lint_texts(std::vector<SourceFile> files) {
  return detail::lint_sources(std::move(files));
}

LintRun lint_texts_cancellable(std::vector<SourceFile> files,
                               const std::function<bool()>& cancelled) {
  LintRun run;
  detail::LintStats stats;
  const std::function<bool()>* cancel = cancelled ? &cancelled : nullptr;
  run.result = detail::lint_sources(std::move(files), &stats, cancel);
  run.cancelled = stats.cancelled;
  run.checks = stats.checks;
  return run;
}

}  // namespace casex
