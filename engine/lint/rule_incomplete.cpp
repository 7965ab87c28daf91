// engine/lint/rule_incomplete.cpp: incomplete-table: a table marked
// `complete: true` with changes that no rule matches. The witness is one.
#include <fmt/format.h>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class Incomplete : public Rule {
 public:
  Code code() const override { return Code::IncompleteTable; }

  void check_table(TableAnalysis& a, Sink& sink) override {
    if (!a.checked.complete) return;
    std::vector<Clause> clauses;
    for (uint32_t r = 0; r < a.rows.size(); ++r) {
      if (a.row_sat[r] == Sat::No) continue;
      Clause c;
      for (const Lit& l : a.rows[r]) c.push_back({l.atom, !l.value});
      clauses.push_back(std::move(c));
    }
    Model m;
    if (a.solver.solve({}, clauses, &m) != Sat::Yes) return;
    auto none_matches = [&](const EvalTrace::Step& step, const EvalTrace&, bool,
                            const std::string&) {
      for (uint32_t r = 0; r < a.rows.size(); ++r)
        if (a.row_matches(step, r)) return false;
      return true;
    };
    std::string doc = a.witness(m, none_matches);
    if (doc.empty()) return;
    // the gap, in the table's own conditions
    std::vector<std::string> parts;
    std::vector<char> live(a.compiled.atoms.size(), 0);
    for (uint32_t r = 0; r < a.rows.size(); ++r)
      if (a.row_sat[r] != Sat::No)
        for (const Lit& l : a.rows[r]) live[l.atom] = 1;
    for (uint32_t atom = 0; atom < a.compiled.atoms.size() && parts.size() < 6; ++atom) {
      if (!live[atom]) continue;
      std::string t = a.text_any({atom, a.theory.holds(m, {atom, true})});
      if (!t.empty()) parts.push_back(t);
    }
    sink.report(
        code(), a.table_location(),
        fmt::format(
            "table \"{}\" is marked complete, but no rule matches some changes, e.g. when {}",
            a.checked.id, fmt::join(parts, ", ")),
        "add a rule for these changes, or drop `complete: true`", doc);
  }
};

}  // namespace

std::unique_ptr<Rule> incomplete_table_rule() { return std::make_unique<Incomplete>(); }

}  // namespace casex::detail::lint
