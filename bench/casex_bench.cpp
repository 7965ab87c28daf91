// bench/casex_bench.cpp: the Google Benchmark suite of casex: load + compile,
// evaluation against the hand-written baseline (ratio printed at the end), the
// JSON Lines path with 1 and 2 threads, incoming operations, lint, scaling
// with rule count, and the size of the compiled default rules.
//
//   casex_bench [--workload FILE] [--smoke] [benchmark flags]
//   casex_bench [--workload FILE] --passes     (one pass of each path, for callgrind)
// --smoke: the scaling benchmarks stop at 100 rules (for the bench-smoke test).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/alloc_counter.h"
#include "bench/baseline.h"
#include "bench/scaling.h"
#include "bench/size_estimate.h"
#include "casex/casex.hpp"
#include "engine/api_internal.h"
#include "engine/check/check.h"
#include "engine/compile/compile.h"
#include "engine/eval/eval.h"
#include "engine/json/change_reader.h"
#include "engine/json/json_io.h"
#include "engine/load/load.h"

namespace {

using namespace casex;
using namespace casex::detail;
namespace bl = casex_bench::baseline;

std::string g_workload_path = CASEX_BENCH_WORKLOAD;
bool g_smoke = false;

// ------------------------------------------------------------------ shared data
struct Parsed {
  ChangeInput in;
  std::string texts;
};

struct Data {
  std::optional<RuleSet> rules;
  std::vector<std::string> lines;
  std::vector<Parsed> changes;           // casex's input form, one per line
  std::vector<bl::Change> base_changes;  // the baseline's plain structs, one per line
  std::map<std::string, std::vector<uint32_t>> classes;  // scenario class -> line indices
};

std::string scenario_class(const CompiledRules& r, const detail::Outcome& o) {
  const auto& list = o.ops.empty() ? o.suppressed : o.ops;
  if (list.empty()) return "sends-nothing";
  std::string c = r.rules.tables[list.front().table].id;
  if (o.ops.size() + o.suppressed.size() > 1) c += "+second-step";
  return c;
}

// A host that keeps changes in casex's input form holds their texts once,
// packed: as the baseline's structs of std::string hold theirs. Copies `in`
// so that its vectors are exact and its texts sit in one buffer of their own
// (the reader's arena is sized to the whole JSON document).
void compact_copy(const ChangeInput& in, Parsed& p) {
  p.in = in;
  p.in.groups.shrink_to_fit();
  std::size_t n =
      p.in.record.size() + p.in.ref_system.size() + p.in.ref_id.size() + p.in.origin.size();
  for (const auto* side : {&p.in.before, &p.in.after})
    for (const auto& v : *side)
      if (v.kind == ConstKind::Text) n += v.text.size();
  for (const auto& [g, sys] : p.in.groups) n += g.size() + sys.size();
  p.texts.clear();
  p.texts.reserve(n);
  auto own = [&p](std::string_view& t) {
    const std::size_t at = p.texts.size();
    p.texts.append(t);
    t = std::string_view(p.texts.data() + at, t.size());
  };
  own(p.in.record);
  for (auto* side : {&p.in.before, &p.in.after})
    for (auto& v : *side)
      if (v.kind == ConstKind::Text) own(v.text);
  own(p.in.ref_system);
  own(p.in.ref_id);
  for (auto& [g, sys] : p.in.groups) {
    own(g);
    own(sys);
  }
  own(p.in.origin);
}

Data& data() {
  static Data d = [] {
    Data d;
    LoadResult loaded = RuleSet::load_builtin();
    if (!loaded.rules) throw std::runtime_error("the built-in rules do not load");
    d.rules = *loaded.rules;
    std::ifstream in(g_workload_path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the workload " + g_workload_path);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) d.lines.push_back(line);
    const CompiledRules& c = casex::detail::compiled(*d.rules);
    ChangeReader reader(c.rules.vocabulary);
    d.changes.resize(d.lines.size());  // no reallocation after: the inputs view their own texts
    d.base_changes.resize(d.lines.size());
    detail::Outcome out;
    Scratch scratch;
    ChangeInput read;
    std::string arena;
    // Each side's changes in a region of their own, in workload order.
    for (std::size_t i = 0; i < d.lines.size(); ++i)
      if (!bl::parse(d.lines[i], d.base_changes[i]))
        throw std::runtime_error(
            fmt::format("workload line {} is not a well-formed change", i + 1));
    for (std::size_t i = 0; i < d.lines.size(); ++i) {
      if (reader.read(d.lines[i], read, arena) != ChangeReader::Result::Ok)
        throw std::runtime_error(
            fmt::format("workload line {} is not a well-formed change", i + 1));
      compact_copy(read, d.changes[i]);
      evaluate_change(c, d.changes[i].in, out, scratch);
      d.classes[scenario_class(c, out)].push_back(static_cast<uint32_t>(i));
    }
    return d;
  }();
  return d;
}

// ------------------------------------------------------------------ load + compile
void BM_LoadCompileBuiltin(benchmark::State& state) {
  uint64_t a0 = casex_bench::allocations(), b0 = casex_bench::allocated_bytes();
  for (auto _ : state) {
    LoadResult r = RuleSet::load_builtin();
    benchmark::DoNotOptimize(r.rules);
    state.PauseTiming();  // freeing the rules is not loading them
    r = LoadResult{};
    state.ResumeTiming();
  }
  state.counters["allocs"] =
      benchmark::Counter(static_cast<double>(casex_bench::allocations() - a0) / state.iterations());
  state.counters["alloc_bytes"] = benchmark::Counter(
      static_cast<double>(casex_bench::allocated_bytes() - b0) / state.iterations());
}
BENCHMARK(BM_LoadCompileBuiltin)->Unit(benchmark::kMicrosecond);

// The three stages, each on its own (the YAML walk, the checker, the compiler).
void BM_LoadStages(benchmark::State& state) {
  const std::vector<SourceFile> files = RuleSet::builtin_sources();
  const int stage = static_cast<int>(state.range(0));
  Diagnostics d0;
  RawRuleSet raw = load_rule_files(files, d0);
  CheckedRuleSet checked = check_rules(raw, d0);
  uint64_t a0 = casex_bench::allocations();
  for (auto _ : state) {
    Diagnostics diags;
    if (stage == 0) {
      RawRuleSet r = load_rule_files(files, diags);
      benchmark::DoNotOptimize(r);
    } else if (stage == 1) {
      CheckedRuleSet c = check_rules(raw, diags);
      benchmark::DoNotOptimize(c);
    } else {
      state.PauseTiming();
      CheckedRuleSet copy = checked;
      state.ResumeTiming();
      CompiledRules c = compile_rules(std::move(copy), diags);
      benchmark::DoNotOptimize(c);
    }
  }
  state.counters["allocs"] =
      benchmark::Counter(static_cast<double>(casex_bench::allocations() - a0) / state.iterations());
  state.SetLabel(stage == 0 ? "load (YAML)" : stage == 1 ? "check" : "compile");
}
BENCHMARK(BM_LoadStages)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// ------------------------------------------------------------------ evaluation, pre-parsed
void run_casex(benchmark::State& state, const std::vector<uint32_t>* subset, bool trace_on) {
  Data& d = data();
  const CompiledRules& c = casex::detail::compiled(*d.rules);
  detail::Outcome out;
  Scratch scratch;
  EvalTrace trace;
  std::size_t n = subset ? subset->size() : d.changes.size(), i = 0;
  for (auto _ : state) {
    const ChangeInput& in = d.changes[subset ? (*subset)[i] : i].in;
    if (trace_on) trace = EvalTrace{};
    evaluate_change(c, in, out, scratch, trace_on ? &trace : nullptr);
    benchmark::DoNotOptimize(out.ops.data());
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void run_baseline(benchmark::State& state, const std::vector<uint32_t>* subset) {
  Data& d = data();
  bl::Result r;
  std::size_t n = subset ? subset->size() : d.base_changes.size(), i = 0;
  for (auto _ : state) {
    bl::evaluate(d.base_changes[subset ? (*subset)[i] : i], r);
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Eval_casex(benchmark::State& s) { run_casex(s, nullptr, false); }
void BM_Eval_baseline(benchmark::State& s) { run_baseline(s, nullptr); }
void BM_Eval_casex_trace_on(benchmark::State& s) { run_casex(s, nullptr, true); }
BENCHMARK(BM_Eval_casex);
BENCHMARK(BM_Eval_baseline);
BENCHMARK(BM_Eval_casex_trace_on);

// ------------------------------------------------------------------ JSON Lines, end to end in
// process
void BM_Lines_casex(benchmark::State& state) {
  Data& d = data();
  JsonEvaluator ev(casex::detail::compiled(*d.rules));
  std::string out, error;
  out.reserve(1 << 21);
  // Each thread takes its own stride of the lines, as `--jobs` would.
  std::size_t n = d.lines.size(),
              i = static_cast<std::size_t>(state.thread_index()) * n / state.threads();
  for (auto _ : state) {
    if (!ev.eval(d.lines[i], out, error)) state.SkipWithError(error.c_str());
    out.push_back('\n');
    if (out.size() > (1 << 20)) out.clear();
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lines_casex)->Threads(1)->Threads(2)->UseRealTime();

void BM_Lines_baseline_boostjson(benchmark::State& state) {
  Data& d = data();
  std::string out;
  out.reserve(1 << 21);
  bl::Change c;
  bl::Result r;
  std::size_t n = d.lines.size(),
              i = static_cast<std::size_t>(state.thread_index()) * n / state.threads();
  for (auto _ : state) {
    if (bl::parse(d.lines[i], c)) {
      bl::evaluate(c, r);
      bl::write_result(out, c, r);
    }
    if (out.size() > (1 << 20)) out.clear();
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lines_baseline_boostjson)->Threads(1)->Threads(2)->UseRealTime();

// ------------------------------------------------------------------ incoming operations
void BM_Incoming_json(benchmark::State& state) {
  const std::vector<std::string> docs = {
      R"({"incoming":"Create","system":"SM","id":"IM1","incident":{"phase":"InitialSupport","assignment":"SM Tier 2"}})",
      R"({"incoming":"Resolve","incident":{"phase":"InitialSupport","solution":null},"external_reference":{"system":"SM","id":"IM1"}})",
      R"({"incoming":"Close","incident":{"phase":"Review","solution":"Fixed"},"external_reference":{"system":"SM","id":"IM1"}})",
      R"({"incoming":"Reopen","incident":{"phase":"Review","solution":"Rebooted","completion_code":"CompletionCodeFulfilled"}})",
      R"({"incoming":"Assign","incident":{"phase":"Review"}})",
      R"({"incoming":"Reject","incident":{"phase":"InitialSupport"},"external_reference":{"system":"SM","id":"IM1"}})",
      R"({"incoming":"Cancel","incident":{"phase":"InitialSupport","priority":"2"}})"};
  JsonEvaluator ev(casex::detail::compiled(*data().rules));
  std::string out, error;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    if (!ev.eval(docs[i], out, error)) state.SkipWithError(error.c_str());
    if (++i == docs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Incoming_json);

void BM_Incoming_apply(benchmark::State& state) {
  const CompiledRules& c = casex::detail::compiled(*data().rules);
  const Vocabulary& v = c.rules.vocabulary;
  std::vector<IncomingInput> inputs(v.incoming.size());
  for (std::size_t op = 0; op < v.incoming.size(); ++op) {
    IncomingInput& in = inputs[op];
    in.op = static_cast<int>(op);
    in.system = "SM";
    in.id = "IM1";
    in.record.assign(v.fields.size(), Value{});
    in.record[v.phase_field].kind = ConstKind::Sym;
    in.record[v.phase_field].sym = v.find_phase("Review");
    int sol = v.find_field("solution");
    if (sol >= 0) {
      in.record[sol].kind = ConstKind::Text;
      in.record[sol].text = "Rebooted";
    }
    in.has_ref = true;
    in.ref_system = "SM";
    in.ref_id = "IM1";
  }
  detail::IncomingOutcome out;
  std::size_t i = 0;
  for (auto _ : state) {
    apply_incoming(c, inputs[i], out);
    benchmark::DoNotOptimize(out.comments.data());
    if (++i == inputs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Incoming_apply);

// ------------------------------------------------------------------ lint
// The whole of `casex lint`: load, check, compile, the semantic analysis with
// its witnesses, and the rendered findings.
void lint(const std::vector<SourceFile>& files) {
  LoadResult r = lint_texts(files);
  std::string text = format_diagnostics(r.diagnostics, r.sources);
  benchmark::DoNotOptimize(text);
}

void BM_LintBuiltin(benchmark::State& state) {
  const std::vector<SourceFile> files = RuleSet::builtin_sources();
  for (auto _ : state) lint(files);
}
BENCHMARK(BM_LintBuiltin)->Unit(benchmark::kMicrosecond);

// ------------------------------------------------------------------ scaling with rule count
void BM_Scaling_compile(benchmark::State& state) {
  const auto files = casex_bench::scaled_rules(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    LoadResult r = RuleSet::load_texts(files);
    if (!r.rules) state.SkipWithError("the scaled rules do not load");
    benchmark::DoNotOptimize(r.rules);
  }
  state.SetComplexityN(state.range(0));
}

void BM_Scaling_lint(benchmark::State& state) {
  const auto files = casex_bench::scaled_rules(static_cast<int>(state.range(0)));
  for (auto _ : state) lint(files);
  state.SetComplexityN(state.range(0));
}

void BM_Scaling_eval(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  LoadResult loaded = RuleSet::load_texts(casex_bench::scaled_rules(n));
  if (!loaded.rules) {
    state.SkipWithError("the scaled rules do not load");
    return;
  }
  const CompiledRules& c = casex::detail::compiled(*loaded.rules);
  ChangeReader reader(c.rules.vocabulary);
  // 64 changes: codes spread over the table (early, late, and one no rule has).
  std::vector<Parsed> changes(64);
  for (int k = 0; k < 64; ++k) {
    int code = k == 63 ? n : static_cast<int>((static_cast<long>(k) * 7919) % n);
    if (reader.read(casex_bench::scaled_change(code), changes[k].in, changes[k].texts) !=
        ChangeReader::Result::Ok)
      state.SkipWithError("a scaled change does not read");
  }
  detail::Outcome out;
  Scratch scratch;
  // The indexed path must decide as the full scan does (a trace forces the full scan),
  // and hit the rule of the change's code.
  for (int k = 0; k < 64; ++k) {
    EvalTrace trace;
    detail::Outcome full;
    evaluate_change(c, changes[k].in, out, scratch);
    evaluate_change(c, changes[k].in, full, scratch, &trace);
    int code = k == 63 ? n : static_cast<int>((static_cast<long>(k) * 7919) % n);
    bool want_hit = code < n;
    bool same = out.ops.size() == full.ops.size() &&
                (out.ops.empty() || out.ops[0].rule == full.ops[0].rule);
    if (!same || out.ops.size() != (want_hit ? 1u : 0u) || (want_hit && out.ops[0].rule != code))
      state.SkipWithError("the indexed table decides differently from the full scan");
  }
  std::size_t i = 0;
  for (auto _ : state) {
    evaluate_change(c, changes[i].in, out, scratch);
    benchmark::DoNotOptimize(out.ops.data());
    if (++i == changes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetComplexityN(n);
}

// ------------------------------------------------------------------ size of the compiled default
// rules
void BM_CompiledSize(benchmark::State& state) {
  const auto parts = casex_bench::estimate_size(casex::detail::compiled(*data().rules));
  for (auto _ : state) benchmark::DoNotOptimize(parts.data());
  state.counters["bytes"] = benchmark::Counter(static_cast<double>(parts.front().bytes));
  state.counters["KiB"] = benchmark::Counter(static_cast<double>(parts.front().bytes) / 1024.0);
}
BENCHMARK(BM_CompiledSize)->Iterations(1);

void register_dynamic() {
  for (const auto& [name, lines] : data().classes) {
    const std::vector<uint32_t>* subset = &lines;
    benchmark::RegisterBenchmark(("BM_EvalClass_casex/" + name).c_str(),
                                 [subset](benchmark::State& s) { run_casex(s, subset, false); });
    benchmark::RegisterBenchmark(("BM_EvalClass_baseline/" + name).c_str(),
                                 [subset](benchmark::State& s) { run_baseline(s, subset); });
  }
  std::vector<int64_t> sizes = {10, 100, 1000, 10000};
  if (g_smoke) sizes = {10, 100};
  for (int64_t n : sizes) {
    benchmark::RegisterBenchmark("BM_Scaling_compile", BM_Scaling_compile)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_Scaling_eval", BM_Scaling_eval)->Arg(n);
    benchmark::RegisterBenchmark("BM_Scaling_lint", BM_Scaling_lint)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond);
  }
}

// ------------------------------------------------------------------ the ratios, after the table
// ------------------------------------------------------------------ one pass each, for callgrind
// `casex_bench --passes`: evaluates the whole workload once with casex and once
// with the baseline, in two functions callgrind reports separately (see README).
__attribute__((noinline)) uint64_t casex_eval_pass(const Data& d) {
  const CompiledRules& c = casex::detail::compiled(*d.rules);
  detail::Outcome out;
  Scratch scratch;
  uint64_t sink = 0;
  for (const auto& p : d.changes) {
    evaluate_change(c, p.in, out, scratch);
    sink += out.ops.size();
  }
  return sink;
}

__attribute__((noinline)) uint64_t baseline_eval_pass(const Data& d) {
  bl::Result r;
  uint64_t sink = 0;
  for (const auto& c : d.base_changes) {
    bl::evaluate(c, r);
    sink += r.n_ops;
  }
  return sink;
}

__attribute__((noinline)) uint64_t casex_lines_pass(const Data& d) {
  JsonEvaluator ev(casex::detail::compiled(*d.rules));
  std::string out, error;
  uint64_t sink = 0;
  for (const auto& line : d.lines) {
    out.clear();
    ev.eval(line, out, error);
    sink += out.size();
  }
  return sink;
}

__attribute__((noinline)) uint64_t baseline_lines_pass(const Data& d) {
  std::string out;
  bl::Change c;
  bl::Result r;
  uint64_t sink = 0;
  for (const auto& line : d.lines) {
    out.clear();
    if (bl::parse(line, c)) {
      bl::evaluate(c, r);
      bl::write_result(out, c, r);
    }
    sink += out.size();
  }
  return sink;
}

__attribute__((noinline)) uint64_t load_compile_pass() {
  LoadResult r = RuleSet::load_builtin();
  return r.rules ? 1 : 0;
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    // With --benchmark_repetitions, the median of the repetitions.
    for (const auto& r : runs) {
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median) continue;
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end())
        rate_[median ? r.run_name.str() : r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    auto& os = GetOutputStream();
    auto ratio = [&](const std::string& casex, const std::string& base, const std::string& what) {
      auto a = rate_.find(casex), b = rate_.find(base);
      if (a == rate_.end() || b == rate_.end() || a->second <= 0) return;
      os << fmt::format(
          "{:<58} casex {:>9.1f} ns  baseline {:>9.1f} ns  ratio casex/baseline {:.2f}\n", what,
          1e9 / a->second, 1e9 / b->second, b->second / a->second);
    };
    os << "\nRatios (time per item, casex / hand-written baseline; <= 1.0 is as fast or faster):\n";
    ratio("BM_Eval_casex", "BM_Eval_baseline", "evaluation, pre-parsed, whole workload");
    for (const auto& [name, lines] : data().classes)
      ratio("BM_EvalClass_casex/" + name, "BM_EvalClass_baseline/" + name,
            fmt::format("  class {} ({} changes)", name, lines.size()));
    ratio("BM_Lines_casex/real_time/threads:1", "BM_Lines_baseline_boostjson/real_time/threads:1",
          "JSON line in process, 1 thread");
    ratio("BM_Lines_casex/real_time/threads:2", "BM_Lines_baseline_boostjson/real_time/threads:2",
          "JSON line in process, 2 threads");
    auto tr = rate_.find("BM_Eval_casex_trace_on"), off = rate_.find("BM_Eval_casex");
    if (tr != rate_.end() && off != rate_.end())
      os << fmt::format("tracing: off {:.1f} ns, on {:.1f} ns per evaluation\n", 1e9 / off->second,
                        1e9 / tr->second);
    os << "\nCompiled default rule set (estimate):\n";
    for (const auto& p : casex_bench::estimate_size(casex::detail::compiled(*data().rules)))
      os << fmt::format("  {:>8} bytes  {}\n", p.bytes, p.name);
  }

 private:
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool passes = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) {
      g_smoke = true;
    } else if (std::strcmp(argv[i], "--passes") == 0) {
      passes = true;
    } else if (std::strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
      g_workload_path = argv[++i];
    } else {
      args.push_back(argv[i]);
    }
  }
  if (passes) {
    const Data& d = data();
    uint64_t sink = load_compile_pass() + casex_eval_pass(d) + baseline_eval_pass(d) +
                    casex_lines_pass(d) + baseline_lines_pass(d);
    fmt::print("{} changes, one pass each (checksum {})\n", d.lines.size(), sink);
    return 0;
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  try {
    data();
    register_dynamic();
  } catch (const std::exception& e) {
    fmt::print(stderr, "casex_bench: {}\n", e.what());
    return 1;
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
