// engine/json/input_check.cpp: near misses and duplicate keys (input_check.h).
#include "engine/json/input_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <cctype>
#include <cstdint>
#include <limits>

#include "engine/common/diagnostics.h"

namespace casex::detail {

namespace bj = boost::json;

namespace {

bool separator(char c) { return c == '_' || c == '-' || c == ' '; }

// `s` without its separators (letter case is left to edit_distance, which ignores it).
std::string bare(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (!separator(c)) out.push_back(c);
  return out;
}

// `s` with each separator written `_` (letter case is left to edit_distance).
std::string underscored(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (separator(c)) c = '_';
  return out;
}

std::size_t allowed_edits(std::size_t known_size) {
  return known_size >= 5 ? 2 : known_size >= 3 ? 1 : 0;
}

std::size_t size_gap(std::size_t a, std::size_t b) { return a > b ? a - b : b - a; }

}  // namespace

std::vector<std::string> known_top_keys(const Vocabulary& v, bool incoming) {
  if (incoming) return {"incoming", "system", "id", v.record, "external_reference", "fields"};
  std::vector<std::string> keys = {v.record, "before", "after", "external_reference",
                                   "groups", "origin", "sent"};
  keys.insert(keys.end(), v.events.begin(), v.events.end());
  return keys;
}

const std::string* near_miss_key(std::string_view key, const std::vector<std::string>& known,
                                 const std::vector<std::string>& other_kind) {
  if (Vocabulary::index_of(known, key) >= 0 || Vocabulary::index_of(other_kind, key) >= 0)
    return nullptr;
  std::string k = underscored(key);
  const std::string* best = nullptr;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto* list : {&known, &other_kind})
    for (const auto& name : *list) {
      std::string n = underscored(name);
      std::size_t limit = allowed_edits(name.size());
      if (size_gap(n.size(), k.size()) > limit) continue;
      std::size_t d = edit_distance(k, n);
      if (d <= limit && d < best_d) {
        best_d = d;
        best = &name;
      }
    }
  return best;
}

std::string near_miss_key_error(std::string_view path, std::string_view meant) {
  return fmt::format("{}: unknown key; did you mean \"{}\"? (keys are case-sensitive)", path,
                     meant);
}

FieldNearMiss::FieldNearMiss(const Vocabulary& v) {
  for (const auto& kv : v.field_ids) {
    std::string b = bare(kv.first);
    for (char& c : b)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bare_.emplace_back(std::move(b), &kv.first);
  }
  // One order whatever the hash map's: the first name in sorted order wins.
  std::sort(bare_.begin(), bare_.end(),
            [](const auto& a, const auto& b) { return *a.second < *b.second; });
}

const std::string* FieldNearMiss::find(std::string_view key) const {
  // On the fast path for every snapshot key the rules do not read: the key's
  // length without separators first, then its letters in ASCII lower case.
  std::size_t n = 0;
  for (char c : key) n += !separator(c);
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (const auto& [b, name] : bare_) {
    if (b.size() != n) continue;
    std::size_t i = 0;
    bool same = true;
    for (char c : key) {
      if (separator(c)) continue;
      if (lower(c) != b[i]) {
        same = false;
        break;
      }
      ++i;
    }
    if (same) return *name == key ? nullptr : name;
  }
  return nullptr;
}

std::string unknown_field_error(std::string_view side, std::string_view key,
                                std::string_view meant) {
  if (meant.empty()) return fmt::format("{}.{}: unknown field \"{}\"", side, key, key);
  return fmt::format("{}.{}: unknown field \"{}\"; did you mean \"{}\"?", side, key, key, meant);
}

const std::string* near_miss_value(const Vocabulary::Field& f, std::string_view s, bool lenient) {
  if (f.values.empty()) return nullptr;
  for (const auto& v : f.values)
    if (v == s) return nullptr;
  if (lenient && !f.refuse_case_variants) return nullptr;
  if (!lenient && f.open && !f.refuse_case_variants) return nullptr;
  for (const auto& v : f.values) {
    if (size_gap(v.size(), s.size()) > 1) continue;
    std::size_t d = edit_distance(s, v);  // letter case ignored: 0 is a case variant
    if (d == 0 && f.accept_case_variants) continue;
    if (d == 0 || (d == 1 && !lenient && !f.open)) return &v;
  }
  return nullptr;
}

std::string near_miss_value_error(std::string_view side, std::string_view field, std::string_view s,
                                  std::string_view meant) {
  return fmt::format(
      "{}.{}: \"{}\" is not a value of {}; did you mean \"{}\"? (values are case-sensitive)", side,
      field, s, field, meant);
}

std::vector<std::string> ignored_keys(const Vocabulary& v, std::string_view document) {
  std::vector<std::string> out;
  bj::error_code ec;
  bj::value doc = bj::parse(document, ec);
  if (ec || !doc.is_object()) return out;
  const bj::object& o = doc.get_object();
  std::vector<std::string> known = known_top_keys(v, o.contains("incoming"));
  for (const auto& kv : o) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (Vocabulary::index_of(known, key) < 0) out.emplace_back(key);
  }
  return out;
}

std::string duplicate_key_error(std::string_view path) {
  return fmt::format("{}: duplicate key (a key may appear once in an object)", path);
}

namespace {

// The keys of one open object that is checked: their texts in `texts`.
struct KeyList {
  struct Key {
    std::size_t at, size;
    uint64_t seq;  // the key's place in the document
  };
  std::string texts;
  std::vector<Key> keys;
  std::vector<std::size_t> order;
  void clear() {
    texts.clear();
    keys.clear();
  }
  std::string_view text(const Key& k) const { return {texts.data() + k.at, k.size}; }
  // The key whose second occurrence comes first in the document, if any.
  const Key* first_duplicate() {
    order.resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      std::string_view x = text(keys[a]), y = text(keys[b]);
      return x != y ? x < y : a < b;
    });
    const Key* best = nullptr;
    for (std::size_t i = 1; i < order.size(); ++i) {
      const Key& prev = keys[order[i - 1]];
      const Key& k = keys[order[i]];
      if (text(prev) == text(k) && (i < 2 || text(keys[order[i - 2]]) != text(k)) &&
          (!best || k.seq < best->seq))
        best = &k;
    }
    return best;
  }
};

class DupHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  void start(const std::vector<std::string>* read) {
    read_ = read;
    depth_ = 0;
    seq_ = 0;
    checked2_ = false;
    in_key_ = false;
    top_.clear();
    inner_.clear();
    found_ = false;
    found_seq_ = 0;
    path_.clear();
  }
  bool found() const { return found_; }
  const std::string& path() const { return path_; }

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) {
    ++depth_;
    if (depth_ == 2) {
      checked2_ = Vocabulary::index_of(*read_, parent_) >= 0;
      inner_.clear();
    }
    return true;
  }
  bool on_object_end(std::size_t, bj::error_code&) {
    if (depth_ == 1) report(top_, "");
    if (depth_ == 2 && checked2_) report(inner_, parent_);
    --depth_;
    return true;
  }
  bool on_array_begin(bj::error_code&) {
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, bj::error_code&) {
    --depth_;
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    key(s, false);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    key(s, true);
    return true;
  }
  bool on_string_part(bj::string_view, std::size_t, bj::error_code&) { return true; }
  bool on_string(bj::string_view, std::size_t, bj::error_code&) { return true; }
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(int64_t, bj::string_view, bj::error_code&) { return true; }
  bool on_uint64(uint64_t, bj::string_view, bj::error_code&) { return true; }
  bool on_double(double, bj::string_view, bj::error_code&) { return true; }
  bool on_bool(bool, bj::error_code&) { return true; }
  bool on_null(bj::error_code&) { return true; }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

 private:
  void key(bj::string_view s, bool last) {
    KeyList* list = depth_ == 1 ? &top_ : depth_ == 2 && checked2_ ? &inner_ : nullptr;
    if (depth_ == 1 && !in_key_) parent_.clear();
    if (depth_ == 1) parent_.append(s.data(), s.size());
    if (list) {
      if (!in_key_) list->keys.push_back({list->texts.size(), 0, seq_});
      list->texts.append(s.data(), s.size());
      list->keys.back().size += s.size();
    }
    in_key_ = !last;
    if (last) ++seq_;
  }
  void report(KeyList& list, std::string_view parent) {
    const KeyList::Key* k = list.first_duplicate();
    if (!k || (found_ && k->seq >= found_seq_)) return;
    found_ = true;
    found_seq_ = k->seq;
    path_ =
        parent.empty() ? std::string(list.text(*k)) : fmt::format("{}.{}", parent, list.text(*k));
  }

  const std::vector<std::string>* read_ = nullptr;
  int depth_ = 0;
  uint64_t seq_ = 0;
  bool checked2_ = false, in_key_ = false;
  std::string parent_;  // the current top-level key
  KeyList top_, inner_;
  bool found_ = false;
  uint64_t found_seq_ = 0;
  std::string path_;
};

bj::parse_options finder_options() {
  bj::parse_options o;
  o.max_depth = 32;  // as the readers
  return o;
}

}  // namespace

struct DuplicateKeyFinder::Impl {
  Impl() : parser(finder_options()) {}
  bj::basic_parser<DupHandler> parser;
};

DuplicateKeyFinder::DuplicateKeyFinder() : impl_(std::make_unique<Impl>()) {}
DuplicateKeyFinder::~DuplicateKeyFinder() = default;

bool DuplicateKeyFinder::find(std::string_view document, const std::vector<std::string>& read,
                              std::string& path) {
  auto& p = impl_->parser;
  p.reset();
  p.handler().start(&read);
  bj::error_code ec;
  p.write_some(false, document.data(), document.size(), ec);
  if (ec || !p.handler().found()) return false;
  path = p.handler().path();
  return true;
}

}  // namespace casex::detail
