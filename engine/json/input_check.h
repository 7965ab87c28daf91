// engine/json/input_check.h: the one validation of input that could be
// silently misread (issue 20): near misses of top-level keys, of snapshot field
// names and of declared values, and duplicate keys. The DOM reader words the
// errors with these functions; the SAX reader asks the same questions to know
// when to leave a document to the DOM reader; the typed Change (engine/api.cpp)
// words its errors with them too, so that all paths say the same words.
#pragma once

#include <boost/json/basic_parser.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/check/checked.h"

namespace casex::detail {

/// The top-level keys casex reads in a change document (`incoming` false) or
/// an incoming document (`incoming` true): the fixed ones, then (for a change)
/// the vocabulary's events.
std::vector<std::string> known_top_keys(const Vocabulary& v, bool incoming);

/// A top-level key that is no key of `known` (this kind of document) nor of
/// `other_kind` but a near miss of one of either: the same but for letter case
/// and `-` or ` ` for `_`, or within two edits of a key of 5 letters or more,
/// one edit of a key of 3 or 4 (letter case ignored): the key meant (the
/// closest), or null.
const std::string* near_miss_key(std::string_view key, const std::vector<std::string>& known,
                                 const std::vector<std::string>& other_kind);

/// "KEY: unknown key; did you mean "MEANT"? (keys are case-sensitive)"
std::string near_miss_key_error(std::string_view path, std::string_view meant);

/// The field names (and aliases) of a vocabulary, for near_miss(): a snapshot
/// key that is no field of the vocabulary but names one except for letter
/// case and separators. Built once per reader; find() allocates nothing.
class FieldNearMiss {
 public:
  explicit FieldNearMiss(const Vocabulary& v);
  /// The field name (or alias) `key` misses, or null (also for a field itself).
  const std::string* find(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, const std::string*>> bare_;  // lower case, no separators
};

/// "SIDE.KEY: unknown field "KEY"; did you mean "MEANT"?", or without the
/// suggestion when `meant` is empty.
std::string unknown_field_error(std::string_view side, std::string_view key,
                                std::string_view meant);

/// A text value of field `f` that is not one of its declared values but
/// within one edit of one (letter case ignored): the value meant, or null.
/// Never for an `open: true` field; a case variant only is taken as it is
/// under `case_variants: accept`. `lenient` (--lenient-input): only the
/// explicit `case_variants: refuse` of before issue 20 is applied.
const std::string* near_miss_value(const Vocabulary::Field& f, std::string_view s, bool lenient);

/// "SIDE.FIELD: "S" is not a value of FIELD; did you mean "MEANT"? (...)"
std::string near_miss_value_error(std::string_view side, std::string_view field, std::string_view s,
                                  std::string_view meant);

/// The top-level keys of `document` that casex reads nowhere (ignored, not
/// near misses), in document order: for `casex explain` and `--stats`.
/// Empty when the document is not a JSON object.
std::vector<std::string> ignored_keys(const Vocabulary& v, std::string_view document);

/// "PATH: duplicate key (a key may appear once in an object)"
std::string duplicate_key_error(std::string_view path);

/// Finds a key given twice in an object casex reads: the document's top level
/// and the objects under the top-level keys `read` (snapshots,
/// external_reference, groups). Objects casex does not read are not examined.
/// Keeps its buffers between documents (one per thread).
class DuplicateKeyFinder {
 public:
  DuplicateKeyFinder();
  ~DuplicateKeyFinder();
  DuplicateKeyFinder(const DuplicateKeyFinder&) = delete;
  DuplicateKeyFinder& operator=(const DuplicateKeyFinder&) = delete;

  /// True when `document` (well-formed JSON) has such a key; `path` then
  /// names it (`before.solution`, `comment_added`), the first one in
  /// document order.
  bool find(std::string_view document, const std::vector<std::string>& read, std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace casex::detail
