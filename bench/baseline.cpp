// bench/baseline.cpp: the hand-written baseline, the evaluation and I/O of
// shared/bench/peers/baseline.cpp (its Boost.JSON build) brought into the
// benchmark, so both sides run in one process on the same documents.
#include "bench/baseline.h"

#include <boost/json.hpp>
#include <cstdio>

namespace casex_bench::baseline {

namespace {

enum class Meta : uint8_t { Logging, Resolution, Validation, Done };

const char* const kPhaseName[] = {"Log",      "Classify", "InitialSupport",
                                  "Escalate", "Review",   "Close"};
const char* const kOpName[] = {"",      "Assign", "Accept", "Update", "Resolve",
                               "Close", "Cancel", "Reject", "Reopen"};
const char* const kRuleName[] = {"",
                                 "resolution.assign",
                                 "resolution.accept",
                                 "resolution.update",
                                 "validation.cancel",
                                 "validation.reject",
                                 "validation.resolve",
                                 "done.cancel",
                                 "done.reject",
                                 "done.close",
                                 "review-initialsupport.reopen",
                                 "review-initialsupport.assign"};

inline Meta meta_of(Phase p) {
  switch (p) {
    case Phase::Log:
    case Phase::Classify: return Meta::Logging;
    case Phase::InitialSupport:
    case Phase::Escalate: return Meta::Resolution;
    case Phase::Review: return Meta::Validation;
    case Phase::Close: return Meta::Done;
  }
  return Meta::Logging;
}

inline const std::string* system_of(const Change& c, const std::string& group) {
  if (group.empty()) return nullptr;
  for (const auto& g : c.groups)
    if (g.first == group) return g.second.empty() ? nullptr : &g.second;
  return nullptr;
}

inline bool same_system(const std::string* a, const std::string* b) {
  return a == b || (a && b && *a == *b);
}

}  // namespace

void evaluate(const Change& c, Result& r) {
  const Snapshot& b = c.before;
  const Snapshot& a = c.after;
  const std::string* sys_before = system_of(c, b.assignment);
  const std::string* sys_after = system_of(c, a.assignment);
  const bool assignment_changed = b.assignment != a.assignment;
  const bool to_external = assignment_changed && !sys_before && sys_after;
  const bool from_external = assignment_changed && sys_before && !sys_after;
  const bool solution_changed = b.solution != a.solution;
  const bool cc_changed = b.completion_code != a.completion_code;
  const bool ert_changed = b.expected_resolution_time != a.expected_resolution_time;
  const bool activity = c.comment_added || c.attachment_changed;

  const Phase p0 = b.phase;
  Phase p1 = a.phase;
  if (meta_of(p1) == Meta::Resolution && solution_changed && !a.solution.empty())
    p1 = Phase::Review;
  r.phase = p1;
  r.n_ops = r.n_sup = 0;

  const std::string* record_or_after =
      c.has_ref ? (c.ref_system.empty() ? nullptr : &c.ref_system) : sys_after;

  auto table = [&](Meta m, bool entered, Phase ph) -> OutOp {
    OutOp o;
    o.phase = ph;
    switch (m) {
      case Meta::Resolution:
        if (to_external) {
          o.op = Op::Assign;
          o.rule = Rule::ResAssign;
          o.system = sys_after;
        } else if (from_external) {
          o.op = Op::Accept;
          o.rule = Rule::ResAccept;
          o.system = sys_before;
        } else if (ert_changed || solution_changed || activity) {
          o.op = Op::Update;
          o.rule = Rule::ResUpdate;
          o.system = record_or_after;
        }
        break;
      case Meta::Validation:
      case Meta::Done: {
        const bool done = m == Meta::Done;
        if (cc_changed && a.completion_code == "WithdrawnbyUser") {
          o.op = Op::Cancel;
          o.rule = done ? Rule::DoneCancel : Rule::ValCancel;
        } else if (cc_changed && a.completion_code == "RequestRejected") {
          o.op = Op::Reject;
          o.rule = done ? Rule::DoneReject : Rule::ValReject;
        } else if (entered || solution_changed || cc_changed || activity) {
          o.op = done ? Op::Close : Op::Resolve;
          o.rule = done ? Rule::DoneClose : Rule::ValResolve;
        }
        o.system = record_or_after;
        break;
      }
      case Meta::Logging: break;
    }
    return o;
  };

  OutOp steps[2];
  int n = 0;
  if (p0 == Phase::Review && p1 == Phase::InitialSupport) {
    if (to_external) {
      OutOp o;
      o.phase = p1;
      o.system = sys_after;
      if (c.has_ref && sys_after && c.ref_system == *sys_after) {
        o.op = Op::Reopen;
        o.rule = Rule::RvIsReopen;
      } else {
        o.op = Op::Assign;
        o.rule = Rule::RvIsAssign;
      }
      steps[n++] = o;
    }
  } else if (meta_of(p0) == meta_of(p1)) {
    steps[n++] = table(meta_of(p0), false, p0);
  } else {
    steps[n++] = table(meta_of(p0), false, p0);
    const bool entered = p1 != p0;
    OutOp second = table(meta_of(p1), entered, p1);
    if (!(second.op != Op::None && second.op == steps[0].op &&
          same_system(second.system, steps[0].system)))
      steps[n++] = second;
  }

  for (int i = 0; i < n; ++i) {
    const OutOp& o = steps[i];
    if (o.op == Op::None || !o.system || o.system->empty()) continue;
    if (!c.origin.empty() && *o.system == c.origin)
      r.sup[r.n_sup++] = o;
    else
      r.ops[r.n_ops++] = o;
  }
}

namespace {

namespace bj = boost::json;

bool parse_phase(std::string_view s, Phase& out) {
  for (int i = 0; i < 6; ++i)
    if (s == kPhaseName[i]) {
      out = static_cast<Phase>(i);
      return true;
    }
  return false;
}

bool text_field(const bj::object& snap, const char* key, std::string& out) {
  out.clear();
  const bj::value* v = snap.if_contains(key);
  if (!v || v->is_null()) return true;
  if (const bj::string* str = v->if_string()) {
    out.assign(str->data(), str->size());
    return true;
  }
  return false;
}

bool read_snapshot(const bj::object& j, const char* where, Snapshot& s) {
  const bj::value* v = j.if_contains(where);
  if (!v || !v->is_object()) return false;
  const bj::object& snap = v->get_object();
  const bj::value* ph = snap.if_contains("phase");
  if (!ph || !ph->is_string()) return false;
  if (!parse_phase(std::string_view(ph->get_string().data(), ph->get_string().size()), s.phase))
    return false;
  return text_field(snap, "assignment", s.assignment) && text_field(snap, "solution", s.solution) &&
         text_field(snap, "completion_code", s.completion_code) &&
         text_field(snap, "expected_resolution_time", s.expected_resolution_time);
}

bool read_bool(const bj::object& j, const char* key, bool& out) {
  out = false;
  const bj::value* v = j.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_bool()) return false;
  out = v->get_bool();
  return true;
}

void put_json_string(std::string& out, const std::string& s) {
  out.push_back('"');
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          out += buf;
        } else {
          out.push_back(static_cast<char>(ch));
        }
    }
  }
  out.push_back('"');
}

void put_ops(std::string& out, const OutOp* ops, int n) {
  out.push_back('[');
  for (int i = 0; i < n; ++i) {
    if (i) out.push_back(',');
    out += "{\"operation\":\"";
    out += kOpName[static_cast<int>(ops[i].op)];
    out += "\",\"system\":";
    put_json_string(out, *ops[i].system);
    out += ",\"phase\":\"";
    out += kPhaseName[static_cast<int>(ops[i].phase)];
    out += "\",\"rule\":\"";
    out += kRuleName[static_cast<int>(ops[i].rule)];
    out += "\"}";
  }
  out.push_back(']');
}

}  // namespace

bool parse(std::string_view line, Change& c) {
  static thread_local bj::parser parser;  // reused: keeps its buffers between documents
  parser.reset();
  bj::error_code ec;
  parser.write(line.data(), line.size(), ec);
  if (ec) return false;
  bj::value jv = parser.release();
  if (!jv.is_object()) return false;
  const bj::object& j = jv.get_object();
  if (j.contains("incoming")) return false;
  c = Change{};
  if (const bj::value* inc = j.if_contains("incident"); inc && !inc->is_null()) {
    if (!inc->is_string()) return false;
    c.incident.assign(inc->get_string().data(), inc->get_string().size());
    c.has_incident = true;
  }
  if (!read_snapshot(j, "before", c.before) || !read_snapshot(j, "after", c.after)) return false;
  if (!read_bool(j, "comment_added", c.comment_added) ||
      !read_bool(j, "attachment_changed", c.attachment_changed))
    return false;
  if (const bj::value* ref = j.if_contains("external_reference"); ref && !ref->is_null()) {
    if (!ref->is_object()) return false;
    c.has_ref = true;
    if (!text_field(ref->get_object(), "system", c.ref_system) ||
        !text_field(ref->get_object(), "id", c.ref_id))
      return false;
  }
  if (const bj::value* groups = j.if_contains("groups"); groups && !groups->is_null()) {
    if (!groups->is_object()) return false;
    const bj::object& g = groups->get_object();
    c.groups.reserve(g.size());
    for (const auto& kv : g) {
      std::string key(kv.key().data(), kv.key().size());
      if (kv.value().is_null()) {
        c.groups.emplace_back(std::move(key), std::string());
        continue;
      }
      if (!kv.value().is_string()) return false;
      c.groups.emplace_back(std::move(key), std::string(kv.value().get_string().data(),
                                                        kv.value().get_string().size()));
    }
  }
  if (const bj::value* origin = j.if_contains("origin"); origin && !origin->is_null()) {
    if (!origin->is_string()) return false;
    c.origin.assign(origin->get_string().data(), origin->get_string().size());
  }
  return true;
}

void write_result(std::string& out, const Change& c, const Result& r) {
  out += "{\"incident\":";
  if (c.has_incident)
    put_json_string(out, c.incident);
  else
    out += "null";
  out += ",\"phase\":\"";
  out += kPhaseName[static_cast<int>(r.phase)];
  out += "\",\"operations\":";
  put_ops(out, r.ops, r.n_ops);
  out += ",\"suppressed\":";
  put_ops(out, r.sup, r.n_sup);
  out += "}\n";
}

}  // namespace casex_bench::baseline
