#!/usr/bin/env bash
# tests/lsp/nvim_test.sh: a real editor as the client of `casex lsp`: Neovim,
# headless, runs nvim_client.lua on a copy of rules/. Exit 77 (skipped) only
# when nvim is not installed. Usage: nvim_test.sh CASEX RULES_DIR
set -euo pipefail
casex=$1 rules=$2
if ! command -v nvim >/dev/null; then
  echo "nvim is not installed (Debian package neovim, tools/setup.sh): skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$rules" "$work/rules"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# No user configuration, no plugins, no swap files; XDG dirs inside the work dir.
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache
CASEX=$casex RULES_DIR=$work/rules timeout 60 nvim --headless --clean -n \
  -c "luafile $here/nvim_client.lua" 2>&1
