#!/usr/bin/env bash
# tests/ci/run_fuzz.sh: runs one libFuzzer target for a bounded time on a copy
# of its seed corpus; fails on any crash, hang, leak or out-of-memory.
# Usage: run_fuzz.sh FUZZ_BINARY SECONDS [WORK_DIR]
#
# FUZZ_BINARY is build/.../fuzz_<target>; its seeds are tests/fuzz/corpus/<target>
# (and for ruletest also tests/rules/*.yaml). libFuzzer first runs every seed
# (the whole corpus is replayed before any mutation), then mutates until
# SECONDS have passed. The seeds are copied: the source tree is never written.
#
# Without WORK_DIR (CI) the copy is in a temporary directory, removed at the
# end; a crash input is kept in $FUZZ_ARTIFACTS (default ./fuzz-artifacts, in
# ctest's build directory). With WORK_DIR (tools/fuzz.sh, long campaigns) the
# corpus grows in WORK_DIR/corpus from run to run, crash inputs go to
# WORK_DIR/crashes/ and the log to WORK_DIR/fuzz.log.
set -euo pipefail
bin=$1 seconds=$2 work=${3:-}
target=$(basename "$bin")
target=${target#fuzz_}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Per target: the seed directories and the longest input tried. eval_json's
# covers documents past the evaluator's 64 KiB first arena block (issue 12).
seeds=("$src/tests/fuzz/corpus/$target")
case $target in
  eval_json) max_len=327680 ;;
  rules) max_len=4096 ;;
  expression) max_len=4096 ;;
  ruletest) max_len=32768; seeds+=("$src/tests/rules") ;;
  serve_router) max_len=16384 ;;
  lsp) max_len=16384 ;;
  *) echo "run_fuzz.sh: unknown fuzz target $target" >&2; exit 2 ;;
esac

if [ -n "$work" ]; then
  mkdir -p "$work/corpus" "$work/crashes"
  work=$(cd "$work" && pwd)
  artifacts=$work/crashes
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
  mkdir -p "$work/corpus" "$artifacts"
  artifacts=$(cd "$artifacts" && pwd)
fi
# Each seed directory in a subdirectory of its own (libFuzzer reads the corpus
# recursively); what the run finds lands in corpus/ itself.
for i in "${!seeds[@]}"; do
  rm -rf "$work/corpus/seeds-$i"
  mkdir -p "$work/corpus/seeds-$i"
  cp -r "${seeds[$i]}"/. "$work/corpus/seeds-$i/"
done
log=$work/fuzz.log
echo "fuzz_$target: ${seconds} s, -max_len=$max_len, corpus $work/corpus ($(find "$work/corpus" -type f | wc -l) inputs), crashes to $artifacts/"
cd "$work"
status=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
  -artifact_prefix="$artifacts/$target-" "$work/corpus" > "$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  for f in $(grep -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //'); do
    echo "crash input: $f ($(wc -c < "$f") bytes); reproduce: $bin $f"
  done
  echo "FUZZ FAILURE: fuzz_$target"
  exit 1
fi
grep -E "^(INFO: seed corpus|#[0-9]+.INITED|Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" "$log" || true
