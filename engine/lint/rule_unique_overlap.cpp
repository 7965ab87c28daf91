// engine/lint/rule_unique_overlap.cpp: unique-overlap: under hit policy unique,
// two rules that can match one change (an error at run time). The witness is
// such a change: `casex eval` on it fails naming both rules.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class UniqueOverlap : public Rule {
 public:
  Code code() const override { return Code::UniqueOverlap; }

  void check_table(TableAnalysis& a, Sink& sink) override {
    if (a.checked.policy != HitPolicy::Unique) return;
    std::set<std::pair<uint32_t, uint32_t>> reported;
    std::set<uint32_t> copied;  // first rows whose copies are reported (once, with the first copy)
    for (uint32_t i = 0; i < a.rows.size() && !a.budget.exhausted(); ++i)
      for (uint32_t j : a.overlaps[i]) {
        uint32_t ri = a.compiled.rows[i].rule, rj = a.compiled.rows[j].rule;
        if (j <= i || ri == rj || reported.count({ri, rj})) continue;
        bool copy = a.first_copy[j] == i;
        if (copy && !copied.insert(i).second) continue;  // one try per group of copies
        a.budget.rule = static_cast<int>(rj);
        std::string doc = witness(a, i, j);
        if (a.budget.exhausted()) return;
        if (doc.empty()) continue;
        reported.insert({ri, rj});
        // the other rules with the same scenario: one finding for all of them
        std::vector<std::string> others;
        if (copy) {
          for (uint32_t k : a.overlaps[i]) {
            uint32_t rk = a.compiled.rows[k].rule;
            if (k != j && a.first_copy[k] == i && rk != ri && rk != rj)
              others.push_back(a.checked.rules[rk].id);
          }
          others.erase(std::unique(others.begin(), others.end()), others.end());
        }
        std::string also;
        if (!others.empty()) {
          std::string named;
          for (std::size_t k = 0; k < others.size() && k < 3; ++k)
            named += (k ? ", \"" : "\"") + others[k] + "\"";
          also =
              fmt::format(" (so do {} more rule{} with the same scenario: {}{})", others.size(),
                          others.size() == 1 ? "" : "s", named, others.size() > 3 ? ", ..." : "");
        }
        const auto& x = a.checked.rules[ri];
        const auto& y = a.checked.rules[rj];
        Diagnostic& d = sink.report(
            code(), a.rule_location(rj),
            fmt::format("rules \"{}\" and \"{}\" both match some changes, but table \"{}\" has hit "
                        "policy unique{}",
                        x.id, y.id, a.checked.id, also),
            fmt::format(
                "make the scenarios exclusive (e.g. add `not (...)` of one to the other), or use "
                "hit_policy: first to let \"{}\" win",
                x.id),
            doc);
        d.related.push_back(related_place("rule", x.id, a.id_location(ri)));
      }
  }

 private:
  static std::string witness(TableAnalysis& a, uint32_t i, uint32_t j) {
    uint32_t ri = a.compiled.rows[i].rule, rj = a.compiled.rows[j].rule;
    const std::string& x = a.checked.rules[ri].id;
    const std::string& y = a.checked.rules[rj].id;
    Conj units = a.rows[i];
    for (const Lit& l : a.rows[j])
      if (!add_literal(units, l)) return {};
    auto check = [&](const EvalTrace::Step& step, const EvalTrace&, bool ok,
                     const std::string& result) {
      return a.row_matches(step, i) && a.row_matches(step, j) && !ok &&
             result.find("\"" + x + "\"") != std::string::npos &&
             result.find("\"" + y + "\"") != std::string::npos;
    };
    // first as small as possible; then with every other rule kept from matching,
    // so that the run-time error names these two
    for (int exclusive = 0; exclusive < 2; ++exclusive) {
      std::vector<Clause> clauses;
      if (exclusive)
        for (uint32_t k : a.overlaps[i]) {
          uint32_t rk = a.compiled.rows[k].rule;
          if (rk == ri || rk == rj) continue;
          Clause c;
          for (const Lit& l : a.rows[k]) c.push_back({l.atom, !l.value});
          clauses.push_back(std::move(c));
        }
      Model m;
      if (a.solver.solve(units, clauses, &m) != Sat::Yes) continue;
      std::string doc = a.witness(m, check);
      if (!doc.empty()) return doc;
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Rule> unique_overlap_rule() { return std::make_unique<UniqueOverlap>(); }

}  // namespace casex::detail::lint
