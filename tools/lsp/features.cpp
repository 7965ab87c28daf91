// tools/lsp/features.cpp: hover, completion, navigation, outline and quick
// fixes of `casex lsp` (tools/lsp/features.h), on the rule set as the
// engine's loader read it (names with their positions) and the functions of
// the expression language as engine/check/functions.def declares them.
#include "tools/lsp/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "casex/tooling.hpp"
#include "tools/lsp/text.h"

namespace casex::lsp {

namespace bj = boost::json;
namespace fs = std::filesystem;
using RawRuleSet = RuleOutline;

// A position in a rule file (1-based line and byte column).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};
Location at(const OutlineText& t) { return {t.file, t.line, t.column}; }
Location line_of(const std::string& file, int line) { return {file, line, 1}; }

namespace {

// ---- the expression language's functions (casex::expression_functions) ----

using Function = ExpressionFunction;

const std::vector<Function>& functions() {
  static const std::vector<Function> all = expression_functions();
  return all;
}

// What each function means, one line (docs/rule-language.md says it at length).
const char* meaning(std::string_view name) {
  static const std::map<std::string_view, const char*> m{
      {"changed", "true when the field's value before the save differs from its value after"},
      {"changed_to", "true when the field changed and its value after the save is the given one"},
      {"has_value", "true when the value is present and not empty"},
      {"external_system", "the external system a group (e.g. an assignment) belongs to"},
      {"is_external", "true when the group belongs to an external system"},
      {"metaphase", "the metaphase a phase belongs to"},
      {"entered", "true when the save moved the incident into the phase"},
      {"starts_with", "true when the first text begins with the second"}};
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

std::string arg_name(char a) {
  switch (a) {
    case 'f': return "field";
    case 'p': return "\"phase\"";
    case 'v': return "value";
    case 't': return "text";
    case 'h': return "phase";
    case 'o': return "\"operation\"";
    case '?': return "[then optional]";
    default: return "value";
  }
}

std::string signature(const Function& f) {
  std::vector<std::string> args;
  for (char a : f.arguments) args.push_back(arg_name(a));
  return fmt::format("{}({}) -> {}", f.name, fmt::join(args, ", "), f.result);
}

std::string snippet(const Function& f) {
  std::string s = f.name + "(";
  int n = 1;
  for (char a : f.arguments) {
    if (a == '?') break;  // the optional arguments are left out
    if (n > 1) s += ", ";
    std::string name = arg_name(a);
    if (a == 'p')
      s += fmt::format("\"${{{}:phase}}\"", n);
    else if (a == 'o')
      s += fmt::format("\"${{{}:operation}}\"", n);
    else
      s += fmt::format("${{{}:{}}}", n, name);
    ++n;
  }
  return s + ")";
}

const Function* function_named(std::string_view name) {
  for (const auto& f : functions())
    if (name == f.name) return &f;
  return nullptr;
}

// ---- positions ---------------------------------------------------------------

bj::object position(int line, int character) {
  return bj::object{{"line", line}, {"character", character}};
}

// The range of `length` bytes at a 1-based location of `text`.
bj::object range_at(std::string_view text, const Location& loc, std::size_t length) {
  Lines lines(text);
  int line = std::max(loc.line, 1) - 1;
  std::string_view l = lines.at(line);
  std::size_t b = static_cast<std::size_t>(std::max(loc.column, 1) - 1);
  return bj::object{{"start", position(line, utf16_column(l, b))},
                    {"end", position(line, utf16_column(l, b + length))}};
}

std::string short_name(const std::string& path) { return fs::path(path).filename().string(); }

std::string where(const Location& loc) {
  return fmt::format("{}:{}", short_name(loc.file), loc.line);
}

// ---- what a name is ----------------------------------------------------------

struct Entry {
  std::string kind;  // field, phase, metaphase, event, operation, rule, move, incoming rule, table
  Location loc;      // its declaration (the name)
  std::string name;  // canonical
};

// Every declaration of `name` in the rule set (a name may be a phase and an operation).
std::vector<Entry> lookup(const RawRuleSet& raw, const std::string& name) {
  std::vector<Entry> out;
  const auto& v = raw;
  for (const auto& f : v.fields) {
    bool hit = f.name.value == name;
    for (const auto& a : f.aliases) hit = hit || a.value == name;
    if (hit) out.push_back({"field", at(f.name), f.name.value});
  }
  for (const auto& p : v.phases) {
    bool hit = p.name.value == name;
    for (const auto& a : p.aliases) hit = hit || a.value == name;
    if (hit) out.push_back({"phase", at(p.name), p.name.value});
  }
  for (const auto& m : v.metaphases)
    if (m.value == name) out.push_back({"metaphase", at(m), m.value});
  for (const auto& e : v.events)
    if (e.value == name) out.push_back({"event", at(e), e.value});
  for (const auto& o : v.outgoing)
    if (o.value == name) out.push_back({"operation", at(o), o.value});
  for (const auto& o : v.incoming_operations)
    if (o.value == name) out.push_back({"incoming operation", at(o), o.value});
  for (const auto& t : raw.tables) {
    if (t.id.value == name) out.push_back({"table", at(t.id), name});
    for (const auto& r : t.rules)
      if (r.id.value == name) out.push_back({"rule", at(r.id), name});
  }
  for (const auto& m : raw.moves)
    if (m.id.value == name) out.push_back({"move", at(m.id), name});
  for (const auto& i : raw.incoming)
    if (i.id.value == name) out.push_back({"incoming rule", at(i.id), name});
  return out;
}

// The key a position's value belongs to: the last `key:` before it on its
// line, else the key of the closest line above with one (a folded scalar).
std::string key_at(const Lines& lines, int line, std::size_t byte) {
  static const std::regex key(R"re(([A-Za-z_]+):(\s|$))re");
  for (int l = line; l >= 0 && l > line - 40; --l) {
    // std::regex recurses per character: only the first 256 bytes of a line are read.
    std::string s(lines.at(l).substr(0, std::min<std::size_t>(l == line ? byte : 256, 256)));
    std::string found;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), key); it != std::sregex_iterator();
         ++it)
      found = (*it)[1];
    if (!found.empty()) return found;
  }
  return {};
}

// `s` as a std::regex (ECMAScript) matching itself.
std::string regex_escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The name under the cursor, without a before./after./RECORD. prefix, and its range.
struct Word {
  std::string text;  // as written
  std::string name;  // without before./after./RECORD. (RECORD: the vocabulary's record:)
  bool prefixed = false;
  std::size_t begin = 0, end = 0;  // bytes of the line
  bool call = false;               // followed by '('
  std::string key;                 // the YAML key the word is the value of
};

std::optional<Word> word_at(const At& at, const RuleOutline& raw) {
  Lines lines(at.text);
  std::string_view l = lines.at(at.line);
  std::size_t byte = byte_column(l, at.character);
  auto [b, e] = word_around(l, byte);
  // a trailing '.' or '-' belongs to no name
  while (e > b && (l[e - 1] == '.' || l[e - 1] == '-')) --e;
  if (b == e) return std::nullopt;
  Word w;
  w.text = std::string(l.substr(b, e - b));
  w.begin = b;
  w.end = e;
  w.name = w.text;
  const std::string record = raw.record.value + ".";  // a placeholder's {RECORD.FIELD}
  for (std::string_view p :
       {std::string_view("before."), std::string_view("after."), std::string_view(record)})
    if (!w.prefixed && w.name.rfind(p, 0) == 0) {
      w.name = w.name.substr(p.size());
      w.prefixed = true;
    }
  std::size_t next = l.find_first_not_of(" \t", e);
  w.call = next != std::string_view::npos && l[next] == '(';
  w.key = key_at(lines, at.line, b);
  return w;
}

bool is_operation_key(const std::string& key) {
  return key == "then" || key == "operation" || key == "operations" || key == "outgoing" ||
         key == "incoming";
}

// The entries of a name, the likeliest first for the key it is written under.
std::vector<Entry> entries_for(const RawRuleSet& raw, const Word& w) {
  std::vector<Entry> es = lookup(raw, w.name);
  auto rank = [&](const Entry& e) {
    if (w.prefixed) return e.kind == "field" ? 0 : 2;
    if (is_operation_key(w.key)) return e.kind.find("operation") != std::string::npos ? 0 : 1;
    if (w.key == "to" || w.key == "phases" || w.key == "when") return e.kind == "phase" ? 0 : 1;
    return 1;
  };
  std::stable_sort(es.begin(), es.end(),
                   [&](const Entry& a, const Entry& b) { return rank(a) < rank(b); });
  if (w.prefixed)
    es.erase(std::remove_if(es.begin(), es.end(), [](const Entry& e) { return e.kind != "field"; }),
             es.end());
  return es;
}

// Ids of the rules whose condition mentions `"name"` or whose move goes to it.
std::vector<std::string> rules_consulting_phase(const RawRuleSet& raw, const std::string& name) {
  std::vector<std::string> ids;
  std::string quoted = "\"" + name + "\"";
  for (const auto& m : raw.moves)
    if (m.to.value == name || m.when.value.find(quoted) != std::string::npos)
      ids.push_back(m.id.value);
  for (const auto& t : raw.tables) {
    bool scoped = t.transition_from.value == name || t.transition_to.value == name;
    for (const auto& r : t.rules)
      if (scoped || r.when.value.find(quoted) != std::string::npos) ids.push_back(r.id.value);
  }
  return ids;
}

std::string list(const std::vector<std::string>& ids) {
  if (ids.empty()) return "none";
  std::vector<std::string> q;
  for (const auto& i : ids) q.push_back("`" + i + "`");
  return fmt::format("{}", fmt::join(q, ", "));
}

std::string describe(const RawRuleSet& raw, const Entry& e) {
  std::string out;
  if (e.kind == "field") {
    for (const auto& f : raw.fields) {
      if (f.name.value != e.name) continue;
      out = fmt::format("**field** `{}`: {}", f.name.value, f.type.value);
      if (!f.values.empty()) {
        std::vector<std::string> vs;
        for (const auto& v : f.values) vs.push_back(v.value);
        out += fmt::format("\n\nvalues: {}", fmt::join(vs, ", "));
      }
      if (!f.aliases.empty()) {
        std::vector<std::string> as;
        for (const auto& a : f.aliases) as.push_back(a.value);
        out += fmt::format("\n\naliases: {}", fmt::join(as, ", "));
      }
    }
  } else if (e.kind == "phase") {
    for (const auto& p : raw.phases) {
      if (p.name.value != e.name) continue;
      out = fmt::format("**phase** `{}` of metaphase {}", p.name.value,
                        p.metaphase.value.empty() ? "(none)" : p.metaphase.value);
      if (!p.aliases.empty()) {
        std::vector<std::string> as;
        for (const auto& a : p.aliases) as.push_back(a.value);
        out += fmt::format(" (aliases: {})", fmt::join(as, ", "));
      }
    }
    out += "\n\nconsulted by: " + list(rules_consulting_phase(raw, e.name));
  } else if (e.kind == "metaphase") {
    std::vector<std::string> phases, tables;
    for (const auto& p : raw.phases)
      if (p.metaphase.value == e.name) phases.push_back(p.name.value);
    for (const auto& t : raw.tables)
      if (t.metaphase.value == e.name) tables.push_back(t.id.value);
    out = fmt::format("**metaphase** `{}`: phases {}\n\ntables: {}", e.name, list(phases),
                      list(tables));
  } else if (e.kind == "event") {
    out = fmt::format("**event** `{}`: a boolean of the change document", e.name);
  } else if (e.kind == "operation") {
    std::vector<std::string> producers;
    for (const auto& t : raw.tables)
      for (const auto& r : t.rules)
        if (r.then.value == e.name) producers.push_back(r.id.value);
    out = fmt::format("**outgoing operation** `{}`\n\nproduced by: {}", e.name, list(producers));
  } else if (e.kind == "incoming operation") {
    std::vector<std::string> rules;
    for (const auto& i : raw.incoming)
      for (const auto& o : i.operations)
        if (o.value == e.name) rules.push_back(i.id.value);
    out = fmt::format("**incoming operation** `{}`\n\nhandled by: {}", e.name, list(rules));
  } else if (e.kind == "rule") {
    for (const auto& t : raw.tables)
      for (const auto& r : t.rules)
        if (r.id.value == e.name) {
          out = fmt::format("**rule** `{}` of table `{}` (hit policy {})\n\n{}\n\nthen: {}", e.name,
                            t.id.value, t.hit_policy.value, r.description.value, r.then.value);
          if (r.priority) out += fmt::format(" (priority {})", r.priority);
        }
  } else if (e.kind == "move") {
    for (const auto& m : raw.moves)
      if (m.id.value == e.name)
        out = fmt::format("**workflow move** `{}`\n\n{}\n\nto: {}", e.name, m.description.value,
                          m.to.value);
  } else if (e.kind == "incoming rule") {
    for (const auto& i : raw.incoming)
      if (i.id.value == e.name) {
        std::vector<std::string> ops;
        for (const auto& o : i.operations) ops.push_back(o.value);
        out = fmt::format("**incoming rule** `{}` for {}\n\n{}\n\n{} action{}", e.name,
                          fmt::join(ops, ", "), i.description.value, i.actions,
                          i.actions == 1 ? "" : "s");
      }
  } else if (e.kind == "table") {
    for (const auto& t : raw.tables)
      if (t.id.value == e.name) {
        std::string scope =
            !t.metaphase.value.empty() ? "metaphase " + t.metaphase.value
            : !t.transition_from.value.empty()
                ? "transition " + t.transition_from.value + " -> " + t.transition_to.value
                : "(none)";
        out = fmt::format("**table** `{}`: {}, hit policy {}, {} rule{}", e.name, scope,
                          t.hit_policy.value, t.rules.size(), t.rules.size() == 1 ? "" : "s");
      }
  }
  return out + "\n\ndeclared at " + where(e.loc);
}

bj::object location(const Location& loc, std::size_t length, const Model& m) {
  return bj::object{{"uri", path_to_uri(loc.file)},
                    {"range", range_at(m.text(loc.file), loc, length)}};
}

// ---- completion helpers --------------------------------------------------------

bj::object item(const std::string& label, int kind, const std::string& detail) {
  bj::object o{{"label", label}, {"kind", kind}};
  if (!detail.empty()) o["detail"] = detail;
  return o;
}

constexpr int kText = 1, kFunctionKind = 3, kFieldKind = 5, kModule = 9, kKeyword = 14,
              kEnumMember = 20, kEvent = 23;

const RuleOutline::Field* field_named(const RawRuleSet& raw, const std::string& name) {
  for (const auto& f : raw.fields) {
    if (f.name.value == name) return &f;
    for (const auto& a : f.aliases)
      if (a.value == name) return &f;
  }
  return nullptr;
}

// Moves the lines [start, end) of a shadowed rule to line `at` (before the
// rule that shadows it), as diagnose() describes in the diagnostic's data.
bj::value move_action(const std::string& uri, const Lines& lines, const bj::value& diagnostic,
                      const bj::object& move) {
  auto number = [&](const char* key) -> long long {
    auto* v = move.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : -1;
  };
  auto name = [&](const char* key) -> std::string {
    auto* v = move.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  long long start = number("start"), end = number("end"), at = number("at");
  long long count = static_cast<long long>(lines.size());
  if (at < 0 || start <= at || end <= start || end > count) return nullptr;
  std::string block;
  for (long long l = start; l < end; ++l) block += std::string(lines.at(l)) + "\n";
  // The last rule of a file: the block gets the blank line that separates rules.
  if (end == count && lines.at(end - 1).find_first_not_of(" \t") != std::string_view::npos)
    block += "\n";
  bj::object remove{{"range", bj::object{{"start", position(static_cast<int>(start), 0)},
                                         {"end", position(static_cast<int>(end), 0)}}},
                    {"newText", ""}};
  if (end == count) {  // no line after: remove from the end of the line before
    std::string_view before = lines.at(start - 1);
    std::string_view last = lines.at(end - 1);
    remove["range"] = bj::object{
        {"start", position(static_cast<int>(start - 1), utf16_column(before, before.size()))},
        {"end", position(static_cast<int>(end - 1), utf16_column(last, last.size()))}};
  }
  bj::object insert{{"range", bj::object{{"start", position(static_cast<int>(at), 0)},
                                         {"end", position(static_cast<int>(at), 0)}}},
                    {"newText", block}};
  return bj::object{
      {"title", "Move rule \"" + name("rule") + "\" before \"" + name("before") + "\""},
      {"kind", "quickfix"},
      {"diagnostics", bj::array{diagnostic}},
      {"edit", bj::object{{"changes",
                           bj::object{{uri, bj::array{std::move(insert), std::move(remove)}}}}}}};
}

}  // namespace

bj::value hover(const Model& m, const At& at) {
  auto w = word_at(at, m.raw);
  if (!w) return nullptr;
  std::string text;
  if (w->call && !w->prefixed)
    if (const Function* f = function_named(w->name))
      text = fmt::format(
          "**function** `{}`\n\n{}{}", signature(*f), meaning(f->name),
          f->outgoing_only ? "\n\n(in the conditions of a change, not in incoming actions)" : "");
  if (text.empty()) {
    std::vector<std::string> parts;
    for (const auto& e : entries_for(m.raw, *w)) parts.push_back(describe(m.raw, e));
    text = fmt::format("{}", fmt::join(parts, "\n\n---\n\n"));
  }
  if (text.empty()) return nullptr;
  Lines lines(at.text);
  std::string_view l = lines.at(at.line);
  return bj::object{{"contents", bj::object{{"kind", "markdown"}, {"value", text}}},
                    {"range", bj::object{{"start", position(at.line, utf16_column(l, w->begin))},
                                         {"end", position(at.line, utf16_column(l, w->end))}}}};
}

bj::value completion(const Model& m, const At& at) {
  Lines lines(at.text);
  std::string_view l = lines.at(at.line);
  std::size_t byte = byte_column(l, at.character);
  // The 256 bytes before the cursor (std::regex recurses per character).
  std::string prefix(l.substr(byte > 256 ? byte - 256 : 0, byte > 256 ? 256 : byte));
  const auto& v = m.raw;
  bj::array items;
  std::smatch sm;
  // The range the item replaces: the partial name before the cursor.
  auto edit = [&](bj::object it, std::size_t typed, const std::string& insert) {
    it["textEdit"] =
        bj::object{{"range", bj::object{{"start", position(at.line, utf16_column(l, byte - typed))},
                                        {"end", position(at.line, at.character)}}},
                   {"newText", insert}};
    return it;
  };
  auto values_of = [&](const std::string& field_name, std::size_t typed, bool quote) {
    const RuleOutline::Field* f = field_named(m.raw, field_name);
    if (!f) return;
    std::vector<std::string> names;
    if (f->type.value == "phase")
      for (const auto& p : v.phases) names.push_back(p.name.value);
    for (const auto& val : f->values) names.push_back(val.value);
    for (const auto& n : names)
      items.push_back(edit(item(n, kEnumMember, "value of " + f->name.value), typed,
                           quote ? "\"" + n + "\"" : n));
  };
  // before., after. and the record's name (the vocabulary's record:, a word).
  const std::regex dotted(R"re((?:^|[^\w.])(before|after|)re" + regex_escaped(v.record.value) +
                          R"re()\.(\w*)$)re");
  static const std::regex entered(R"re(entered\(\s*"([^"]*)$)re");
  static const std::regex meta(R"re(metaphase\([^)]*\)\s*(?:==|!=)\s*("?)([^"]*)$)re");
  static const std::regex changed_to(R"re(changed_to\(\s*(\w+)\s*,\s*("?)([^"]*)$)re");
  static const std::regex compare(R"re(([\w.]+)\s*(?:==|!=)\s*("?)([^"\s]*)$)re");
  static const std::regex field_arg(R"re((changed|changed_to|has_value)\(\s*(\w*)$)re");
  static const std::regex word(R"re(([\w]*)$)re");
  std::string key = key_at(lines, at.line, byte);
  if (std::regex_search(prefix, sm, dotted)) {
    for (const auto& f : v.fields)
      items.push_back(
          edit(item(f.name.value, kFieldKind, f.type.value), sm[2].length(), f.name.value));
  } else if (std::regex_search(prefix, sm, entered)) {
    for (const auto& p : v.phases)
      items.push_back(edit(item(p.name.value, kEnumMember, "phase of " + p.metaphase.value),
                           sm[1].length(), p.name.value));
  } else if (std::regex_search(prefix, sm, meta)) {
    for (const auto& mp : v.metaphases)
      items.push_back(edit(item(mp.value, kEnumMember, "metaphase"), sm[2].length(),
                           sm[1].length() ? mp.value : "\"" + mp.value + "\""));
  } else if (std::regex_search(prefix, sm, changed_to)) {
    values_of(sm[1], sm[3].length() + (sm[2].length() ? 0 : 0), sm[2].length() == 0);
  } else if (std::regex_search(prefix, sm, compare) &&
             field_named(m.raw,
                         std::regex_replace(sm[1].str(), std::regex(R"(^(before|after)\.)"), ""))) {
    std::string f = std::regex_replace(sm[1].str(), std::regex(R"(^(before|after)\.)"), "");
    values_of(f, sm[3].length(), sm[2].length() == 0);
  } else if (std::regex_search(prefix, sm, field_arg)) {
    for (const auto& f : v.fields)
      items.push_back(
          edit(item(f.name.value, kFieldKind, f.type.value), sm[2].length(), f.name.value));
  } else if (key == "then" || key == "operation" || key == "operations") {
    std::regex_search(prefix, sm, word);
    bool incoming = key != "then";
    for (const auto& o : incoming ? v.incoming_operations : v.outgoing)
      items.push_back(
          edit(item(o.value, kEnumMember, incoming ? "incoming operation" : "outgoing operation"),
               sm[1].length(), o.value));
  } else if (key == "to") {
    std::regex_search(prefix, sm, word);
    for (const auto& p : v.phases)
      items.push_back(edit(item(p.name.value, kEnumMember, "phase"), sm[1].length(), p.name.value));
  } else if (key == "when" || key == "system" || key == "value" || key == "id" ||
             prefix.rfind('{') != std::string::npos) {
    bool in_template = key != "when" && key != "system";
    std::size_t open = prefix.rfind('{'), close = prefix.rfind('}');
    if (in_template && (open == std::string::npos || (close != std::string::npos && close > open)))
      return items;  // template text outside {…}: nothing to complete
    std::regex_search(prefix, sm, word);
    std::size_t typed = sm[1].length();
    for (const auto& f : functions()) {
      if (in_template) break;
      bj::object it = edit(item(f.name, kFunctionKind, signature(f)), typed, snippet(f));
      it["insertTextFormat"] = 2;  // a snippet
      it["documentation"] = meaning(f.name);
      items.push_back(std::move(it));
    }
    if (in_template) {
      // A placeholder reads the incoming context (docs/rule-language.md).
      const std::string& record = v.record.value;
      bj::object it =
          edit(item(record + ".", kModule, "a field of the " + record), typed, record + ".");
      it["command"] = bj::object{{"title", "fields"}, {"command", "editor.action.triggerSuggest"}};
      items.push_back(std::move(it));
      for (const char* p :
           {"message.system", "message.id", "external_reference.system", "external_reference.id"})
        items.push_back(edit(item(p, kFieldKind, "text"), typed, p));
      return items;
    }
    for (const char* p : {"before.", "after."}) {
      bj::object it = edit(item(p, kModule, "a field's value before / after the save"), typed, p);
      it["command"] = bj::object{{"title", "fields"}, {"command", "editor.action.triggerSuggest"}};
      items.push_back(std::move(it));
    }
    for (const auto& e : v.events)
      items.push_back(edit(item(e.value, kEvent, "event"), typed, e.value));
    if (!in_template)
      for (const char* kw : {"and", "or", "not", "in"})
        items.push_back(edit(item(kw, kKeyword, ""), typed, kw));
  }
  (void)kText;
  return items;
}

bj::value definition(const std::vector<const Model*>& models, const At& at) {
  bj::array out;
  if (models.empty()) return out;
  auto w = word_at(at, models[0]->raw);
  if (!w) return out;
  std::set<std::pair<std::string, int>> seen;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const Model& m = *models[i];
    for (const auto& e : entries_for(m.raw, *w)) {
      // A rule test file (in no rule set) looks up rule ids in every rule set;
      // a rule file only in its own.
      if (i > 0 && e.kind != "rule" && e.kind != "move" && e.kind != "incoming rule") continue;
      if (!seen.insert({e.loc.file, e.loc.line}).second) continue;
      out.push_back(location(e.loc, e.name.size(), m));
    }
    if (i == 0 && !out.empty()) break;
  }
  return out;
}

bj::value references(const std::vector<const Model*>& models, const At& at,
                     bool include_declaration) {
  bj::array out;
  if (models.empty()) return out;
  const Model& m = *models[0];
  auto w = word_at(at, m.raw);
  if (!w) return out;
  std::vector<Entry> es = entries_for(m.raw, *w);
  std::string name = es.empty() ? w->name : es.front().name;
  std::set<std::pair<std::string, int>> decl;
  for (const auto& e : es) decl.insert({e.loc.file, e.loc.line});
  for (const auto& f : m.files) {
    Lines lines(f.text);
    for (std::size_t ln = 0; ln < lines.size(); ++ln) {
      std::string_view l = lines.at(ln);
      std::size_t comment = l.find(" #");
      if (l.substr(0, 1) == "#" || l.find_first_not_of(' ') == l.find('#')) continue;
      for (std::size_t p = l.find(name); p != std::string_view::npos; p = l.find(name, p + 1)) {
        if (comment != std::string_view::npos && p > comment) break;
        std::size_t e = p + name.size();
        if (e < l.size() && (word_char(l[e]) && l[e] != '.')) continue;
        if (e < l.size() && l[e] == '.' && e + 1 < l.size() && word_char(l[e + 1])) continue;
        if (p > 0 && word_char(l[p - 1])) {
          if (l[p - 1] != '.') continue;
          std::string_view before = l.substr(0, p - 1);
          if (!(before.size() >= 6 && before.substr(before.size() - 6) == "before") &&
              !(before.size() >= 5 && before.substr(before.size() - 5) == "after"))
            continue;
        }
        if (!include_declaration && decl.count({f.name, static_cast<int>(ln) + 1})) continue;
        out.push_back(bj::object{
            {"uri", path_to_uri(f.name)},
            {"range", bj::object{{"start", position(static_cast<int>(ln), utf16_column(l, p))},
                                 {"end", position(static_cast<int>(ln), utf16_column(l, e))}}}});
      }
    }
  }
  return out;
}

bj::value document_symbols(const Model& m, const std::string& path) {
  const std::string& text = m.text(path);
  Lines lines(text);
  int last = static_cast<int>(lines.size()) - 1;
  while (last > 0 && lines.at(last).find_first_not_of(" \t") == std::string_view::npos) --last;
  struct Sym {
    std::string name, detail;
    int kind;
    Location sel;
    int start_line;  // 1-based
    std::vector<Sym> children;
  };
  // Each symbol spans from its line to the line before the next sibling (or the parent's end).
  std::function<bj::array(std::vector<Sym>&, int)> emit = [&](std::vector<Sym>& syms, int end) {
    std::sort(syms.begin(), syms.end(),
              [](const Sym& a, const Sym& b) { return a.start_line < b.start_line; });
    bj::array out;
    for (std::size_t i = 0; i < syms.size(); ++i) {
      Sym& s = syms[i];
      int e = i + 1 < syms.size() ? std::max(s.start_line, syms[i + 1].start_line - 1) : end;
      auto blank = [&](int ln) {  // blank or a comment
        std::string_view t = lines.at(ln - 1);
        std::size_t c = t.find_first_not_of(" \t");
        return c == std::string_view::npos || t[c] == '#';
      };
      while (e > s.start_line && blank(e)) --e;
      std::string_view el = lines.at(e - 1);
      bj::object o{{"name", s.name.empty() ? "(unnamed)" : s.name},
                   {"kind", s.kind},
                   {"range", bj::object{{"start", position(s.start_line - 1, 0)},
                                        {"end", position(e - 1, utf16_column(el, el.size()))}}},
                   {"selectionRange", range_at(text, s.sel, s.name.size())}};
      if (!s.detail.empty()) o["detail"] = s.detail;
      if (!s.children.empty()) o["children"] = emit(s.children, e);
      out.push_back(std::move(o));
    }
    return out;
  };
  constexpr int kNamespace = 3, kClass = 5, kMethod = 6, kField = 8, kEnum = 10, kFunc = 12,
                kEvent = 24, kEnumMember = 22, kObject = 19;
  auto here = [&](const Location& l) { return l.file == path && l.line > 0; };
  auto sym = [](std::string name, std::string detail, int kind, const Location& sel,
                const Location& start) {
    return Sym{std::move(name),
               std::move(detail),
               kind,
               sel,
               std::min(sel.line, start.line > 0 ? start.line : sel.line),
               {}};
  };
  std::vector<Sym> top;
  const auto& raw = m.raw;
  const auto& v = raw;
  if (!v.vocabulary.value.empty() && here(at(v.vocabulary))) {
    Sym voc = sym("vocabulary", "", kNamespace, at(v.vocabulary), at(v.vocabulary));
    for (const auto& mp : v.metaphases)
      if (here(at(mp))) voc.children.push_back(sym(mp.value, "metaphase", kEnum, at(mp), at(mp)));
    for (const auto& p : v.phases)
      if (here(at(p.name)))
        voc.children.push_back(sym(p.name.value, "phase of " + p.metaphase.value, kEnumMember,
                                   at(p.name), at(p.name)));
    for (const auto& f : v.fields)
      if (here(at(f.name)))
        voc.children.push_back(sym(f.name.value, f.type.value, kField, at(f.name), at(f.name)));
    for (const auto& e : v.events)
      if (here(at(e))) voc.children.push_back(sym(e.value, "event", kEvent, at(e), at(e)));
    for (const auto& o : v.outgoing)
      if (here(at(o))) voc.children.push_back(sym(o.value, "outgoing", kFunc, at(o), at(o)));
    for (const auto& o : v.incoming_operations)
      if (here(at(o))) voc.children.push_back(sym(o.value, "incoming", kFunc, at(o), at(o)));
    top.push_back(std::move(voc));
  }
  for (const auto& t : raw.tables) {
    if (!here(at(t.id))) continue;
    Sym table = sym(t.id.value, "table, hit policy " + t.hit_policy.value, kClass, at(t.id),
                    line_of(path, t.line));
    for (const auto& r : t.rules)
      if (here(at(r.id)))
        table.children.push_back(
            sym(r.id.value, "then " + r.then.value, kMethod, at(r.id), line_of(path, r.line)));
    top.push_back(std::move(table));
  }
  if (!raw.workflow.value.empty() && here(at(raw.workflow))) {
    Sym wf = sym("workflow", "", kNamespace, at(raw.workflow), at(raw.workflow));
    for (const auto& mv : raw.moves)
      if (here(at(mv.id)))
        wf.children.push_back(sym(mv.id.value, "to " + mv.to.value, kMethod, at(mv.id), at(mv.id)));
    top.push_back(std::move(wf));
  }
  {
    std::vector<Sym> targets;
    for (const auto& t : raw.targets) {
      Location tl{t.file, t.line, t.column};
      if (!here(tl)) continue;
      std::vector<std::string> ops;
      for (const auto& o : t.operations) ops.push_back(o.value);
      std::string name = ops.empty() ? "every operation" : fmt::format("{}", fmt::join(ops, ", "));
      Sym s = sym(name, "target: " + t.system.value, kObject, tl, tl);
      s.sel = tl;
      s.name = name;
      targets.push_back(std::move(s));
    }
    if (!targets.empty()) {
      Location first = targets.front().sel;
      Sym group = sym("targets", "", kNamespace, first, first);
      group.start_line = std::max(1, first.line - 1);
      for (int ln = first.line - 1; ln >= 1; --ln)
        if (lines.at(ln - 1).rfind("targets:", 0) == 0) {
          group.start_line = ln;
          group.sel = Location{path, ln, 1};
          break;
        }
      group.children = std::move(targets);
      top.push_back(std::move(group));
    }
  }
  for (const auto& i : raw.incoming) {
    if (!here(at(i.id))) continue;
    std::vector<std::string> ops;
    for (const auto& o : i.operations) ops.push_back(o.value);
    top.push_back(sym(i.id.value, fmt::format("incoming {}", fmt::join(ops, ", ")), kFunc, at(i.id),
                      line_of(path, i.line)));
  }
  // Selection ranges must lie inside the ranges: names are single-line, so clamp
  // the name's length to its line.
  return emit(top, last + 1);
}

bj::value code_actions(const std::string& uri, std::string_view text,
                       const bj::array& diagnostics) {
  bj::array out;
  Lines lines(text);
  static const std::regex suggestion(R"re(did you mean "([^"]+)"\?)re");
  for (const auto& dv : diagnostics) {
    if (!dv.is_object()) continue;
    const auto& d = dv.get_object();
    auto* msg = d.if_contains("message");
    auto* range = d.if_contains("range");
    if (!msg || !msg->is_string() || !range || !range->is_object()) continue;
    if (auto* data = d.if_contains("data"); data && data->is_object())
      if (auto* move = data->get_object().if_contains("move"); move && move->is_object()) {
        bj::value action = move_action(uri, lines, dv, move->get_object());
        if (!action.is_null()) out.push_back(std::move(action));
      }
    std::string message(
        msg->get_string().subview(0, std::min<std::size_t>(msg->get_string().size(), 1024)));
    std::smatch sm;
    if (!std::regex_search(message, sm, suggestion)) continue;
    std::string fix = sm[1];
    // The misspelled name: the first quoted word of the message.
    std::size_t q = message.find('"');
    std::size_t q2 = q == std::string::npos ? q : message.find('"', q + 1);
    if (q2 == std::string::npos) continue;
    std::string bad = message.substr(q + 1, q2 - q - 1);
    if (bad.empty() || bad == fix) continue;
    const auto& r = range->get_object();
    auto* start = r.if_contains("start");
    if (!start || !start->is_object()) continue;
    auto* ln = start->get_object().if_contains("line");
    auto* ch = start->get_object().if_contains("character");
    if (!ln || !ln->is_int64() || !ch || !ch->is_int64() || ln->get_int64() < 0) continue;
    int line = static_cast<int>(std::min<std::int64_t>(ln->get_int64(), 1 << 30));
    std::string_view l = lines.at(line);
    std::size_t from =
        byte_column(l, static_cast<int>(std::clamp<std::int64_t>(ch->get_int64(), 0, 1 << 30)));
    std::size_t at = l.find(bad, from);
    if (at == std::string_view::npos) at = l.find(bad);
    if (at == std::string_view::npos) continue;
    bj::object edit_range{{"start", position(line, utf16_column(l, at))},
                          {"end", position(line, utf16_column(l, at + bad.size()))}};
    bj::object change{{"range", std::move(edit_range)}, {"newText", fix}};
    out.push_back(bj::object{
        {"title", "Replace \"" + bad + "\" with \"" + fix + "\""},
        {"kind", "quickfix"},
        {"diagnostics", bj::array{dv}},
        {"isPreferred", true},
        {"edit", bj::object{{"changes", bj::object{{uri, bj::array{std::move(change)}}}}}}});
  }
  return out;
}

}  // namespace casex::lsp
