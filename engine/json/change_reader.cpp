// engine/json/change_reader.cpp: a Boost.JSON SAX handler (basic_parser) that
// fills ChangeInput as the document streams by: keys interned against small
// tables, texts copied into one reused arena, no DOM and no allocation once warm.
// It gives up (Fallback) on anything the DOM path must judge, so the error
// messages stay the DOM path's.
#include "engine/json/change_reader.h"

#include "engine/json/input_check.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cmath>
#include <cstring>
#include <vector>

namespace casex::detail {

namespace bj = boost::json;

namespace {

// A tiny name -> id table: linear, length first (vocabularies are small).
struct NameTable {
  std::vector<std::pair<std::string, int>> entries;
  void add(std::string name, int id) { entries.emplace_back(std::move(name), id); }
  int find(std::string_view s) const {
    for (const auto& [k, id] : entries)
      if (k.size() == s.size() && std::memcmp(k.data(), s.data(), s.size()) == 0) return id;
    return -1;
  }
};

// Top-level keys of a change document; events follow from kEvent0.
enum TopKey : int { kRecord, kBefore, kAfter, kRef, kGroups, kOrigin, kIncoming, kEvent0 };
// `sent` (the record's history) is looked up after the events, so that it
// costs the usual documents nothing; such a document goes to the DOM path.
constexpr int kSent = 1 << 20;

struct Tables {
  explicit Tables(const Vocabulary& v) : field_near_miss(v) {}
  NameTable top, fields, phases;
  // The input checks (input_check.h); all skipped when lenient.
  std::vector<std::string> change_keys, incoming_keys;
  FieldNearMiss field_near_miss;
  bool lenient = false;
  std::vector<std::vector<std::pair<std::string, std::string>>> aliases;  // per field slot
  std::vector<Type> types;                                                // per field slot
  const Vocabulary* vocab = nullptr;
  int phase_field = -1;
  bool usable = true;  // false: the vocabulary is unusual, always use the DOM path
};

class Handler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit Handler(const Tables* t) : t_(t) {}

  void start(ChangeInput* in, std::string* arena) {
    in_ = in;
    arena_ = arena;
    depth_ = skip_ = 0;
    want_ = Want::Ignore;
    top_seen_ = 0;
    in_parts_ = key_parts_ = false;
    key_buf_.clear();
    top_unknown_.clear();
  }
  bool complete() const {
    return (top_seen_ & ((1u << kBefore) | (1u << kAfter))) == ((1u << kBefore) | (1u << kAfter));
  }

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }

  bool on_object_begin(bj::error_code& ec) {
    if (skip_) return ++skip_, true;
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (want_ == Want::Ignore) return skip_ = 1, true;
    if (depth_ == 1) {
      switch (want_) {
        case Want::Before:
        case Want::After:
          ctx_ = Ctx::Snapshot;
          snap_ = want_ == Want::Before ? &in_->before : &in_->after;
          snap_seen_ = 0;
          inner_unknown_.clear();
          depth_ = 2;
          return true;
        case Want::Ref:
          ctx_ = Ctx::Ref;
          in_->has_ref = true;
          ref_seen_ = 0;
          inner_unknown_.clear();
          depth_ = 2;
          return true;
        case Want::Groups:
          ctx_ = Ctx::Groups;
          depth_ = 2;
          return true;
        default: break;
      }
    }
    return fail(ec);
  }

  bool on_object_end(std::size_t, bj::error_code& ec) {
    if (skip_) return --skip_, true;
    if (depth_ == 2 && ctx_ == Ctx::Snapshot && (*snap_)[t_->phase_field].kind == ConstKind::None)
      return fail(ec);
    --depth_;
    want_ = Want::Ignore;
    return true;
  }

  bool on_array_begin(bj::error_code& ec) {
    if (skip_) return ++skip_, true;
    if (depth_ > 0 && want_ == Want::Ignore) return skip_ = 1, true;
    return fail(ec);
  }
  bool on_array_end(std::size_t, bj::error_code&) {
    --skip_;
    return true;
  }

  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    if (skip_) return true;
    if (!key_parts_) key_buf_.clear();
    key_parts_ = true;
    key_buf_.append(s.data(), s.size());
    return true;
  }

  bool on_key(bj::string_view part, std::size_t, bj::error_code& ec) {
    if (skip_) return true;
    std::string_view s(part.data(), part.size());
    if (key_parts_) {
      key_buf_.append(s);
      s = key_buf_;
      key_parts_ = false;
    }
    want_ = Want::Ignore;
    if (depth_ == 1) {
      int k = t_->top.find(s);
      if (k < 0) {
        if (t_->lenient) return true;
        if (near_miss_key(s, t_->change_keys, t_->incoming_keys) || !top_unknown_.add(s))
          return fail(ec);  // the DOM path words the error
        return true;
      }
      if (k == kIncoming || k == kSent) return fail(ec);  // the DOM path's job
      uint64_t bit = uint64_t{1} << (k < 64 ? k : 63);
      if (top_seen_ & bit) return fail(ec);  // a duplicate key
      top_seen_ |= bit;
      index_ = k - kEvent0;
      want_ = k >= kEvent0 ? Want::Event : static_cast<Want>(k);
      return true;
    }
    switch (ctx_) {
      case Ctx::Snapshot: {
        int slot = t_->fields.find(s);
        if (slot < 0) {
          if (t_->lenient) return true;
          if (t_->field_near_miss.find(s) || !inner_unknown_.add(s)) return fail(ec);
          return true;
        }
        if (snap_seen_ & (uint64_t{1} << slot)) return fail(ec);
        snap_seen_ |= uint64_t{1} << slot;
        index_ = slot;
        want_ = Want::Field;
        return true;
      }
      case Ctx::Ref: {
        if (s == "system")
          want_ = Want::RefSystem;
        else if (s == "id")
          want_ = Want::RefId;
        else
          return t_->lenient || inner_unknown_.add(s) ? true : fail(ec);
        unsigned bit = want_ == Want::RefSystem ? 1 : 2;
        if (ref_seen_ & bit) return fail(ec);
        ref_seen_ |= bit;
        return true;
      }
      case Ctx::Groups: {
        for (const auto& g : in_->groups)
          if (g.first == s) return fail(ec);
        group_key_ = copy(s);
        want_ = Want::Group;
        return true;
      }
    }
    return true;
  }

  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    if (skip_ || want_ == Want::Ignore) return true;
    if (!in_parts_) str_start_ = arena_->size();
    in_parts_ = true;
    arena_->append(s.data(), s.size());
    return true;
  }

  bool on_string(bj::string_view part, std::size_t, bj::error_code& ec) {
    if (skip_ || want_ == Want::Ignore) return in_parts_ = false, true;
    std::string_view s;
    if (in_parts_) {
      arena_->append(part.data(), part.size());
      s = std::string_view(arena_->data() + str_start_, arena_->size() - str_start_);
      in_parts_ = false;
    } else if (want_ == Want::Field && t_->types[index_] == Type::Phase) {
      s = std::string_view(part.data(), part.size());  // only looked up, never kept
    } else {
      s = copy(std::string_view(part.data(), part.size()));
    }
    switch (want_) {
      case Want::Record:
        in_->has_record = true;
        in_->record = s;
        return true;
      case Want::Origin: in_->origin = s; return true;
      case Want::RefSystem: in_->ref_system = s; return true;
      case Want::RefId: in_->ref_id = s; return true;
      case Want::Group: in_->groups.emplace_back(group_key_, s); return true;
      case Want::Field: {
        if (t_->types[index_] == Type::Phase) {
          if (s.empty()) return true;
          int ph = t_->phases.find(s);
          if (ph < 0) return fail(ec);
          Value& v = (*snap_)[index_];
          v.kind = ConstKind::Sym;
          v.sym = ph;
          return true;
        }
        if (t_->types[index_] == Type::Number || t_->types[index_] == Type::Bool) return fail(ec);
        if (s.empty()) return true;
        for (const auto& [from, to] : t_->aliases[index_])
          if (from == s) {
            s = to;
            break;
          }
        if (near_miss_value(t_->vocab->fields[index_], s, t_->lenient))
          return fail(ec);  // the DOM path words the error
        Value& v = (*snap_)[index_];
        v.kind = ConstKind::Text;
        v.text = s;
        return true;
      }
      default: return fail(ec);
    }
  }

  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  // A number the rules read must be exact as a double: integers beyond 2^53
  // fall back to the DOM path, which words the error.
  bool on_int64(int64_t i, bj::string_view, bj::error_code& ec) {
    return number(static_cast<double>(i), i >= -kMaxExactInteger && i <= kMaxExactInteger, ec);
  }
  bool on_uint64(uint64_t u, bj::string_view, bj::error_code& ec) {
    return number(static_cast<double>(u), u <= static_cast<uint64_t>(kMaxExactInteger), ec);
  }
  // Out of a double's range anywhere (1e400 reads as infinity): the DOM path refuses the document.
  bool on_double(double d, bj::string_view, bj::error_code& ec) {
    return std::isfinite(d) ? number(d, true, ec) : fail(ec);
  }

  bool on_bool(bool b, bj::error_code& ec) {
    if (skip_ || want_ == Want::Ignore) return true;
    if (want_ == Want::Event) {
      in_->events.set(static_cast<std::size_t>(index_), b);
      return true;
    }
    if (want_ == Want::Field && t_->types[index_] == Type::Bool) {
      Value& v = (*snap_)[index_];
      v.kind = ConstKind::Bool;
      v.boolean = b;
      return true;
    }
    return fail(ec);
  }

  bool on_null(bj::error_code& ec) {
    if (skip_) return true;
    switch (want_) {
      case Want::Before:
      case Want::After: return fail(ec);
      case Want::Group: in_->groups.emplace_back(group_key_, std::string_view()); return true;
      default: return true;  // null is "no value": the reset state
    }
  }

  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

 private:
  // The order of the first members matches TopKey.
  enum class Want : uint8_t {
    Record,
    Before,
    After,
    Ref,
    Groups,
    Origin,
    Incoming,
    Event,
    Field,
    RefSystem,
    RefId,
    Group,
    Ignore
  };
  enum class Ctx : uint8_t { Snapshot, Ref, Groups };

  // The keys of one object that the reader does not read, to find a duplicate
  // among them; past a few dozen the DOM path (which sorts) judges the document.
  class UnknownKeys {
   public:
    void clear() {
      texts_.clear();
      ends_.clear();
    }
    // False when `s` is already there, or there are too many to search.
    bool add(std::string_view s) {
      if (ends_.size() >= 32) return false;
      std::size_t from = 0;
      for (std::size_t end : ends_) {
        if (std::string_view(texts_.data() + from, end - from) == s) return false;
        from = end;
      }
      texts_.append(s);
      ends_.push_back(texts_.size());
      return true;
    }

   private:
    std::string texts_;
    std::vector<std::size_t> ends_;
  };

  bool fail(bj::error_code& ec) {
    ec = bj::error::syntax;
    return false;
  }

  bool number(double d, bool exact, bj::error_code& ec) {
    if (skip_ || want_ == Want::Ignore) return true;
    if (exact && want_ == Want::Field && t_->types[index_] == Type::Number) {
      Value& v = (*snap_)[index_];
      v.kind = ConstKind::Number;
      v.number = d;
      return true;
    }
    return fail(ec);
  }

  std::string_view copy(std::string_view s) {
    std::size_t at = arena_->size();
    arena_->append(s);
    return {arena_->data() + at, s.size()};
  }

  const Tables* t_;
  ChangeInput* in_ = nullptr;
  std::string* arena_ = nullptr;
  int depth_ = 0, skip_ = 0;
  Want want_ = Want::Ignore;
  Ctx ctx_ = Ctx::Snapshot;
  int index_ = 0;
  std::vector<Value>* snap_ = nullptr;
  uint64_t top_seen_ = 0, snap_seen_ = 0;
  unsigned ref_seen_ = 0;
  std::size_t str_start_ = 0;
  bool in_parts_ = false, key_parts_ = false;
  std::string key_buf_;
  std::string_view group_key_;
  UnknownKeys top_unknown_, inner_unknown_;
};

bj::parse_options reader_options() {
  bj::parse_options o;
  o.max_depth = 32;  // as the DOM path
  return o;
}

}  // namespace

struct ChangeReader::Impl {
  explicit Impl(const Vocabulary& v) : vocab(v), tables(v), parser(reader_options(), &tables) {
    const char* const top[] = {v.record.c_str(), "before", "after",   "external_reference",
                               "groups",         "origin", "incoming"};
    for (int i = 0; i < kEvent0; ++i) tables.top.add(top[i], i);
    // check() refuses an event named like one of these keys or `sent`.
    for (std::size_t i = 0; i < v.events.size(); ++i)
      tables.top.add(v.events[i], kEvent0 + static_cast<int>(i));
    tables.top.add("sent", kSent);
    if (kEvent0 + v.events.size() >= 64 || v.fields.size() > 64 || v.phase_field < 0)
      tables.usable = false;
    for (const auto& [name, slot] : v.field_ids) tables.fields.add(name, slot);
    for (const auto& [name, id] : v.phase_ids) tables.phases.add(name, id);
    tables.aliases.resize(v.fields.size());
    for (std::size_t i = 0; i < v.fields.size(); ++i) {
      tables.types.push_back(v.fields[i].type);
      for (const auto& [from, to] : v.fields[i].value_aliases)
        tables.aliases[i].emplace_back(from, to);
    }
    tables.phase_field = v.phase_field;
    tables.change_keys = known_top_keys(v, false);
    tables.incoming_keys = known_top_keys(v, true);
    tables.vocab = &v;
  }

  const Vocabulary& vocab;
  Tables tables;
  bj::basic_parser<Handler> parser;
};

ChangeReader::ChangeReader(const Vocabulary& v) : impl_(std::make_unique<Impl>(v)) {}
ChangeReader::~ChangeReader() = default;

void ChangeReader::set_lenient(bool lenient) { impl_->tables.lenient = lenient; }

ChangeReader::Result ChangeReader::read(std::string_view document, ChangeInput& in,
                                        std::string& arena) {
  if (!impl_->tables.usable) return Result::Fallback;
  arena.clear();
  if (arena.capacity() < document.size()) arena.reserve(document.size());
  in.reset(impl_->vocab);
  auto& p = impl_->parser;
  p.reset();
  p.handler().start(&in, &arena);
  bj::error_code ec;
  std::size_t n = p.write_some(false, document.data(), document.size(), ec);
  if (ec || n != document.size() || !p.handler().complete()) return Result::Fallback;
  return Result::Ok;
}

}  // namespace casex::detail
