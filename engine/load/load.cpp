// engine/load/load.cpp: reads rule files from disk (regular files only, within
// the limits of a file and of a rule set), parses them with yaml-cpp after the
// checks it lacks (UTF-8, nesting, one document, alias expansion) and checks
// them against the rule file schema, keeping the source position of every scalar.
#include "engine/load/load.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

#include "engine/load/source_map.h"

namespace casex::detail {

const std::vector<std::string> kActionKinds = {"set",
                                               "set_if_no_value",
                                               "clear",
                                               "add_comment",
                                               "create_reference",
                                               "delete_reference",
                                               "set_from_message"};

namespace {

// Keys allowed in each mapping of the format (keep in sync with rules/schema.json).
const std::vector<std::string> kTopKeys = {"vocabulary", "workflow", "targets", "table",
                                           "incoming"};
const std::vector<std::string> kVocabularyKeys = {"record", "metaphases", "phases",     "fields",
                                                  "events", "operations", "transitions"};
const std::vector<std::string> kPhaseKeys = {"name", "metaphase", "aliases"};
const std::vector<std::string> kFieldKeys = {"name",          "type",    "values", "value_aliases",
                                             "case_variants", "aliases", "open"};
const std::vector<std::string> kOperationsKeys = {"outgoing", "incoming"};
const std::vector<std::string> kTransitionEntryKeys = {"from", "to"};
const std::vector<std::string> kWorkflowKeys = {"moves", "deduplicate", "suppress_origin"};
const std::vector<std::string> kMoveKeys = {"id", "description", "when", "to"};
const std::vector<std::string> kTargetKeys = {"operations", "when", "system"};
const std::vector<std::string> kTableKeys = {"id",         "description", "scope",
                                             "hit_policy", "complete",    "rules"};
const std::vector<std::string> kScopeKeys = {"metaphase", "transition"};
const std::vector<std::string> kTransitionKeys = {"from", "to"};
const std::vector<std::string> kPhaseSetKeys = {"metaphase"};
const std::vector<std::string> kRuleKeys = {"id",   "description", "when",
                                            "then", "system",      "priority"};
const std::vector<std::string> kIncomingKeys = {"id", "description", "operation", "actions"};
const std::vector<std::string> kActionKeys = {"set",
                                              "set_if_no_value",
                                              "clear",
                                              "add_comment",
                                              "create_reference",
                                              "delete_reference",
                                              "set_from_message",
                                              "when",
                                              "value",
                                              "system",
                                              "id"};

// Refuses nesting deeper than the limit before yaml-cpp recurses into it: flow
// collections by their brackets, block collections by indentation and by
// compact "- - -" entries at the start of a line. Quotes count only where a
// scalar can start, so an apostrophe inside a word is just a character.
bool check_flow_depth(const std::string& name, const std::string& t, Diagnostics& diags) {
  int depth = 0, line = 1;
  char quote = 0;
  auto refuse = [&](std::size_t col, std::string_view what) {
    diags.report(Code::LimitExceeded, {name, line, static_cast<int>(col) + 1},
                 fmt::format("YAML {} deeper than {} levels", what, kMaxYamlDepth));
    return false;
  };
  for (std::size_t start = 0; start < t.size(); ++line) {
    std::size_t end = t.find('\n', start);
    if (end == std::string::npos) end = t.size();
    std::string_view l(t.data() + start, end - start);
    start = end + 1;
    std::size_t i = 0;
    if (!quote && depth == 0) {
      while (i < l.size() && l[i] == ' ') ++i;
      if (i > 4 * kMaxYamlDepth) return refuse(i, "indentation nests");
      int entries = 0;
      while (i < l.size() && (l[i] == '-' || l[i] == '?') &&
             (i + 1 == l.size() || l[i + 1] == ' ')) {
        if (++entries > kMaxYamlDepth) return refuse(i, "block entries on one line nest");
        ++i;
        while (i < l.size() && l[i] == ' ') ++i;
      }
    }
    for (; i < l.size(); ++i) {
      char c = l[i];
      if (quote == '"') {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quote = 0;
        continue;
      }
      if (quote == '\'') {
        if (c == '\'' && i + 1 < l.size() && l[i + 1] == '\'')
          ++i;
        else if (c == '\'')
          quote = 0;
        continue;
      }
      bool token_start = i == 0 || std::strchr(" \t[{,:", l[i - 1]) != nullptr;
      if ((c == '"' || c == '\'') && token_start)
        quote = c;
      else if (c == '#' && token_start)
        break;  // a comment ends the line
      else if (c == '[' || c == '{') {
        if (++depth > kMaxYamlDepth) return refuse(i, "flow collections nest");
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
    }
  }
  return true;
}

// The offset of the first byte of `t` that is not part of a well-formed UTF-8
// sequence (no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
std::size_t first_invalid_utf8(std::string_view t) {
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t n = t.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF)
      len = 2;
    else if (c == 0xE0)
      len = 3, lo = 0xA0;
    else if (c == 0xED)
      len = 3, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF)
      len = 3;
    else if (c == 0xF0)
      len = 4, lo = 0x90;
    else if (c == 0xF4)
      len = 4, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3)
      len = 4;
    else
      return i;
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

// 1-based line and byte column of `offset` in `t`.
std::pair<int, int> line_column(std::string_view t, std::size_t offset) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < t.size(); ++i)
    if (t[i] == '\n') ++line, line_start = i + 1;
  return {line, static_cast<int>(offset - line_start) + 1};
}

// Whether the text may hold an anchor (and so an alias) or more than one
// document: only then is the event pass of check_documents needed.
bool may_need_event_pass(std::string_view t) {
  if (t.find('&') != std::string_view::npos) return true;
  for (std::size_t p = 0; p < t.size();) {
    std::string_view rest = t.substr(p);
    if ((rest.substr(0, 3) == "---" || rest.substr(0, 3) == "...") &&
        (rest.size() == 3 || std::strchr(" \t\r\n", rest[3]) != nullptr))
      return true;
    p = t.find('\n', p);
    if (p == std::string_view::npos) break;
    ++p;
  }
  return false;
}

// Counts what the aliases of one document expand to, as a walk of yaml-cpp's
// tree (where an alias is the anchored node itself, shared) would meet them:
// refuses expansion beyond the limits, and an alias inside the node it names
// (a cycle, which no walk would leave).
class AliasCounter : public YAML::EventHandler {
 public:
  struct Problem {
    YAML::Mark mark;
    Code code;
    std::string message;
  };
  std::optional<Problem> problem;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor, 0); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(anchor, value.size());
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (problem) return;
    if (anchor >= done_.size() || !done_[anchor]) {
      problem =
          Problem{mark, Code::YamlSyntax, "an alias refers to the node that holds it (a cycle)"};
      return;
    }
    const Size s = *done_[anchor];
    added_.nodes += s.nodes;
    added_.bytes += s.bytes;
    if (added_.nodes > kMaxYamlAliasNodes) {
      problem = Problem{mark, Code::LimitExceeded,
                        fmt::format("YAML aliases expand to more than {} nodes in this file",
                                    kMaxYamlAliasNodes)};
      return;
    }
    if (added_.bytes > kMaxYamlAliasBytes) {
      problem =
          Problem{mark, Code::LimitExceeded,
                  fmt::format("YAML aliases expand to more than {} bytes of text in this file",
                              kMaxYamlAliasBytes)};
      return;
    }
    add(s);
  }

 private:
  struct Size {
    std::uint64_t nodes = 0, bytes = 0;
  };
  struct Open {
    YAML::anchor_t anchor;
    Size size;
  };

  void add(const Size& s) {
    if (stack_.empty()) return;
    stack_.back().size.nodes += s.nodes;
    stack_.back().size.bytes += s.bytes;
  }
  void anchored(YAML::anchor_t anchor, std::optional<Size> s) {
    if (anchor == YAML::NullAnchor) return;
    if (anchor >= done_.size()) done_.resize(anchor + 1);
    done_[anchor] = s;
  }
  void leaf(YAML::anchor_t anchor, std::size_t bytes) {
    if (problem) return;
    Size s{1, bytes};
    anchored(anchor, s);
    add(s);
  }
  void open(YAML::anchor_t anchor) {
    if (problem) return;
    anchored(anchor, std::nullopt);  // open: an alias to it now is a cycle
    stack_.push_back({anchor, {1, 0}});
  }
  void close() {
    if (problem || stack_.empty()) return;
    Open o = stack_.back();
    stack_.pop_back();
    anchored(o.anchor, o.size);
    add(o.size);
  }

  std::vector<Open> stack_;
  std::vector<std::optional<Size>>
      done_;    // by anchor: the expanded size, once the node is complete
  Size added_;  // what the aliases met so far expand to
};

// Notes where a document starts.
class DocumentStart : public YAML::EventHandler {
 public:
  YAML::Mark mark = YAML::Mark::null_mark();
  void OnDocumentStart(const YAML::Mark& m) override { mark = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// A file of yaml-cpp's first document parsed: its aliases stay within the
// limits, and no second document follows (YAML::Load ignores it silently).
bool check_documents(const std::string& name, const std::string& text, Diagnostics& diags) {
  auto at = [&](const YAML::Mark& m) {
    return m.is_null() ? Location{name, 0, 0} : Location{name, m.line + 1, m.column + 1};
  };
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    AliasCounter counter;
    if (!parser.HandleNextDocument(counter)) return true;
    if (counter.problem) {
      diags.report(counter.problem->code, at(counter.problem->mark), counter.problem->message);
      return false;
    }
    DocumentStart second;
    if (parser.HandleNextDocument(second)) {
      diags.report(
          Code::YamlSyntax, at(second.mark),
          "a second YAML document; a rule file holds one document (remove this `---` or `...`)");
      return false;
    }
  } catch (const YAML::Exception& e) {
    diags.report(Code::YamlSyntax, at(e.mark), e.msg);
    return false;
  }
  return true;
}

class FileLoader {
 public:
  FileLoader(const SourceFile& file, Diagnostics& diags, RawRuleSet& out)
      : file_(file), diags_(diags), out_(out) {}

  /// Checks the limits and parses the YAML; false (with a diagnostic) when
  /// there is nothing to walk.
  bool parse(YAML::Node& root) {
    return parse_yaml_file(file_.name, file_.text, kMaxRuleFileBytes, root, diags_);
  }

  /// Reads a parsed file into the rule set.
  void walk(const YAML::Node& root) {
    if (!root || root.IsNull()) return;  // an empty file holds nothing
    if (!root.IsMap()) {
      wrong_type(root, "the top level of a rule file", "a mapping");
      return;
    }
    if (!check_map(root, kTopKeys, {}, "the top level of a rule file")) return;
    if (auto v = root["vocabulary"]) vocabulary(v);
    if (auto w = root["workflow"]) workflow(w);
    if (auto t = root["targets"]) targets(t);
    if (auto t = root["table"]) table(t);
    if (auto i = root["incoming"]) incoming(i);
  }

 private:
  // Where a node starts; a scalar's location also says where it ends.
  Location loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_.name, 0, 0};
    if (n.IsScalar() && m.pos >= 0)
      return scalar_location(file_.name, file_.text, m.pos, m.line, m.column, n.Scalar());
    return {file_.name, m.line + 1, m.column + 1};
  }

  void wrong_type(const YAML::Node& n, std::string_view what, std::string_view expected) {
    diags_.report(Code::WrongType, loc(n), fmt::format("{} must be {}", what, expected));
  }

  // Checks a mapping's keys: unknown keys, duplicates and required keys.
  bool check_map(const YAML::Node& n, const std::vector<std::string>& allowed,
                 const std::vector<std::string>& required, std::string_view what) {
    if (!n.IsMap()) {
      wrong_type(n, what, "a mapping");
      return false;
    }
    std::set<std::string> seen;
    bool ok = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) {
        wrong_type(it->first, fmt::format("a key of {}", what), "a scalar");
        ok = false;
        continue;
      }
      std::string key = it->first.Scalar();
      if (!seen.insert(key).second) {
        diags_.report(Code::YamlDuplicateKey, loc(it->first),
                      fmt::format("duplicate key \"{}\" in {}", key, what));
        ok = false;
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        diags_.report(Code::UnknownKey, loc(it->first),
                      fmt::format("unknown key \"{}\" in {}", key, what),
                      did_you_mean(key, allowed));
      }
    }
    for (const auto& r : required) {
      if (!seen.count(r)) {
        diags_.report(Code::MissingKey, loc(n),
                      fmt::format("{} lacks the required key \"{}\"", what, r));
        ok = false;
      }
    }
    return ok;
  }

  std::optional<Text> text(const YAML::Node& n, std::string_view what) {
    if (!n || !n.IsScalar()) {
      wrong_type(n, what, "a scalar");
      return std::nullopt;
    }
    return Text{n.Scalar(), loc(n)};
  }

  std::optional<SourceText> source(const YAML::Node& n, std::string_view what) {
    if (!n || !n.IsScalar()) {
      wrong_type(n, what, "a string");
      return std::nullopt;
    }
    SourceText s;
    s.text = n.Scalar();
    YAML::Mark m = n.Mark();
    std::pair<int, int> end;
    s.positions = map_scalar_positions(file_.text, m.pos, m.line, m.column, s.text, &end);
    s.loc = {file_.name, m.line + 1, m.column + 1};
    std::tie(s.loc.end_line, s.loc.end_column) = end;
    return s;
  }

  std::optional<bool> boolean(const YAML::Node& n, std::string_view what) {
    bool b = false;
    if (n.IsScalar() && YAML::convert<bool>::decode(n, b)) return b;
    wrong_type(n, what, "true or false");
    return std::nullopt;
  }

  // A scalar or a list of scalars.
  std::vector<Text> names(const YAML::Node& n, std::string_view what) {
    std::vector<Text> out;
    if (n.IsScalar()) {
      out.push_back({n.Scalar(), loc(n)});
    } else if (n.IsSequence()) {
      for (const auto& e : n)
        if (auto t = text(e, fmt::format("an entry of {}", what))) out.push_back(*t);
    } else {
      wrong_type(n, what, "a name or a list of names");
    }
    return out;
  }

  bool sequence(const YAML::Node& n, std::string_view what) {
    if (n.IsSequence()) return true;
    wrong_type(n, what, "a list");
    return false;
  }

  void vocabulary(const YAML::Node& n) {
    auto& v = out_.vocabulary;
    if (v.present) {
      diags_.report(
          Code::DuplicateId, loc(n), "a second vocabulary section",
          fmt::format("the vocabulary is already defined at {}:{}", v.loc.file, v.loc.line));
      return;
    }
    v.present = true;
    v.loc = loc(n);
    if (!check_map(n, kVocabularyKeys, {"metaphases", "phases", "fields", "operations"},
                   "vocabulary"))
      return;
    if (n["record"]) v.record = text(n["record"], "vocabulary.record");
    v.metaphases = names(n["metaphases"], "vocabulary.metaphases");
    if (sequence(n["phases"], "vocabulary.phases")) {
      for (const auto& p : n["phases"]) {
        if (!check_map(p, kPhaseKeys, {"name"}, "a phase")) continue;
        RawPhase rp;
        if (auto t = text(p["name"], "a phase name"))
          rp.name = *t;
        else
          continue;
        if (p["metaphase"]) rp.metaphase = text(p["metaphase"], "a phase's metaphase");
        if (p["aliases"]) rp.aliases = names(p["aliases"], "a phase's aliases");
        v.phases.push_back(std::move(rp));
      }
    }
    if (sequence(n["fields"], "vocabulary.fields")) {
      for (const auto& f : n["fields"]) {
        if (!check_map(f, kFieldKeys, {"name", "type"}, "a field")) continue;
        RawField rf;
        auto name = text(f["name"], "a field name");
        auto type = text(f["type"], "a field type");
        if (!name || !type) continue;
        rf.name = *name;
        rf.type = *type;
        if (f["values"]) {
          rf.values = names(f["values"], "a field's values");
          for (const auto& kv : f)
            if (kv.first.IsScalar() && kv.first.Scalar() == "values") rf.values_loc = loc(kv.first);
        }
        if (f["aliases"]) rf.aliases = names(f["aliases"], "a field's aliases");
        if (f["case_variants"])
          rf.case_variants = text(f["case_variants"], "a field's case_variants");
        if (f["open"])
          if (auto b = boolean(f["open"], "a field's open")) rf.open = *b;
        if (auto va = f["value_aliases"]) {
          if (!va.IsMap()) {
            wrong_type(va, "value_aliases", "a mapping from alias to value");
          } else {
            for (auto it = va.begin(); it != va.end(); ++it) {
              auto a = text(it->first, "a value alias");
              auto c = text(it->second, "an aliased value");
              if (a && c) rf.value_aliases.emplace_back(*a, *c);
            }
          }
        }
        v.fields.push_back(std::move(rf));
      }
    }
    if (n["events"]) v.events = names(n["events"], "vocabulary.events");
    auto ops = n["operations"];
    if (check_map(ops, kOperationsKeys, {"outgoing", "incoming"}, "vocabulary.operations")) {
      v.outgoing = names(ops["outgoing"], "vocabulary.operations.outgoing");
      v.incoming = names(ops["incoming"], "vocabulary.operations.incoming");
    }
    if (auto tr = n["transitions"]) {
      v.transitions_present = true;
      v.transitions_loc = loc(tr);
      if (sequence(tr, "vocabulary.transitions"))
        for (const auto& e : tr) {
          if (!check_map(e, kTransitionEntryKeys, {"from", "to"}, "a transition")) continue;
          v.transitions.emplace_back(names(e["from"], "a transition's from"),
                                     names(e["to"], "a transition's to"));
        }
    }
  }

  void workflow(const YAML::Node& n) {
    auto& w = out_.workflow;
    if (w.present) {
      diags_.report(
          Code::DuplicateId, loc(n), "a second workflow section",
          fmt::format("the workflow is already defined at {}:{}", w.loc.file, w.loc.line));
      return;
    }
    w.present = true;
    w.loc = loc(n);
    if (!check_map(n, kWorkflowKeys, {}, "workflow")) return;
    if (auto m = n["moves"]; m && sequence(m, "workflow.moves")) {
      for (const auto& e : m) {
        if (!check_map(e, kMoveKeys, {"id", "when", "to"}, "a workflow move")) continue;
        RawMove mv;
        auto id = text(e["id"], "a move id");
        auto when = source(e["when"], "a move's condition");
        auto to = text(e["to"], "a move's target phase");
        if (!id || !when || !to) continue;
        mv.id = *id;
        mv.when = *when;
        mv.to = *to;
        if (e["description"]) {
          if (auto d = text(e["description"], "a description")) mv.description = *d;
        }
        w.moves.push_back(std::move(mv));
      }
    }
    if (auto d = n["deduplicate"]) {
      if (auto b = boolean(d, "workflow.deduplicate")) w.deduplicate = *b;
    }
    if (auto s = n["suppress_origin"]) {
      if (auto b = boolean(s, "workflow.suppress_origin")) w.suppress_origin = *b;
    }
  }

  void targets(const YAML::Node& n) {
    auto& w = out_.workflow;
    if (w.targets_present) {
      diags_.report(Code::DuplicateId, loc(n), "a second targets section");
      return;
    }
    w.targets_present = true;
    if (!sequence(n, "targets")) return;
    for (const auto& e : n) {
      if (!check_map(e, kTargetKeys, {"system"}, "a target entry")) continue;
      RawTarget t;
      t.loc = loc(e);
      if (e["operations"]) t.operations = names(e["operations"], "a target's operations");
      if (e["when"]) t.when = source(e["when"], "a target's condition");
      auto sys = source(e["system"], "a target's system");
      if (!sys) continue;
      t.system = *sys;
      w.targets.push_back(std::move(t));
    }
  }

  // One side of a transition: a phase name, a list of them, or {metaphase: NAME}.
  std::optional<RawPhaseSet> phase_set(const YAML::Node& n) {
    RawPhaseSet s;
    s.loc = loc(n);
    if (n.IsScalar()) {
      auto t = text(n, "a transition's phase");
      if (!t) return std::nullopt;
      s.phases.push_back(*t);
      s.single = true;
    } else if (n.IsSequence()) {
      s.phases = names(n, "a transition's phases");
      if (s.phases.empty()) {
        wrong_type(n, "a transition's phases",
                   "a phase name, a list of phase names or {metaphase: NAME}");
        return std::nullopt;
      }
    } else if (n.IsMap()) {
      if (!check_map(n, kPhaseSetKeys, {"metaphase"}, "a transition's phases")) return std::nullopt;
      s.metaphase = text(n["metaphase"], "a transition's metaphase");
      if (!s.metaphase) return std::nullopt;
    } else {
      wrong_type(n, "a transition's phases",
                 "a phase name, a list of phase names or {metaphase: NAME}");
      return std::nullopt;
    }
    return s;
  }

  void table(const YAML::Node& n) {
    if (!check_map(n, kTableKeys, {"id", "scope", "hit_policy", "rules"}, "a table")) return;
    RawTable t;
    t.loc = loc(n);
    auto id = text(n["id"], "a table id");
    auto hp = text(n["hit_policy"], "a hit policy");
    if (!id || !hp) return;
    t.id = *id;
    t.hit_policy = *hp;
    if (auto c = n["complete"]) {
      if (auto b = boolean(c, "complete")) t.complete = *b;
    }
    auto scope = n["scope"];
    if (!check_map(scope, kScopeKeys, {}, "a table scope")) return;
    if (scope["metaphase"]) t.metaphase = text(scope["metaphase"], "a scope's metaphase");
    if (auto tr = scope["transition"]) {
      if (check_map(tr, kTransitionKeys, {"from", "to"}, "a transition")) {
        auto from = phase_set(tr["from"]);
        auto to = phase_set(tr["to"]);
        if (from && to) t.transition = std::make_pair(std::move(*from), std::move(*to));
      }
      if (!t.transition && !t.metaphase) return;  // reported: the table has no scope
    }
    if (!!t.metaphase == !!t.transition) {
      diags_.report(Code::MissingKey, loc(scope),
                    "a table scope must name exactly one of metaphase or transition");
      return;
    }
    auto rules = n["rules"];
    if (!sequence(rules, "a table's rules")) return;
    if (rules.size() > kMaxRulesPerTable) {
      diags_.report(
          Code::LimitExceeded, loc(rules),
          fmt::format("table has {} rules; the limit is {}", rules.size(), kMaxRulesPerTable));
      return;
    }
    for (const auto& r : rules) {
      if (!check_map(r, kRuleKeys, {"id", "when", "then"}, "a rule")) continue;
      RawRule rr;
      rr.loc = loc(r);
      auto rid = text(r["id"], "a rule id");
      auto when = source(r["when"], "a rule's scenario");
      std::optional<Text> then;
      if (r["then"] && r["then"].IsSequence())
        diags_.report(Code::WrongType, loc(r["then"]),
                      "a rule's operation must be a scalar: a rule sends one operation",
                      "to send two operations, use `hit_policy: collect` and two rules (one "
                      "operation each, the same `when`)");
      else
        then = text(r["then"], "a rule's operation");
      if (!rid || !when || !then) continue;
      rr.id = *rid;
      rr.when = *when;
      rr.then = *then;
      if (r["description"]) {
        if (auto d = text(r["description"], "a description")) rr.description = *d;
      }
      if (r["system"]) rr.system = source(r["system"], "a rule's system");
      if (auto p = r["priority"]) {
        int v = 0;
        if (p.IsScalar() && YAML::convert<int>::decode(p, v))
          rr.priority = v;
        else
          wrong_type(p, "a rule's priority", "an integer");
      }
      t.rules.push_back(std::move(rr));
    }
    out_.tables.push_back(std::move(t));
  }

  void incoming(const YAML::Node& n) {
    if (!sequence(n, "incoming")) return;
    for (const auto& e : n) {
      if (!check_map(e, kIncomingKeys, {"id", "operation", "actions"}, "an incoming rule"))
        continue;
      RawIncoming in;
      in.loc = loc(e);
      auto id = text(e["id"], "an incoming rule id");
      if (!id) continue;
      in.id = *id;
      if (e["description"]) {
        if (auto d = text(e["description"], "a description")) in.description = *d;
      }
      in.operations = names(e["operation"], "an incoming rule's operation");
      auto actions = e["actions"];
      if (!sequence(actions, "an incoming rule's actions")) continue;
      for (const auto& a : actions) action(a, in);
      out_.incoming.push_back(std::move(in));
    }
  }

  void action(const YAML::Node& a, RawIncoming& in) {
    if (!check_map(a, kActionKeys, {}, "an action")) return;
    RawAction ra;
    ra.loc = loc(a);
    int kinds = 0;
    for (const auto& k : kActionKinds) {
      auto v = a[k];
      if (!v) continue;
      ++kinds;
      ra.kind = Text{k, loc(v)};
      if (k == "add_comment") {
        ra.value = source(v, "a comment template");
      } else if (k == "create_reference") {
        if (check_map(v, {"system", "id"}, {"system", "id"}, "create_reference")) {
          ra.system = source(v["system"], "the reference's system");
          ra.id = source(v["id"], "the reference's id");
        }
      } else if (k == "delete_reference") {
        // no argument (any value is ignored, e.g. `delete_reference: true`)
      } else {
        if (auto f = text(v, fmt::format("the field of {}", k))) ra.field = *f;
      }
    }
    if (kinds != 1) {
      diags_.report(Code::MissingKey, loc(a),
                    kinds == 0
                        ? "an action names none of set, set_if_no_value, clear, add_comment, "
                          "create_reference, delete_reference, set_from_message"
                        : "an action names more than one kind");
      return;
    }
    if (auto v = a["value"]) {
      if (ra.kind.value != "set" && ra.kind.value != "set_if_no_value")
        diags_.report(Code::UnknownKey, loc(v),
                      fmt::format("\"value\" does not apply to {}", ra.kind.value));
      else
        ra.value = source(v, "a value template");
    } else if (ra.kind.value == "set" || ra.kind.value == "set_if_no_value") {
      diags_.report(Code::MissingKey, loc(a), fmt::format("{} needs a \"value\"", ra.kind.value));
      return;
    }
    if (a["system"] || a["id"]) {
      diags_.report(Code::UnknownKey, loc(a["system"] ? a["system"] : a["id"]),
                    "\"system\" and \"id\" belong under create_reference");
    }
    if (a["when"]) ra.when = source(a["when"], "an action's condition");
    in.actions.push_back(std::move(ra));
  }

  const SourceFile& file_;
  Diagnostics& diags_;
  RawRuleSet& out_;
};

}  // namespace

bool read_regular_file(const std::string& path, std::size_t max_bytes, std::string& text,
                       Code& code, std::string& message) {
  text.clear();
  code = Code::FileRead;
  auto kind = [](mode_t m) -> const char* {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    return "of an unknown type";
  };
  // The type first, so that nothing but a regular file is opened (opening a
  // device can do something); then O_NONBLOCK: a FIFO put in the file's place
  // meanwhile opens at once, and the type is checked again on the open file.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    message = fmt::format("not a regular file ({})", kind(st.st_mode));
    return false;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    struct stat l {};
    if (err == ENOENT && ::lstat(path.c_str(), &l) == 0 && S_ISLNK(l.st_mode))
      message = "cannot read the file: it is a dangling symbolic link";
    else if (err == ELOOP)
      message = "cannot read the file: its symbolic links form a loop";
    else
      message = fmt::format("cannot read the file: {}", std::strerror(err));
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) {
    message = fmt::format("cannot read the file: {}", std::strerror(errno));
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    message = fmt::format("not a regular file ({})", kind(st.st_mode));
    return false;
  }
  auto too_big = [&](std::size_t bytes) {
    code = Code::LimitExceeded;
    message = fmt::format("the file is {} bytes; the limit is {} bytes", bytes, max_bytes);
    text.clear();
    return false;
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return too_big(static_cast<std::size_t>(st.st_size));
  // Reads up to one byte past the limit: a file that grows meanwhile is still refused.
  text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (text.size() > max_bytes) break;
      text.resize(std::min(2 * text.size(), max_bytes + 1));
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      message = fmt::format("cannot read the file: {}", std::strerror(errno));
      text.clear();
      return false;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return too_big(got);
  text.resize(got);
  return true;
}

namespace {

// Reads the files of one rule set, within the limits of each file and of the
// whole set; after the first limit of the set is crossed nothing more is read.
class RuleSetReader {
 public:
  explicit RuleSetReader(std::vector<Diagnostic>& problems) : problems_(problems) {}

  std::vector<SourceFile> files;

  void file(const std::string& path) {
    if (full_) return;
    if (++count_ > kMaxRuleFiles) {
      full(path, fmt::format("a rule set holds at most {} files; this is one more", kMaxRuleFiles));
      return;
    }
    SourceFile f{path, {}};
    Code code = Code::FileRead;
    std::string message;
    if (!read_regular_file(path, kMaxRuleFileBytes, f.text, code, message)) {
      problems_.push_back(make_diagnostic(code, {path, 0, 0}, std::move(message)));
      return;
    }
    if (bytes_ + f.text.size() > kMaxRuleSetBytes) {
      full(path,
           fmt::format(
               "with this file the rule files come to {} bytes; a rule set holds at most {} bytes",
               bytes_ + f.text.size(), kMaxRuleSetBytes));
      return;
    }
    bytes_ += f.text.size();
    files.push_back(std::move(f));
  }

  // Every entry named *.yaml or *.yml is a rule file, whatever its type: a
  // symbolic link loop, a dangling link, a FIFO or a directory so named is a
  // diagnostic, not skipped in silence.
  void directory(const std::string& dir) {
    namespace fs = std::filesystem;
    if (full_) return;
    std::error_code ec;
    std::vector<fs::path> found;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      auto ext = it->path().extension();
      if (ext != ".yaml" && ext != ".yml") continue;
      if (found.size() == kMaxRuleFiles) {  // listed no further
        full(dir, fmt::format("the rule directory holds more than {} .yaml files; a rule set holds "
                              "at most {} files",
                              kMaxRuleFiles, kMaxRuleFiles));
        return;
      }
      found.push_back(it->path());
    }
    if (ec) {
      problems_.push_back(
          make_diagnostic(Code::FileRead, {dir, 0, 0},
                          fmt::format("cannot read rule directory: {}", ec.message())));
      return;
    }
    if (found.empty()) {
      problems_.push_back(
          make_diagnostic(Code::FileRead, {dir, 0, 0}, "the rule directory holds no .yaml file"));
      return;
    }
    std::sort(found.begin(), found.end());
    for (const auto& p : found) file(p.string());
  }

 private:
  void full(const std::string& where, std::string message) {
    problems_.push_back(make_diagnostic(Code::LimitExceeded, {where, 0, 0}, std::move(message)));
    full_ = true;
  }

  std::vector<Diagnostic>& problems_;
  std::size_t count_ = 0, bytes_ = 0;
  bool full_ = false;
};

}  // namespace

std::vector<SourceFile> read_rule_directory(const std::string& dir,
                                            std::vector<Diagnostic>& problems) {
  RuleSetReader reader(problems);
  reader.directory(dir);
  return std::move(reader.files);
}

std::vector<SourceFile> read_rule_paths(const std::vector<std::string>& paths,
                                        std::vector<Diagnostic>& problems) {
  RuleSetReader reader(problems);
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      reader.directory(path);
    else
      reader.file(path);  // a file, or whatever it is: reading it says
  }
  return std::move(reader.files);
}

bool parse_yaml_file(const std::string& name, const std::string& text, std::size_t max_bytes,
                     YAML::Node& root, Diagnostics& diags) {
  if (text.size() > max_bytes) {
    diags.report(
        Code::LimitExceeded, {name, 0, 0},
        fmt::format("the file is {} bytes; the limit is {} bytes", text.size(), max_bytes));
    return false;
  }
  if (std::size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    auto [line, column] = line_column(text, bad);
    diags.report(
        Code::YamlSyntax, {name, line, column},
        fmt::format("the byte 0x{:02X} is not UTF-8 (casex reads YAML files as UTF-8 text)",
                    static_cast<unsigned char>(text[bad])));
    return false;
  }
  if (!check_flow_depth(name, text, diags)) return false;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diags.report(Code::YamlSyntax, {name, e.mark.line + 1, e.mark.column + 1}, e.msg);
    return false;
  }
  if (may_need_event_pass(text) && !check_documents(name, text, diags)) {
    root = YAML::Node();
    return false;
  }
  return true;
}

RawRuleSet load_rule_files(const std::vector<SourceFile>& files, Diagnostics& diags) {
  RawRuleSet out;
  for (const auto& f : files) {
    YAML::Node root;
    if (FileLoader(f, diags, out).parse(root)) FileLoader(f, diags, out).walk(root);
  }
  return out;
}

}  // namespace casex::detail
