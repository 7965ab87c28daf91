#!/bin/sh
# bench/instructions.sh BUILD_DIR: instructions per change (callgrind) of casex and
# of the hand-written baseline, evaluation only and the whole JSON line, over the
# benchmark workload (20,000 changes). Instruction counts are repeatable on a noisy machine.
set -eu
B=${1:-build}
OUT=$(mktemp)
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$B/bench/casex_bench" --passes > /dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$OUT" 2>/dev/null |
  awk '/[a-z_]+_pass\(/ { gsub(",", "", $1); match($0, /[a-z_]+_pass\(/); n = substr($0, RSTART, RLENGTH - 1);
                   if (n == "load_compile_pass") printf "%-20s %9.0f instructions, once (load + compile of the built-in rules)\n", n, $1;
                   else printf "%-20s %9.0f instructions per change\n", n, $1 / 20000 }' | sort
rm -f "$OUT"
