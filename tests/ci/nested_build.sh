#!/usr/bin/env bash
# tests/ci/nested_build.sh: builds casex again in a nested build directory with
# other compiler flags (sanitizers, libFuzzer) for the sanitizer and fuzz ctests.
# Usage: nested_build.sh SOURCE_DIR BUILD_DIR TARGETS -- CMAKE_ARGS...
set -euo pipefail
src=$1 build=$2 targets=$3
shift 3
[ "${1:-}" = "--" ] && shift
mkdir -p "$build"  # the logs go inside it (tools/fuzz.sh's build-fuzz is at the top of the tree)
cmake -S "$src" -B "$build" -DCASEX_NESTED=ON "$@" > "$build/nested-configure.log" 2>&1 || { cat "$build/nested-configure.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets > "$build/nested-build.log" 2>&1 || { tail -n 50 "$build/nested-build.log"; exit 1; }
echo "built $targets in $build"
