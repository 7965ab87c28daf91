#!/bin/sh
# bench/instructions.sh BUILD_DIR: instructions per change (callgrind) of casex and
# of the hand-written baseline, evaluation only and the whole JSON line, over the
# benchmark workload (20,000 changes), of one load + compile of the built-in rules, and of
# yaml-cpp's parser within it. Instruction counts are repeatable on a noisy machine.
set -eu
B=${1:-build}
OUT=$(mktemp)
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$B/bench/casex_bench" --passes > /dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$OUT" 2>/dev/null |
  awk '/[a-z_]+_pass\(/ { gsub(",", "", $1); match($0, /[a-z_]+_pass\(/); n = substr($0, RSTART, RLENGTH - 1);
                   if (n == "load_compile_pass") printf "%-20s %9.0f instructions, once (load + compile of the built-in rules)\n", n, $1;
                   else printf "%-20s %9.0f instructions per change\n", n, $1 / 20000 }' | sort
# The share of yaml-cpp's parser in one load + compile: a second run, collecting
# only inside load_compile_pass.
valgrind --tool=callgrind --callgrind-out-file="$OUT.load" --toggle-collect='*load_compile_pass*' \
  "$B/bench/casex_bench" --passes > /dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$OUT.load" 2>/dev/null |
  awk '/YAML::Parser::HandleNextDocument\(/ { gsub(",", "", $1); y += $1 }
       END { if (y) printf "%-20s %9.0f instructions, once (yaml-cpp'"'"'s parser, inside load_compile_pass)\n", "yaml_parse_pass", y }'
rm -f "$OUT" "$OUT.load"
