// bench/size_estimate.cpp: the walk behind estimate_size(). libstdc++ layouts:
// a std::string keeps up to 15 characters inline; an unordered_map node holds
// a next pointer, the value and the cached hash; buckets are one pointer each.
#include "bench/size_estimate.h"

#include <optional>
#include <unordered_map>

namespace casex_bench {

namespace {

using namespace casex::detail;

std::size_t heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

template <class T>
std::size_t vec_bytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

std::size_t heap(const std::vector<std::string>& v) {
  std::size_t n = vec_bytes(v);
  for (const auto& s : v) n += heap(s);
  return n;
}

template <class V>
std::size_t heap(const std::unordered_map<std::string, V>& m) {
  std::size_t n = m.bucket_count() * sizeof(void*);
  for (const auto& kv : m) n += sizeof(void*) + sizeof(kv) + sizeof(std::size_t) + heap(kv.first);
  return n;
}

std::size_t heap(const std::unordered_map<std::string, std::string>& m) {
  std::size_t n = m.bucket_count() * sizeof(void*);
  for (const auto& kv : m)
    n += sizeof(void*) + sizeof(kv) + sizeof(std::size_t) + heap(kv.first) + heap(kv.second);
  return n;
}

std::size_t heap(const TExpr& e) {
  std::size_t n = heap(e.text) + vec_bytes(e.args);
  for (const auto& a : e.args) n += heap(a);
  return n;
}

std::size_t heap(const std::optional<TExpr>& e) { return e ? heap(*e) : 0; }

std::size_t heap(const Template& t) {
  std::size_t n = vec_bytes(t.pieces);
  for (const auto& p : t.pieces) n += heap(p.literal) + heap(p.value);
  return n;
}

std::size_t heap(const Location& l) { return heap(l.file); }

std::size_t vocabulary(const Vocabulary& v) {
  std::size_t n = heap(v.metaphases) + heap(v.phases) + vec_bytes(v.phase_metaphase) +
                  heap(v.phase_ids) + vec_bytes(v.fields) + heap(v.field_ids) + heap(v.events) +
                  heap(v.outgoing) + heap(v.incoming);
  for (const auto& f : v.fields) n += heap(f.name) + heap(f.values) + heap(f.value_aliases);
  return n;
}

std::size_t checked_tables(const std::vector<CheckedTable>& tables) {
  std::size_t n = vec_bytes(tables);
  for (const auto& t : tables) {
    n += heap(t.id) + heap(t.loc) + vec_bytes(t.rules);
    for (const auto& r : t.rules)
      n += heap(r.id) + heap(r.description) + heap(r.scenario) + heap(r.when) + heap(r.system) +
           heap(r.loc);
  }
  return n;
}

std::size_t workflow(const CheckedRuleSet& r) {
  std::size_t n = vec_bytes(r.moves) + vec_bytes(r.targets);
  for (const auto& m : r.moves) n += heap(m.id) + heap(m.description) + heap(m.when);
  for (const auto& t : r.targets) n += vec_bytes(t.operations) + heap(t.when) + heap(t.system);
  return n;
}

std::size_t incoming(const std::vector<CheckedIncoming>& in) {
  std::size_t n = vec_bytes(in);
  for (const auto& i : in) {
    n += heap(i.id) + heap(i.description) + vec_bytes(i.operations) + vec_bytes(i.actions);
    for (const auto& a : i.actions)
      n += heap(a.value) + heap(a.when) + heap(a.system) + heap(a.id) + heap(a.system_text) +
           heap(a.id_text);
  }
  return n;
}

std::size_t heap(const DecisionTable& t) {
  std::size_t n = vec_bytes(t.atoms) + vec_bytes(t.rows) + vec_bytes(t.pool);
  for (const auto& a : t.atoms) n += heap(a);
  return n;
}

std::size_t heap(const TableCode& t) {
  std::size_t n = vec_bytes(t.code) + vec_bytes(t.eq_index) + vec_bytes(t.direct) +
                  vec_bytes(t.free_rows) + vec_bytes(t.anchored) + vec_bytes(t.sparse) +
                  vec_bytes(t.sparse_begin);
  for (const auto& c : t.code) n += heap(c.text);
  for (const auto& ix : t.eq_index) {
    n += vec_bytes(ix.atom_of);
    for (const auto& e : ix.atom_of) n += heap(e.first);
  }
  for (const auto& a : t.anchored) n += vec_bytes(a);
  return n;
}

std::size_t decision_tables(const CompiledRules& c) {
  std::size_t n = vec_bytes(c.tables) + heap(c.moves);
  for (const auto& t : c.tables) n += heap(t);
  return n;
}

std::size_t heap(const Facts::Group& g) {
  std::size_t n = vec_bytes(g.changed) + vec_bytes(g.events) + vec_bytes(g.has_field) +
                  vec_bytes(g.is_external) + vec_bytes(g.compare) + vec_bytes(g.by_phase) +
                  vec_bytes(g.changed_text) + vec_bytes(g.lookups) + vec_bytes(g.compare_text);
  for (const auto& b : g.by_phase) n += vec_bytes(b.bits);
  return n;
}

// The facts word and the per-phase specialization (Facts, Facts::Path).
std::size_t facts(const Facts& f) {
  std::size_t n =
      vec_bytes(f.atoms) + vec_bytes(f.code) + vec_bytes(f.paths) + vec_bytes(f.path_of);
  for (const auto& a : f.atoms) n += heap(a);
  for (const auto& c : f.code) n += heap(c.text);
  for (const auto& p : f.paths) {
    n += heap(p.group) + vec_bytes(p.moves) + vec_bytes(p.plans);
    for (const auto& plan : p.plans) {
      n += vec_bytes(plan.steps);
      for (const auto& st : plan.steps) n += vec_bytes(st.rows);
    }
  }
  return n;
}

// The compiled form the evaluator runs: the facts word per pair of phases, or the wide form.
std::size_t fast(const CompiledRules& c) {
  if (const Facts* f = std::get_if<Facts>(&c.fast)) return facts(*f);
  std::size_t n = 0;
  if (const WideForm* w = std::get_if<WideForm>(&c.fast)) {
    n += vec_bytes(w->tables) + heap(w->moves);
    for (const auto& t : w->tables) n += heap(t);
  }
  return n;
}

std::size_t lookups(const CompiledRules& c) {
  std::size_t n = vec_bytes(c.metaphase_table) + vec_bytes(c.transition_table) +
                  vec_bytes(c.incoming_rule) + vec_bytes(c.op_targets) + vec_bytes(c.target_run) +
                  vec_bytes(c.target_begin) + heap(c.version);
  for (const auto& t : c.op_targets) n += vec_bytes(t);
  return n;
}

std::size_t sources(const std::vector<casex::SourceFile>& s) {
  std::size_t n = vec_bytes(s);
  for (const auto& f : s) n += heap(f.name) + heap(f.text);
  return n;
}

}  // namespace

std::vector<SizePart> estimate_size(const CompiledRules& c) {
  std::vector<SizePart> parts = {
      {"vocabulary", vocabulary(c.rules.vocabulary)},
      {"checked tables (ids, descriptions, scenarios, typed expressions)",
       checked_tables(c.rules.tables)},
      {"workflow and targets", workflow(c.rules)},
      {"incoming actions", incoming(c.rules.incoming)},
      {"decision tables and moves, reference form (atoms, rows, masks)", decision_tables(c)},
      {"compiled form (facts word per pair of phases, or the wide form)", fast(c)},
      {"lookups", lookups(c)},
      {"rule file texts (kept for diagnostics)", sources(c.sources)},
  };
  std::size_t total = sizeof(CompiledRules);
  for (const auto& p : parts) total += p.bytes;
  parts.insert(parts.begin(), {"total", total});
  return parts;
}

}  // namespace casex_bench
