#!/usr/bin/env bash
# tests/ci/run_fuzz.sh: runs one libFuzzer target for a bounded time on a copy
# of its seed corpus; fails on any crash, hang, leak or out-of-memory.
# Usage: run_fuzz.sh FUZZ_BINARY CORPUS_DIR SECONDS [MAX_LEN]
set -euo pipefail
bin=$1 corpus=$2 seconds=$3 max_len=${4:-4096}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work/"
cd "$work"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
  "$work" > fuzz.log 2>&1 || { tail -n 60 fuzz.log; echo "FUZZ FAILURE: $(basename "$bin")"; exit 1; }
grep -E "^(Done|stat::number_of_executed_units)" fuzz.log || true
