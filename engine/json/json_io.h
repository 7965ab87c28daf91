// engine/json/json_io.h: the `casex eval` JSON contract: a change or incoming
// document -> engine input (Boost.JSON), and the outcome -> result document.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/eval/eval.h"
#include "engine/json/change_reader.h"

namespace casex::detail {

/// Parses, evaluates and serializes documents; keeps its buffers between calls,
/// so one per thread evaluates without allocating once warm.
class JsonEvaluator {
 public:
  explicit JsonEvaluator(const CompiledRules& rules);

  /// Evaluates one document. On success appends the one-line result to `out`
  /// and returns true; otherwise sets `error` (naming the JSON path or the
  /// line and column) and leaves `out` as it was.
  bool eval(std::string_view document, std::string& out, std::string& error);

  /// The last change evaluated (valid after a successful eval of a change).
  const Outcome& outcome() const { return outcome_; }

  /// For `casex explain` and `casex test`: eval() that also records into `trace`
  /// what evaluating a change did; `is_incoming` tells the document's kind. The
  /// input read stays valid (through the accessors below) until the next call.
  bool explain(std::string_view document, EvalTrace& trace, bool& is_incoming, std::string& out, std::string& error);
  const ChangeInput& change() const { return change_; }
  const IncomingInput& incoming() const { return incoming_; }
  const IncomingOutcome& incoming_outcome() const { return incoming_out_; }

 private:
  bool parse(std::string_view document, std::string& error);
  bool eval_dom(std::string_view document, EvalTrace* trace, bool& is_incoming, std::string& out,
                std::string& error);
  bool read_change(const boost::json::object& doc, std::string& error);
  bool read_incoming(const boost::json::object& doc, std::string& error);
  bool read_snapshot(const boost::json::object& doc, const char* key, std::vector<Value>& out, std::string& error);
  bool read_reference(const boost::json::object& doc, bool& has, std::string_view& sys, std::string_view& id,
                      std::string& error);
  void write_change(std::string& out) const;
  void write_incoming(const boost::json::object& doc, std::string& out) const;

  const CompiledRules& rules_;
  std::vector<unsigned char> arena_;        // reused memory for each document's DOM
  boost::json::monotonic_resource memory_;  // over arena_, released before each document
  boost::json::parser parser_;
  std::optional<boost::json::value> doc_;  // moved from the parser: keeps its memory_ storage
  ChangeInput change_;
  Outcome outcome_;
  Scratch scratch_;
  IncomingInput incoming_;
  IncomingOutcome incoming_out_;
  // The fast path (eval of a change): SAX reader, its text arena, and the
  // names of the output already as JSON strings.
  ChangeReader reader_;
  std::string texts_;
  std::vector<std::string> phase_json_, op_json_;
  std::vector<std::vector<std::string>> rule_json_;  // per table, per rule
};

/// Appends `s` to `out` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

}  // namespace casex::detail
