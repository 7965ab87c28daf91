#!/usr/bin/env bash
# tools/mutants.sh: the mutation check (docs/testing.md). Each mutant of
# tests/mutants/mutants.txt is a one-line fault in the engine; the check applies
# it to a private copy of the source tree, rebuilds what the fast tests need,
# runs them, and expects some test to fail (the mutant is "killed").
#
#   tools/mutants.sh [--only NAME]... [--keep] [--list FILE] [--work DIR]
#   tools/mutants.sh --stale-only [--list FILE]
#
# --stale-only only check that every mutant's text occurs exactly once in its file
#              of the repository (seconds; no copy, no build): the list is current
# --only NAME  run only this mutant (repeatable; the list is still checked for stale entries)
# --keep       keep the work directory (the copy and its build) and print where it is
# --list FILE  another mutant list (default tests/mutants/mutants.txt)
# --work DIR   the work directory (default: a new one under ${TMPDIR:-/tmp}); an existing
#              build there is reused, so a second run only rebuilds what changed
#
# The repository itself is never written: the source tree (without build*/ and
# .git) is copied to WORK/src, built in WORK/build (-O1, only the command, the
# unit tests and the eval fixture runner; no benchmarks, sanitizers or fuzzers).
# From the environment: a compiler launcher (CMAKE_CXX_COMPILER_LAUNCHER=ccache), the
# compiler (CXX), the parallelism (CASEX_MUTANTS_JOBS, default 2), and which cmake
# and ctest to run (CMAKE, CTEST; default from PATH).
#
# Outcome per mutant: killed (some test failed), SURVIVED (every test passed),
# STALE (its text is not in its file exactly once, or it does not compile).
# Prints a table and `mutants: N killed, S survived, T stale`; exits 1 on any
# survivor or stale mutant, 2 on bad usage or when the unmutated tree fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
list=$root/tests/mutants/mutants.txt
work=""
keep=0
stale_only=0
only=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) only+=("${2:?--only needs a name}"); shift 2 ;;
    --keep) keep=1; shift ;;
    --stale-only) stale_only=1; shift ;;
    --list) list=${2:?--list needs a file}; shift 2 ;;
    --work) work=${2:?--work needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutants: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$list" ] || { echo "mutants: no list $list" >&2; exit 2; }
jobs=${CASEX_MUTANTS_JOBS:-2}
cmake=${CMAKE:-cmake}
ctest=${CTEST:-ctest}


# The mutant list, parsed once by Python: `mut NAME` prints fields, `apply`/`check` edit the copy.
py() {
  python3 - "$@" <<'PY'
import os, sys

def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], "\\" + s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)

def read(path):
    entries, cur = [], {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                entries.append(cur)
                cur = {}
            continue
        key, sep, value = line.partition(":")
        if not sep or key not in ("name", "file", "find", "replace", "why"):
            sys.exit(f"{path}:{n}: expected `key: value` with key name, file, find, replace or why")
        if key in cur:
            sys.exit(f"{path}:{n}: {key} given twice in one entry")
        cur[key] = value[1:] if value.startswith(" ") else value
        cur.setdefault("line", n)
    if cur:
        entries.append(cur)
    names = set()
    for e in entries:
        for k in ("name", "file", "find", "replace", "why"):
            if k not in e:
                sys.exit(f"{path}:{e['line']}: the entry lacks `{k}:`")
        if e["name"] in names:
            sys.exit(f"{path}:{e['line']}: mutant {e['name']} named twice")
        if unescape(e["find"]) == unescape(e["replace"]):
            sys.exit(f"{path}:{e['line']}: mutant {e['name']} replaces its text with itself")
        names.add(e["name"])
    return entries

cmd, path = sys.argv[1], sys.argv[2]
entries = read(path)
if cmd == "names":
    for e in entries:
        print(e["name"])
    sys.exit(0)
e = next((e for e in entries if e["name"] == sys.argv[3]), None)
if e is None:
    sys.exit(f"no mutant named {sys.argv[3]}")
if cmd == "field":
    print(e[sys.argv[4]])
    sys.exit(0)
src = sys.argv[4]
target = os.path.join(src, e["file"])
try:
    text = open(target, encoding="utf-8").read()
except OSError as err:
    print(f"cannot read {e['file']}: {err.strerror}")
    sys.exit(3)
find = unescape(e["find"])
count = text.count(find)
if count != 1:
    print(f"its text occurs {count} times in {e['file']}")
    sys.exit(3)
if cmd == "apply":
    with open(target, "w", encoding="utf-8") as f:
        f.write(text.replace(find, unescape(e["replace"])))
PY
}

mapfile -t names < <(py names "$list")
for n in "${only[@]}"; do
  printf '%s\n' "${names[@]}" | grep -qxF -- "$n" || { echo "mutants: no mutant named \"$n\" in $list" >&2; exit 2; }
done

# The private copy: the working tree as it is, without build directories and .git.
if [ "$stale_only" = 1 ]; then
  stale=0
  for name in "${names[@]}"; do
    if ! why=$(py check "$list" "$name" "$root"); then
      stale=$((stale + 1))
      echo "STALE $name: $why"
    fi
  done
  echo "mutants: ${#names[@]} mutants, $stale stale"
  [ "$stale" -eq 0 ]
  exit
fi

if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/casex-mutants.XXXXXX")
  made_work=1
else
  mkdir -p "$work"
  made_work=0
fi
src=$work/src
build=$work/build
log=$work/log
mkdir -p "$log"

rm -rf "$src.new"
mkdir -p "$src.new"
tar -C "$root" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$src.new" -xf -
if [ -d "$src" ]; then
  # Reusing a work directory: keep the mtimes of unchanged files, so the build stays incremental.
  (cd "$src.new" && find . -type f) | while read -r f; do
    cmp -s "$src.new/$f" "$src/$f" || { mkdir -p "$(dirname "$src/$f")"; cp "$src.new/$f" "$src/$f"; }
  done
  (cd "$src" && find . -type f) | while read -r f; do [ -e "$src.new/$f" ] || rm -f "$src/$f"; done
  rm -rf "$src.new"
else
  mv "$src.new" "$src"
fi

current=""   # the file under mutation, restored on exit
restore() {
  if [ -n "$current" ]; then
    cp "$work/original" "$src/$current"  # a new mtime: make compiles it back
    current=""
  fi
}
cleanup() {
  restore
  if [ "$keep" = 1 ]; then echo "mutants: work directory kept: $work"
  elif [ "$made_work" = 1 ]; then rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

targets="casex casex_unit_tests eval_fixture_runner"
# The fast subset: unit tests, eval fixtures, the command's tests and the rule tests;
# not the soak, sanitizer, fuzz, package, memory, benchmark or browser tests, nor the
# slow hostile I/O tests of the command.
test_args=(-R '^(unit:|eval: |cli: |rules: )'
           -E '100,000|^unit:memory|--jobs 3'
           -LE 'soak|sanitize|fuzz|package|memory|bench-smoke|browser|hostile_cli'
           --timeout 120 -j "$jobs")

start=$(date +%s)
echo "mutants: configuring and building $targets in $build"
if [ ! -f "$build/CMakeCache.txt" ]; then
  "$cmake" -S "$src" -B "$build" -DCASEX_NESTED=ON -DCASEX_BUILD_BENCH=OFF -DCASEX_FUZZ=OFF -DCASEX_SANITIZE= \
        -DCASEX_WITH_SERVE=OFF -DCASEX_WITH_LSP=OFF \
        -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG" > "$log/configure.log" 2>&1 \
    || { cat "$log/configure.log"; exit 2; }
fi
# shellcheck disable=SC2086
"$cmake" --build "$build" -j "$jobs" --target $targets > "$log/build.log" 2>&1 || { tail -n 40 "$log/build.log"; exit 2; }
echo "mutants: built in $(( $(date +%s) - start )) s; running the unmutated tests"
if ! "$ctest" --test-dir "$build" "${test_args[@]}" > "$log/baseline.log" 2>&1; then
  grep -E "Failed|Not Run|Timeout" "$log/baseline.log" | head -n 20
  echo "mutants: the unmutated tree fails its tests; fix that first" >&2
  exit 2
fi

killed=0 survived=0 stale=0
rows=()
for name in "${names[@]}"; do
  if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qxF -- "$name"; then
    # still checked: a stale entry fails every run
    if ! why=$(py check "$list" "$name" "$src"); then
      stale=$((stale + 1)); rows+=("STALE|$name|$why")
    fi
    continue
  fi
  file=$(py field "$list" "$name" file)
  t0=$(date +%s)
  if ! why=$(py check "$list" "$name" "$src"); then
    stale=$((stale + 1)); rows+=("STALE|$name|$why"); continue
  fi
  cp "$src/$file" "$work/original"
  current=$file  # from here on, restored whatever happens (trap)
  py apply "$list" "$name" "$src" > /dev/null
  # shellcheck disable=SC2086
  if ! "$cmake" --build "$build" -j "$jobs" --target $targets > "$log/$name.build.log" 2>&1; then
    restore
    stale=$((stale + 1)); rows+=("STALE|$name|does not compile (log/$name.build.log)"); continue
  fi
  if "$ctest" --test-dir "$build" "${test_args[@]}" --stop-on-failure > "$log/$name.test.log" 2>&1; then
    survived=$((survived + 1)); rows+=("SURVIVED|$name|every test passed ($(( $(date +%s) - t0 )) s)")
  else
    by=$(grep -m1 -E '\*\*\*(Failed|Timeout|Exception)|Failed  |Not Run' "$log/$name.test.log" \
         | sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: //; s/ \.{3,}.*//' || true)
    killed=$((killed + 1)); rows+=("killed|$name|by ${by:-a failing test} ($(( $(date +%s) - t0 )) s)")
  fi
  restore
  echo "mutants: ${rows[-1]%%|*} $name"
done
# the last restored file, compiled back (a kept work directory stays usable)
# shellcheck disable=SC2086
"$cmake" --build "$build" -j "$jobs" --target $targets > "$log/final.build.log" 2>&1 || true

echo
printf '%-9s %-40s %s\n' outcome mutant detail
for r in "${rows[@]}"; do
  IFS='|' read -r outcome name detail <<< "$r"
  printf '%-9s %-40s %s\n' "$outcome" "$name" "$detail"
done
echo
echo "mutants: $killed killed, $survived survived, $stale stale ($(( $(date +%s) - start )) s)"
[ "$survived" -eq 0 ] && [ "$stale" -eq 0 ]
