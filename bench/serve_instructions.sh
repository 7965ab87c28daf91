#!/usr/bin/env bash
# bench/serve_instructions.sh [BUILD_DIR] [THREADS]: callgrind instructions (user
# space) per POST /v1/eval of casex serve. The service runs under valgrind with
# instrumentation off; it is switched on only while wrk (1 thread, 8 connections,
# SECONDS, default 8) posts the peers' workload line by line (the peers'
# serve/post_lines.lua; ../shared/bench/peers, or $PEERS). Instruction counts
# repeat on a busy machine where requests/s do not.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
THREADS=${2:-2}
SECS=${SECONDS_RUN:-8}
LUA=${PEERS:-../shared/bench/peers}/serve/post_lines.lua
for tool in valgrind callgrind_control callgrind_annotate wrk curl; do
  command -v "$tool" > /dev/null || { echo "bench/serve_instructions.sh: $tool is missing" >&2; exit 2; }
done
[ -x "$B/casex" ] || { echo "bench/serve_instructions.sh: $B/casex is missing" >&2; exit 2; }
[ -f "$LUA" ] || { echo "bench/serve_instructions.sh: $LUA is missing (set PEERS)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 bench/gen_workload.py 2000 42 > "$TMP/workload.jsonl"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$TMP/serve.cg" \
  "$B/casex" serve --threads "$THREADS" --listen "127.0.0.1:$PORT" 2> "$TMP/serve.err" &
PID=$!
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break; sleep 0.2; done
callgrind_control -i on "$PID" > /dev/null 2>&1
WORKLOAD=$TMP/workload.jsonl wrk -t1 -c8 -d"${SECS}s" -s "$LUA" "http://127.0.0.1:$PORT/v1/eval" > "$TMP/wrk.txt"
callgrind_control -i off "$PID" > /dev/null 2>&1
kill -TERM "$PID"
wait "$PID" || true
N=$(awk '/requests in/ {print $1}' "$TMP/wrk.txt")
IR=$(callgrind_annotate "$TMP/serve.cg" 2> /dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
[ -n "$N" ] && [ "$N" -gt 0 ] && [ -n "$IR" ] || { echo "bench/serve_instructions.sh: no requests measured" >&2; cat "$TMP/serve.err" >&2; exit 1; }
echo "casex serve --threads $THREADS: $N requests, $((IR / N)) instructions per POST /v1/eval"
