// engine/outline.cpp: casex::outline_rules and casex::expression_functions
// (casex/tooling.hpp): the rule set as the loader read it (the pipeline's
// RawRuleSet), every name with its position, for `casex lsp`.
#include <utility>

#include "casex/tooling.hpp"
#include "engine/check/checked.h"
#include "engine/pipeline.h"

namespace casex {

namespace {

OutlineText text(const detail::Text& t) { return {t.value, t.loc.file, t.loc.line, t.loc.column}; }
OutlineText text(const detail::SourceText& t) {
  return {t.text, t.loc.file, t.loc.line, t.loc.column};
}
// One side of a transition scope as written: a phase, [A, B] or metaphase M.
OutlineText text(const detail::RawPhaseSet& s) {
  if (s.metaphase) return {"metaphase " + s.metaphase->value, s.loc.file, s.loc.line, s.loc.column};
  if (s.single && !s.phases.empty()) return text(s.phases[0]);
  std::string v = "[";
  for (std::size_t i = 0; i < s.phases.size(); ++i) v += (i ? ", " : "") + s.phases[i].value;
  return {v + "]", s.loc.file, s.loc.line, s.loc.column};
}
std::vector<OutlineText> texts(const std::vector<detail::Text>& ts) {
  std::vector<OutlineText> out;
  for (const auto& t : ts) out.push_back(text(t));
  return out;
}

}  // namespace

RuleOutline outline_rules(std::vector<SourceFile> files) {
  detail::RawRuleSet raw = detail::run_pipeline(std::move(files)).raw;
  RuleOutline o;
  const auto& v = raw.vocabulary;
  if (v.present) o.vocabulary = {"vocabulary", v.loc.file, v.loc.line, v.loc.column};
  o.metaphases = texts(v.metaphases);
  o.record = v.record ? text(*v.record) : OutlineText{detail::Vocabulary{}.record, {}, 0, 0};
  for (const auto& p : v.phases)
    o.phases.push_back(
        {text(p.name), p.metaphase ? text(*p.metaphase) : OutlineText{}, texts(p.aliases)});
  for (const auto& f : v.fields)
    o.fields.push_back({text(f.name), text(f.type), texts(f.values), texts(f.aliases)});
  o.events = texts(v.events);
  o.outgoing = texts(v.outgoing);
  o.incoming_operations = texts(v.incoming);
  const auto& w = raw.workflow;
  if (w.present) o.workflow = {"workflow", w.loc.file, w.loc.line, w.loc.column};
  for (const auto& m : w.moves)
    o.moves.push_back({text(m.id), text(m.description), text(m.when), text(m.to)});
  for (const auto& t : w.targets)
    o.targets.push_back(
        {t.loc.file, t.loc.line, t.loc.column, texts(t.operations), text(t.system)});
  for (const auto& t : raw.tables) {
    RuleOutline::Table table{text(t.id),
                             t.metaphase ? text(*t.metaphase) : OutlineText{},
                             t.transition ? text(t.transition->first) : OutlineText{},
                             t.transition ? text(t.transition->second) : OutlineText{},
                             text(t.hit_policy),
                             t.loc.line,
                             {}};
    for (const auto& r : t.rules)
      table.rules.push_back(
          {text(r.id), text(r.description), text(r.when), text(r.then), r.loc.line, r.priority});
    o.tables.push_back(std::move(table));
  }
  for (const auto& i : raw.incoming)
    o.incoming.push_back(
        {text(i.id), text(i.description), i.loc.line, texts(i.operations), i.actions.size()});
  return o;
}

std::vector<ExpressionFunction> expression_functions() {
  auto type = [](detail::Type t) {
    switch (t) {
      case detail::Type::Bool: return "boolean";
      case detail::Type::Text: return "text";
      case detail::Type::Number: return "number";
      case detail::Type::Phase: return "phase";
      case detail::Type::Metaphase: return "metaphase";
      case detail::Type::Null: return "null";
      case detail::Type::Record: return "record";
    }
    return "";
  };
  using detail::Type;
  return {
#define CASEX_FUNCTION(op, name, args, result, where) \
  {name, args, type(Type::result), std::string_view(#where) == "Outgoing"},
#include "engine/check/functions.def"
#undef CASEX_FUNCTION
  };
}

}  // namespace casex
