// engine/lint/rule_redundant_condition.cpp: redundant-condition: a condition of
// a rule that never affects which rule fires: either the rest of the scenario
// implies it, or wherever it is false (and the rest holds) the same decision is
// taken anyway. The witness of the second kind is such a change.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class RedundantCondition : public Rule {
 public:
  Code code() const override { return Code::RedundantCondition; }

  void check_table(TableAnalysis& a, Sink& sink) override {
    for (uint32_t r = 0; r < a.checked.rules.size() && !a.budget.exhausted(); ++r) {
      a.budget.rule = static_cast<int>(r);
      if (a.dead[r] || a.rule_sat(r) != Sat::Yes) continue;
      // the conditions of the rule, each with the one truth it is asked to have
      std::map<uint32_t, int> polarity;  // atom -> 0 false, 1 true, 2 both
      for (uint32_t row : a.rule_rows[r])
        for (const Lit& l : a.rows[row]) {
          auto [it, fresh] = polarity.emplace(l.atom, l.value ? 1 : 0);
          if (!fresh && it->second != (l.value ? 1 : 0)) it->second = 2;
        }
      for (auto [atom, pol] : polarity) {
        if (pol == 2 || !a.theory.atoms()[atom].exact) continue;
        check_condition(a, r, Lit{atom, pol == 1}, sink);
      }
    }
  }

 private:
  // Whether no row of rule `r` other than `row`, and no row of a live rule that
  // wins over `r`, matches model `m`.
  static bool escapes(const TableAnalysis& a, uint32_t r, uint32_t row, const Model& m) {
    const bool in_order =
        a.checked.policy == HitPolicy::First;  // rows in rule order: later rules never win
    for (uint32_t k = 0; k < a.rows.size(); ++k) {
      const uint32_t kr = a.compiled.rows[k].rule;
      if (in_order && kr > r) break;
      if (k == row || a.row_sat[k] == Sat::No || !(kr == r || (a.beats(kr, r) && !a.dead[kr])))
        continue;
      bool match = true;
      for (const Lit& l : a.rows[k])
        if (!a.theory.holds(m, l)) {
          match = false;
          break;
        }
      if (match) return false;
    }
    return true;
  }

  static void check_condition(TableAnalysis& a, uint32_t r, Lit cond, Sink& sink) {
    bool implied_everywhere = true;
    Conj proof;
    uint32_t witness_row = UINT32_MAX;
    Model witness_model;
    for (uint32_t row : a.rule_rows[r]) {
      if (a.row_sat[row] == Sat::No) continue;
      const Conj& rr = a.rows[row];
      if (!std::binary_search(rr.begin(), rr.end(), cond)) continue;
      Conj units;
      for (const Lit& l : rr)
        if (!(l == cond)) units.push_back(l);
      add_literal(units, {cond.atom, !cond.value});
      Model m;
      Sat alone = a.solver.conj(units, &m);
      if (alone == Sat::Unknown) return;
      if (alone == Sat::No) {
        if (proof.empty()) proof = a.solver.core(units);
        continue;
      }
      implied_everywhere = false;
      // the changes where it is false: do this rule's other alternatives, or the
      // rules that win over it, decide all of them? Not if the change just found
      // escapes them all (the usual answer, found without the solver).
      if (!a.budget.spend(1 + a.rows.size() / 64))
        return;  // the scans of every row below: a step per 64 rows
      if (escapes(a, r, row, m)) return;
      auto clauses_rows = a.rows_meeting(units, [&](uint32_t k) {
        uint32_t kr = a.compiled.rows[k].rule;
        return k != row && (kr == r || (a.beats(kr, r) && !a.dead[kr]));
      });
      std::vector<Clause> clauses;
      for (uint32_t k : clauses_rows) {
        Clause c;
        for (const Lit& l : a.rows[k]) c.push_back({l.atom, !l.value});
        clauses.push_back(std::move(c));
      }
      if (clauses.empty() || a.solver.solve(units, clauses, nullptr) != Sat::No) return;
      if (witness_row == UINT32_MAX) {
        witness_row = row;
        witness_model = m;
      }
    }
    const std::string& id = a.checked.rules[r].id;
    std::string what = a.text(r, cond);
    if (implied_everywhere) {
      std::vector<std::string> by;
      for (const Lit& l : proof)
        if (l.atom != cond.atom) by.push_back(a.text(r, l));
      sink.report(
          Code::RedundantCondition, a.where(r, cond.atom),
          fmt::format(
              "condition `{}` of rule \"{}\" never affects which rule fires: {} impl{} it", what,
              id, by.empty() ? "the table's scope" : fmt::format("`{}`", fmt::join(by, "` and `")),
              by.size() > 1 || by.empty() ? "y" : "ies"),
          "remove it: every decision stays the same");
      return;
    }
    // witness: the condition false, the rest of the alternative true
    const Conj& rr = a.rows[witness_row];
    auto check = [&](const EvalTrace::Step& step, const EvalTrace&, bool, const std::string&) {
      for (const Lit& l : rr) {
        bool bit = (step.bits[l.atom / 64] >> (l.atom % 64)) & 1;
        if (bit != (l == cond ? !l.value : l.value)) return false;
      }
      return true;
    };
    std::string doc = a.witness(witness_model, check);
    sink.report(Code::RedundantCondition, a.where(r, cond.atom),
                fmt::format("condition `{}` of rule \"{}\" never affects which rule fires: "
                            "wherever it is false and "
                            "the rest of the scenario holds, the decision is the same",
                            what, id),
                "remove it: every decision stays the same", doc);
  }
};

}  // namespace

std::unique_ptr<Rule> redundant_condition_rule() { return std::make_unique<RedundantCondition>(); }

}  // namespace casex::detail::lint
