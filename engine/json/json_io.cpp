// engine/json/json_io.cpp: reads `casex eval` documents into the engine's
// input form with precise error paths, and writes results in the contract's shape.
#include "engine/json/json_io.h"

#include <fmt/format.h>

#include <cmath>

namespace casex::detail {

namespace bj = boost::json;

namespace {

// The offset of the first byte of `s` that is not part of well-formed UTF-8
// (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                      : c >= 0xE0 && c <= 0xEF ? 3
                      : c >= 0xF0 && c <= 0xF4 ? 4
                                               : 0;
    if (len == 0) return i;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    if (i + 1 >= s.size()) return std::string_view::npos;  // cut off: not an error here
    if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (i + k >= s.size())
        return std::string_view::npos;
      else if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
        return i;
    i += len;
  }
  return std::string_view::npos;
}

const char* json_kind(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "null";
    case bj::kind::bool_: return "a boolean";
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: return "a number";
    case bj::kind::string: return "a string";
    case bj::kind::array: return "an array";
    case bj::kind::object: return "an object";
  }
  return "a value";
}

std::string_view view(const bj::string& s) { return {s.data(), s.size()}; }

// Reads an optional string member: absent or null -> no value.
bool opt_string(const bj::object& o, std::string_view key, std::string_view path,
                std::string_view& out, bool& present, std::string& error) {
  present = false;
  out = {};
  const bj::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) {
    error = fmt::format("{}: expected a string or null, found {}", path, json_kind(*v));
    return false;
  }
  present = true;
  out = view(v->get_string());
  return true;
}

bj::parse_options parse_options() {
  bj::parse_options o;
  o.max_depth = 32;
  return o;
}

void append_escaped(std::string& out, unsigned char ch) {
  switch (ch) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default: out += fmt::format("\\u{:04x}", ch);
  }
}

// The path of the first number in `v` that is out of a double's range (Boost.JSON
// reads 1e400 as infinity, which JSON cannot write back), or false.
bool find_non_finite(const bj::value& v, std::string& path) {
  switch (v.kind()) {
    case bj::kind::double_: return !std::isfinite(v.get_double());
    case bj::kind::array: {
      const auto& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (find_non_finite(a[i], path)) {
          path.insert(0, fmt::format("[{}]", i));
          return true;
        }
      }
      return false;
    }
    case bj::kind::object:
      for (const auto& kv : v.get_object()) {
        if (find_non_finite(kv.value(), path)) {
          path.insert(0, fmt::format(".{}", std::string_view(kv.key().data(), kv.key().size())));
          return true;
        }
      }
      return false;
    default: return false;
  }
}

}  // namespace

// The result document is the one JSON casex writes without Boost.JSON's
// serializer: this function family (append_json_string, append_escaped,
// JsonEvaluator::write_change and write_incoming) appends straight into the
// caller's buffer from precomputed quoted names, for speed: it is the hot path
// of eval --lines, one result per input line, where building a bj::value per
// result would cost allocations. It writes exactly what bj::serialize writes
// (same escapes, key order and numbers); tests/json_output_test.cpp checks
// that every fixture's result and 10,000 generated ones round-trip through
// Boost.JSON byte for byte. Every other JSON casex prints goes through Boost.JSON.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  // Copy runs of plain characters at once; escape the rest one by one.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    append_escaped(out, c);
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

JsonEvaluator::JsonEvaluator(const CompiledRules& rules, std::size_t memory_limit)
    : rules_(rules),
      arena_(memory_limit),
      reader_(rules.rules.vocabulary),
      field_near_miss_(rules.rules.vocabulary) {
  parser_.emplace(bj::storage_ptr(), parse_options());
  const Vocabulary& v = rules.rules.vocabulary;
  auto quoted = [](std::string_view s) {
    std::string q;
    append_json_string(q, s);
    return q;
  };
  record_key_ = "{" + quoted(v.record) + ":";
  for (const auto& p : v.phases) phase_json_.push_back(quoted(p));
  for (const auto& o : v.outgoing) op_json_.push_back(quoted(o));
  change_keys_ = known_top_keys(v, false);
  incoming_keys_ = known_top_keys(v, true);
  change_objects_ = {"before", "after", "external_reference", "groups"};
  incoming_objects_ = {v.record, "external_reference", "fields"};
  for (const auto& t : rules.rules.tables) {
    rule_json_.emplace_back();
    for (const auto& r : t.rules) rule_json_.back().push_back(quoted(r.id));
  }
}

// Frees what a larger earlier document left behind and this one does not need.
void JsonEvaluator::trim(std::size_t document_size) {
  if (texts_.capacity() > kRetainedBytes && texts_.capacity() > document_size)
    std::string().swap(texts_);
  if (parser_high_ > kRetainedBytes && parser_high_ > document_size) {
    parser_.emplace(bj::storage_ptr(), parse_options());
    parser_high_ = 0;
  }
  parser_high_ = std::max(parser_high_, document_size);
}

// The document boundary: whatever evaluating one document throws (its memory
// limit, an allocation failure, anything else) becomes that document's error,
// and the evaluator's state is dropped so the next document starts clean.
template <class F>
bool JsonEvaluator::guarded(std::string_view document, std::string& error, F&& f) {
  try {
    trim(document.size());
    return f();
  } catch (const DocumentMemoryExceeded&) {
    error = fmt::format(
        "the document needs more than {} bytes of memory once parsed; the limit is {} bytes",
        arena_.limit(), arena_.limit());
  } catch (const std::bad_alloc&) {
    error = "out of memory while evaluating the document";
  } catch (const std::exception& e) {
    error = fmt::format("internal error while evaluating the document: {}", e.what());
  }
  outcome_.error.clear();
  incoming_out_.error.clear();
  doc_.reset();
  parser_.emplace(bj::storage_ptr(), parse_options());
  parser_high_ = 0;
  arena_.reset();
  std::string().swap(texts_);
  return false;
}

bool JsonEvaluator::parse(std::string_view document, std::string& error) {
  // Order matters: after a failed document the parser still holds partial
  // values in arena_, so it must drop them before arena_ is reset.
  doc_.reset();
  parser_->reset();
  arena_.reset();
  parser_->reset(bj::storage_ptr(&arena_));
  bj::error_code ec;
  std::size_t n = parser_->write(document.data(), document.size(), ec);
  if (!ec) {
    doc_.emplace(parser_->release());
    return true;
  }
  // Locate the error: Boost.JSON reports how far it read. It calls bytes that
  // are not UTF-8 a syntax error: those are named, with their byte offset.
  std::size_t at = std::min(n, document.size());
  std::size_t bad = invalid_utf8_at(document.substr(0, std::min(at + 4, document.size())));
  bool utf8 = bad <= at && bad < document.size();
  if (utf8) at = bad;
  int line = 1, col = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (document[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  std::string what = ec.message();
  if (utf8)
    what = fmt::format("invalid UTF-8 (byte 0x{:02x} at byte offset {})",
                       static_cast<unsigned char>(document[bad]), bad);
  else if (ec == bj::error::incomplete)
    what = "the document ends too early";
  else if (ec == bj::error::too_deep)
    what = fmt::format("the document nests deeper than {} levels", parse_options().max_depth);
  error = fmt::format("malformed JSON at line {}, column {}: {}", line, col, what);
  return false;
}

bool JsonEvaluator::eval(std::string_view document, std::string& out, std::string& error) {
  std::size_t start = out.size();
  bool ok = guarded(document, error, [&] {
    // Fast path: a well-formed change, read without a DOM. Anything else (an
    // incoming operation, bad input) takes the DOM path below, which words the errors.
    if (reader_.read(document, change_, texts_) == ChangeReader::Result::Ok) {
      if (!evaluate_change(rules_, change_, outcome_, scratch_)) {
        error = outcome_.error;
        return false;
      }
      write_change(out);
      return true;
    }
    bool is_incoming = false;
    return eval_dom(document, nullptr, is_incoming, out, error);
  });
  if (!ok) out.resize(start);  // nothing partial
  return ok;
}

bool JsonEvaluator::explain(std::string_view document, EvalTrace& trace, bool& is_incoming,
                            std::string& out, std::string& error) {
  trace = EvalTrace{};
  is_incoming = false;
  std::size_t start = out.size();
  bool ok =
      guarded(document, error, [&] { return eval_dom(document, &trace, is_incoming, out, error); });
  if (!ok) out.resize(start);
  return ok;
}

// The general path: a DOM, then a change or an incoming operation, with the
// errors worded by JSON path; `trace` (explain) records the evaluation.
bool JsonEvaluator::eval_dom(std::string_view document, EvalTrace* trace, bool& is_incoming,
                             std::string& out, std::string& error) {
  is_incoming = false;
  if (!parse(document, error)) return false;
  if (!doc_->is_object()) {
    error = fmt::format("$: expected an object, found {}", json_kind(*doc_));
    return false;
  }
  if (std::string path; find_non_finite(*doc_, path)) {
    error = fmt::format("{}: the number is out of range (beyond about 1.8e308)", path.substr(1));
    return false;
  }
  const bj::object& doc = doc_->get_object();
  if (!check_keys(document, doc, doc.contains("incoming"), error)) return false;
  if (doc.contains("incoming")) {
    is_incoming = true;
    if (!read_incoming(doc, error)) return false;
    if (!apply_incoming(rules_, incoming_, incoming_out_, trace)) {
      error = incoming_out_.error;
      return false;
    }
    write_incoming(doc, out);
    return true;
  }
  if (!read_change(doc, error)) return false;
  if (!evaluate_change(rules_, change_, outcome_, scratch_, trace)) {
    error = outcome_.error;
    return false;
  }
  write_change(out);
  return true;
}

// Duplicate keys and near misses of the top-level keys (input_check.h), in
// document order; nothing when lenient.
bool JsonEvaluator::check_keys(std::string_view document, const bj::object& doc, bool is_incoming,
                               std::string& error) {
  if (lenient_) return true;
  std::string path;
  if (duplicates_.find(document, is_incoming ? incoming_objects_ : change_objects_, path)) {
    error = duplicate_key_error(path);
    return false;
  }
  const auto& known = is_incoming ? incoming_keys_ : change_keys_;
  const auto& other = is_incoming ? change_keys_ : incoming_keys_;
  for (const auto& kv : doc) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (const std::string* meant = near_miss_key(key, known, other)) {
      error = near_miss_key_error(key, *meant);
      return false;
    }
  }
  return true;
}

bool JsonEvaluator::read_snapshot(const bj::object& doc, std::string_view key,
                                  std::vector<Value>& out, std::string& error,
                                  std::vector<bool>* carried) {
  const Vocabulary& v = rules_.rules.vocabulary;
  out.assign(v.fields.size(), Value{});
  const bj::value* sv = doc.if_contains(key);
  if (!sv) {
    error = fmt::format("{}: missing", key);
    return false;
  }
  if (!sv->is_object()) {
    error = fmt::format("{}: expected an object, found {}", key, json_kind(*sv));
    return false;
  }
  for (const auto& kv : sv->get_object()) {
    std::string_view field_key(kv.key().data(), kv.key().size());
    int slot = v.find_field(field_key);
    if (slot < 0) {
      if (const std::string* meant = lenient_ ? nullptr : field_near_miss_.find(field_key)) {
        error = unknown_field_error(key, field_key, *meant);
        return false;
      }
      continue;  // kept for the host, not used by the rules
    }
    if (carried) (*carried)[slot] = true;
    const auto& f = v.fields[slot];
    const bj::value& x = kv.value();
    std::string_view name = f.name;
    if (x.is_null()) continue;
    Value& val = out[slot];
    switch (f.type) {
      case Type::Phase: {
        if (!x.is_string()) {
          error = fmt::format("{}.{}: expected a phase name, found {}", key, name, json_kind(x));
          return false;
        }
        std::string_view s = view(x.get_string());
        if (s.empty()) continue;
        int ph = v.find_phase(s);
        if (ph < 0) {
          std::string hint = did_you_mean(s, v.phases);
          error = fmt::format("{}.{}: unknown phase \"{}\"{}{}", key, name, s,
                              hint.empty() ? "" : "; ", hint);
          return false;
        }
        val.kind = ConstKind::Sym;
        val.sym = ph;
        break;
      }
      case Type::Number:
        if (!x.is_number()) {
          error =
              fmt::format("{}.{}: expected a number or null, found {}", key, name, json_kind(x));
          return false;
        }
        if ((x.is_int64() &&
             (x.get_int64() > kMaxExactInteger || x.get_int64() < -kMaxExactInteger)) ||
            (x.is_uint64() && x.get_uint64() > static_cast<uint64_t>(kMaxExactInteger))) {
          error = fmt::format("{}.{}: {} is beyond the numbers held exactly (-2^53 to 2^53)", key,
                              name, bj::serialize(x));
          return false;
        }
        val.kind = ConstKind::Number;
        val.number = x.to_number<double>();
        break;
      case Type::Bool:
        if (!x.is_bool()) {
          error =
              fmt::format("{}.{}: expected a boolean or null, found {}", key, name, json_kind(x));
          return false;
        }
        val.kind = ConstKind::Bool;
        val.boolean = x.get_bool();
        break;
      default: {
        if (!x.is_string()) {
          error =
              fmt::format("{}.{}: expected a string or null, found {}", key, name, json_kind(x));
          return false;
        }
        std::string_view s = view(x.get_string());
        if (s.empty()) continue;
        if (!f.value_aliases.empty()) {
          if (auto it = f.value_aliases.find(std::string(s)); it != f.value_aliases.end())
            s = it->second;
        }
        if (const std::string* meant = near_miss_value(f, s, lenient_)) {
          error = near_miss_value_error(key, name, s, *meant);
          return false;
        }
        val.kind = ConstKind::Text;
        val.text = s;
      }
    }
  }
  if (!carried && out[v.phase_field].kind == ConstKind::None) {
    error = fmt::format("{}.{}: missing", key, v.fields[v.phase_field].name);
    return false;
  }
  return true;
}

bool JsonEvaluator::read_reference(const bj::object& doc, bool& has, std::string_view& sys,
                                   std::string_view& id, std::string& error) {
  has = false;
  sys = id = {};
  const bj::value* r = doc.if_contains("external_reference");
  if (!r || r->is_null()) return true;
  if (!r->is_object()) {
    error = fmt::format("external_reference: expected an object or null, found {}", json_kind(*r));
    return false;
  }
  bool present = false;
  if (!opt_string(r->get_object(), "system", "external_reference.system", sys, present, error))
    return false;
  if (!opt_string(r->get_object(), "id", "external_reference.id", id, present, error)) return false;
  has = true;
  return true;
}

bool JsonEvaluator::read_change(const bj::object& doc, std::string& error) {
  const Vocabulary& v = rules_.rules.vocabulary;
  ChangeInput& c = change_;
  c.reset(v);
  if (!opt_string(doc, v.record, v.record, c.record, c.has_record, error)) return false;
  if (!read_snapshot(doc, "before", c.before, error) ||
      !read_snapshot(doc, "after", c.after, error))
    return false;
  for (std::size_t i = 0; i < v.events.size(); ++i) {
    const bj::value* e = doc.if_contains(v.events[i]);
    if (!e || e->is_null()) continue;
    if (!e->is_bool()) {
      error = fmt::format("{}: expected a boolean, found {}", v.events[i], json_kind(*e));
      return false;
    }
    c.events.set(i, e->get_bool());
  }
  if (!read_reference(doc, c.has_ref, c.ref_system, c.ref_id, error)) return false;
  if (const bj::value* g = doc.if_contains("groups"); g && !g->is_null()) {
    if (!g->is_object()) {
      error = fmt::format("groups: expected an object, found {}", json_kind(*g));
      return false;
    }
    for (const auto& kv : g->get_object()) {
      std::string_view name(kv.key().data(), kv.key().size());
      if (kv.value().is_null()) {
        c.groups.emplace_back(name, std::string_view());
      } else if (kv.value().is_string()) {
        c.groups.emplace_back(name, view(kv.value().get_string()));
      } else {
        error = fmt::format("groups.{}: expected a string or null, found {}", name,
                            json_kind(kv.value()));
        return false;
      }
    }
  }
  if (!read_sent(doc, c, error)) return false;
  bool present = false;
  return opt_string(doc, "origin", "origin", c.origin, present, error);
}

// `sent`: what the host sent for the record before, oldest first:
// [{"operation": NAME, "system": SYSTEM}, ...]; system may be null or left out.
bool JsonEvaluator::read_sent(const bj::object& doc, ChangeInput& c, std::string& error) {
  const Vocabulary& v = rules_.rules.vocabulary;
  const bj::value* s = doc.if_contains("sent");
  if (!s || s->is_null()) return true;
  if (!s->is_array()) {
    error = fmt::format("sent: expected a list of {{\"operation\", \"system\"}} objects, found {}",
                        json_kind(*s));
    return false;
  }
  std::size_t i = 0;
  for (const bj::value& e : s->get_array()) {
    const std::string at = fmt::format("sent[{}]", i++);
    if (!e.is_object()) {
      error = fmt::format("{}: expected an object {{\"operation\", \"system\"}}, found {}", at,
                          json_kind(e));
      return false;
    }
    for (const auto& kv : e.get_object())
      if (kv.key() != "operation" && kv.key() != "system") {
        error = fmt::format("{}: unknown key \"{}\" (its keys: operation, system)", at,
                            std::string_view(kv.key()));
        return false;
      }
    std::string_view op, system;
    bool present = false;
    if (!opt_string(e.get_object(), "operation", at + ".operation", op, present, error))
      return false;
    if (op.empty()) {
      error = fmt::format("{}.operation: missing", at);
      return false;
    }
    if (Vocabulary::index_of(v.outgoing, op) < 0) {
      std::string hint = did_you_mean(op, v.outgoing);
      error = fmt::format("{}.operation: unknown operation \"{}\"{}{}", at, op,
                          hint.empty() ? "" : "; ", hint);
      return false;
    }
    if (!opt_string(e.get_object(), "system", at + ".system", system, present, error)) return false;
    c.sent.emplace_back(op, system);
  }
  return true;
}

bool JsonEvaluator::read_incoming(const bj::object& doc, std::string& error) {
  const Vocabulary& v = rules_.rules.vocabulary;
  IncomingInput& in = incoming_;
  const bj::value& op = doc.at("incoming");
  if (!op.is_string()) {
    error = fmt::format("incoming: expected an operation name, found {}", json_kind(op));
    return false;
  }
  std::string_view name = view(op.get_string());
  in.op = Vocabulary::index_of(v.incoming, name);
  if (in.op < 0) {
    std::string hint = did_you_mean(name, v.incoming);
    error =
        fmt::format("incoming: unknown operation \"{}\"{}{}", name, hint.empty() ? "" : "; ", hint);
    return false;
  }
  bool present = false;
  if (!opt_string(doc, "system", "system", in.system, present, error)) return false;
  if (!opt_string(doc, "id", "id", in.id, present, error)) return false;
  if (!read_snapshot(doc, v.record, in.record, error)) return false;
  // `fields`: the values the message carries (the external system's side of the record)
  in.fields.clear();
  in.carried.assign(v.fields.size(), false);
  if (const bj::value* f = doc.if_contains("fields"); f && !f->is_null()) {
    if (!read_snapshot(doc, "fields", in.fields, error, &in.carried)) return false;
  }
  return read_reference(doc, in.has_ref, in.ref_system, in.ref_id, error);
}

void JsonEvaluator::write_change(std::string& out) const {
  out += record_key_;
  if (change_.has_record)
    append_json_string(out, change_.record);
  else
    out += "null";
  out += ",\"phase\":";
  out += phase_json_[outcome_.phase];
  auto ops = [&](const std::vector<OutOp>& list) {
    out.push_back('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      const OutOp& o = list[i];
      if (i) out.push_back(',');
      out += "{\"operation\":";
      out += op_json_[o.op];
      out += ",\"system\":";
      append_json_string(out, o.system);
      out += ",\"phase\":";
      out += phase_json_[o.phase];
      out += ",\"rule\":";
      out += rule_json_[o.table][o.rule];
      out.push_back('}');
    }
    out.push_back(']');
  };
  out += ",\"operations\":";
  ops(outcome_.ops);
  out += ",\"suppressed\":";
  ops(outcome_.suppressed);
  out.push_back('}');
}

void JsonEvaluator::write_incoming(const bj::object& doc, std::string& out) const {
  const Vocabulary& v = rules_.rules.vocabulary;
  const IncomingOutcome& r = incoming_out_;
  auto value = [&](const Value& val) {
    if (val.kind == ConstKind::None) {
      out += "null";
    } else if (val.kind == ConstKind::Text || val.kind == ConstKind::Sym) {
      std::string s;
      append_text(v, val, s);
      append_json_string(out, s);
    } else if (val.kind == ConstKind::Bool) {
      out += val.boolean ? "true" : "false";
    } else if (val.number == std::trunc(val.number) &&
               std::fabs(val.number) <= static_cast<double>(kMaxExactInteger)) {
      out += bj::serialize(bj::value(static_cast<int64_t>(val.number)));  // 3, not 3E0
    } else {
      out += bj::serialize(bj::value(val.number));
    }
  };
  out += record_key_;
  out.push_back('{');
  std::vector<bool> written(v.fields.size(), false);
  bool first = true;
  for (const auto& kv : doc.at(v.record).get_object()) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, key);
    out.push_back(':');
    int slot = v.find_field(key);
    if (slot >= 0 && !written[slot] && r.changes[slot] != IncomingOutcome::FieldChange::None) {
      value(r.record[slot]);
      written[slot] = true;
    } else {
      out += bj::serialize(kv.value());
    }
  }
  for (std::size_t slot = 0; slot < v.fields.size(); ++slot) {
    if (written[slot] || r.changes[slot] == IncomingOutcome::FieldChange::None) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, v.fields[slot].name);
    out.push_back(':');
    value(r.record[slot]);
  }
  out += "},\"comments\":[";
  for (std::size_t i = 0; i < r.comments.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, r.comments[i]);
  }
  out += "],\"external_reference\":";
  if (r.has_ref) {
    out += "{\"system\":";
    if (r.ref_system.empty())
      out += "null";
    else
      append_json_string(out, r.ref_system);
    out += ",\"id\":";
    if (r.ref_id.empty())
      out += "null";
    else
      append_json_string(out, r.ref_id);
    out.push_back('}');
  } else {
    out += "null";
  }
  out += ",\"rule\":";
  append_json_string(out, rules_.rules.incoming[r.rule].id);
  out.push_back('}');
}

}  // namespace casex::detail
