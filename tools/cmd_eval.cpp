// tools/cmd_eval.cpp: `casex eval`: the JSON contract of behaviour.md, one
// document or JSON Lines (one result per input line, in order), the lines
// spread over --jobs threads, with progress and --stats on standard error.
#include <fmt/format.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "casex/tooling.hpp"
#include "tools/commands.h"
#include "tools/decision_log.h"
#include "tools/eval_lines.h"
#include "tools/io.h"

namespace casex::cli {

namespace {

struct EvalOptions {
  std::string rules_dir, file;
  bool lines = false;
  unsigned jobs = 1;
  bool stats = false;
  std::string log;     // decision log file, or empty
  InputOptions input;  // --lenient-input
};

// What --stats counts, per thread, merged at the end.
struct Stats {
  std::size_t lines = 0, errors = 0, changes = 0, incoming = 0, suppressed = 0;
  std::size_t unknown_origins = 0;  // changes whose origin matches no system (casex::origin_note)
  std::size_t ignored_keys = 0;     // top-level keys casex reads nowhere (casex::ignored_keys)
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
      if (const auto* s = doc.if_contains("suppressed"); s && s->is_array())
        suppressed += s->get_array().size();
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
    unknown_origins += o.unknown_origins;
    ignored_keys += o.ignored_keys;
    for (const auto& [k, n] : o.sent) sent[k] += n;
    for (const auto& [k, n] : o.applied) applied[k] += n;
  }

  void print(double seconds, const std::string& rules) const {
    double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0;
    io::errf(
        "casex eval: {} lines in {:.2f} s ({:.0f} lines/s): {} changes, {} incoming, {} errors\n",
        lines, seconds, rate, changes, incoming, errors);
    std::size_t total = 0;
    std::string parts;
    for (const auto& [op, n] : sent) {
      total += n;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", op, n);
    }
    io::errf("  operations sent: {}{}\n", total, parts.empty() ? "" : " (" + parts + ")");
    io::errf("  operations suppressed (loop prevention): {}\n", suppressed);
    io::errf("  origins that name no system of their change or the rules: {}\n", unknown_origins);
    io::errf("  top-level keys ignored (read by no rule): {}\n", ignored_keys);
    parts.clear();
    for (const auto& [rule, n] : applied)
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", rule, n);
    if (!parts.empty()) io::errf("  incoming applied: {}\n", parts);
    io::errf("  {}", rules);  // the rules used and their version, last
  }
};

// The rule set of a RuleSet or of an Engine (the one in effect).
const RuleSet& rule_set(const RuleSet& rules) { return rules; }
RuleSet rule_set(const Engine& engine) { return engine.rules(); }

// Evaluates one input line, appending its result (or error) line to `out`;
// false for an error.
template <class Rules>
bool eval_line(const Rules& rules, std::string_view line, std::size_t number, std::string& out,
               std::string& error, Stats* stats, const InputOptions& input) {
  std::size_t start = out.size();
  bool ok = eval_one_line(rules, line, number, out, error, input);  // as casex serve answers it
  if (stats && ok) {
    stats->count(std::string_view(out).substr(start, out.size() - start - 1));
    stats->unknown_origins += !origin_note(rule_set(rules), line).empty();
    stats->ignored_keys += casex::ignored_keys(rule_set(rules), line).size();
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
  Progress()
      : on_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_(start_) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void update(std::size_t lines) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250) || now - start_ < std::chrono::seconds(1))
      return;
    last_ = now;
    shown_ = true;
    double s = std::chrono::duration<double>(now - start_).count();
    io::errf("\rcasex eval: {} lines, {:.0f} lines/s\033[K", lines, lines / s);
  }
  void clear() {
    if (shown_) io::err("\r\033[K");
  }

 private:
  bool on_, shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

constexpr std::size_t kFlushAt = (1 << 20) - 4096;

// A block of whole lines, each ending with '\n'. A line longer than kMaxLine
// is left empty in it, its offset in `too_long`.
struct Block {
  std::string text;
  std::vector<std::size_t> too_long;
};

// Reads the input in blocks of whole lines with read(2) (no per-line stream
// calls); a last line without '\n' gets one. A regular file gives blocks of
// about kBlock bytes; a pipe or a terminal gives what is there as soon as it
// completes a line, so that `casex eval --lines` answers a co-process line by
// line. A line longer than kMaxLine is read past in bounded memory.
class BlockReader {
 public:
  static constexpr std::size_t kBlock = 256 * 1024;
  explicit BlockReader(int fd) : fd_(fd) {}

  /// The next block into `b`; false at the end of the input (or on a read
  /// error: see error()).
  bool next(Block& b) {
    b.text.swap(carry_);
    carry_.clear();
    b.too_long.clear();
    if (eof_) return false;
    std::size_t line = 0;  // where the unfinished last line of b.text starts (carry_ holds no '\n')
    for (;;) {
      // Into a buffer of its own: no zero-filled room in b.text for what a pipe may not fill.
      ssize_t got = io::read_some(fd_, buffer_.get(), kBlock);
      if (got < 0) error_ = errno;
      std::size_t n = got > 0 ? static_cast<std::size_t>(got) : 0;
      if (n == 0) {  // the end of the input (or a read error)
        eof_ = true;
        if (skipping_ || b.text.size() > line) b.text.push_back('\n');  // ends the last line
        skipping_ = false;
        return !b.text.empty();
      }
      const char* p = buffer_.get();
      if (skipping_) {  // inside a line too long to keep: drop up to its '\n', kept as the end of
                        // its empty line
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
        if (!nl) continue;
        skipping_ = false;
        n -= static_cast<std::size_t>(nl - p);
        p = nl;
      }
      std::size_t at = b.text.size();
      b.text.append(p, n);
      // Lines that start and end within what was just read are shorter than kBlock; only
      // the unfinished line can exceed kMaxLine.
      const char* data = b.text.data();
      const char* first = static_cast<const char*>(std::memchr(data + at, '\n', n));
      std::size_t end = first ? static_cast<std::size_t>(first - data) : b.text.size();
      if (end - line > kMaxLine) {
        b.too_long.push_back(line);
        if (!first) {
          b.text.resize(line);
          skipping_ = true;
          continue;
        }
        b.text.erase(line, end - line);
        at = line;
        data = b.text.data();
        n = b.text.size() - at;
      }
      const char* last = static_cast<const char*>(memrchr(data + at, '\n', n));
      if (last) line = static_cast<std::size_t>(last - data) + 1;
      if (line > 0) {
        carry_.assign(b.text, line, std::string::npos);
        b.text.resize(line);
        return true;
      }
    }
  }

  /// errno of a failed read, 0 when none failed.
  int error() const { return error_; }

 private:
  int fd_;
  std::unique_ptr<char[]> buffer_{new char[kBlock]};
  std::string carry_;
  bool skipping_ = false, eof_ = false;
  int error_ = 0;
};

// Calls f(line, too_long) for each line of a block (without its '\n').
template <class F>
void for_each_line(const Block& b, F&& f) {
  std::string_view text = b.text;
  std::size_t k = 0;
  const char* base = text.data();
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    bool too_long =
        k < b.too_long.size() && static_cast<std::size_t>(text.data() - base) == b.too_long[k];
    k += too_long;
    f(text.substr(0, nl), too_long);
    text.remove_prefix(nl + 1);
  }
}

// Answers one line: its result, or its error (an over-long line: that error).
template <class Rules>
bool answer_line(const Rules& rules, std::string_view line, bool too_long, std::size_t number,
                 std::string& out, std::string& error, Stats* stats, const InputOptions& input) {
  if (!too_long) return eval_line(rules, line, number, out, error, stats, input);
  write_line_error(out, number, too_long_error());
  if (stats) ++stats->lines, ++stats->errors;
  return false;
}

// Why a run of lines stopped early: one line on stderr, exit status 1.
int read_failed(const io::InputFile& in, int err) {
  io::errf("casex eval: cannot read {}: {}\n", in.name(), std::strerror(err));
  return 1;
}

// One thread: read, evaluate, write, in turn. With --log `rules` is the
// Engine, whose log hook writes each decision to `log` as it is made.
template <class Rules>
int run_lines_serial(const Rules& rules, const io::InputFile& in, bool with_stats, DecisionLog& log,
                     const std::string& rules_dir, const InputOptions& input) {
  // What survives from line to line, and what bounds it: `block` holds whole
  // lines of at most kMaxLine bytes plus one read of kBlock (BlockReader);
  // `out` is written out past kFlushAt, so it holds at most that plus one
  // result (the largest result echoes a 16 MiB document); `error` one message.
  // The evaluator behind eval_json bounds its own (engine/json/json_io.h).
  Block block;
  std::string out, error;
  out.reserve(1 << 20);
  Stats stats;
  Progress progress;
  std::size_t n = 0, errors = 0;
  const bool interactive = !in.regular();
  BlockReader reader(in.fd());
  bool stop = false;
  while (!stop && reader.next(block)) {
    for_each_line(block, [&](std::string_view line, bool too_long) {
      if (stop) return;
      ++n;
      std::size_t at = out.size();
      if (!answer_line(rules, line, too_long, n, out, error, with_stats ? &stats : nullptr,
                       input)) {
        ++errors;
      } else if (!log.ok()) {
        out.resize(at);  // a decision not logged is not given; the ones before it are
        io::out(out);
        stop = true;
        return;
      }
      if (out.size() > kFlushAt) {
        stop = !io::out(out);
        out.clear();
      }
      if ((n & 4095) == 0) progress.update(n);
    });
    // A co-process gets each answer as soon as its line is complete.
    if (!stop && interactive) {
      stop = !io::out(out) || !io::out_flush();
      out.clear();
    }
  }
  progress.clear();
  if (stop)
    return 1;  // the decision log or standard output failed: reported by run() or when the command
               // ends
  io::out(out);
  if (reader.error()) return read_failed(in, reader.error());
  if (with_stats) stats.print(progress.seconds(), rules_line(rules_dir, rules.version()));
  return errors == 0 ? 0 : 1;
}

// A run of consecutive input lines, evaluated by one worker.
// Freed once written: in flight at most 4 per job (max_in_flight), so the
// memory of --jobs N is bounded by 4N blocks and their results.
struct Chunk {
  std::size_t seq = 0;         // position among chunks
  std::size_t first_line = 0;  // 1-based number of its first line
  std::size_t count = 0;       // lines in it
  Block in;                    // the lines, each ending with '\n'
  std::string out;             // their results, in order
  std::size_t errors = 0;
};

// --jobs N: the main thread reads chunks of lines; N workers evaluate them;
// whichever worker completes the next chunk in input order writes it (and
// any later ones already done), so the output keeps the input's order. A
// failed write (or an exception in a worker) stops the reading and the workers.
int run_lines_parallel(const RuleSet& rules, const io::InputFile& in, unsigned jobs,
                       bool with_stats, const std::string& rules_dir, const InputOptions& input) {
  const std::size_t max_in_flight = 4 * jobs;
  const bool interactive = !in.regular();
  std::mutex m;
  std::condition_variable work_ready, space_free;
  std::deque<std::unique_ptr<Chunk>> queue;
  std::map<std::size_t, std::unique_ptr<Chunk>> done;
  std::size_t next_write = 0, in_flight = 0, lines_written = 0, errors = 0;
  bool eof = false, stop = false;
  std::exception_ptr failure;
  std::vector<Stats> stats(jobs);
  Progress progress;

  auto worker = [&](unsigned id) {
    std::string error;
    Stats* st = with_stats ? &stats[id] : nullptr;
    for (;;) {
      std::unique_ptr<Chunk> c;
      {
        std::unique_lock<std::mutex> lock(m);
        work_ready.wait(lock, [&] { return !queue.empty() || eof || stop; });
        if (queue.empty() || stop) return;
        c = std::move(queue.front());
        queue.pop_front();
      }
      try {
        std::size_t number = c->first_line;
        for_each_line(c->in, [&](std::string_view line, bool too_long) {
          if (!answer_line(rules, line, too_long, number++, c->out, error, st, input)) ++c->errors;
        });
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!failure) failure = std::current_exception();
        stop = true;
        work_ready.notify_all();
        space_free.notify_all();
        return;
      }
      std::lock_guard<std::mutex> lock(m);
      done.emplace(c->seq, std::move(c));
      while (!stop && !done.empty() && done.begin()->first == next_write) {
        Chunk& ready = *done.begin()->second;
        if (!io::out(ready.out) || (interactive && !io::out_flush())) {
          stop = true;  // standard output failed: no more reading, no more work
          work_ready.notify_all();
          break;
        }
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
  BlockReader reader(in.fd());
  std::size_t seq = 0, number = 0;
  try {
    for (;;) {
      auto c = std::make_unique<Chunk>();
      if (!reader.next(c->in)) break;
      c->seq = seq++;
      c->first_line = number + 1;
      c->count = static_cast<std::size_t>(std::count(c->in.text.begin(), c->in.text.end(), '\n'));
      number += c->count;
      c->out.reserve(c->in.text.size());
      std::unique_lock<std::mutex> lock(m);
      space_free.wait(lock, [&] { return in_flight < max_in_flight || stop; });
      if (stop) break;
      ++in_flight;
      queue.push_back(std::move(c));
      work_ready.notify_one();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(m);
    if (!failure) failure = std::current_exception();
    stop = true;
  }
  {
    std::lock_guard<std::mutex> lock(m);
    eof = true;
  }
  work_ready.notify_all();
  for (auto& t : threads) t.join();
  progress.clear();
  if (failure) std::rethrow_exception(failure);
  if (stop) return 1;  // standard output failed: reported when the command ends
  if (reader.error()) return read_failed(in, reader.error());
  if (with_stats) {
    Stats total;
    for (const auto& s : stats) total.merge(s);
    total.print(progress.seconds(), rules_line(rules_dir, rules.version()));
  }
  return errors == 0 ? 0 : 1;
}

int run_lines(const Engine& engine, const io::InputFile& in, const EvalOptions& o,
              DecisionLog& log) {
  unsigned jobs = o.jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : o.jobs;
  // The decision log is written in input order by one thread.
  if (log.enabled()) return run_lines_serial(engine, in, o.stats, log, o.rules_dir, o.input);
  RuleSet rules = engine.rules();
  return jobs == 1 ? run_lines_serial(rules, in, o.stats, log, o.rules_dir, o.input)
                   : run_lines_parallel(rules, in, jobs, o.stats, o.rules_dir, o.input);
}

int run(const EvalOptions& o) {
  // Results are written to standard output only: with it closed, nothing is
  // evaluated (and nothing logged).
  if (!io::out("")) return 1;
  auto loaded = load_rules(o.rules_dir);
  if (!print_diagnostics(loaded)) return 2;
  const RuleSet& rules = *loaded.rules;
  DecisionLog log(o.log);
  if (!log.ok()) {
    io::errf("casex eval: {}\n", log.error());
    return 1;
  }
  // --log is the engine's log hook (Engine::set_log) writing each decision's line.
  Engine engine(rules);
  engine.set_input_options(o.input);
  if (log.enabled())
    engine.set_log([&log](const LogEvent& e) {
      if (e.kind == LogEvent::Kind::Decision) log.write(e.line);
    });
  bool from_stdin = o.file.empty() || o.file == "-";
  int status;
  if (o.lines) {
    io::InputFile in(o.file);
    if (!in.ok()) {
      io::errf("casex eval: {}\n", in.open_error());
      return 1;
    }
    status = run_lines(engine, in, o, log);
  } else {
    std::string doc, error;
    if (!io::read_limited(o.file, kMaxDocumentBytes, doc, error)) {
      io::errf("casex eval: {}{}\n",
               from_stdin || error.rfind("cannot ", 0) == 0 ? "" : o.file + ": ", error);
      return 1;
    }
    EngineResult r = engine.eval_json(doc);
    if (!r.ok) {
      io::errf("casex eval: {}{}\n", from_stdin ? "" : o.file + ": ", r.error);
      return 1;
    }
    status = 0;
    if (log.ok()) {  // else: the decision was not logged, reported below
      r.output.push_back('\n');
      io::out(r.output);
    }
  }
  if (!log.close()) {  // a failed write to the log, or its last flush
    io::errf("casex eval: {}\n", log.error());
    return 1;
  }
  return status;
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
      "an input, output or decision log that cannot be read or written (one line on stderr; the\n"
      "run stops), 2 rules that do not load (their diagnostics on stderr) or an internal error.\n"
      "A document or --lines line over 16 MiB is refused while it is read (a line: its error).");
  cmd->add_option("--rules", o->rules_dir, "Directory of rule files (default: the built-in rules)")
      ->check(CLI::ExistingDirectory);
  auto* lines =
      cmd->add_flag("--lines", o->lines,
                    "Read JSON Lines: one result per input line, in order; a bad line gives\n"
                    "{\"line\": N, \"error\": \"...\"} in its place and exit status 1.\n"
                    "Shows progress on stderr when it is a terminal");
  cmd->add_option(
         "--jobs,-j", o->jobs,
         "With --lines: evaluate on N threads (0: one per processor); results stay in input order")
      ->needs(lines)
      ->check(CLI::Range(0u, 256u));
  cmd->add_flag("--stats", o->stats,
                "With --lines: at the end, print to stderr the lines, operations sent by kind,\n"
                "incoming operations applied, errors and the rate")
      ->needs(lines);
  cmd->add_option(
      "--log", o->log,
      "Append one JSON line per decision to FILE (time, input digest, rule set version,\n"
      "rules fired, operations), for audits; with --lines, decisions are made on one thread");
  cmd->add_flag("--lenient-input", o->input.lenient_input,
                "Read input as before the near-miss checks: a key or value one slip away from\n"
                "a known one is ignored or taken as it is, the last of two equal keys wins\n"
                "(default: such input is bad input, with \"did you mean\")");
  cmd->add_option("FILE", o->file, "Input document (default: standard input)");
  cmd->callback([o, &status] { status = io::guarded("eval", 1, [&] { return run(*o); }); });
}

}  // namespace casex::cli
