// engine/json/json_io.h: the `casex eval` JSON contract: a change or incoming
// document -> engine input (Boost.JSON), and the outcome -> result document.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "casex/casex.hpp"
#include "engine/eval/eval.h"
#include "engine/json/change_reader.h"
#include "engine/json/document_arena.h"
#include "engine/json/input_check.h"

namespace casex::detail {

/// Parses, evaluates and serializes documents; keeps its buffers between calls,
/// so one per thread evaluates without allocating once warm. What it keeps is
/// bounded by the largest document it has read, never by how many: each member
/// below says what bounds it. A document whose parsed form needs more than
/// `memory_limit` bytes, or that meets an allocation failure, is that
/// document's error; the evaluator is whole again for the next one.
class JsonEvaluator {
 public:
  /// Buffers larger than this are freed before the next document that does not need them.
  static constexpr std::size_t kRetainedBytes = std::size_t{1} << 20;

  explicit JsonEvaluator(const CompiledRules& rules, std::size_t memory_limit = kMaxDocumentMemory);

  /// Evaluates one document. On success appends the one-line result to `out`
  /// and returns true; otherwise sets `error` (naming the JSON path or the
  /// line and column) and leaves `out` as it was.
  bool eval(std::string_view document, std::string& out, std::string& error);

  /// Off (the default): near misses (top-level keys, snapshot field names,
  /// declared values) and duplicate keys are bad input (engine/json/input_check.h).
  /// On (`--lenient-input`): they are read as before issue 20.
  void set_lenient(bool lenient) {
    lenient_ = lenient;
    reader_.set_lenient(lenient);
  }

  /// The last change evaluated (valid after a successful eval of a change).
  const Outcome& outcome() const { return outcome_; }

  /// For `casex explain` and `casex test`: eval() that also records into `trace`
  /// what evaluating a change did; `is_incoming` tells the document's kind. The
  /// input read stays valid (through the accessors below) until the next call.
  bool explain(std::string_view document, EvalTrace& trace, bool& is_incoming, std::string& out,
               std::string& error);
  const ChangeInput& change() const { return change_; }
  const IncomingInput& incoming() const { return incoming_; }
  const IncomingOutcome& incoming_outcome() const { return incoming_out_; }

 private:
  template <class F>
  bool guarded(std::string_view document, std::string& error, F&& f);
  void trim(std::size_t document_size);
  bool parse(std::string_view document, std::string& error);
  bool eval_dom(std::string_view document, EvalTrace* trace, bool& is_incoming, std::string& out,
                std::string& error);
  bool check_keys(std::string_view document, const boost::json::object& doc, bool is_incoming,
                  std::string& error);
  bool read_change(const boost::json::object& doc, std::string& error);
  bool read_incoming(const boost::json::object& doc, std::string& error);
  bool read_sent(const boost::json::object& doc, ChangeInput& c, std::string& error);
  bool read_snapshot(const boost::json::object& doc, std::string_view key, std::vector<Value>& out,
                     std::string& error, std::vector<bool>* carried = nullptr);
  bool read_reference(const boost::json::object& doc, bool& has, std::string_view& sys,
                      std::string_view& id, std::string& error);
  void write_change(std::string& out) const;
  void write_incoming(const boost::json::object& doc, std::string& out) const;

  const CompiledRules& rules_;
  // The DOM of the current document: at most `memory_limit` heap bytes beyond
  // a 64 KiB first block; reset (heap blocks freed) before each document.
  DocumentArena arena_;
  // The parser's own stack of pending values grows with the largest array or
  // object read (at most the 16 MiB document); trim() re-creates the parser
  // after a document that grew it past kRetainedBytes.
  std::optional<boost::json::parser> parser_;
  std::size_t parser_high_ = 0;            // size of the largest document since the parser was made
  std::optional<boost::json::value> doc_;  // moved from the parser: its storage is arena_
  // Sized by the vocabulary (one value per field or event) and the rule set
  // (Scratch, Outcome: rows and operations); `groups` and the incoming
  // comments by the current document: all cleared, none grown, between documents.
  ChangeInput change_;
  Outcome outcome_;
  Scratch scratch_;
  IncomingInput incoming_;
  IncomingOutcome incoming_out_;
  // The fast path (eval of a change): SAX reader, its text arena, and the
  // names of the output already as JSON strings. texts_ reserves the size of
  // the document being read; trim() frees it when past kRetainedBytes.
  ChangeReader reader_;
  std::string texts_;
  std::vector<std::string> phase_json_, op_json_;
  std::string record_key_;                           // {"<record>": , the start of a result
  std::vector<std::vector<std::string>> rule_json_;  // per table, per rule
  // The input checks (input_check.h): the keys of each kind of document, the
  // objects whose keys are checked for duplicates, and the finder's buffers.
  bool lenient_ = false;
  std::vector<std::string> change_keys_, incoming_keys_;
  std::vector<std::string> change_objects_, incoming_objects_;
  FieldNearMiss field_near_miss_;
  DuplicateKeyFinder duplicates_;
};

/// Appends `s` to `out` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

}  // namespace casex::detail
