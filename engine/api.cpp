// engine/api.cpp: the public C++ API: load -> check -> compile, and
// evaluation entry points over the compiled rule set.
#include <fmt/format.h>

#include <boost/json.hpp>

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
#include "engine/json/input_check.h"
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

namespace {

// Evaluates a document on the calling thread's evaluator for `impl`; on a
// failure `rules_error` tells a run-time error of the rules from bad input.
bool eval_document(const std::shared_ptr<const detail::CompiledRules>& impl,
                   std::string_view document, std::string& output, std::string& error,
                   bool* rules_error = nullptr, bool lenient = false) {
  if (rules_error) *rules_error = false;
  if (document.size() > kMaxDocumentBytes) {
    error = fmt::format("the document is {} bytes; the limit is {} bytes", document.size(),
                        kMaxDocumentBytes);
    return false;
  }
  // One evaluator per thread, kept for the thread's life; what it keeps
  // between documents is bounded by the largest one (engine/json/json_io.h).
  thread_local std::unique_ptr<detail::JsonEvaluator> evaluator;
  thread_local std::shared_ptr<const detail::CompiledRules> evaluator_rules;  // keeps them alive
  if (!evaluator || evaluator_rules != impl) {
    evaluator.reset();
    evaluator_rules.reset();
    try {
      evaluator = std::make_unique<detail::JsonEvaluator>(*impl);
    } catch (const std::bad_alloc&) {
      error = "out of memory while evaluating the document";
      return false;
    }
    evaluator_rules = impl;
  }
  evaluator->set_lenient(lenient);
  // Answers every failure as the document's error.
  if (evaluator->eval(document, output, error)) return true;
  // evaluate_change clears the outcome's error first: the same message means
  // the rules failed on a change that was read without error.
  if (rules_error) *rules_error = !error.empty() && evaluator->outcome().error == error;
  return false;
}

// A JSON number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

bool RuleSet::eval_json(std::string_view document, std::string& output, std::string& error) const {
  return eval_document(impl_, document, output, error);
}

bool RuleSet::eval_json(std::string_view document, std::string& output, std::string& error,
                        const InputOptions& options) const {
  return eval_document(impl_, document, output, error, nullptr, options.lenient_input);
}

namespace detail {

// The checks of a typed Change that its document cannot express: a field or
// a flag the vocabulary does not have is an error (a typed Change has no
// keys to keep for the host), worded as the JSON path words its near misses.
void check_typed_change(const Change& c, const Vocabulary& v) {
  FieldNearMiss near(v);
  std::vector<std::string> names;
  for (const auto& kv : v.field_ids) names.push_back(kv.first);
  std::sort(names.begin(), names.end());
  auto fields = [&](const char* side, const std::vector<Field>& list) {
    for (const auto& f : list) {
      if (v.find_field(f.first) >= 0) continue;
      const std::string* meant = near.find(f.first);
      throw std::invalid_argument(
          unknown_field_error(side, f.first, meant ? *meant : closest(f.first, names)));
    }
  };
  fields("before", c.before);
  fields("after", c.after);
  const std::vector<std::string> change_keys = known_top_keys(v, false);
  const std::vector<std::string> incoming_keys = known_top_keys(v, true);
  for (const auto& flag : c.flags) {
    const std::string& name = flag.first;
    if (Vocabulary::index_of(v.events, name) >= 0) continue;
    if (const std::string* meant = near_miss_key(name, change_keys, incoming_keys))
      throw std::invalid_argument(near_miss_key_error(name, *meant));
    std::string hint = did_you_mean(name, v.events);
    throw std::invalid_argument(fmt::format("{}: not an event of the vocabulary{}{}", name,
                                            hint.empty() ? "" : "; ", hint));
  }
}

std::string change_document(const Change& c, const Vocabulary& v) {
  check_typed_change(c, v);
  std::string out = "{";
  auto str = [&](std::string_view s) { append_json_string(out, s); };
  auto key = [&](std::string_view k) {
    if (out.size() > 1) out += ',';
    str(k);
    out += ':';
  };
  if (const std::optional<std::string>& id = c.record) {
    key(v.record);
    str(*id);
  }
  // Every field as given, in order (a duplicate stays a duplicate): a number
  // or boolean field's text as a JSON number or boolean when it is one, else
  // as a string, which the reader then refuses with its message.
  auto snapshot = [&](const char* side, const std::vector<Field>& fields) {
    key(side);
    out += '{';
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& [name, value] = fields[i];
      if (i) out += ',';
      str(name);
      out += ':';
      int slot = v.find_field(name);
      Type type = slot >= 0 ? v.fields[slot].type : Type::Text;
      if (!value || value->empty())
        out += "null";
      else if ((type == Type::Number && is_json_number(*value)) ||
               (type == Type::Bool && (*value == "true" || *value == "false")))
        out += *value;
      else
        str(*value);
    }
    out += '}';
  };
  snapshot("before", c.before);
  snapshot("after", c.after);
  for (const auto& [name, on] : c.flags) {
    key(name);
    out += on ? "true" : "false";
  }
  if (c.external_reference) {
    key("external_reference");
    out += "{\"system\":";
    str(c.external_reference->system);
    out += ",\"id\":";
    str(c.external_reference->id);
    out += '}';
  }
  if (!c.groups.empty()) {
    key("groups");
    out += '{';
    for (std::size_t i = 0; i < c.groups.size(); ++i) {
      if (i) out += ',';
      str(c.groups[i].first);
      out += ':';
      str(c.groups[i].second);
    }
    out += '}';
  }
  if (c.origin) {
    key("origin");
    str(*c.origin);
  }
  out += '}';
  return out;
}

Decision evaluate_typed(const RuleSet& rules, const Change& change, std::string& document,
                        std::string& output) {
  const auto& impl = rules.impl_;
  document = change_document(change, impl->rules.vocabulary);
  std::string error;
  bool rules_error = false;
  if (!eval_document(impl, document, output, error, &rules_error)) {
    if (rules_error) throw std::runtime_error(error);
    throw std::invalid_argument(error);
  }
  return read_outcome(output).decision;
}

}  // namespace detail

Decision RuleSet::evaluate(const Change& change) const {
  std::string document, output;
  return detail::evaluate_typed(*this, change, document, output);
}

Outcome RuleSet::eval(std::string_view document) const {
  std::string output, error;
  if (!eval_json(document, output, error)) {
    Outcome o;
    o.error = std::move(error);
    return o;
  }
  return read_outcome(output);
}

Outcome read_outcome(std::string_view result_document) {
  namespace bj = boost::json;
  Outcome o;
  bj::error_code ec;
  bj::value doc = bj::parse(result_document, ec);
  const bj::object* top = !ec ? doc.if_object() : nullptr;
  if (!top) {
    o.error = "not a result document";
    return o;
  }
  auto text = [](const bj::value* v) -> std::string {
    if (!v || v->is_null()) return {};
    if (const bj::string* s = v->if_string()) return std::string(*s);
    return bj::serialize(*v);  // a number or a boolean, as JSON writes it
  };
  if (const bj::value* ops = top->if_contains("operations")) {
    o.kind = Outcome::Kind::Change;
    // the record's id is the first key (its name is the vocabulary's record:)
    if (const bj::value& id = top->begin()->value(); id.is_string()) o.record = text(&id);
    o.decision.phase = text(top->if_contains("phase"));
    auto list = [&](const bj::value* from, std::vector<Operation>& to) {
      if (!from || !from->is_array()) return;
      for (const bj::value& v : from->get_array())
        if (const bj::object* op = v.if_object())
          to.push_back({text(op->if_contains("operation")), text(op->if_contains("system")),
                        text(op->if_contains("phase")), text(op->if_contains("rule"))});
    };
    list(ops, o.decision.operations);
    list(top->if_contains("suppressed"), o.decision.suppressed);
    return o;
  }
  if (!top->contains("rule")) {
    o.error = "not a result document";
    return o;
  }
  o.kind = Outcome::Kind::Incoming;
  if (const bj::value* inc = &top->begin()->value(); inc->is_object())
    for (const auto& [name, value] : inc->get_object())
      o.incoming.fields.emplace_back(
          std::string(name),
          value.is_null() ? std::nullopt : std::optional<std::string>(text(&value)));
  if (const bj::value* cs = top->if_contains("comments"); cs && cs->is_array())
    for (const bj::value& c : cs->get_array()) o.incoming.comments.push_back(text(&c));
  if (const bj::value* ref = top->if_contains("external_reference"); ref && ref->is_object())
    o.incoming.external_reference = ExternalReference{text(ref->get_object().if_contains("system")),
                                                      text(ref->get_object().if_contains("id"))};
  o.incoming.rule = text(top->if_contains("rule"));
  return o;
}

namespace detail {
const CompiledRules& compiled(const RuleSet& rules) { return *rules.impl_; }
}  // namespace detail

}  // namespace casex
