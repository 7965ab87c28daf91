// engine/api.cpp: the public C++ API: load -> check -> compile, and
// evaluation entry points over the compiled rule set.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <stdexcept>

#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/builtin_rules.h"
#include "engine/check/check.h"
#include "engine/compile/compile.h"
#include "engine/json/json_io.h"
#include "engine/load/load.h"
#include "engine/pipeline.h"

namespace casex {

namespace {}  // namespace

LoadResult RuleSet::load_texts(std::vector<SourceFile> files) {
  return detail::load_result(detail::run_pipeline(std::move(files)));
}

LoadResult RuleSet::load_directory(const std::string& dir) {
  // The one reader of rule directories (casex lint reads through it too): a
  // file it cannot read is a diagnostic and no rule set, never a file skipped.
  std::vector<Diagnostic> problems;
  std::vector<SourceFile> files = detail::read_rule_directory(dir, problems);
  if (!problems.empty()) {
    LoadResult r;
    r.diagnostics = std::move(problems);
    r.sources = std::move(files);
    return r;
  }
  return load_texts(std::move(files));
}

std::vector<SourceFile> RuleSet::builtin_sources() {
  std::vector<SourceFile> files;
  for (std::size_t i = 0; i < detail::kBuiltinRuleCount; ++i)
    files.push_back({detail::kBuiltinRules[i].name,
                     std::string(detail::kBuiltinRules[i].text, detail::kBuiltinRules[i].size)});
  return files;
}

LoadResult RuleSet::load_builtin() { return load_texts(builtin_sources()); }

const std::string& RuleSet::version() const { return impl_->version; }

JsonResult RuleSet::eval_json(std::string_view document) const {
  JsonResult r;
  r.ok = eval_json(document, r.output, r.error);
  return r;
}

bool RuleSet::eval_json(std::string_view document, std::string& output, std::string& error) const {
  if (document.size() > kMaxDocumentBytes) {
    error = fmt::format("the document is {} bytes; the limit is {} bytes", document.size(),
                        kMaxDocumentBytes);
    return false;
  }
  // One evaluator per thread, kept for the thread's life; what it keeps
  // between documents is bounded by the largest one (engine/json/json_io.h).
  thread_local std::unique_ptr<detail::JsonEvaluator> evaluator;
  thread_local std::shared_ptr<const detail::CompiledRules> evaluator_rules;  // keeps them alive
  if (!evaluator || evaluator_rules != impl_) {
    evaluator.reset();
    evaluator_rules.reset();
    try {
      evaluator = std::make_unique<detail::JsonEvaluator>(*impl_);
    } catch (const std::bad_alloc&) {
      error = "out of memory while evaluating the document";
      return false;
    }
    evaluator_rules = impl_;
  }
  return evaluator->eval(document, output, error);  // answers every failure as the document's error
}

Decision RuleSet::evaluate(const Change& change) const {
  const auto& v = impl_->rules.vocabulary;
  detail::ChangeInput in;
  in.reset(v);
  auto snapshot = [&](const std::vector<Field>& fields, std::vector<detail::Value>& out,
                      const char* side) {
    for (const auto& [name, value] : fields) {
      int slot = v.find_field(name);
      if (slot < 0 || !value || value->empty()) continue;
      detail::Value& val = out[slot];
      const auto& field = v.fields[slot];
      if (slot == v.phase_field) {
        val.kind = detail::ConstKind::Sym;
        val.sym = v.find_phase(*value);
        if (val.sym < 0)
          throw std::invalid_argument(
              fmt::format("{}.{}: unknown phase \"{}\"", side, name, *value));
      } else if (field.type == detail::Type::Number) {
        char* end = nullptr;
        val.kind = detail::ConstKind::Number;
        val.number = std::strtod(value->c_str(), &end);
        if (end != value->c_str() + value->size())
          throw std::invalid_argument(
              fmt::format("{}.{}: expected a number, found \"{}\"", side, name, *value));
        if (!std::isfinite(val.number))
          throw std::invalid_argument(
              fmt::format("{}.{}: the number is out of range (beyond about 1.8e308)", side, name));
        long long integer = 0;
        const char* digits = value->c_str() + (value->front() == '+');
        if (value->find_first_of(".eE") == std::string::npos &&
            (std::from_chars(digits, value->c_str() + value->size(), integer).ec != std::errc() ||
             integer > detail::kMaxExactInteger || integer < -detail::kMaxExactInteger))
          throw std::invalid_argument(fmt::format(
              "{}.{}: {} is beyond the numbers held exactly (-2^53 to 2^53)", side, name, *value));
      } else if (field.type == detail::Type::Bool) {
        if (*value != "true" && *value != "false")
          throw std::invalid_argument(
              fmt::format("{}.{}: expected true or false, found \"{}\"", side, name, *value));
        val.kind = detail::ConstKind::Bool;
        val.boolean = *value == "true";
      } else {
        val.kind = detail::ConstKind::Text;
        val.text = *value;
        const auto& al = v.fields[slot].value_aliases;
        if (auto it = al.find(*value); it != al.end()) val.text = it->second;
        if (const std::string* meant = detail::near_miss_value(field, val.text))
          throw std::invalid_argument(
              fmt::format("{}.{}: \"{}\" is not a value of {}; did you mean \"{}\"? (values are "
                          "case-sensitive)",
                          side, name, val.text, name, *meant));
      }
    }
    if (out[v.phase_field].kind == detail::ConstKind::None)
      throw std::invalid_argument(fmt::format("{}.phase: missing", side));
  };
  snapshot(change.before, in.before, "before");
  snapshot(change.after, in.after, "after");
  for (const auto& [name, on] : change.flags) {
    int e = detail::Vocabulary::index_of(v.events, name);
    if (e < 0) throw std::invalid_argument(fmt::format("{}: not an event of the vocabulary", name));
    in.events.set(static_cast<std::size_t>(e), on);
  }
  if (change.incident) {
    in.has_incident = true;
    in.incident = *change.incident;
  }
  if (change.external_reference) {
    in.has_ref = true;
    in.ref_system = change.external_reference->system;
    in.ref_id = change.external_reference->id;
  }
  for (const auto& g : change.groups) in.groups.emplace_back(g.first, g.second);
  if (change.origin) in.origin = *change.origin;
  detail::Outcome out;
  detail::Scratch scratch;
  if (!detail::evaluate_change(*impl_, in, out, scratch)) throw std::runtime_error(out.error);
  Decision d;
  d.phase = v.phases[out.phase];
  auto convert = [&](const std::vector<detail::OutOp>& ops, std::vector<Operation>& to) {
    for (const auto& o : ops)
      to.push_back({v.outgoing[o.op], std::string(o.system), v.phases[o.phase],
                    impl_->rules.tables[o.table].rules[o.rule].id});
  };
  convert(out.ops, d.operations);
  convert(out.suppressed, d.suppressed);
  return d;
}

namespace detail {
const CompiledRules& compiled(const RuleSet& rules) { return *rules.impl_; }
}  // namespace detail

}  // namespace casex
