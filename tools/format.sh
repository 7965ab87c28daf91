#!/usr/bin/env bash
# tools/format.sh: formats every C and C++ file of the tree with clang-format
# (.clang-format at the root); the ctest "format: ..." checks the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
find engine include tools tests examples bench -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.c' \) \
  -print0 | xargs -0 "${CLANG_FORMAT:-clang-format}" -i --style=file
