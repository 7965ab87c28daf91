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
#     answering every request with a fixed body), driven by the same wrk command.
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

# The floor, driven as bench_serve.sh drives every service.
echo "bench/serve.sh: the HTTP floor (casex_serve_floor)..." >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B/bench/casex_serve_floor" "127.0.0.1:$PORT" 2> "$W/results/serve-floor.log" &
PID=$!
for _ in $(seq 1 100); do
  curl -fsS -X POST -d '{}' "http://127.0.0.1:$PORT/v1/eval" > /dev/null 2>&1 && break
  sleep 0.1
done
WORKLOAD=$(ls "$W"/results/workload-*.jsonl | head -1)
WORKLOAD=$WORKLOAD wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$W/serve/post_lines.lua" \
  "http://127.0.0.1:$PORT/v1/eval" > "$W/results/serve-floor.wrk" 2>&1 || true
RSS=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$PID/status" 2> /dev/null || echo "?")
kill "$PID" 2> /dev/null || true
wait "$PID" 2> /dev/null || true
F=$W/results/serve-floor.wrk
echo "RESULT peer=floor requests_per_s=$(awk '/Requests\/sec/ {print $2}' "$F") p50=$(awk '$1=="50%" {print $2}' "$F")" \
  "p99=$(awk '$1=="99%" {print $2}' "$F") non_2xx=$(awk '/Non-2xx/ {print $5}' "$F" | grep . || echo 0)" \
  "peak_rss_mib=$RSS agree=-" | tee -a "$TMP/peers.txt" >&2

{
  echo "META seconds=$SECS connections=$CONNS wrk_threads=2 load_start=$LOAD_START load_end=$(cut -d' ' -f1 /proc/loadavg)" \
    "node=$(node --version) wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  grep '^RESULT ' "$TMP/peers.txt"
} > "$OUT"
echo "bench/serve.sh: results in $OUT" >&2
