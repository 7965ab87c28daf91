#!/usr/bin/env bash
# tools/tidy.sh [BUILD_DIR]: runs clang-tidy (.clang-tidy at the root) over the
# engine's and tools' sources with the build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -f "$build/compile_commands.json" ] || cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
find engine tools -name '*.cpp' -print0 | xargs -0 -n 8 -P "$(nproc)" "${CLANG_TIDY:-clang-tidy}" -p "$build" --quiet --extra-arg=-std=c++17
