// engine/explain/explain_text.cpp: the text form of an explanation (the data
// of explain_document()), for people reading `casex explain` in a terminal.
#include <fmt/format.h>

#include "engine/explain/explain.h"

namespace casex::detail {

namespace bj = boost::json;

namespace {

std::string str(const bj::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return bj::serialize(v);
}

std::string reads_text(const bj::value& reads) {
  if (!reads.is_object() || reads.get_object().empty()) return "";
  std::string out;
  for (const auto& kv : reads.get_object())
    out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", std::string_view(kv.key()),
                       bj::serialize(kv.value()));
  return "   [" + out + "]";
}

void parts_text(const bj::value& parts, const char* indent, std::string& out) {
  for (const auto& p : parts.as_array()) {
    const auto& o = p.as_object();
    out += fmt::format("{}{} is {}{}\n", indent, str(o.at("expr")),
                       o.at("is").as_bool() ? "true" : "false", reads_text(o.at("reads")));
  }
}

const char* outcome_text(std::string_view outcome) {
  if (outcome == "hit") return "HIT";
  if (outcome == "no-match") return "no match";
  if (outcome == "matches-after-first-hit") return "matches, but an earlier rule hit first";
  return "matches, but a rule of higher priority hit";
}

void operation_text(const bj::object& op, std::string& out) {
  std::string sys = op.at("system").is_null() ? "no system" : str(op.at("system"));
  out += fmt::format("  => {} ({}) to {}: {}\n", str(op.at("operation")), str(op.at("rule")), sys,
                     str(op.at("why")));
  const auto& t = op.at("target").as_object();
  if (str(t.at("from")) != "targets") {
    out += fmt::format("       target: the rule's own system: {}{}\n", str(t.at("system")),
                       reads_text(t.at("reads")));
    return;
  }
  const auto& tried = t.at("tried").as_array();
  if (tried.empty()) out += "       target: no entry of targets: names this operation\n";
  for (const auto& e : tried) {
    const auto& o = e.as_object();
    std::string when = o.contains("when") ? fmt::format(" (when {})", str(o.at("when"))) : "";
    if (o.at("taken").as_bool())
      out += fmt::format("       target: targets entry {}{}: system {}{}\n", str(o.at("entry")),
                         when, str(o.at("system")), reads_text(o.at("reads")));
    else
      out += fmt::format("       skipped targets entry {}{}: its condition is false{}\n",
                         str(o.at("entry")), when, reads_text(o.at("reads")));
  }
}

// The record's name: the first key of the result document (its id in a
// change's result, its snapshot in an incoming one).
std::string record_name(const bj::object& e) {
  const auto& r = e.at("result").as_object();
  return r.empty() ? std::string("record") : std::string(r.begin()->key());
}

void change_text(const bj::object& e, std::string& out) {
  const auto& w = e.at("workflow").as_object();
  out += fmt::format("Change: {} -> {} (before.phase -> after.phase)\n\n",
                     str(e.at("before_phase")), str(e.at("after_phase")));
  out += "Workflow\n";
  for (const auto& m : w.at("moves").as_array()) {
    const auto& mo = m.as_object();
    if (mo.at("holds").as_bool())
      out += fmt::format("  move {} holds: the {} moves to {}\n", str(mo.at("id")), record_name(e),
                         str(mo.at("to")));
    else
      out += fmt::format("  move {} (to {}) does not hold\n", str(mo.at("id")), str(mo.at("to")));
    parts_text(mo.at("because"), "      ", out);
  }
  if (w.at("move").is_null())
    out += fmt::format("  no move holds: the new phase is after.phase, {}\n", str(w.at("to")));
  out += fmt::format("\nSteps: {}\n", str(e.at("plan").as_object().at("why")));
  int n = 0;
  for (const auto& sv : e.at("steps").as_array()) {
    const auto& s = sv.as_object();
    std::string entered =
        s.at("entered").is_null() ? "" : fmt::format(", entering {}", str(s.at("entered")));
    if (s.at("table").is_null()) {
      out += fmt::format("\nStep {} (phase {}{}): {}\n", ++n, str(s.at("phase")), entered,
                         str(s.at("why")));
      continue;
    }
    out += fmt::format("\nStep {}: table {} ({}), hit policy {}; its operations carry phase {}{}\n",
                       ++n, str(s.at("table")), str(s.at("scope")), str(s.at("hit_policy")),
                       str(s.at("phase")), entered);
    int i = 0;
    for (const auto& rv : s.at("rules").as_array()) {
      const auto& r = rv.as_object();
      std::string prio =
          r.contains("priority") ? fmt::format(" (priority {})", str(r.at("priority"))) : "";
      out += fmt::format("  {}. {} -> {}{}: {}\n", ++i, str(r.at("id")), str(r.at("operation")),
                         prio, outcome_text(r.at("outcome").as_string()));
      parts_text(r.at("because"), "       ", out);
    }
    if (s.at("hit").as_array().empty()) out += "  => no rule hits: this step sends nothing\n";
    for (const auto& op : s.at("operations").as_array()) operation_text(op.as_object(), out);
  }
}

void incoming_text(const bj::object& e, std::string& out) {
  out += fmt::format("Incoming {}: rule {}\n", str(e.at("operation")),
                     e.contains("rule") ? str(e.at("rule")) : "none");
  if (e.contains("description")) out += fmt::format("  {}\n", str(e.at("description")));
  if (!e.contains("actions")) return;
  int i = 0;
  for (const auto& av : e.at("actions").as_array()) {
    const auto& a = av.as_object();
    std::string when = a.contains("when") ? fmt::format(" (when {})", str(a.at("when"))) : "";
    out += fmt::format("  {}. {}{}: {}\n", ++i, str(a.at("action")), when, str(a.at("did")));
    if (a.contains("because")) parts_text(a.at("because"), "       ", out);
  }
}

}  // namespace

std::string explanation_text(const bj::object& e) {
  std::string out;
  if (str(e.at("kind")) == "change")
    change_text(e, out);
  else
    incoming_text(e, out);
  out += "\n";
  // A change's origin that names no system it could mean: said last, whatever the result.
  std::string note;
  if (const auto* n = e.if_contains("origin_note")) note = "\nNote: " + str(*n) + "\n";
  if (const auto* k = e.if_contains("ignored_keys"); k && k->is_array()) {
    std::string keys;
    for (const auto& key : k->get_array()) keys += (keys.empty() ? "" : ", ") + str(key);
    note += "\nIgnored keys (casex reads none of them): " + keys + "\n";
  }
  if (e.contains("error")) {
    out += fmt::format("Error: {}\n", str(e.at("error")));
    return out + note;
  }
  const auto& r = e.at("result").as_object();
  if (str(e.at("kind")) == "change") {
    out += fmt::format("Result: phase {}\n", str(r.at("phase")));
    for (const char* key : {"operations", "suppressed"}) {
      const auto& ops = r.at(key).as_array();
      out += fmt::format("  {}:{}", key == std::string_view("operations") ? "sent" : "suppressed",
                         ops.empty() ? " none\n" : "\n");
      for (const auto& o : ops)
        out += fmt::format("    {} to {} (rule {}, phase {})\n", str(o.at("operation")),
                           str(o.at("system")), str(o.at("rule")), str(o.at("phase")));
    }
  } else {
    const std::string rec = record_name(e);
    out += fmt::format("Result: {} {}\n  comments: {}\n  external_reference: {}\n", rec,
                       bj::serialize(r.at(rec)), bj::serialize(r.at("comments")),
                       bj::serialize(r.at("external_reference")));
  }
  return out + note;
}

}  // namespace casex::detail
