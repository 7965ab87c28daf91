// engine/ruletest/ruletest.cpp: reads rule test files (YAML -> the JSON input of
// `casex eval`), runs each case with a trace, compares the expected result
// partially and counts which rules fired.
#include "engine/ruletest/ruletest.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "engine/eval/eval.h"
#include "engine/load/load.h"
#include "engine/load/raw.h"
#include "engine/load/source_map.h"

namespace casex::detail {

namespace bj = boost::json;

namespace {

bool plain(const YAML::Node& n) { return n.Tag() == "?"; }

// A scalar that has no JSON value (a number beyond the range of a double):
// reported at its position as an error of the file, never thrown out of it.
struct BadScalar {
  YAML::Mark mark;
  std::string message;
};

// A YAML scalar as JSON by the YAML core schema: null, booleans and numbers
// only when plain (unquoted); everything else a string.
bj::value scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (!plain(n)) return bj::string(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex number(R"([-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, number)) {
    if (s.find_first_of(".eE") == std::string::npos && s.size() < 18)
      return std::strtoll(s.c_str(), nullptr, 10);  // at most 17 digits: always in range
    errno = 0;
    double d = std::strtod(s.c_str(), nullptr);
    bool underflow =
        errno == ERANGE && d == 0 && s.find_first_of("123456789") < s.find_first_of("eE");
    if (!std::isfinite(d) || underflow)
      throw BadScalar{
          n.Mark(),
          fmt::format("the number {} is out of range (a double holds about 4.9e-324 to 1.8e308)",
                      s)};
    return d;
  }
  return bj::string(s);
}

bj::value to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: return scalar(n);
    case YAML::NodeType::Sequence: {
      bj::array a;
      for (const auto& e : n) a.push_back(to_json(e));
      return a;
    }
    case YAML::NodeType::Map: {
      bj::object o;
      for (const auto& kv : n) o[kv.first.Scalar()] = to_json(kv.second);
      return o;
    }
    default: return nullptr;
  }
}

// A scalar the contract reads as text, even when written as a plain number or boolean.
bj::value text(const YAML::Node& n) {
  if (n.IsScalar() && plain(n)) {
    bj::value v = scalar(n);
    if (v.is_null()) return v;
    return bj::string(n.Scalar());
  }
  return to_json(n);
}

bj::value snapshot(const YAML::Node& n, const Vocabulary& v) {
  if (!n.IsMap()) return to_json(n);
  bj::object o;
  for (const auto& kv : n) {
    int slot = v.find_field(kv.first.Scalar());
    bool typed =
        slot >= 0 && (v.fields[slot].type == Type::Number || v.fields[slot].type == Type::Bool);
    o[kv.first.Scalar()] = slot >= 0 && !typed ? text(kv.second) : to_json(kv.second);
  }
  return o;
}

// The input of a case (the `casex eval` shape, written as YAML) as JSON.
bj::value input_json(const YAML::Node& n, const Vocabulary& v) {
  if (!n.IsMap()) return to_json(n);
  bj::object o;
  bool incoming = n["incoming"].IsDefined();
  for (const auto& kv : n) {
    const std::string& k = kv.first.Scalar();
    const YAML::Node& x = kv.second;
    if (k == "before" || k == "after" || (k == v.record && incoming)) {
      o[k] = snapshot(x, v);
    } else if (k == v.record || k == "origin" || k == "system" || k == "id" || k == "incoming") {
      o[k] = text(x);
    } else if ((k == "external_reference" || k == "groups") && x.IsMap()) {
      bj::object m;
      for (const auto& e : x) m[e.first.Scalar()] = text(e.second);
      o[k] = std::move(m);
    } else {
      o[k] = to_json(x);
    }
  }
  return o;
}

std::string shown(const bj::value& v) { return bj::serialize(v); }

bool no_value(const bj::value* v) {
  return !v || v->is_null() || (v->is_string() && v->get_string().empty());
}

// Compares `want` with `got`: objects by the keys `want` names, arrays item by item.
void compare(const bj::value& want, const bj::value* got, const std::string& path,
             std::vector<std::string>& diffs) {
  auto differ = [&] {
    diffs.push_back(
        fmt::format("{}: expected {}, got {}", path, shown(want), got ? shown(*got) : "nothing"));
  };
  if (want.is_null()) {
    if (!no_value(got)) differ();
    return;
  }
  if (!got) return differ();
  if (want.is_object()) {
    if (!got->is_object()) return differ();
    for (const auto& kv : want.get_object())
      compare(kv.value(), got->get_object().if_contains(kv.key()),
              path + "." + std::string(kv.key()), diffs);
    return;
  }
  if (want.is_array()) {
    if (!got->is_array()) return differ();
    const auto& w = want.get_array();
    const auto& g = got->get_array();
    if (w.size() != g.size()) {
      diffs.push_back(fmt::format(
          "{}: expected {} item{}, got {}\n      expected: {}\n      actual:   {}", path, w.size(),
          w.size() == 1 ? "" : "s", g.size(), shown(want), shown(*got)));
      return;
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      const bj::value& wi = w[i];
      std::string p = fmt::format("{}[{}]", path, i);
      // An operation written as its name, or as "<operation> to <system>".
      if (wi.is_string() && g[i].is_object() && g[i].get_object().contains("operation")) {
        std::string s(wi.get_string());
        bj::object o;
        if (auto at = s.find(" to "); at != std::string::npos) {
          o["operation"] = s.substr(0, at);
          o["system"] = s.substr(at + 4);
        } else {
          o["operation"] = s;
        }
        compare(o, &g[i], p, diffs);
      } else {
        compare(wi, &g[i], p, diffs);
      }
    }
    return;
  }
  if (*got == want) return;
  if (got->is_number() && want.is_number() && got->to_number<double>() == want.to_number<double>())
    return;
  if (got->is_string() && !want.is_string() && got->get_string() == shown(want)) return;
  differ();
}

}  // namespace

std::vector<std::string> rule_test_files(const std::vector<std::string>& paths,
                                         std::vector<std::string>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      if (fs::symlink_status(p, ec).type() == fs::file_type::not_found)
        errors.push_back(fmt::format("{}: no such file or directory", p));
      else
        files.push_back(p);  // reading it says what else it is
      continue;
    }
    std::vector<std::string> in_dir;
    fs::recursive_directory_iterator it(p, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      auto ext = it->path().extension();
      if (ext != ".yaml" && ext != ".yml") continue;
      std::error_code type_ec;  // a real directory so named is walked into, not read
      if (it->symlink_status(type_ec).type() == fs::file_type::directory) continue;
      in_dir.push_back(it->path().string());
    }
    if (ec) {
      errors.push_back(fmt::format("{}: cannot read the directory: {}", p, ec.message()));
      continue;
    }
    std::sort(in_dir.begin(), in_dir.end());
    if (in_dir.empty()) errors.push_back(fmt::format("{}: no .yaml rule test file", p));
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

std::vector<RuleTestCase> read_rule_tests(const std::string& path, const Vocabulary& v,
                                          std::vector<std::string>& errors) {
  std::vector<RuleTestCase> cases;
  // Read and parsed as rule files are: a regular file only (never a FIFO),
  // UTF-8, nesting and alias expansion within the loader's limits, one document.
  std::string text;
  Code code = Code::FileRead;
  std::string message;
  if (!read_regular_file(path, kMaxRuleTestFileBytes, text, code, message)) {
    errors.push_back(fmt::format("{}: {}", path, message));
    return cases;
  }
  YAML::Node doc;
  Diagnostics diags;
  if (!parse_yaml_file(path, text, kMaxRuleTestFileBytes, doc, diags)) {
    for (const auto& d : diags.items()) {
      if (d.line > 0)
        errors.push_back(fmt::format("{}:{}:{}: {}", d.file, d.line, d.column, d.message));
      else
        errors.push_back(fmt::format("{}: {}", d.file, d.message));
    }
    return cases;
  }
  if (!doc.IsMap() || !doc["cases"] || !doc["cases"].IsSequence()) {
    errors.push_back(fmt::format("{}:1: a rule test file holds `cases:`, a list of cases", path));
    return cases;
  }
  for (const auto& c : doc["cases"]) {
    int line = c.Mark().line + 1;
    auto problem = [&](const std::string& what) {
      errors.push_back(fmt::format("{}:{}: {}", path, line, what));
    };
    if (!c.IsMap()) {
      problem("a case is a mapping with name, input and expect");
      continue;
    }
    bool ok = true;
    for (const auto& kv : c) {
      const std::string& k = kv.first.Scalar();
      if (k != "name" && k != "input" && k != "expect" && k != "description") {
        problem(fmt::format(
            "unknown key \"{}\" in a case (its keys: name, description, input, expect)", k));
        ok = false;
      }
    }
    for (const char* k : {"name", "input", "expect"})
      if (!c[k]) {
        problem(fmt::format("the case has no `{}`", k));
        ok = false;
      }
    if (!ok) continue;
    if (!c["input"].IsMap() || !c["expect"].IsMap()) {
      problem("`input` and `expect` are mappings");
      continue;
    }
    RuleTestCase t;
    t.file = path;
    t.name = c["name"].Scalar();
    t.line = line;
    try {
      t.input = bj::serialize(input_json(c["input"], v));
      t.expect = to_json(c["expect"]).as_object();
    } catch (const BadScalar& b) {
      errors.push_back(
          fmt::format("{}:{}:{}: {}", path, b.mark.line + 1, b.mark.column + 1, b.message));
      continue;
    }
    const std::string_view keys[] = {"phase",    "operations",         "suppressed", v.record,
                                     "comments", "external_reference", "rule",       "error"};
    for (const auto& kv : t.expect)
      if (std::find(std::begin(keys), std::end(keys), std::string_view(kv.key())) ==
          std::end(keys)) {
        problem(fmt::format(
            "unknown key \"{}\" under expect (its keys: phase, operations, suppressed, {}, "
            "comments, external_reference, rule, error)",
            std::string_view(kv.key()), v.record));
        ok = false;
      }
    if (ok) cases.push_back(std::move(t));
  }
  return cases;
}

std::vector<Diagnostic> check_rule_test_names(const std::string& path, const std::string& text,
                                              const RawRuleSet& raw) {
  YAML::Node doc;
  Diagnostics diags;
  if (!parse_yaml_file(path, text, kMaxRuleTestFileBytes, doc, diags))
    return std::move(diags.items());
  std::vector<std::string> phases, rules;
  for (const auto& p : raw.vocabulary.phases) {
    phases.push_back(p.name.value);
    for (const auto& a : p.aliases) phases.push_back(a.value);
  }
  for (const auto& t : raw.tables)
    for (const auto& r : t.rules) rules.push_back(r.id.value);
  for (const auto& m : raw.workflow.moves) rules.push_back(m.id.value);
  for (const auto& i : raw.incoming) rules.push_back(i.id.value);
  auto at = [&](const YAML::Node& n) {
    YAML::Mark m = n.Mark();
    return scalar_location(path, text, m.pos, m.line, m.column, n.Scalar());
  };
  auto scalar = [](const YAML::Node& map, const char* key) {
    return map.IsMap() && map[key] && map[key].IsScalar() ? map[key] : YAML::Node();
  };
  auto phase = [&](const YAML::Node& n) {
    if (!n.IsDefined() || !n.IsScalar() || phases.empty()) return;
    const std::string& name = n.Scalar();
    if (std::find(phases.begin(), phases.end(), name) == phases.end())
      diags.report(Code::UnknownPhase, at(n),
                   fmt::format("unknown phase \"{}\": the rule set declares no such phase", name),
                   did_you_mean(name, phases));
  };
  auto rule = [&](const YAML::Node& n) {
    if (!n.IsDefined() || !n.IsScalar() || rules.empty()) return;
    const std::string& id = n.Scalar();
    if (std::find(rules.begin(), rules.end(), id) == rules.end())
      diags.report(Code::UnknownRule, at(n),
                   fmt::format("unknown rule \"{}\": no rule, workflow move or incoming rule of "
                               "the rule set has this id",
                               id),
                   did_you_mean(id, rules));
  };
  if (!doc.IsMap() || !doc["cases"] || !doc["cases"].IsSequence()) return {};
  for (const auto& c : doc["cases"]) {
    if (!c.IsMap()) continue;
    if (YAML::Node input = c["input"]; input && input.IsMap()) {
      phase(scalar(input["before"], "phase"));
      phase(scalar(input["after"], "phase"));
    }
    YAML::Node expect = c["expect"];
    if (!expect || !expect.IsMap()) continue;
    phase(scalar(expect, "phase"));
    rule(scalar(expect, "rule"));
    for (const char* list : {"operations", "suppressed"})
      if (YAML::Node ops = expect[list]; ops && ops.IsSequence())
        for (const auto& op : ops) {
          phase(scalar(op, "phase"));
          rule(scalar(op, "rule"));
        }
  }
  return std::move(diags.items());
}

int RuleCoverage::fired() const {
  int n = 0;
  for (const auto& g : groups)
    for (int h : g.hits) n += h > 0;
  return n;
}

int RuleCoverage::total() const {
  int n = 0;
  for (const auto& g : groups) n += static_cast<int>(g.ids.size());
  return n;
}

bool coverage_reaches(int fired, int total, double percent) {
  if (total == 0) return true;
  long long want = std::llround(percent * 1000);  // thousandths of a percent
  return static_cast<long long>(fired) * 100 * 1000 >= want * total;
}

std::string coverage_percent(int fired, int total) {
  if (total == 0 || fired == total) return "100";
  long long tenths = static_cast<long long>(fired) * 1000 / total;  // rounded down
  return fmt::format("{}.{}", tenths / 10, tenths % 10);
}

RuleTestRunner::RuleTestRunner(const CompiledRules& rules) : rules_(rules), evaluator_(rules) {
  const auto& r = rules.rules;
  for (const auto& t : r.tables) {
    RuleCoverage::Group g{"table " + t.id, {}, {}};
    for (const auto& rule : t.rules) g.ids.push_back(rule.id);
    coverage_.groups.push_back(std::move(g));
  }
  RuleCoverage::Group moves{"workflow moves", {}, {}}, targets{"targets", {}, {}},
      incoming{"incoming", {}, {}};
  for (const auto& m : r.moves) moves.ids.push_back(m.id);
  for (std::size_t i = 0; i < r.targets.size(); ++i) {
    std::string ops;
    for (int op : r.targets[i].operations)
      ops += (ops.empty() ? "" : ", ") + r.vocabulary.outgoing[op];
    targets.ids.push_back(
        fmt::format("targets entry {} ({})", i + 1, ops.empty() ? "every operation" : ops));
  }
  for (const auto& in : r.incoming) incoming.ids.push_back(in.id);
  moves_ = coverage_.groups.size();
  coverage_.groups.push_back(std::move(moves));
  targets_ = coverage_.groups.size();
  coverage_.groups.push_back(std::move(targets));
  incoming_ = coverage_.groups.size();
  coverage_.groups.push_back(std::move(incoming));
  for (auto& g : coverage_.groups) g.hits.assign(g.ids.size(), 0);
  // Condition coverage: a rule's atoms are those its rows care about.
  for (const auto& dt : rules.tables) {
    ConditionCoverage::Table t;
    t.atoms.resize(dt.atoms.size());
    for (std::size_t a = 0; a < dt.atoms.size(); ++a)
      if (dt.atoms[a].op == Op::In || dt.atoms[a].op == Op::NotIn)
        t.atoms[a].matched.assign(dt.atoms[a].args.size() - 1, false);
    std::size_t rules_n = 0;
    for (const auto& row : dt.rows) rules_n = std::max<std::size_t>(rules_n, row.rule + 1);
    std::vector<std::vector<bool>> uses(rules_n, std::vector<bool>(dt.atoms.size(), false));
    for (const auto& row : dt.rows) {
      const uint64_t* care = &dt.pool[row.offset];
      for (std::size_t a = 0; a < dt.atoms.size(); ++a)
        if (care[a >> 6] >> (a & 63) & 1) uses[row.rule][a] = true;
    }
    t.rule_atoms.resize(rules_n);
    for (std::size_t r = 0; r < rules_n; ++r)
      for (std::size_t a = 0; a < dt.atoms.size(); ++a)
        if (uses[r][a]) t.rule_atoms[r].push_back(static_cast<uint32_t>(a));
    conditions_.tables.push_back(std::move(t));
  }
}

// The truth of every atom at every step comes from the trace (the bits the
// evaluator computed). Which member of an `in` list matched is not in the
// trace: the evaluator's own eval_truth answers `x == member` for the
// members of an atom whose bit says one matched, in the step's context.
void RuleTestRunner::count_conditions(const EvalTrace& trace) {
  const ChangeInput& in = evaluator_.change();
  EvalContext ctx;
  ctx.vocab = &rules_.rules.vocabulary;
  ctx.change = &in;
  ctx.has_ref = in.has_ref;
  ctx.ref_system = in.ref_system;
  ctx.ref_id = in.ref_id;
  for (const auto& step : trace.steps) {
    if (step.table < 0) continue;
    const DecisionTable& dt = rules_.tables[step.table];
    ConditionCoverage::Table& t = conditions_.tables[step.table];
    ctx.entered = step.entered;
    for (std::size_t a = 0; a < dt.atoms.size(); ++a) {
      const std::size_t w = a >> 6;
      const bool value = w < step.bits.size() && (step.bits[w] >> (a & 63) & 1);
      ConditionCoverage::Atom& atom = t.atoms[a];
      (value ? atom.seen_true : atom.seen_false) = true;
      const TExpr& e = dt.atoms[a];
      if (atom.matched.empty() || value != (e.op == Op::In)) continue;
      for (std::size_t m = 0; m < atom.matched.size(); ++m) {
        if (atom.matched[m]) continue;
        TExpr eq;
        eq.op = Op::Eq;
        eq.type = Type::Bool;
        eq.args = {e.args[0], e.args[m + 1]};
        if (eval_truth(eq, ctx)) atom.matched[m] = true;
      }
    }
  }
}

RuleTestResult RuleTestRunner::run(const RuleTestCase& c) {
  RuleTestResult res;
  EvalTrace trace;
  bool incoming = false;
  std::string out, error;
  bool ok = evaluator_.explain(c.input, trace, incoming, out, error);
  // Coverage: what fired, whether or not the case passes.
  if (incoming) {
    int rule = evaluator_.incoming_outcome().rule;
    if (rule >= 0 && (ok || !evaluator_.incoming_outcome().error.empty()))
      ++coverage_.groups[incoming_].hits[rule];
  } else {
    count_conditions(trace);
    if (trace.move >= 0) ++coverage_.groups[moves_].hits[trace.move];
    for (const auto& e : trace.emits) {
      ++coverage_.groups[e.table].hits[e.rule];
      if (e.target >= 0) ++coverage_.groups[targets_].hits[e.target];
    }
  }
  if (!ok) {
    res.actual = "error: " + error;
    if (const bj::value* want = c.expect.if_contains("error")) {
      std::string w = want->is_string() ? std::string(want->get_string()) : shown(*want);
      if (error.find(w) == std::string::npos)
        res.differences.push_back(
            fmt::format("error: expected a message containing \"{}\", got \"{}\"", w, error));
    } else {
      res.differences.push_back("expected a result, got the error: " + error);
    }
    res.passed = res.differences.empty();
    return res;
  }
  res.actual = out;
  bj::value got = bj::parse(out);
  for (const auto& kv : c.expect) {
    if (kv.key() == "error") {
      res.differences.push_back(
          fmt::format("error: expected an error containing {}, got a result", shown(kv.value())));
      continue;
    }
    compare(kv.value(), got.get_object().if_contains(kv.key()), std::string(kv.key()),
            res.differences);
  }
  res.passed = res.differences.empty();
  return res;
}

}  // namespace casex::detail
