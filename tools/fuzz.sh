#!/usr/bin/env bash
# tools/fuzz.sh: a long fuzzing campaign outside CI (docs/fuzzing.md).
# Usage: tools/fuzz.sh TARGET SECONDS
#   TARGET: eval_json | rules | expression | ruletest (or fuzz_<target>)
#
# Builds the libFuzzer targets with clang in build-fuzz (tests/ci/nested_build.sh,
# as CI does) when the target is missing there (FUZZ_REBUILD=1: build again,
# e.g. after changing the engine; BUILD_FUZZ=DIR: another build directory), then
# runs it for SECONDS through tests/ci/run_fuzz.sh with -rss_limit_mb=2048 and
# -timeout=10 in build-fuzz/campaigns/TARGET/: the seed corpus is copied there
# and what the runs find stays there, so one campaign goes on where the last
# one stopped. Crash inputs go to build-fuzz/campaigns/TARGET/crashes/.
set -euo pipefail
if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: tools/fuzz.sh eval_json|rules|expression|ruletest SECONDS" >&2
  exit 2
fi
target=${1#fuzz_} seconds=$2
case $target in
  eval_json | rules | expression | ruletest) ;;
  *) echo "tools/fuzz.sh: unknown target $1 (eval_json, rules, expression, ruletest)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_FUZZ:-$root/build-fuzz}
bin=$build/tests/fuzz/fuzz_$target

if [ ! -x "$bin" ] || [ "${FUZZ_REBUILD:-0}" = 1 ]; then
  cxx=$(command -v clang++ || command -v clang++-14 || true)
  cc=$(command -v clang || command -v clang-14 || true)
  if [ -z "$cxx" ] || [ -z "$cc" ]; then
    echo "tools/fuzz.sh: the fuzz targets need clang (libFuzzer); none found" >&2
    exit 1
  fi
  echo "building the fuzz targets in $build (clang, ASan+UBSan+libFuzzer) ..."
  CXX=$cxx CC=$cc "$root/tests/ci/nested_build.sh" "$root" "$build" \
    "fuzz_eval_json fuzz_rules fuzz_expression fuzz_ruletest" \
    -- -DCASEX_FUZZ=ON -DCASEX_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi

work=$build/campaigns/$target
echo "campaign directory: $work (corpus/, crashes/, fuzz.log)"
if "$root/tests/ci/run_fuzz.sh" "$bin" "$seconds" "$work"; then
  echo "fuzz_$target ran ${seconds} s clean; corpus now $(find "$work/corpus" -type f | wc -l) inputs"
else
  echo "fuzz_$target failed: the inputs are in $work/crashes/ (reproduce: $bin FILE), log $work/fuzz.log" >&2
  exit 1
fi
