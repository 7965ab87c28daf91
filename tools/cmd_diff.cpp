// tools/cmd_diff.cpp: `casex diff OLD NEW`: what changes if NEW replaces OLD:
// the semantic difference of two rule sets (casex::diff_rules, computed in
// the engine with lint's solver), as text or JSON, each difference with a
// witness document checked on both sides.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <cstdio>
#include <memory>
#include <sstream>

#include "casex/tooling.hpp"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

namespace bj = boost::json;

struct DiffOptions {
  std::vector<std::string> dirs;
  std::string since, format = "text";
  bool expect_same = false;
};

const char* kind_name(RuleDifference::Kind k) {
  switch (k) {
    case RuleDifference::Kind::Decision: return "decision";
    case RuleDifference::Kind::Move: return "move";
    case RuleDifference::Kind::Incoming: return "incoming";
    case RuleDifference::Kind::Setting: return "setting";
  }
  return "?";
}

// Runs a command and returns its standard output; false when it fails.
bool run_command(const std::string& command, std::string& out) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) return false;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return pclose(p) == 0;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The rule files of DIR as they were at git revision REV.
bool load_from_git(const std::string& rev, const std::string& dir, LoadResult& out,
                   std::string& error) {
  std::string list;
  const std::string at = "git -C " + shell_quote(dir) + " ";
  if (!run_command(at + "ls-tree --name-only " + shell_quote(rev) + " -- ./ 2>/dev/null", list)) {
    error = fmt::format(
        "cannot read {} at git revision {} (is git installed, {} in a git "
        "repository, and {} a revision?)",
        dir, rev, dir, rev);
    return false;
  }
  std::vector<SourceFile> files;
  std::istringstream names(list);
  for (std::string name; std::getline(names, name);) {
    auto ends = [&](const char* e) {
      std::string s = e;
      return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (!ends(".yaml") && !ends(".yml")) continue;
    std::string text;
    if (!run_command(at + "show " + shell_quote(rev + ":./" + name) + " 2>/dev/null", text)) {
      error = fmt::format("cannot read {}/{} at git revision {}", dir, name, rev);
      return false;
    }
    files.push_back({rev + ":" + dir + "/" + name, std::move(text)});
  }
  if (files.empty()) {
    error = fmt::format("no rule files in {} at git revision {}", dir, rev);
    return false;
  }
  out = RuleSet::load_texts(std::move(files));
  return true;
}

std::string text_report(const RulesDiff& d, const std::string& old_name,
                        const std::string& new_name) {
  std::string out = fmt::format("casex diff: old {} (version {}), new {} (version {})\n", old_name,
                                d.old_version, new_name, d.new_version);
  int counts[4] = {};
  for (const auto& x : d.differences) {
    ++counts[static_cast<int>(x.kind)];
    switch (x.kind) {
      case RuleDifference::Kind::Decision:
        out +=
            fmt::format("\ndecisions differ: {} -> {} (before.phase -> phase after the workflow)\n",
                        x.before_phase, x.phase);
        break;
      case RuleDifference::Kind::Move:
        out += fmt::format("\nworkflow differs: {} -> {} (before.phase -> after.phase) moves to\n",
                           x.before_phase, x.phase);
        break;
      case RuleDifference::Kind::Incoming:
        out += fmt::format("\nincoming {} differs: its actions\n", x.phase);
        break;
      case RuleDifference::Kind::Setting: out += fmt::format("\n{} differs\n", x.phase); break;
    }
    out += fmt::format("  old: {}\n", fmt::join(x.old_rules, "; "));
    out += fmt::format("  new: {}\n", fmt::join(x.new_rules, "; "));
    if (!x.witness.empty()) {
      out += "  witness: " + x.witness + "\n";
      out += "    old rules: " + x.old_result + "\n";
      out += "    new rules: " + x.new_result + "\n";
    } else if (x.kind != RuleDifference::Kind::Setting) {
      out += "  witness: none verified (the solver finds they may differ)\n";
    }
  }
  for (const auto& t : d.targets) out += "\ntargets written differently: " + t + "\n";
  if (!d.complete)
    out += "\nthe analysis is incomplete (its budget ran out): the rules may differ\n";
  if (d.differences.empty() && d.complete)
    out += "\nidentical decisions\n";
  else
    out += fmt::format(
        "\n{} difference{}: {} decisions, {} workflow moves, {} incoming, {} settings\n",
        d.differences.size(), d.differences.size() == 1 ? "" : "s", counts[0], counts[1], counts[2],
        counts[3]);
  return out;
}

std::string json_report(const RulesDiff& d, const std::string& old_name,
                        const std::string& new_name) {
  bj::object o;
  o["old"] = {{"rules", old_name}, {"version", d.old_version}};
  o["new"] = {{"rules", new_name}, {"version", d.new_version}};
  o["identical"] = d.identical();
  o["complete"] = d.complete;
  bj::array diffs;
  for (const auto& x : d.differences) {
    bj::object j;
    j["kind"] = kind_name(x.kind);
    if (!x.before_phase.empty()) j["before_phase"] = x.before_phase;
    j[x.kind == RuleDifference::Kind::Move       ? "after_phase"
      : x.kind == RuleDifference::Kind::Decision ? "phase"
                                                 : "subject"] = x.phase;
    bj::array a, b;
    for (const auto& s : x.old_rules) a.emplace_back(s);
    for (const auto& s : x.new_rules) b.emplace_back(s);
    j["old"] = std::move(a);
    j["new"] = std::move(b);
    bj::error_code ec;
    j["witness"] = x.witness.empty() ? bj::value(nullptr) : bj::parse(x.witness, ec);
    j["old_result"] = x.old_result;
    j["new_result"] = x.new_result;
    diffs.push_back(std::move(j));
  }
  o["differences"] = std::move(diffs);
  bj::array t;
  for (const auto& s : d.targets) t.emplace_back(s);
  o["targets"] = std::move(t);
  return bj::serialize(o) + "\n";
}

int run(const DiffOptions& o) {
  LoadResult old_rules, new_rules;
  std::string old_name, new_name;
  if (!o.since.empty()) {
    if (o.dirs.size() != 1) {
      io::err("casex diff: --since REV takes one rules directory\n");
      return 2;
    }
    std::string error;
    if (!load_from_git(o.since, o.dirs[0], old_rules, error)) {
      io::errf("casex diff: {}\n", error);
      return 2;
    }
    old_name = o.dirs[0] + " at " + o.since;
    new_rules = load_rules(o.dirs[0]);
    new_name = rules_name(o.dirs[0]);
  } else if (o.dirs.size() == 1) {
    old_rules = load_rules("");
    old_name = rules_name("");
    new_rules = load_rules(o.dirs[0]);
    new_name = o.dirs[0];
  } else if (o.dirs.size() == 2) {
    old_rules = load_rules(o.dirs[0]);
    old_name = o.dirs[0];
    new_rules = load_rules(o.dirs[1]);
    new_name = o.dirs[1];
  } else {
    io::err("casex diff: give OLD NEW, NEW (against the built-in rules), or --since REV DIR\n");
    return 2;
  }
  bool ok = print_diagnostics(old_rules);
  ok = print_diagnostics(new_rules) && ok;
  if (!ok) return 2;
  RulesDiff d = diff_rules(*old_rules.rules, *new_rules.rules);
  io::out(o.format == "json" ? json_report(d, old_name, new_name)
                             : text_report(d, old_name, new_name));
  if (d.identical()) return 0;
  if (o.expect_same)
    io::errf("casex diff: --expect-same: the decisions of {} and {} differ\n", old_name, new_name);
  return 1;
}

}  // namespace

void add_diff_command(CLI::App& app, int& status) {
  auto o = std::make_shared<DiffOptions>();
  auto* cmd = app.add_subcommand(
      "diff",
      "What changes if NEW replaces OLD: every (before.phase, phase after the workflow) pair\n"
      "whose operations can differ, every workflow move and incoming operation that differs,\n"
      "each with a witness change checked on both rule sets. `casex diff NEW` compares with the\n"
      "built-in rules; `casex diff --since REV DIR` with DIR as git has it at REV. Exit status:\n"
      "0 identical decisions (descriptions and comments may differ), 1 they differ, 2 rules that\n"
      "do not load, bad usage or an internal error.");
  cmd->add_option("OLD NEW", o->dirs, "Rule directories (one: NEW, against the built-in rules)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--since", o->since, "Compare DIR with DIR at this git revision (needs git)");
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--expect-same", o->expect_same,
                "For CI: also say on standard error that the decisions were expected the same");
  cmd->callback([o, &status] { status = io::guarded("diff", 2, [&] { return run(*o); }); });
}

}  // namespace casex::cli
