// tools/cmd_eval.cpp: `casex eval`: the JSON contract of behaviour.md, one
// document or JSON Lines (one result per input line, in order), the lines
// spread over --jobs threads, with progress and --stats on standard error.
#include <boost/json.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "tools/commands.h"
#include "tools/decision_log.h"

namespace casex::cli {

namespace {

struct EvalOptions {
  std::string rules_dir, file;
  bool lines = false;
  unsigned jobs = 1;
  bool stats = false;
  std::string log;  // decision log file, or empty
};

bool read_all(const std::string& file, std::string& out) {
  std::ostringstream ss;
  if (file.empty() || file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    ss << in.rdbuf();
  }
  out = ss.str();
  return true;
}

void write_line_error(std::string& out, std::size_t line, const std::string& error) {
  out += fmt::format("{{\"line\":{},\"error\":\"", line);
  for (unsigned char ch : error) {
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(ch));
    } else if (ch < 0x20) {
      out += fmt::format("\\u{:04x}", ch);
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  out += "\"}\n";
}

// What --stats counts, per thread, merged at the end.
struct Stats {
  std::size_t lines = 0, errors = 0, changes = 0, incoming = 0, suppressed = 0;
  std::map<std::string, std::size_t> sent;     // outgoing operation -> how many sent
  std::map<std::string, std::size_t> applied;  // incoming rule id -> how many applied

  // Counts one result document (one line of JSON, as eval_json wrote it).
  void count(std::string_view result) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(result, ec);
    if (ec || !v.is_object()) return;
    const auto& doc = v.get_object();
    if (const auto* ops = doc.if_contains("operations"); ops && ops->is_array()) {
      ++changes;
      for (const auto& op : ops->get_array())
        if (const auto* name = op.as_object().if_contains("operation"); name && name->is_string())
          ++sent[std::string(name->get_string())];
      if (const auto* s = doc.if_contains("suppressed"); s && s->is_array()) suppressed += s->get_array().size();
    } else {
      ++incoming;
      if (const auto* rule = doc.if_contains("rule"); rule && rule->is_string())
        ++applied[std::string(rule->get_string())];
    }
  }

  void merge(const Stats& o) {
    lines += o.lines;
    errors += o.errors;
    changes += o.changes;
    incoming += o.incoming;
    suppressed += o.suppressed;
    for (const auto& [k, n] : o.sent) sent[k] += n;
    for (const auto& [k, n] : o.applied) applied[k] += n;
  }

  void print(double seconds) const {
    double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0;
    fmt::print(stderr, "casex eval: {} lines in {:.2f} s ({:.0f} lines/s): {} changes, {} incoming, {} errors\n",
               lines, seconds, rate, changes, incoming, errors);
    std::size_t total = 0;
    std::string parts;
    for (const auto& [op, n] : sent) {
      total += n;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", op, n);
    }
    fmt::print(stderr, "  operations sent: {}{}\n", total, parts.empty() ? "" : " (" + parts + ")");
    fmt::print(stderr, "  operations suppressed (loop prevention): {}\n", suppressed);
    parts.clear();
    for (const auto& [rule, n] : applied) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", rule, n);
    if (!parts.empty()) fmt::print(stderr, "  incoming applied: {}\n", parts);
  }
};

// Evaluates one input line, appending its result (or error) line to `out`;
// false for an error.
bool eval_line(const RuleSet& rules, std::string_view line, std::size_t number, std::string& out,
               std::string& error, Stats* stats) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bool ok = false;
  std::size_t start = out.size();
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    write_line_error(out, number, "empty line: expected a JSON document");
  } else if (rules.eval_json(line, out, error)) {
    ok = true;
    if (stats) stats->count(std::string_view(out).substr(start));
    out.push_back('\n');
  } else {
    write_line_error(out, number, error);
  }
  if (stats) {
    ++stats->lines;
    if (!ok) ++stats->errors;
  }
  return ok;
}

// Progress on standard error while a large input runs, when it is a terminal.
class Progress {
 public:
  Progress() : on_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_(start_) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void update(std::size_t lines) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250) || now - start_ < std::chrono::seconds(1)) return;
    last_ = now;
    shown_ = true;
    double s = std::chrono::duration<double>(now - start_).count();
    fmt::print(stderr, "\rcasex eval: {} lines, {:.0f} lines/s\033[K", lines, lines / s);
  }
  void clear() {
    if (shown_) fmt::print(stderr, "\r\033[K");
  }

 private:
  bool on_, shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

constexpr std::size_t kFlushAt = (1 << 20) - 4096;

void flush(std::string& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  out.clear();
}

// Reads the input in blocks of whole lines (no per-line stream calls): each
// block ends with '\n'; a last line without one gets one. A line longer than
// a block grows the block until it ends.
class BlockReader {
 public:
  static constexpr std::size_t kBlock = 256 * 1024;
  explicit BlockReader(std::istream& in) : in_(in) {}

  /// The next block of whole lines into `block`; false at the end of the input.
  bool next(std::string& block) {
    block.swap(carry_);
    carry_.clear();
    for (;;) {
      std::size_t scanned = block.size();
      block.resize(scanned + kBlock);
      in_.read(block.data() + scanned, static_cast<std::streamsize>(kBlock));
      block.resize(scanned + static_cast<std::size_t>(in_.gcount()));
      if (block.size() == scanned) {  // the end of the input
        if (block.empty()) return false;
        if (block.back() != '\n') block.push_back('\n');
        return true;
      }
      // Only the part just read can hold the last newline: a long line is not scanned again.
      std::size_t last = std::string_view(block).substr(scanned).rfind('\n');
      if (last != std::string::npos) {
        last += scanned;
        carry_.assign(block, last + 1, std::string::npos);
        block.resize(last + 1);
        return true;
      }
    }
  }

 private:
  std::istream& in_;
  std::string carry_;
};

// Calls f(line) for each line of a block (without its '\n').
template <class F>
void for_each_line(std::string_view block, F&& f) {
  while (!block.empty()) {
    std::size_t nl = block.find('\n');
    f(block.substr(0, nl));
    block.remove_prefix(nl + 1);
  }
}

// One thread: read, evaluate, write, in turn.
int run_lines_serial(const RuleSet& rules, std::istream& in, bool with_stats, DecisionLog& log) {
  std::string block, out, error;
  out.reserve(1 << 20);
  Stats stats;
  Progress progress;
  std::size_t n = 0, errors = 0;
  BlockReader reader(in);
  while (reader.next(block)) {
    for_each_line(block, [&](std::string_view line) {
      ++n;
      std::size_t at = out.size();
      if (!eval_line(rules, line, n, out, error, with_stats ? &stats : nullptr)) ++errors;
      else if (log.enabled()) log.record(rules.version(), line, std::string_view(out).substr(at, out.size() - at - 1));
      if (out.size() > kFlushAt) flush(out);
      if ((n & 4095) == 0) progress.update(n);
    });
  }
  flush(out);
  std::fflush(stdout);
  progress.clear();
  if (with_stats) stats.print(progress.seconds());
  return errors == 0 ? 0 : 1;
}

// A run of consecutive input lines, evaluated by one worker.
struct Chunk {
  std::size_t seq = 0;         // position among chunks
  std::size_t first_line = 0;  // 1-based number of its first line
  std::size_t count = 0;       // lines in it
  std::string text;            // the lines, each ending with '\n'
  std::string out;             // their results, in order
  std::size_t errors = 0;
};

// --jobs N: the main thread reads chunks of lines; N workers evaluate them;
// whichever worker completes the next chunk in input order writes it (and
// any later ones already done), so the output keeps the input's order.
int run_lines_parallel(const RuleSet& rules, std::istream& in, unsigned jobs, bool with_stats) {
  const std::size_t max_in_flight = 4 * jobs;
  std::mutex m;
  std::condition_variable work_ready, space_free;
  std::deque<std::unique_ptr<Chunk>> queue;
  std::map<std::size_t, std::unique_ptr<Chunk>> done;
  std::size_t next_write = 0, in_flight = 0, lines_written = 0, errors = 0;
  bool eof = false;
  std::vector<Stats> stats(jobs);
  Progress progress;

  auto worker = [&](unsigned id) {
    std::string error;
    Stats* st = with_stats ? &stats[id] : nullptr;
    for (;;) {
      std::unique_ptr<Chunk> c;
      {
        std::unique_lock<std::mutex> lock(m);
        work_ready.wait(lock, [&] { return !queue.empty() || eof; });
        if (queue.empty()) return;
        c = std::move(queue.front());
        queue.pop_front();
      }
      std::size_t number = c->first_line;
      for_each_line(c->text, [&](std::string_view line) {
        if (!eval_line(rules, line, number++, c->out, error, st)) ++c->errors;
      });
      std::lock_guard<std::mutex> lock(m);
      done.emplace(c->seq, std::move(c));
      while (!done.empty() && done.begin()->first == next_write) {
        Chunk& ready = *done.begin()->second;
        std::fwrite(ready.out.data(), 1, ready.out.size(), stdout);
        lines_written += ready.count;
        errors += ready.errors;
        done.erase(done.begin());
        ++next_write;
        --in_flight;
        progress.update(lines_written);
      }
      space_free.notify_one();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < jobs; ++i) threads.emplace_back(worker, i);

  // The main thread only cuts the input into blocks of whole lines and counts them.
  BlockReader reader(in);
  std::size_t seq = 0, number = 0;
  for (;;) {
    auto c = std::make_unique<Chunk>();
    if (!reader.next(c->text)) break;
    c->seq = seq++;
    c->first_line = number + 1;
    c->count = static_cast<std::size_t>(std::count(c->text.begin(), c->text.end(), '\n'));
    number += c->count;
    c->out.reserve(c->text.size());
    std::unique_lock<std::mutex> lock(m);
    space_free.wait(lock, [&] { return in_flight < max_in_flight; });
    ++in_flight;
    queue.push_back(std::move(c));
    work_ready.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(m);
    eof = true;
  }
  work_ready.notify_all();
  for (auto& t : threads) t.join();
  std::fflush(stdout);
  progress.clear();
  if (with_stats) {
    Stats total;
    for (const auto& s : stats) total.merge(s);
    total.print(progress.seconds());
  }
  return errors == 0 ? 0 : 1;
}

int run_lines(const RuleSet& rules, std::istream& in, const EvalOptions& o, DecisionLog& log) {
  unsigned jobs = o.jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : o.jobs;
  // The decision log is written in input order by one thread.
  return jobs == 1 || log.enabled() ? run_lines_serial(rules, in, o.stats, log)
                                    : run_lines_parallel(rules, in, jobs, o.stats);
}

int run(const EvalOptions& o) {
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  const RuleSet& rules = *loaded.rules;
  DecisionLog log(o.log);
  if (!log.ok()) {
    fmt::print(stderr, "casex eval: cannot open the decision log {}\n", o.log);
    return 1;
  }
  bool from_stdin = o.file.empty() || o.file == "-";
  if (o.lines) {
    if (from_stdin) {
      std::ios::sync_with_stdio(false);  // else std::cin reads a character at a time (6x slower)
      return run_lines(rules, std::cin, o, log);
    }
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "casex eval: cannot open {}\n", o.file);
      return 1;
    }
    return run_lines(rules, in, o, log);
  }
  std::string doc;
  if (!read_all(o.file, doc)) {
    fmt::print(stderr, "casex eval: cannot open {}\n", o.file);
    return 1;
  }
  JsonResult r = rules.eval_json(doc);
  if (!r.ok) {
    fmt::print(stderr, "casex eval: {}{}\n", from_stdin ? "" : o.file + ": ", r.error);
    return 1;
  }
  log.record(rules.version(), doc, r.output);
  r.output.push_back('\n');
  std::fwrite(r.output.data(), 1, r.output.size(), stdout);
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& status) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate a change or an incoming operation (JSON) and print the result (JSON).\n"
      "A change gives the phase after the workflow and the operations sent and suppressed;\n"
      "an incoming operation gives the incident, comments and external reference after it.\n"
      "Exit status: 0 ok, 1 bad input (one line on stderr naming the JSON path or line/column),\n"
      "2 rules that do not load (their diagnostics on stderr).");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  auto* lines = cmd->add_flag("--lines", o->lines,
                              "Read JSON Lines: one result per input line, in order; a bad line gives\n"
                              "{\"line\": N, \"error\": \"...\"} in its place and exit status 1.\n"
                              "Shows progress on stderr when it is a terminal");
  cmd->add_option("--jobs,-j", o->jobs,
                  "With --lines: evaluate on N threads (0: one per processor); results stay in input order")
      ->needs(lines)
      ->check(CLI::Range(0u, 256u));
  cmd->add_flag("--stats", o->stats,
                "With --lines: at the end, print to stderr the lines, operations sent by kind,\n"
                "incoming operations applied, errors and the rate")
      ->needs(lines);
  cmd->add_option("--log", o->log,
                  "Append one JSON line per decision to FILE (time, input digest, rule set version,\n"
                  "rules fired, operations), for audits; with --lines, decisions are made on one thread");
  cmd->add_option("FILE", o->file, "Input document (default: standard input)");
  cmd->callback([o, &status] { status = run(*o); });
}

}  // namespace casex::cli
