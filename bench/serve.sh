#!/usr/bin/env bash
# bench/serve.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]: `casex serve` beside the
# peers as HTTP services and beside the HTTP floor, all driven by wrk.
#
#   - the peers' serve/bench_serve.sh (GoRules ZEN and json-rules-engine behind a
#     Node server; ../shared/bench/peers, or $PEERS) with
#     CASEX_SERVE_CMD="BUILD_DIR/casex serve --listen 127.0.0.1:{port}": each
#     service's answers to 2,000 documents are checked against the hand-written
#     baseline, then wrk posts the workload's lines for SECONDS (default 10) over
#     CONNECTIONS (default 64), 2 wrk threads;
#   - BUILD_DIR/bench/casex_serve_floor (bench/serve_floor.cpp: a Beast server
#     answering every request with a fixed body), driven by the same wrk command,
#     then casex serve again right after it ("casex-paired"), both with their
#     CPU time per request (the fraction of the floor is taken from this pair).
#
# The peers' folder may be read-only: it is copied to BUILD_DIR/peers, and set
# up there once by its setup.sh (npm ci of the locked Node packages, make).
# Needs wrk and curl (Debian packages wrk, curl: tools/setup.sh), node
# and npm. Writes the RESULT lines to BUILD_DIR/serve-bench.txt (or $OUT), one
# per service, which bench/report.sh turns into docs/performance.md's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(realpath "${1:-build}")
SECS=${2:-10}
CONNS=${3:-64}
SRC=${PEERS:-../shared/bench/peers}
OUT=${OUT:-$B/serve-bench.txt}
for f in "$B/casex" "$B/bench/casex_serve_floor"; do
  [ -x "$f" ] || { echo "bench/serve.sh: $f is missing; build it first (cmake --build $B --target casex casex_serve_floor)" >&2; exit 2; }
done
[ -x "$SRC/serve/bench_serve.sh" ] || { echo "bench/serve.sh: the peers' harness $SRC/serve/bench_serve.sh is missing (set PEERS)" >&2; exit 2; }
for c in wrk curl node npm python3; do
  command -v "$c" > /dev/null || { echo "bench/serve.sh: $c is missing (wrk, curl: tools/setup.sh; node, npm: Debian nodejs, npm)" >&2; exit 2; }
done

W=$B/peers
mkdir -p "$W"
chmod -R u+w "$W"
cp -rT "$SRC" "$W"
chmod -R u+w "$W"
if [ ! -d "$W/node_modules/@gorules/zen-engine" ] || [ ! -x "$W/build/baseline-boostjson" ]; then
  echo "bench/serve.sh: setting up the peers in $W (npm ci, make)..." >&2
  (cd "$W" && ./setup.sh) >&2
fi

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "bench/serve.sh: the peers and casex serve (${SECS} s, $CONNS connections each)..." >&2
CASEX_SERVE_CMD="$B/casex serve --listen 127.0.0.1:{port}" "$W/serve/bench_serve.sh" "$SECS" "$CONNS" | tee "$TMP/peers.txt" >&2

# The floor, driven as bench_serve.sh drives every service, then casex serve
# again right after it (the same script, so the two are paired in time), each
# with its CPU time (user + system, /proc/PID/stat) per request answered.
WORKLOAD=$(ls "$W"/results/workload-*.jsonl | head -1)
TICK=$(getconf CLK_TCK)
drive() { # name command (with {port}): a RESULT line, as bench_serve.sh's, plus cpu_us_per_request
  local name=$1 cmd=$2 port pid c0 c1 rss f n
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ${cmd//\{port\}/$port} 2> "$W/results/serve-$name.log" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
    sleep 0.1
  done
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  WORKLOAD=$WORKLOAD wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$W/serve/post_lines.lua" \
    "http://127.0.0.1:$port/v1/eval" > "$W/results/serve-$name.wrk" 2>&1 || true
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2> /dev/null || echo "?")
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  f=$W/results/serve-$name.wrk
  n=$(awk '/requests in/ {print $1}' "$f")
  echo "RESULT peer=$name requests_per_s=$(awk '/Requests\/sec/ {print $2}' "$f") p50=$(awk '$1=="50%" {print $2}' "$f")" \
    "p99=$(awk '$1=="99%" {print $2}' "$f") non_2xx=$(awk '/Non-2xx/ {print $5}' "$f" | grep . || echo 0)" \
    "peak_rss_mib=$rss agree=- cpu_us_per_request=$(python3 -c "print(round(($c1 - $c0) / $TICK * 1e6 / max(1, int('${n:-0}')), 1))")" \
    "load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$TMP/peers.txt" >&2
}
echo "bench/serve.sh: the HTTP floor (casex_serve_floor), then casex serve paired with it..." >&2
drive floor "$B/bench/casex_serve_floor 127.0.0.1:{port}"
drive casex-paired "$B/casex serve --listen 127.0.0.1:{port}"

{
  echo "META seconds=$SECS connections=$CONNS wrk_threads=2 load_start=$LOAD_START load_end=$(cut -d' ' -f1 /proc/loadavg)" \
    "node=$(node --version) wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  grep '^RESULT ' "$TMP/peers.txt"
} > "$OUT"
echo "bench/serve.sh: results in $OUT" >&2
