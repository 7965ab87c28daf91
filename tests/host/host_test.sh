#!/usr/bin/env bash
# tests/host/host_test.sh: the example host (tools/host) answers every line,
# takes new rules on SIGHUP (MODE=hup) or on a file change (MODE=watch),
# refuses broken rules and keeps answering on the previous ones.
# Usage: host_test.sh CASEX_HOST RULES_DIR hup|watch
set -euo pipefail
host=$1 rules=$2 mode=$3
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/rules" && cp "$rules"/*.yaml "$work/rules/"
mkfifo "$work/in"
args=(--rules "$work/rules"); [ "$mode" = watch ] && args+=(--watch)
"$host" "${args[@]}" < "$work/in" > "$work/out" 2> "$work/err" &
pid=$!
exec 3> "$work/in"

fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }
wait_for() {  # wait_for FILE PATTERN: up to 10 s for PATTERN to appear in FILE
  for _ in $(seq 100); do grep -qE "$2" "$1" && return 0; sleep 0.1; done
  fail "no \"$2\" in $1"
}
lines() { wc -l < "$work/out"; }
doc='{"incoming": "Assign", "incident": {"phase": "Review"}}'
new_rules() {  # apply an edit, then tell the host (SIGHUP) or let it see the change
  sed -i "$2" "$work/rules/$1"
  if [ "$mode" = hup ]; then kill -HUP "$pid"; fi
}

echo "$doc" >&3
wait_for "$work/out" 'assigned locally'
new_rules incoming.yaml 's/add_comment: Incident was assigned locally from external system/add_comment: Assigned here, new rules/'
wait_for "$work/err" ': rules [0-9a-f]+ -> [0-9a-f]+'
echo "$doc" >&3
wait_for "$work/out" 'Assigned here, new rules'
new_rules done.yaml 's/hit_policy: first/hit_policy: firts/'
wait_for "$work/err" 'new rules refused'
echo "$doc" >&3
echo 'not json' >&3
exec 3>&-
status=0; wait "$pid" || status=$?; pid=

[ "$(lines)" -eq 4 ] || fail "4 lines in, $(lines) out"
v1=$(sed -n 1p "$work/out" | grep -oE '"rules":"[0-9a-f]+"')
v2=$(sed -n 2p "$work/out" | grep -oE '"rules":"[0-9a-f]+"')
v3=$(sed -n 3p "$work/out" | grep -oE '"rules":"[0-9a-f]+"')
[ "$v1" != "$v2" ] || fail "the reload did not change the rules version"
[ "$v2" = "$v3" ] || fail "a refused reload changed the rules version"
sed -n 3p "$work/out" | grep -q 'Assigned here, new rules' || fail "line 3 is not answered by the previous good rules"
sed -n 4p "$work/out" | grep -q '"line":4,"error":"malformed JSON' || fail "line 4 is not an error"
grep -q 'error\[unknown-hit-policy\]' "$work/err" || fail "the refused reload's diagnostics are not on stderr"
[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (one bad line)"
echo "ok: $mode"
