// engine/lint/rule_shadowed.cpp: shadowed-rule: under hit policy first or
// priority, a rule that can match but never fires, because rules that win over
// it match every change it matches. Names those rules; the witness is a change
// the rule matches where one of them fires instead.
#include <fmt/format.h>

#include <algorithm>

#include "engine/lint/rules.h"

namespace casex::detail::lint {

namespace {

class Shadowed : public Rule {
 public:
  Code code() const override { return Code::ShadowedRule; }

  void check_table(TableAnalysis& a, Sink& sink) override {
    if (a.checked.policy != HitPolicy::First && a.checked.policy != HitPolicy::Priority) return;
    for (uint32_t r = 0; r < a.checked.rules.size() && !a.budget.exhausted(); ++r) {
      a.budget.rule = static_cast<int>(r);
      if (a.dead[r] || a.rule_sat(r) != Sat::Yes) continue;
      std::vector<uint32_t> winners = fewest(a, r, false);
      if (winners.empty()) continue;
      std::string doc = witness(a, r, winners, false);
      // a row listed with the row whose range holds it (or a copy): when that
      // rule does not fire on its changes, the rows that meet that row name those that do
      bool grouped = false;
      for (uint32_t row : a.rule_rows[r]) grouped = grouped || a.first_copy[row] != row;
      if (doc.empty() && grouped && !a.budget.exhausted()) {
        std::vector<uint32_t> wide = fewest(a, r, true);
        std::string d2 = wide.empty() ? std::string() : witness(a, r, wide, true);
        if (!d2.empty()) {
          winners = std::move(wide);
          doc = std::move(d2);
        }
      }
      a.dead[r] = 1;
      std::vector<std::string> ids;
      for (uint32_t w : winners) ids.push_back(a.checked.rules[w].id);
      std::string by = a.checked.policy == HitPolicy::First ? "earlier " : "higher-priority ";
      Diagnostic& d = sink.report(
          code(), a.rule_location(r),
          fmt::format("rule \"{}\" never fires: every change it matches is taken by {}rule{} {}",
                      a.checked.rules[r].id, by, ids.size() == 1 ? "" : "s", quoted_list(ids)),
          a.checked.policy == HitPolicy::First
              ? fmt::format("move it before {}, narrow {}, or remove it", quoted_list(ids),
                            ids.size() == 1 ? "that rule" : "those rules")
              : "raise its priority above theirs, or remove it",
          doc);
      for (uint32_t w : winners)
        d.related.push_back(related_place("rule", a.checked.rules[w].id, a.id_location(w)));
    }
  }

 private:
  // The rows that may meet `row`: its overlaps; for a copy of a row (or a row
  // inside its range, see TableAnalysis::first_copy), with `wide` or when that
  // row's rule was found never to fire, the rows that may meet that row, a
  // superset that lists the rules taking its changes.
  static const std::vector<uint32_t>& meeting(const TableAnalysis& a, uint32_t row, bool wide) {
    uint32_t f = a.first_copy[row];
    return f != row && (wide || a.dead[a.compiled.rows[f].rule]) ? a.overlaps[f] : a.overlaps[row];
  }

  // The fewest rules that beat `r` and still cover it, dropping the weakest
  // first, so that the rules named are those that fire (under priority, of two
  // rules of equal priority the earlier fires); empty when `r` is not covered.
  static std::vector<uint32_t> fewest(TableAnalysis& a, uint32_t r, bool wide) {
    std::vector<uint32_t> winners = covering_rules(a, r, {}, wide);
    if (winners.empty()) return winners;
    std::stable_sort(winners.begin(), winners.end(),
                     [&](uint32_t x, uint32_t y) { return a.beats(x, y); });
    for (std::size_t i = winners.size(); i-- > 0 && winners.size() > 1;) {
      std::vector<uint32_t> fewer = winners;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      if (!covering_rules(a, r, fewer, wide).empty()) winners = std::move(fewer);
    }
    std::sort(winners.begin(), winners.end());
    return winners;
  }

  // The rules that beat `r` and, together, match every change that `r` matches
  // (restricted to `only` when not empty); empty when `r` is not covered.
  static std::vector<uint32_t> covering_rules(TableAnalysis& a, uint32_t r,
                                              const std::vector<uint32_t>& only, bool wide) {
    std::vector<uint32_t> used;
    for (uint32_t row : a.rule_rows[r]) {
      if (a.row_sat[row] == Sat::No) continue;
      std::vector<Clause> clauses;
      std::vector<uint32_t> rules_here;
      for (uint32_t k : meeting(a, row, wide)) {
        uint32_t kr = a.compiled.rows[k].rule;
        if (k == row || !a.beats(kr, r) || a.dead[kr]) continue;
        if (!only.empty() && std::find(only.begin(), only.end(), kr) == only.end()) continue;
        Clause c;
        for (const Lit& l : a.rows[k])
          if (!std::binary_search(a.rows[row].begin(), a.rows[row].end(), l))
            c.push_back({l.atom, !l.value});
        clauses.push_back(std::move(c));
        rules_here.push_back(kr);
      }
      if (clauses.empty() || a.solver.solve(a.rows[row], clauses, nullptr) != Sat::No) return {};
      used.insert(used.end(), rules_here.begin(), rules_here.end());
    }
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    return used;
  }

  // A change that `r` matches where a winner fires (and is sent, when a target can be found).
  static std::string witness(TableAnalysis& a, uint32_t r, const std::vector<uint32_t>& winners,
                             bool wide) {
    for (int with_target = 1; with_target >= 0; --with_target)
      for (uint32_t row : a.rule_rows[r]) {
        if (a.row_sat[row] != Sat::Yes) continue;
        // the winners' rows that add the fewest conditions first: the smallest witness
        std::vector<uint32_t> candidates = meeting(a, row, wide);
        auto extra = [&](uint32_t k) {
          std::size_t n = 0;
          for (const Lit& l : a.rows[k])
            n += !std::binary_search(a.rows[row].begin(), a.rows[row].end(), l);
          return n;
        };
        std::stable_sort(candidates.begin(), candidates.end(),
                         [&](uint32_t x, uint32_t y) { return extra(x) < extra(y); });
        for (uint32_t k : candidates) {
          uint32_t w = a.compiled.rows[k].rule;
          if (std::find(winners.begin(), winners.end(), w) == winners.end()) continue;
          Conj units = a.rows[row];
          bool ok = true;
          for (const Lit& l : a.rows[k]) ok = ok && add_literal(units, l);
          if (!ok) continue;
          // no rule that beats the winner may match
          std::vector<Clause> clauses;
          for (uint32_t o : a.overlaps[k]) {
            if (!a.beats(a.compiled.rows[o].rule, w)) continue;
            Clause c;
            for (const Lit& l : a.rows[o]) c.push_back({l.atom, !l.value});
            clauses.push_back(std::move(c));
          }
          auto check = [&](const EvalTrace::Step& step, const EvalTrace& trace, bool,
                           const std::string&) {
            if (!a.row_matches(step, row) || !a.row_matches(step, k)) return false;
            if (!with_target) return true;
            for (const auto& e : trace.emits)
              if (e.table == a.table && e.rule == static_cast<int>(w) &&
                  e.fate == EvalTrace::Fate::Sent)
                return true;
            return false;
          };
          std::vector<TableAnalysis::Alternative> alts{{}};
          if (with_target) alts = a.target_alternatives(w);
          for (const auto& alt : alts) {
            Conj u = units;
            bool fits = true;
            for (const Lit& l : alt.units) fits = fits && add_literal(u, l);
            if (!fits) continue;
            std::vector<Clause> cs = clauses;
            cs.insert(cs.end(), alt.clauses.begin(), alt.clauses.end());
            Model m;
            if (a.solver.solve(u, cs, &m) != Sat::Yes) continue;
            std::string doc = a.witness(m, check);
            if (!doc.empty()) return doc;
          }
        }
      }
    return {};
  }
};

}  // namespace

std::unique_ptr<Rule> shadowed_rule_rule() { return std::make_unique<Shadowed>(); }

}  // namespace casex::detail::lint
