// engine/render/render.cpp: the HTML page of a rule set: inline CSS and SVG only
// (no script, no network), readable from a narrow phone window to a wide screen.
#include "engine/render/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/common/markup.h"
#include "engine/eval/eval.h"
#include "engine/explain/explain.h"

namespace casex::detail {

namespace {

// Sizes beyond which the page stops drawing what grows with phase pairs.
constexpr std::size_t kMatrixPhases = 24;  // the phase x phase table of the tables consulted
constexpr std::size_t kMaxMoveArrows =
    12;  // arrows of one workflow move (one per phase it starts from)

std::string html(std::string_view s) {
  return escape_markup(s, Markup::Html);
}  // engine/common/markup.h

const char* policy_meaning(HitPolicy p) {
  switch (p) {
    case HitPolicy::First: return "the first matching rule, in order, wins";
    case HitPolicy::Unique: return "at most one rule may match";
    case HitPolicy::Priority:
      return "the matching rule of highest priority wins (ties: the earlier)";
    case HitPolicy::Collect: return "every matching rule fires, in order";
  }
  return "";
}

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "info";
}

// Three-valued evaluation of a condition given only after.phase.
enum class Tri { False, True, Unknown };

bool reads_only_after_phase(const TExpr& e, int pf) {
  switch (e.op) {
    case Op::Const: return true;
    case Op::Field: return e.side == Side::After && e.slot == pf;
    case Op::MetaphaseOf:
    case Op::HasValue:
    case Op::Eq:
    case Op::Ne:
    case Op::In:
    case Op::NotIn:
      return std::all_of(e.args.begin(), e.args.end(),
                         [&](const TExpr& a) { return reads_only_after_phase(a, pf); });
    default: return false;
  }
}

Tri tri(const TExpr& e, const EvalContext& c, int pf) {
  switch (e.op) {
    case Op::Not: {
      Tri t = tri(e.args[0], c, pf);
      return t == Tri::Unknown ? t : t == Tri::True ? Tri::False : Tri::True;
    }
    case Op::And:
    case Op::Or: {
      bool is_and = e.op == Op::And;
      Tri out = is_and ? Tri::True : Tri::False;
      for (const auto& a : e.args) {
        Tri t = tri(a, c, pf);
        if (t == (is_and ? Tri::False : Tri::True)) return t;
        if (t == Tri::Unknown) out = Tri::Unknown;
      }
      return out;
    }
    default:
      if (!reads_only_after_phase(e, pf)) return Tri::Unknown;
      return eval_truth(e, c) ? Tri::True : Tri::False;
  }
}

}  // namespace

std::string template_text(const Template& t, const Vocabulary& v) {
  std::string out;
  for (const auto& p : t.pieces) {
    if (p.value) {
      out += "{" + expr_text(*p.value, v) + "}";
      continue;
    }
    for (char ch : p.literal) {
      if (ch == '{' || ch == '}') out.push_back(ch);
      out.push_back(ch);
    }
  }
  return out;
}

namespace {

class Page {
 public:
  Page(const CompiledRules& r, const std::vector<Diagnostic>& findings, const RenderOptions& o)
      : r_(r), v_(r.rules.vocabulary), o_(o) {
    attach(findings);
  }

  std::string build() {
    head();
    summary();
    workflow();
    for (std::size_t i : table_order()) table(i);
    targets();
    incoming();
    vocabulary();
    out_ += fmt::format(
        "<footer>Rendered by <code>casex render</code> from {} (rule set version {}).</footer>\n",
        html(o_.source), html(r_.version));
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  // The source document's order: metaphase tables in metaphase order, then transition tables.
  std::vector<std::size_t> table_order() const {
    std::vector<std::size_t> order(r_.rules.tables.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&](std::size_t i) {
      const CheckedTable& t = r_.rules.tables[i];
      return t.metaphase >= 0
                 ? std::make_pair(0, t.metaphase)
                 : std::make_pair(
                       1, t.pairs.empty() ? 0 : t.pairs[0].first * 1000 + t.pairs[0].second);
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    return order;
  }

  // Findings point into a rule when they lie between its first line and the next rule's or table's.
  void attach(const std::vector<Diagnostic>& findings) {
    struct Anchor {
      int line;
      std::string rule;  // empty: a table
    };
    std::map<std::string, std::vector<Anchor>> anchors;
    for (const auto& t : r_.rules.tables) {
      anchors[t.loc.file].push_back({t.loc.line, ""});
      for (const auto& rule : t.rules) anchors[rule.loc.file].push_back({rule.loc.line, rule.id});
    }
    for (const auto& d : findings) {
      std::string rule;
      if (auto it = anchors.find(d.file); it != anchors.end() && d.line > 0) {
        int best = -1;
        for (const auto& a : it->second)
          if (a.line <= d.line && a.line > best) {
            best = a.line;
            rule = a.rule;
          }
      }
      if (rule.empty())
        general_.push_back(d);
      else
        by_rule_[rule].push_back(d);
    }
  }

  std::string finding_html(const Diagnostic& d) const {
    std::string where = d.line > 0 ? fmt::format("{}:{}:{}", d.file, d.line, d.column) : d.file;
    return fmt::format(
        "<div class=\"finding {0}\" data-code=\"{1}\" data-file=\"{5}\" data-line=\"{6}\" "
        "data-column=\"{7}\"><b>{0}[{1}]</b> {2}{3} <span class=\"where\">{4}</span></div>",
        severity_name(d.severity), html(d.code), html(d.message),
        d.help.empty() ? "" : " <i>help: " + html(d.help) + "</i>", html(where), html(d.file),
        d.line, d.column);
  }

  void head() {
    out_ +=
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += fmt::format("<title>{}</title>\n", html(o_.title));
    out_ += R"(<style>
:root { --ink: #1d2430; --muted: #5b6575; --line: #d5dbe3; --head: #eef2f7; --accent: #1f5fa8; --move: #b35900; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: #fafbfc; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.4em; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h2 .id { font-weight: normal; color: var(--muted); font-size: 0.8em; }
p.meta, .meta { color: var(--muted); margin: 0.2em 0 0.6em; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0 4px; }
nav a { color: var(--accent); text-decoration: none; }
code, .expr { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 0.86em; }
.expr { display: block; margin-top: 4px; padding: 4px 6px; background: #f3f5f8; border-left: 3px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.n { width: 2.5em; color: var(--muted); text-align: right; }
td.op { width: 9em; }
td.op b { font-size: 1.05em; }
td.id { width: 15em; overflow-wrap: anywhere; }
.loc { color: var(--muted); font-size: 0.8em; display: block; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; background: var(--head); border: 1px solid var(--line); font-size: 0.85em; }
.finding { margin-top: 6px; padding: 4px 6px; border-radius: 4px; font-size: 0.85em; overflow-wrap: anywhere; }
.finding.error { background: #fde8e8; border: 1px solid #f1a9a9; }
.finding.warning { background: #fff4dc; border: 1px solid #f0cf85; }
.finding.info { background: #e8f1fd; border: 1px solid #a9c8f1; }
.finding .where { color: var(--muted); }
svg { max-width: 100%; height: auto; display: block; background: #fff; border: 1px solid var(--line); }
.steps td, .steps th { font-size: 0.85em; text-align: center; }
.steps td.same { background: #f6f8fb; }
.steps td.transition { background: #e8f1fd; font-weight: 600; }
ol.actions { margin: 0; padding-left: 1.3em; }
footer { margin-top: 2em; color: var(--muted); font-size: 0.85em; }
@media (max-width: 700px) {
  main { padding: 10px; }
  table.rules thead { display: none; }
  table.rules, table.rules tbody, table.rules tr, table.rules td { display: block; width: auto; }
  table.rules tr { border: 1px solid var(--line); margin-bottom: 10px; background: #fff; }
  table.rules td { border: none; border-bottom: 1px solid #eef0f3; }
  table.rules td.n { text-align: left; }
  svg { max-width: none; width: 640px; }
  table.rules td::before { content: attr(data-label); display: block; font-size: 0.75em; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
}
</style>
</head>
<body>
<main>
)";
  }

  void summary() {
    out_ += fmt::format(
        "<h1>{}</h1>\n<p class=\"meta\">From {} &middot; rule set version <code>{}</code> &middot; "
        "{} decision table{}, {} workflow move{}, {} incoming rule{}</p>\n",
        html(o_.title), html(o_.source), html(r_.version), r_.rules.tables.size(),
        r_.rules.tables.size() == 1 ? "" : "s", r_.rules.moves.size(),
        r_.rules.moves.size() == 1 ? "" : "s", r_.rules.incoming.size(),
        r_.rules.incoming.size() == 1 ? "" : "s");
    out_ += "<nav><a href=\"#workflow\">Workflow</a>";
    for (std::size_t i : table_order())
      out_ += fmt::format("<a href=\"#table-{0}\">{0}</a>", html(r_.rules.tables[i].id));
    out_ +=
        "<a href=\"#targets\">Targets</a><a href=\"#incoming\">Incoming</a><a "
        "href=\"#vocabulary\">Vocabulary</a></nav>\n";
    if (!general_.empty()) {
      out_ += "<section id=\"findings\"><h2>Findings</h2>\n";
      for (const auto& d : general_) out_ += finding_html(d) + "\n";
      out_ += "</section>\n";
    }
  }

  struct Box {
    double x, y, w, h;
  };

  // `data` goes into the path's tag (e.g. data-move="ID" data-from="PHASE"): a page script
  // (casex serve's simulator) finds the arrow of a move by it.
  void arrow(std::string& svg, const Box& a, const Box& b, const char* cls,
             const std::string& label, const std::string& title, const std::string& data) {
    double ax = a.x + a.w / 2, ay = a.y + a.h / 2, bx = b.x + b.w / 2, by = b.y + b.h / 2;
    if (std::abs(bx - ax) > 1) {  // between columns: leave and enter by the sides
      ax += (bx > ax ? 1 : -1) * a.w / 2;
      bx -= (bx > ax ? 1 : -1) * b.w / 2;
    } else {
      ay += (by > ay ? 1 : -1) * a.h / 2;
      by -= (by > ay ? 1 : -1) * b.h / 2;
    }
    double mx = (ax + bx) / 2, my = (ay + by) / 2, dx = bx - ax, dy = by - ay;
    double len = std::max(1.0, std::sqrt(dx * dx + dy * dy));
    double cx = mx + dy / len * 44, cy = my - dx / len * 44;  // bend to the left of the direction
    svg += fmt::format(
        "<path class=\"{}\" {}d=\"M{:.0f},{:.0f} Q{:.0f},{:.0f} "
        "{:.0f},{:.0f}\"><title>{}</title></path>\n",
        cls, data, ax, ay, cx, cy, bx, by, html(title));
    if (!label.empty())
      svg += fmt::format(
          "<text class=\"lbl {}\" x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>\n",
          cls, (mx + cx) / 2, (my + cy) / 2 + (cy < my ? -4 : 12), html(label));
  }

  void workflow() {
    const auto& mp = v_.metaphases;
    const double cw = 190, gap = 130, top = 20, ph = 38, pstep = 62;
    std::size_t most = 1;
    std::vector<std::vector<int>> phases_of(mp.size());
    for (std::size_t p = 0; p < v_.phases.size(); ++p)
      phases_of[v_.phase_metaphase[p]].push_back(static_cast<int>(p));
    for (const auto& l : phases_of) most = std::max(most, l.size());
    const double colh = 78 + most * pstep;
    const double width = 40 + mp.size() * cw + (mp.size() - 1) * gap, height = top + colh + 70;
    std::vector<Box> box(v_.phases.size());
    std::string svg = fmt::format(
        "<svg viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" role=\"img\" "
        "aria-label=\"Workflow: phases grouped by metaphase, moves and transition tables\">\n",
        width, height, width);
    svg +=
        R"(<defs><marker id="ah-move" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b35900"/></marker>
<marker id="ah-tr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fa8"/></marker></defs>
<style>
.mp { fill: #f3f6fa; stroke: #c3ccd8; } .mpname { font: 600 15px system-ui, "DejaVu Sans", sans-serif; fill: #1d2430; }
.mptable { font: 12px "DejaVu Sans Mono", monospace; fill: #5b6575; } .ph { fill: #fff; stroke: #8894a6; }
.phname { font: 14px system-ui, "DejaVu Sans", sans-serif; fill: #1d2430; }
path.move { fill: none; stroke: #b35900; stroke-width: 2; stroke-dasharray: 6 4; marker-end: url(#ah-move); }
path.tr { fill: none; stroke: #1f5fa8; stroke-width: 2.2; marker-end: url(#ah-tr); }
.lbl { font: 11px "DejaVu Sans Mono", monospace; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
.lbl.move { fill: #b35900; } .lbl.tr { fill: #1f5fa8; } .legend { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: #1d2430; }
</style>
)";
    for (std::size_t m = 0; m < mp.size(); ++m) {
      double x = 20 + m * (cw + gap);
      int t = r_.metaphase_table[m];
      svg += fmt::format(
          "<g class=\"metaphase\" data-metaphase=\"{}\"><rect class=\"mp\" x=\"{:.0f}\" "
          "y=\"{:.0f}\" "
          "width=\"{:.0f}\" height=\"{:.0f}\" rx=\"10\"/>\n",
          html(mp[m]), x, top, cw, colh);
      svg += fmt::format(
          "<text class=\"mpname\" x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>\n",
          x + cw / 2, top + 24, html(mp[m]));
      svg += fmt::format(
          "<text class=\"mptable\" x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>\n",
          x + cw / 2, top + 42, t >= 0 ? "table " + html(r_.rules.tables[t].id) : "no table");
      for (std::size_t j = 0; j < phases_of[m].size(); ++j) {
        int p = phases_of[m][j];
        box[p] = {x + 25, top + 60 + j * pstep, cw - 50, ph};
        svg += fmt::format(
            "<rect class=\"ph\" data-phase=\"{6}\" x=\"{0:.0f}\" y=\"{1:.0f}\" width=\"{2:.0f}\" "
            "height=\"{3:.0f}\" rx=\"6\"/>"
            "<text class=\"phname\" x=\"{4:.0f}\" y=\"{5:.0f}\" "
            "text-anchor=\"middle\">{6}</text>\n",
            box[p].x, box[p].y, box[p].w, box[p].h, box[p].x + box[p].w / 2, box[p].y + 24,
            html(v_.phases[p]));
      }
      svg += "</g>\n";
    }
    for (const auto& mv : r_.rules.moves) {
      bool first = true;  // one label per move
      std::vector<int> sources = move_sources(r_, mv);
      if (sources.size() > kMaxMoveArrows) continue;  // the moves table says from how many phases
      for (int from : sources) {
        arrow(
            svg, box[from], box[mv.to], "move", first ? mv.id : "",
            fmt::format("move {}: {}", mv.id, expr_text(mv.when, v_)),
            fmt::format("data-move=\"{}\" data-from=\"{}\" ", html(mv.id), html(v_.phases[from])));
        first = false;
      }
    }
    for (const auto& t : r_.rules.tables)
      for (std::size_t k = 0; k < t.pairs.size(); ++k)
        arrow(svg, box[t.pairs[k].first], box[t.pairs[k].second], "tr", k == 0 ? t.id : "",
              fmt::format("transition table {}", t.id),
              fmt::format("data-transition-table=\"{}\" ", html(t.id)));
    double ly = top + colh + 30;
    svg += fmt::format(
        "<path class=\"move\" d=\"M20,{0:.0f} L70,{0:.0f}\"/><text class=\"legend\" x=\"78\" "
        "y=\"{1:.0f}\">"
        "workflow move (its condition may hold in that phase)</text>\n",
        ly, ly + 4);
    svg += fmt::format(
        "<path class=\"tr\" d=\"M20,{0:.0f} L70,{0:.0f}\"/><text class=\"legend\" x=\"78\" "
        "y=\"{1:.0f}\">"
        "transition with its own table (the only step)</text>\n",
        ly + 24, ly + 28);
    svg += "</svg>\n";

    out_ += "<section id=\"workflow\"><h2>Workflow</h2>\n";
    out_ +=
        "<p class=\"meta\">Phases grouped by metaphase; each metaphase's table and the workflow "
        "moves. "
        "A change is evaluated against the transition's table if there is one, else its "
        "metaphase's table "
        "(same metaphase), else the old then the new metaphase's table.</p>\n";
    out_ += "<div class=\"wrap\">" + svg + "</div>\n";
    if (!r_.rules.moves.empty()) {
      out_ +=
          "<h3>Moves (tried in order; the first that holds sets the new phase)</h3>\n<div "
          "class=\"wrap\">"
          "<table class=\"rules moves\"><thead><tr><th>#</th><th>Condition</th><th>Moves "
          "to</th><th>Move</th>"
          "</tr></thead><tbody>\n";
      for (std::size_t i = 0; i < r_.rules.moves.size(); ++i) {
        const auto& m = r_.rules.moves[i];
        std::size_t from = move_sources(r_, m).size();
        std::string many =
            from > kMaxMoveArrows
                ? fmt::format("<span class=\"loc\">from any of {} phases (not drawn)</span>", from)
                : std::string();
        out_ += fmt::format(
            "<tr data-move=\"{0}\"><td class=\"n\" data-label=\"#\">{1}</td><td "
            "data-label=\"Condition\">"
            "{2}<code class=\"expr\">{3}</code></td><td class=\"op\" data-label=\"Moves "
            "to\"><b>{4}</b>{5}</td>"
            "<td class=\"id\" data-label=\"Move\"><code>{0}</code></td></tr>\n",
            html(m.id), i + 1, html(m.description), html(expr_text(m.when, v_)),
            html(v_.phases[m.to]), many);
      }
      out_ += "</tbody></table></div>\n";
    }
    out_ += fmt::format(
        "<p class=\"meta\">De-duplication: <b>{}</b> (one change never sends the same operation to "
        "the same system twice). Origin suppression: <b>{}</b> (an operation to the change's "
        "origin "
        "is reported as suppressed).</p>\n",
        r_.rules.deduplicate ? "on" : "off", r_.rules.suppress_origin ? "on" : "off");
    steps_matrix();
    out_ += "</section>\n";
  }

  // Beyond kMatrixPhases phases the page does not draw the phase x phase table
  // (it would grow with the square of the vocabulary): it states the rule and
  // lists each metaphase's and each transition's table once.
  void steps_matrix() {
    const std::size_t n = v_.phases.size();
    if (n > kMatrixPhases) {
      steps_list();
      return;
    }
    out_ +=
        "<h3>Tables consulted per phase change (before.phase &rarr; phase after the "
        "workflow)</h3>\n"
        "<div class=\"wrap\"><table class=\"steps\"><thead><tr><th>from \\ to</th>";
    for (const auto& p : v_.phases) out_ += "<th>" + html(p) + "</th>";
    out_ += "</tr></thead><tbody>\n";
    auto table_name = [&](int t) {
      return t >= 0 ? html(r_.rules.tables[t].id) : std::string("&mdash;");
    };
    for (std::size_t a = 0; a < n; ++a) {
      out_ += "<tr><th>" + html(v_.phases[a]) + "</th>";
      for (std::size_t b = 0; b < n; ++b) {
        const StepPlan p = r_.plan_steps(static_cast<int>(a), static_cast<int>(b));
        switch (p.kind) {
          case StepPlan::Kind::Transition:
            out_ += "<td class=\"transition\">" + table_name(p.steps[0].table) + "</td>";
            break;
          case StepPlan::Kind::SameMetaphase:
            out_ += "<td class=\"same\">" + table_name(p.steps[0].table) + "</td>";
            break;
          case StepPlan::Kind::TwoMetaphases:
            out_ += "<td>" + table_name(p.steps[0].table) + " &rarr; " +
                    table_name(p.steps[1].table) + "</td>";
            break;
        }
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody></table></div>\n";
  }

  void steps_list() {
    auto table_name = [&](int t) {
      return t >= 0 ? html(r_.rules.tables[t].id) : std::string("&mdash;");
    };
    out_ += fmt::format(
        "<h3>Tables consulted per phase change</h3>\n<p class=\"meta\">With {} phases (more than "
        "{}), "
        "the table of every phase pair is not drawn. A change between two phases with a transition "
        "table consults only that table; else a change within one metaphase consults its table, "
        "and "
        "a change between metaphases the old then the new metaphase's table.</p>\n",
        v_.phases.size(), kMatrixPhases);
    out_ +=
        "<div class=\"wrap\"><table class=\"rules "
        "steps-list\"><thead><tr><th>Scope</th><th>Table</th></tr>"
        "</thead><tbody>\n";
    for (std::size_t m = 0; m < v_.metaphases.size(); ++m)
      out_ += fmt::format(
          "<tr><td data-label=\"Scope\">metaphase {}</td><td data-label=\"Table\">{}</td></tr>\n",
          html(v_.metaphases[m]), table_name(r_.metaphase_table[m]));
    for (std::size_t t = 0; t < r_.rules.tables.size(); ++t) {
      const CheckedTable& ct = r_.rules.tables[t];
      for (const auto& [from, to] : ct.pairs)
        out_ += fmt::format(
            "<tr><td data-label=\"Scope\">transition {} &rarr; {}</td><td "
            "data-label=\"Table\">{}"
            "</td></tr>\n",
            html(v_.phases[from]), html(v_.phases[to]), table_name(static_cast<int>(t)));
    }
    out_ += "</tbody></table></div>\n";
  }

  // A transition scope as written ("A -> B"), as HTML with an arrow.
  static std::string arrow_text(const std::string& scope) {
    std::string h = html(scope);
    const auto at = h.find(" -&gt; ");
    return at == std::string::npos ? h : h.replace(at, 7, " &rarr; ");
  }

  void table(std::size_t i) {
    const CheckedTable& t = r_.rules.tables[i];
    std::string scope = t.metaphase >= 0
                            ? "metaphase " + html(v_.metaphases[t.metaphase])
                            : fmt::format("transition {} (the only table consulted for it)",
                                          arrow_text(t.scope_text));
    out_ += fmt::format(
        "<section class=\"table\" id=\"table-{0}\" data-table=\"{0}\">\n<h2>{1} <span class=\"id\">"
        "table <code>{0}</code></span></h2>\n",
        html(t.id),
        scope.substr(0, 1) == "m" ? "Metaphase " + html(v_.metaphases[t.metaphase])
                                  : "Transition " + arrow_text(t.scope_text));
    out_ += fmt::format(
        "<p class=\"meta\">Scope: {} &middot; hit policy <span class=\"badge\">{}</span> {} "
        "&middot; "
        "<span class=\"loc\" style=\"display:inline\">{}:{}</span></p>\n",
        scope, hit_policy_name(t.policy), policy_meaning(t.policy), html(t.loc.file), t.loc.line);
    bool prio = t.policy == HitPolicy::Priority;
    out_ +=
        "<div class=\"wrap\"><table "
        "class=\"rules\"><thead><tr><th>#</th><th>Scenario</th><th>Operation</th>"
        "<th>Rule</th></tr></thead><tbody>\n";
    for (std::size_t k = 0; k < t.rules.size(); ++k) {
      const CheckedRule& r = t.rules[k];
      std::string op = "<b>" + html(v_.outgoing[r.operation]) + "</b>";
      if (r.system)
        op += "<span class=\"loc\">to <code>" + html(expr_text(*r.system, v_)) + "</code></span>";
      if (prio) op += fmt::format("<span class=\"loc\">priority {}</span>", r.priority);
      std::string findings;
      if (auto it = by_rule_.find(r.id); it != by_rule_.end())
        for (const auto& d : it->second) findings += finding_html(d);
      out_ += fmt::format(
          "<tr data-rule=\"{0}\"><td class=\"n\" data-label=\"#\">{1}</td>"
          "<td data-label=\"Scenario\">{2}<code class=\"expr\">{3}</code>{6}</td>"
          "<td class=\"op\" data-label=\"Operation\">{4}</td>"
          "<td class=\"id\" data-label=\"Rule\"><code>{0}</code><span "
          "class=\"loc\">{5}</span></td></tr>\n",
          html(r.id), k + 1, html(r.description), html(r.scenario), op,
          html(fmt::format("{}:{}", r.loc.file, r.loc.line)), findings);
    }
    out_ += "</tbody></table></div>\n</section>\n";
  }

  void targets() {
    out_ +=
        "<section id=\"targets\"><h2>Targets</h2>\n<p class=\"meta\">Where an operation is sent, "
        "unless its rule "
        "names a system: the first entry that names the operation (or names none) and whose "
        "condition holds. An "
        "operation with no target is not sent.</p>\n<div class=\"wrap\"><table "
        "class=\"rules\"><thead><tr><th>#</th>"
        "<th>Operations</th><th>Condition</th><th>System</th></tr></thead><tbody>\n";
    for (std::size_t i = 0; i < r_.rules.targets.size(); ++i) {
      const auto& t = r_.rules.targets[i];
      std::string ops;
      for (int o : t.operations) ops += (ops.empty() ? "" : ", ") + html(v_.outgoing[o]);
      out_ += fmt::format(
          "<tr data-target=\"{0}\"><td class=\"n\" data-label=\"#\">{0}</td><td class=\"op\" "
          "data-label=\"Operations\"><b>{1}</b></td><td data-label=\"Condition\">{2}</td>"
          "<td data-label=\"System\"><code class=\"expr\">{3}</code></td></tr>\n",
          i + 1, ops.empty() ? "every operation" : ops,
          t.when ? "<code class=\"expr\">" + html(expr_text(*t.when, v_)) + "</code>" : "always",
          html(expr_text(t.system, v_)));
    }
    out_ += "</tbody></table></div>\n</section>\n";
  }

  void incoming() {
    out_ +=
        "<section id=\"incoming\"><h2>Incoming operations</h2>\n<p class=\"meta\">What an "
        "operation received "
        "from an external system does to the " +
        html(v_.record) +
        ", in every metaphase; actions run in "
        "order.</p>\n"
        "<div class=\"wrap\"><table "
        "class=\"rules\"><thead><tr><th>Operation</th><th>Actions</th><th>Rule</th>"
        "</tr></thead><tbody>\n";
    static const char* const kKinds[] = {"set",
                                         "set if no value",
                                         "clear",
                                         "add comment",
                                         "create reference",
                                         "delete reference",
                                         "set from the message"};
    for (const auto& in : r_.rules.incoming) {
      std::string ops;
      for (int o : in.operations) ops += (ops.empty() ? "" : ", ") + html(v_.incoming[o]);
      std::string acts = "<ol class=\"actions\">";
      for (const auto& a : in.actions) {
        acts += "<li>";
        if (a.when) acts += "if <code>" + html(expr_text(*a.when, v_)) + "</code>: ";
        acts += kKinds[static_cast<int>(a.kind)];
        if (a.field >= 0) acts += " <code>" + html(v_.fields[a.field].name) + "</code>";
        if (a.kind == ActionKind::SetFromMessage && a.field < 0) acts += " every field it carries";
        if (a.kind == ActionKind::Set || a.kind == ActionKind::SetIfNoValue ||
            a.kind == ActionKind::AddComment)
          acts += " <code>\"" + html(template_text(a.value, v_)) + "\"</code>";
        if (a.kind == ActionKind::CreateReference)
          acts += " <code>{system: \"" + html(template_text(a.system, v_)) + "\", id: \"" +
                  html(template_text(a.id, v_)) + "\"}</code>";
        acts += "</li>";
      }
      acts += "</ol>";
      if (!in.description.empty()) acts = "<div>" + html(in.description) + "</div>" + acts;
      out_ += fmt::format(
          "<tr data-rule=\"{0}\"><td class=\"op\" data-label=\"Operation\"><b>{1}</b></td>"
          "<td data-label=\"Actions\">{2}</td><td class=\"id\" "
          "data-label=\"Rule\"><code>{0}</code></td>"
          "</tr>\n",
          html(in.id), ops, acts);
    }
    out_ += "</tbody></table></div>\n</section>\n";
  }

  void vocabulary() {
    out_ +=
        "<section id=\"vocabulary\"><h2>Vocabulary</h2>\n<div class=\"wrap\"><table "
        "class=\"rules\"><thead><tr>"
        "<th>Field</th><th>Type</th><th>Values</th></tr></thead><tbody>\n";
    for (const auto& f : v_.fields) {
      std::string values =
          f.values.empty() ? "any" : html(fmt::format("{}", fmt::join(f.values, ", ")));
      out_ += fmt::format(
          "<tr><td data-label=\"Field\"><code>{}</code></td><td data-label=\"Type\">{}</td>"
          "<td data-label=\"Values\">{}</td></tr>\n",
          html(f.name), type_name(f.type), values);
    }
    out_ += "</tbody></table></div>\n";
    out_ += fmt::format(
        "<p class=\"meta\">Events of a save: {}. Outgoing operations: {}. Incoming operations: "
        "{}.</p>\n",
        html(fmt::format("{}", fmt::join(v_.events, ", "))),
        html(fmt::format("{}", fmt::join(v_.outgoing, ", "))),
        html(fmt::format("{}", fmt::join(v_.incoming, ", "))));
    out_ += "</section>\n";
  }

  const CompiledRules& r_;
  const Vocabulary& v_;
  const RenderOptions& o_;
  std::vector<Diagnostic> general_;
  std::map<std::string, std::vector<Diagnostic>> by_rule_;
  std::string out_;
};

}  // namespace

std::vector<int> move_sources(const CompiledRules& rules, const CheckedMove& move) {
  const Vocabulary& v = rules.rules.vocabulary;
  std::vector<int> out;
  ChangeInput in;
  in.reset(v);
  EvalContext c;
  c.vocab = &v;
  c.change = &in;
  for (std::size_t p = 0; p < v.phases.size(); ++p) {
    if (static_cast<int>(p) == move.to) continue;
    in.after[v.phase_field].kind = ConstKind::Sym;
    in.after[v.phase_field].sym = static_cast<int>(p);
    in.before[v.phase_field] = in.after[v.phase_field];
    if (tri(move.when, c, v.phase_field) != Tri::False) out.push_back(static_cast<int>(p));
  }
  return out;
}

std::string render_html(const CompiledRules& rules, const std::vector<Diagnostic>& findings,
                        const RenderOptions& options) {
  return Page(rules, findings, options).build();
}

}  // namespace casex::detail
