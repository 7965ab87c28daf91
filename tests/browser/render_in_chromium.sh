#!/usr/bin/env bash
# tests/browser/render_in_chromium.sh: opens the page of `casex render` in headless
# Chromium: every table, rule, move and incoming rule of the rule files is in the DOM,
# the page loads nothing from the network, and screenshots at 1280 px and 390 px are saved.
# Usage: render_in_chromium.sh CASEX_BINARY RULES_DIR OUT_DIR
# Exit status: 0 pass, 1 fail, 77 skipped (no chromium installed).
set -euo pipefail
casex=$1 rules=$2 out=$3
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (tools/setup.sh installs it)"
  exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
page="$out/rules.html"
"$casex" render --rules "$rules" -o "$page"

fail=0
# Self-contained: no URL, no script, no external style sheet or image.
if grep -Eiq 'https?://|<script|<link|<img|<iframe|@import|url\(["'"'"']?[a-z]+:' "$page"; then
  echo "FAIL: the page refers to something outside itself:"
  grep -Eio '.{0,40}(https?://|<script|<link|<img|<iframe|@import).{0,40}' "$page" | head -5
  fail=1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile")
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$page" > "$out/rules.dom.html" 2> "$out/chromium.log"
[ -s "$out/rules.dom.html" ] || { echo "FAIL: chromium gave no DOM (see $out/chromium.log)"; exit 1; }

# Every id declared in the rule files (tables, rules, moves, incoming rules) is on the page.
ids=$(sed -nE 's/^[[:space:]]*(- )?id:[[:space:]]*([A-Za-z0-9_.-]+)[[:space:]]*$/\2/p' "$rules"/*.yaml | sort -u)
n=0
for id in $ids; do
  n=$((n + 1))
  if ! grep -Eq "data-(table|rule|move)=\"$id\"" "$out/rules.dom.html"; then
    echo "FAIL: $id is not on the page"
    fail=1
  fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no id found in $rules"; fail=1; }
grep -q '<svg' "$out/rules.dom.html" || { echo "FAIL: no workflow SVG"; fail=1; }
echo "$n ids of $rules found in the DOM"

for width in 1280 390; do
  shot="$out/rules-$width.png"
  rm -f "$shot"
  timeout 120 "$chromium" "${flags[@]}" --window-size="$width,2200" --screenshot="$shot" "file://$page" \
    >> "$out/chromium.log" 2>&1 || true
  if [ -s "$shot" ]; then
    echo "screenshot: $shot"
  else
    echo "FAIL: no screenshot at ${width}px (see $out/chromium.log)"
    fail=1
  fi
done
exit $fail
