#!/usr/bin/env bash
# bench/report.sh [BUILD_DIR]: runs the benchmarks of bench/ and rewrites the
# section of docs/performance.md between its two `bench/report.sh` markers with
# their figures, the date, the machine and its load.
#
# BUILD_DIR (default: build) must hold casex and bench/casex_bench, preferably
# built with -DCMAKE_BUILD_TYPE=Release. Runs:
#   - casex_bench, REPS interleaved repetitions (default 5), medians;
#   - casex eval --lines over 1,000,000 lines of the peers' workload, --jobs 1
#     and 2, best of RUNS (default 3) by wall time, peak RSS (/usr/bin/time);
#   - bench/casex_lsp_bench (casex lsp: diagnostics after an edit), when built;
#   - bench/instructions.sh when valgrind is installed (SKIP_CALLGRIND=1 skips it).
#   - bench/serve.sh (casex serve beside the peers' HTTP services and the HTTP
#     floor, with wrk; SERVE_SECONDS, default 10, SERVE_CONNECTIONS, default 64),
#     which rewrites its own section (the `bench/report.sh serve` markers);
#     SKIP_SERVE=1 skips it, ONLY_SERVE=1 runs only it (then casex_bench is not needed).
# BENCH_FILTER (a --benchmark_filter regex) restricts the suite.
# A machine whose load average is 1 or more when a stage starts is reported as busy.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
REPS=${REPS:-5}
RUNS=${RUNS:-3}
DOC=docs/performance.md

# casex serve over HTTP: bench/serve.sh, then the section between the
# `bench/report.sh serve` markers. A failed run leaves the section as it was.
serve_section() {
  grep -q '<!-- bench/report.sh serve: begin' "$DOC" && grep -q '<!-- bench/report.sh serve: end -->' "$DOC" ||
    { echo "bench/report.sh: $DOC lacks its serve markers" >&2; return 2; }
  local out start end checkout
  out=$(mktemp)
  start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  checkout=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
  git diff --quiet HEAD 2> /dev/null || checkout="$checkout with uncommitted changes"
  if ! OUT=$out bench/serve.sh "$B" "${SERVE_SECONDS:-10}" "${SERVE_CONNECTIONS:-64}"; then
    echo "bench/report.sh: bench/serve.sh failed: the serve section of $DOC is left as it was" >&2
    rm -f "$out"
    return 1
  fi
  end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  python3 - "$out" "$DOC" "$start" "$end" "$B" "$checkout" <<'PY'
import os, re, sys
raw, doc, start, end, build, checkout = sys.argv[1:7]
meta, peers = {}, {}
for l in open(raw):
    kv = dict(x.split("=", 1) for x in l.split()[1:] if "=" in x)
    if l.startswith("META"):
        meta = kv
    elif l.startswith("RESULT"):
        peers[kv["peer"]] = kv

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

def ms(x):  # wrk's latencies: 812.00us, 4.51ms, 1.02s, 2.00m
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", x or "")
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2)] if m else None

def f(x, fmt):
    return "-" if x is None else fmt.format(x)

busy = max(num(meta.get("load_start")) or 0, num(meta.get("load_end")) or 0) >= 1.0
out = []
w = out.append
w(f"Written by `bench/report.sh` (through `bench/serve.sh`) from a run between {start} and {end} "
  f"(checkout {checkout}, binaries of `{build}`) on {os.cpu_count()} CPUs: each service in turn on "
  f"127.0.0.1, driven by wrk {meta.get('wrk', '?')} (2 threads, {meta.get('connections', '?')} connections, "
  f"{meta.get('seconds', '?')} s, posting the peers' workload line by line); Node {meta.get('node', '?')}. "
  "wrk and the service share the cores, so compare the rows of one run, not figures across runs.")
w("")
w((f"Measured on a **busy machine** (other jobs on it): load average {meta.get('load_start')} when this part "
   f"started, {meta.get('load_end')} when it ended; requests/s are lower and latencies noisier than on an idle "
   "machine, and the services did not all run under the same load.") if busy else
  f"Measured on an idle machine: load average {meta.get('load_start')} when this part started, "
  f"{meta.get('load_end')} when it ended.")
w("")
names = [("casex", "`casex serve` (2 threads)"), ("zen", "GoRules ZEN in a Node server"),
         ("jre", "json-rules-engine in a Node server"),
         ("floor", "HTTP floor: `casex_serve_floor`, Beast answering a fixed body (2 threads)"),
         ("casex-paired", "`casex serve` again, right after the floor")]
w("| service | requests/s | p50 | p99 | non-2xx | peak RSS | CPU per request | answers agree with the baseline (2,000 documents) |")
w("|---|---|---|---|---|---|---|---|")
for key, label in names:
    p = peers.get(key)
    if not p:
        w(f"| {label} | not run | | | | | | |")
        continue
    agree = {"PASS": "yes", "FAIL": "**no**"}.get(p.get("agree"), "(checked above)" if key == "casex-paired" else
                                                   "- (a fixed body)")
    cpu = f(num(p.get("cpu_us_per_request")), "{:,.1f} µs")
    w(f"| {label} | {f(num(p.get('requests_per_s')), '{:,.0f}')} | {p.get('p50', '-')} | {p.get('p99', '-')} | "
      f"{p.get('non_2xx', '-')} | {p.get('peak_rss_mib', '?')} MiB | {cpu if cpu != '-' else ''} | {agree} |")
w("")
w("CPU per request: the service's user + system time (`/proc/PID/stat`) over the requests wrk got answered, "
  "for the last two rows, which `bench/serve.sh` runs back to back; it moves less with the load than requests/s.")
w("")
c, z, fl = peers.get("casex", {}), peers.get("zen", {}), peers.get("floor", {})
cp = peers.get("casex-paired", {})
crps, zrps, frps = num(c.get("requests_per_s")), num(z.get("requests_per_s")), num(fl.get("requests_per_s"))
cp99, zp99 = ms(c.get("p99")), ms(z.get("p99"))
def verdict(ok, wall_clock=True):
    if ok is None:
        return "not measured in this run"
    return ("met" if ok else "**not met**") + (" (busy machine)" if wall_clock and busy else "")
x = crps / zrps if crps and zrps else None
rows = [("requests/s ≥ 10× the ZEN server's", f(x, "{:.1f}×"), verdict(None if x is None else x >= 10))]
x = cp99 / zp99 if cp99 and zp99 else None
rows.append(("p99 latency ≤ 1/10 of the ZEN server's", f(x, "{:.2f}× ZEN's") + f" ({c.get('p99', '-')} against {z.get('p99', '-')})",
             verdict(None if x is None else x <= 0.1)))
prps = num(cp.get("requests_per_s"))
x = prps / frps if prps and frps else None
fc, pc = num(fl.get("cpu_us_per_request")), num(cp.get("cpu_us_per_request"))
cpu_note = f"; by CPU per request {fc / pc:.2f}" if fc and pc else ""
rows.append(("requests/s ≥ 0.8 of the HTTP floor's (the paired run)", f(x, "{:.2f}") + cpu_note,
             verdict(None if x is None else x >= 0.8)))
a = c.get("agree")
rows.append(("answers agree with the hand-written baseline", {"PASS": "2,000 of 2,000", "FAIL": "disagree"}.get(a, "-"),
             verdict(None if a is None else a == "PASS", False)))
w("### Targets of `casex serve`")
w("")
w("| target | this run | verdict |")
w("|---|---|---|")
for t, x, v in rows:
    w(f"| {t} | {x} | {v} |")
w("")
text = open(doc).read()
begin = re.search(r"<!-- bench/report.sh serve: begin[^>]*-->\n", text)
finish = text.index("<!-- bench/report.sh serve: end -->")
text = text[:begin.end()] + "\n".join(out).rstrip("\n") + "\n" + text[finish:]
open(doc, "w").write(text)
print(f"bench/report.sh: the serve section of {doc} rewritten", file=sys.stderr)
PY
  rm -f "$out"
}
if [ -n "${ONLY_SERVE:-}" ]; then
  serve_section
  exit $?
fi
for f in "$B/casex" "$B/bench/casex_bench"; do
  [ -x "$f" ] || { echo "bench/report.sh: $f is missing; build it first (cmake --build $B --target casex casex_bench)" >&2; exit 2; }
done
grep -q '<!-- bench/report.sh: begin' "$DOC" && grep -q '<!-- bench/report.sh: end -->' "$DOC" ||
  { echo "bench/report.sh: $DOC lacks its markers" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/report.sh: /usr/bin/time is missing (Debian package time)" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }

START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CHECKOUT=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
git diff --quiet HEAD 2> /dev/null || CHECKOUT="$CHECKOUT with uncommitted changes"
echo "bench/report.sh: suite ($REPS repetitions)..." >&2
echo "suite $(load)" > "$TMP/loads"
"$B/bench/casex_bench" --benchmark_repetitions="$REPS" --benchmark_enable_random_interleaving=true \
  ${BENCH_FILTER:+--benchmark_filter="$BENCH_FILTER"} \
  --benchmark_out="$TMP/bench.json" --benchmark_out_format=json > "$TMP/bench.txt"

echo "bench/report.sh: eval --lines over 1,000,000 lines ($RUNS runs each)..." >&2
python3 bench/gen_workload.py 100000 42 > "$TMP/w.jsonl"
for i in $(seq 10); do cat "$TMP/w.jsonl"; done > "$TMP/w1m.jsonl"
echo "lines $(load)" >> "$TMP/loads"
for jobs in 1 2; do
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f "$jobs %e %M" -a -o "$TMP/time.txt" "$B/casex" eval --lines --jobs "$jobs" "$TMP/w1m.jsonl" > /dev/null
  done
done

if [ -x "$B/bench/casex_lsp_bench" ]; then
  echo "bench/report.sh: casex lsp ($REPS repetitions)..." >&2
  echo "lsp $(load)" >> "$TMP/loads"
  "$B/bench/casex_lsp_bench" --benchmark_repetitions="$REPS" \
    --benchmark_out="$TMP/lsp.json" --benchmark_out_format=json > "$TMP/lsp.txt"
fi

if [ -z "${SKIP_CALLGRIND:-}" ] && command -v valgrind > /dev/null; then
  echo "bench/report.sh: instructions (callgrind)..." >&2
  echo "callgrind $(load)" >> "$TMP/loads"
  bench/instructions.sh "$B" > "$TMP/instructions.txt"
fi
END=$(date -u +%Y-%m-%dT%H:%M:%SZ)

python3 - "$TMP" "$DOC" "$START" "$END" "$B" "$REPS" "$CHECKOUT" <<'PY'
import json, os, platform, re, subprocess, sys
tmp, doc, start, end, build, reps, checkout = sys.argv[1:8]

def read(name):
    p = os.path.join(tmp, name)
    return open(p).read() if os.path.exists(p) else None

loads = dict(l.split() for l in read("loads").splitlines())
busy = {k: float(v) >= 1.0 for k, v in loads.items()}
bench = json.loads(read("bench.json"))
ctx = bench["context"]

def med(name):
    """The median run of a benchmark (or its only run); `name` may omit a /iterations:N suffix."""
    runs = [b for b in bench["benchmarks"]
            if re.sub(r"/iterations:\d+$", "", b.get("run_name", b["name"])) == name]
    m = [b for b in runs if b.get("aggregate_name") == "median"]
    return (m or [b for b in runs if b.get("run_type") == "iteration"] or [None])[0]

def ns_per_item(name):
    b = med(name)
    return 1e9 / b["items_per_second"] if b and b.get("items_per_second") else None

def wall(name, unit_out):
    b = med(name)
    if not b:
        return None
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    return b["real_time"] * scale[b["time_unit"]] / scale[unit_out]

def f(x, fmt="{:,.1f}"):
    return "-" if x is None else fmt.format(x)

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"

def cpu_model():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"

def cache(build):
    try:
        for l in open(os.path.join(build, "CMakeCache.txt")):
            if l.startswith("CMAKE_BUILD_TYPE:"):
                return l.split("=", 1)[1].strip() or "(none: RelWithDebInfo)"
    except OSError:
        pass
    return "unknown"

def compiler():
    try:
        return subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except Exception:
        return "unknown compiler"

def busy_note(stage):
    return (f"Measured on a **busy machine**: load average {loads[stage]} when this part started." if busy.get(stage)
            else f"Measured on an idle machine: load average {loads[stage]} when this part started.")

out = []
w = out.append
w(f"Written by `bench/report.sh` from a run between {start} and {end} (checkout {checkout}, binaries of "
  f"`{build}`) on {os.cpu_count()} CPUs "
  f"({cpu_model()}), {platform.system()} {platform.release()}, {compiler()}, build type "
  f"{cache(build)}, {reps} interleaved repetitions, medians.")
w("")
if any(busy.values()):
    w("The machine was busy during this run (other jobs on it): wall times are slower and noisier "
      "than on an idle machine; the ratios, taken in the same run, move less than the times, and the "
      "instruction counts not at all.")
    w("")
w("### Evaluation against the hand-written implementation")
w("")
w(busy_note("suite"))
w("")
w("| benchmark | casex | hand-written | ratio |")
w("|---|---|---|---|")
a, b = ns_per_item("BM_Eval_casex"), ns_per_item("BM_Eval_baseline")
w(f"| evaluation of a pre-parsed change, whole mix | {f(a)} ns | {f(b)} ns | {ratio(a, b)} |")
classes = sorted({m.group(1) for x in bench["benchmarks"]
                  for m in [re.match(r"BM_EvalClass_casex/([^_/]+)", x.get("run_name", x["name"]))] if m})
for c in classes:
    a, b = ns_per_item(f"BM_EvalClass_casex/{c}"), ns_per_item(f"BM_EvalClass_baseline/{c}")
    w(f"| … class `{c}` | {f(a)} ns | {f(b)} ns | {ratio(a, b)} |")
for t in (1, 2):
    a = ns_per_item(f"BM_Lines_casex/real_time/threads:{t}")
    b = ns_per_item(f"BM_Lines_baseline_boostjson/real_time/threads:{t}")
    w(f"| JSON line in process (parse + evaluate + write), {t} thread{'s' if t > 1 else ''} "
      f"| {f(a, '{:,.0f}')} ns | {f(b, '{:,.0f}')} ns | {ratio(a, b)} |")
w("")
w("| benchmark | figure |")
w("|---|---|")
lc = med("BM_LoadCompileBuiltin")
if lc:
    w(f"| load + compile of the default rules | {f(wall('BM_LoadCompileBuiltin', 'us'), '{:,.0f}')} µs wall, "
      f"{f(lc.get('allocs'), '{:,.0f}')} allocations, {f((lc.get('alloc_bytes') or 0) / 1000, '{:,.0f}')} KB allocated |")
st = [wall(f"BM_LoadStages/{i}", "us") for i in range(3)]
w(f"| … YAML load / check / compile | {f(st[0], '{:,.0f}')} µs / {f(st[1], '{:,.0f}')} µs / {f(st[2], '{:,.0f}')} µs |")
w(f"| evaluation with the trace of `casex explain` / without | {f(ns_per_item('BM_Eval_casex_trace_on'), '{:,.0f}')} ns / "
  f"{f(ns_per_item('BM_Eval_casex'), '{:,.0f}')} ns |")
w(f"| incoming operation, JSON document in → result out | {f(ns_per_item('BM_Incoming_json'), '{:,.0f}')} ns |")
w(f"| incoming operation, actions only | {f(ns_per_item('BM_Incoming_apply'), '{:,.0f}')} ns |")
w(f"| lint of the default rules | {f(wall('BM_LintBuiltin', 'ms'), '{:,.2f}')} ms |")
cs = med("BM_CompiledSize")
if cs and cs.get("bytes"):
    w(f"| compiled default rule set | {cs['bytes']:,.0f} bytes ({cs['bytes'] / 1024:,.1f} KiB) |")
w("")
sizes = sorted({int(m.group(1)) for x in bench["benchmarks"]
                for m in [re.match(r"BM_Scaling_eval/(\d+)$", x.get("run_name", x["name"]))] if m})
if sizes:
    w("| rules | compile (load + check + compile) | lint (whole `casex lint`) | evaluation of a change |")
    w("|---|---|---|---|")
    for n in sizes:
        w(f"| {n:,} | {f(wall(f'BM_Scaling_compile/{n}', 'ms'), '{:,.2f}')} ms | "
          f"{f(wall(f'BM_Scaling_lint/{n}', 'ms'), '{:,.1f}')} ms | {f(ns_per_item(f'BM_Scaling_eval/{n}'))} ns |")
    w("")

times = {}
for l in read("time.txt").splitlines():
    parts = l.split()
    if len(parts) == 3 and parts[0] in ("1", "2"):
        times.setdefault(parts[0], []).append((float(parts[1]), int(parts[2])))
w("### Whole process: `casex eval --lines` over 1,000,000 lines")
w("")
w(busy_note("lines") + f" Best of {len(times.get('1', []))} runs by wall time; peak RSS the largest of the runs.")
w("")
w("| | `--jobs 1` | `--jobs 2` |")
w("| --- | --- | --- |")
cells, rss = [], []
for j in ("1", "2"):
    runs = times.get(j, [])
    if runs:
        best = min(r[0] for r in runs)
        cells.append(f"{best:.2f} s, {1e6 / best / 1e6:.2f}M lines/s" if best > 0 else "-")
        rss.append(f"{max(r[1] for r in runs) / 1024:.1f} MiB")
    else:
        cells.append("-"); rss.append("-")
w(f"| wall time, rate | {cells[0]} | {cells[1]} |")
w(f"| peak RSS | {rss[0]} | {rss[1]} |")
w("")
ins = read("instructions.txt")
if ins:
    vals = {}
    for l in ins.splitlines():
        m = re.match(r"(\w+)_pass\s+([\d.]+)", l)
        if m:
            vals[m.group(1)] = float(m.group(2))
    w("### Instructions per change (callgrind: exact, whatever the load)")
    w("")
    w("| path | casex | hand-written |")
    w("|---|---|---|")
    w(f"| evaluation of a pre-parsed change | {f(vals.get('casex_eval'), '{:,.0f}')} | {f(vals.get('baseline_eval'), '{:,.0f}')} |")
    w(f"| JSON line: parse + evaluate + write | {f(vals.get('casex_lines'), '{:,.0f}')} | {f(vals.get('baseline_lines'), '{:,.0f}')} |")
    w(f"| load + compile of the default rules, once | {f(vals.get('load_compile'), '{:,.0f}')} | - |")
    w(f"| … of which yaml-cpp's parser (`YAML::Parser::HandleNextDocument`) | {f(vals.get('yaml_parse'), '{:,.0f}')} | - |")
    w("")

lsp = json.loads(read("lsp.json")) if read("lsp.json") else None
def lsp_med(name, key="real_time"):
    """The median of a casex lsp benchmark, in ms for times; a counter by its key."""
    if not lsp:
        return None
    runs = [b for b in lsp["benchmarks"] if b.get("run_name", b["name"]).startswith(name)]
    m = [b for b in runs if b.get("aggregate_name") == "median"] or [b for b in runs if b.get("run_type") == "iteration"]
    if not m or key not in m[0]:
        return None
    if key != "real_time":
        return m[0][key]
    return m[0]["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[m[0]["time_unit"]]
if lsp:
    w("### `casex lsp`: diagnostics after an edit")
    w("")
    w(busy_note("lsp") + " `bench/casex_lsp_bench`: an edit sent through the message loop until its "
      "diagnostics are published.")
    w("")
    w("| benchmark | figure |")
    w("|---|---|")
    w(f"| diagnostics of the default rules after an edit | {f(lsp_med('BM_LspDiagnostics_default_rules'), '{:,.1f}')} ms |")
    w(f"| diagnostics of a 1,000-rule table after an edit | {f(lsp_med('BM_LspDiagnostics_1000_rule_table'), '{:,.1f}')} ms |")
    w(f"| resident memory growth over 10,000 edits | {f(lsp_med('BM_LspMemory_10000_edits', 'rss_growth_kib'), '{:,.0f}')} KiB "
      f"(from {f(lsp_med('BM_LspMemory_10000_edits', 'rss_before_kib'), '{:,.0f}')} KiB) |")
    w("")

# The targets (docs/performance.md; issue "One engine core"), each judged from this run.
def verdict(ok, wall_clock=True):
    if ok is None:
        return "not measured in this run"
    v = "met" if ok else "**not met**"
    return v + (" (busy machine)" if wall_clock and busy.get("suite") else "")
def pick(x, op, limit):
    return None if x is None else op(x, limit)
import operator as o
rows = []
a, b = ns_per_item("BM_Eval_casex"), ns_per_item("BM_Eval_baseline")
r = a / b if a and b else None
rows.append(("evaluation, whole mix ≤ 1.1× the hand-written baseline", f(r, "{:.2f}×"), verdict(pick(r, o.le, 1.1))))
worst = None
for c in classes:
    x, y = ns_per_item(f"BM_EvalClass_casex/{c}"), ns_per_item(f"BM_EvalClass_baseline/{c}")
    if x and y:
        worst = max(worst or 0, x / y)
rows.append(("no scenario class worse than 2.0× the baseline", f(worst, "{:.2f}× (worst class)"), verdict(pick(worst, o.le, 2.0))))
vals = {}
for l in (ins or "").splitlines():
    m = re.match(r"(\w+)_pass\s+([\d.]+)", l)
    if m:
        vals[m.group(1)] = float(m.group(2))
ie = vals.get("casex_eval")
rows.append(("instructions per evaluation ≤ 500 (callgrind)", f(ie, "{:,.0f}"), verdict(pick(ie, o.le, 500), False)))
a = ns_per_item("BM_Lines_casex/real_time/threads:1")
b = ns_per_item("BM_Lines_baseline_boostjson/real_time/threads:1")
r = b / a if a and b else None
rows.append(("a JSON line in process ≥ 2× as fast as the Boost.JSON baseline", f(r, "{:.2f}×"), verdict(pick(r, o.ge, 2.0))))
lcw = wall("BM_LoadCompileBuiltin", "us")
yshare = vals["yaml_parse"] / vals["load_compile"] if vals.get("yaml_parse") and vals.get("load_compile") else None
rows.append(("load + compile of the default rules ≤ 1 ms", f(lcw, "{:,.0f} µs"), verdict(pick(lcw, o.le, 1000))
             + (f"; yaml-cpp's parser is {yshare:.0%} of its instructions" if yshare else "")))
size = cs.get("bytes") if cs else None
rows.append(("compiled default rule set ≤ 64 KiB", f(size / 1024 if size else None, "{:,.1f} KiB"), verdict(pick(size, o.le, 65536), False)))
l1k = wall("BM_Scaling_lint/1000", "ms")
rows.append(("lint of 1,000 rules < 1 s", f(l1k, "{:,.0f} ms"), verdict(pick(l1k, o.lt, 1000))))
runs2 = times.get("2", [])
rate = 1.0 / min(r[0] for r in runs2) if runs2 else None
rows.append(("`eval --lines --jobs 2` ≥ 1M lines/s", f(rate, "{:.2f}M lines/s"), verdict(pick(rate, o.ge, 1.0))))
if lsp:
    d, t = lsp_med("BM_LspDiagnostics_default_rules"), lsp_med("BM_LspDiagnostics_1000_rule_table")
    rows.append(("`casex lsp`: diagnostics of the default rules within 50 ms of an edit", f(d, "{:,.1f} ms"), verdict(pick(d, o.le, 50))))
    rows.append(("`casex lsp`: a 1,000-rule table within 200 ms", f(t, "{:,.1f} ms"), verdict(pick(t, o.le, 200))))
w("### Targets")
w("")
w("| target | this run | verdict |")
w("|---|---|---|")
for t, x, v in rows:
    w(f"| {t} | {x} | {v} |")
w("")

text = open(doc).read()
begin = re.search(r"<!-- bench/report.sh: begin[^>]*-->\n", text)
finish = text.index("<!-- bench/report.sh: end -->")
text = text[:begin.end()] + "\n".join(out).rstrip("\n") + "\n" + text[finish:]
open(doc, "w").write(text)
print(f"bench/report.sh: {doc} rewritten", file=sys.stderr)
PY
[ -n "${SKIP_SERVE:-}" ] || serve_section || true
