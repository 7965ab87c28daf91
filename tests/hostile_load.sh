#!/usr/bin/env bash
# tests/hostile_load.sh CASEX ROOT CASE: one hostile rule directory or rule test
# file (issue 13), run through every command that reads it. Each command must
# end within its timeout with the diagnostic named and the exit status given:
# eval, explain, render and test refuse the rules (2); lint reports an error in
# a rule file (1), and a rule file it cannot read as the others do (2).
# Exit 77 (ctest SKIP_RETURN_CODE) when a case cannot be set up here.
set -u
casex=$1 root=$2 case=$3
work=$(mktemp -d /tmp/casex-hostile-XXXXXX) || exit 1
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work" || exit 1
mkdir r && cp "$root"/rules/*.yaml r/ && chmod 755 r && chmod 644 r/*.yaml
cp "$root/tests/data/eval/done/row3-close-on-comment-added.json" close.json && chmod 644 close.json
failures=0

# check STATUS REGEX [as-nobody] -- COMMAND...: the command ends within 20 s with
# STATUS and its output (stdout and stderr) matches the extended REGEX.
check() {
  local want=$1 regex=$2
  shift 2
  local prefix=()
  if [ "$1" = as-nobody ]; then prefix=("${nobody[@]}"); shift; fi
  shift  # --
  timeout 20 "${prefix[@]}" "$@" >out 2>&1 </dev/null
  local got=$?
  if [ "$got" = 124 ]; then
    echo "FAIL (hung, killed after 20 s): $*"; failures=$((failures + 1)); return
  fi
  if [ "$got" != "$want" ] || ! grep -Eq -- "$regex" out; then
    echo "FAIL: $* -> exit $got (want $want), output:"; sed 's/^/    /' out | head -20
    echo "    (wanted a line matching: $regex)"
    failures=$((failures + 1)); return
  fi
  echo "ok: $* -> exit $got: $(grep -E -m1 -- "$regex" out)"
}

# every command that reads rule directory r/: one verdict, naming FILE (with its
# :LINE:COLUMN when the finding has one) and the code and message MESSAGE
refused_everywhere() {
  local file=$1 message=$2
  local lint_status=1
  case $message in file-read*) lint_status=2 ;; esac
  check $lint_status "r/$file: error\\[$message" -- "$casex" lint r
  check 2 "r/$file: error\\[$message" -- "$casex" eval --rules r close.json
  check 2 "r/$file: error\\[$message" -- "$casex" explain --rules r close.json
  check 2 "r/$file: error\\[$message" -- "$casex" render --rules r -o page.html
  check 2 "r/$file: error\\[$message" -- "$casex" test --rules r "$root/tests/rules/done.yaml"
}

case $case in
  symlink-loop)
    ln -s loop.yaml r/loop.yaml
    refused_everywhere loop.yaml "file-read\\]: cannot read the file: its symbolic links form a loop"
    # a rule test directory holding the same loop
    mkdir t && cp "$root/tests/rules/done.yaml" t/ && ln -s loop.yaml t/loop.yaml
    check 2 "t/loop.yaml: cannot read the file: its symbolic links form a loop" -- "$casex" test t
    ;;
  dangling-symlink)
    rm r/done.yaml && ln -s gone.yaml r/done.yaml
    refused_everywhere done.yaml "file-read\\]: cannot read the file: it is a dangling symbolic link"
    ;;
  fifo)
    rm r/done.yaml && mkfifo r/done.yaml
    refused_everywhere done.yaml "file-read\\]: not a regular file \\(a FIFO\\)"
    ;;
  directory)
    rm r/done.yaml && mkdir r/done.yaml
    refused_everywhere done.yaml "file-read\\]: not a regular file \\(a directory\\)"
    ;;
  fifo-argument)
    mkfifo x.yaml
    check 2 "x.yaml: error\\[file-read\\]: not a regular file \\(a FIFO\\)" -- "$casex" lint x.yaml
    check 2 "x.yaml: error\\[file-read\\]: not a regular file \\(a FIFO\\)" -- "$casex" lint r x.yaml
    check 2 "x.yaml: not a regular file \\(a FIFO\\)" -- "$casex" test x.yaml
    ;;
  unreadable)
    nobody=()
    if [ "$(id -u)" = 0 ]; then
      # root reads any file: the case runs as nobody
      if command -v setpriv >/dev/null; then
        nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
      elif command -v runuser >/dev/null; then
        nobody=(runuser -u nobody --)
      else
        echo "SKIP: running as root, and neither setpriv nor runuser can drop to nobody"; exit 77
      fi
      if ! "${nobody[@]}" test -x "$casex"; then
        echo "SKIP: nobody cannot run $casex (a directory on its path is not searchable)"; exit 77
      fi
    fi
    chmod 000 r/done.yaml
    if [ ${#nobody[@]} = 0 ] && [ -r r/done.yaml ]; then
      echo "SKIP: this user reads a file of mode 000"; exit 77
    fi
    check 2 "r/done.yaml: error\\[file-read\\]: cannot read the file: Permission denied" as-nobody -- \
      "$casex" eval --rules r close.json
    check 2 "r/done.yaml: error\\[file-read\\]: cannot read the file: Permission denied" as-nobody -- \
      "$casex" lint r
    ;;
  two-documents)
    { printf -- '---\n{}\n---\n'; cat "$root/rules/done.yaml"; } >r/done.yaml
    refused_everywhere done.yaml:3:1 "yaml-syntax\\]: a second YAML document"
    ;;
  invalid-utf8)
    # a rule id and a comment template, each with a byte that is not UTF-8
    sed -i 's/id: done.close$/id: done.cl\xffose/' r/done.yaml
    grep -q $'\xff' r/done.yaml || { echo "FAIL: the invalid byte was not written"; exit 1; }
    line=$(grep -an $'\xff' r/done.yaml | cut -d: -f1)
    refused_everywhere "done.yaml:$line:18" "yaml-syntax\\]: the byte 0xFF is not UTF-8"
    check 1 '"code": *"yaml-syntax"' -- "$casex" lint --format json r
    if ! iconv -f UTF-8 -t UTF-8 out >/dev/null 2>&1; then
      echo "FAIL: lint --format json printed bytes that are not UTF-8"; failures=$((failures + 1))
    fi
    cp "$root/rules/done.yaml" r/done.yaml
    sed -i '0,/add_comment: "/s//add_comment: "\xc0\xaf/' r/incoming.yaml
    grep -q $'\xc0' r/incoming.yaml || { echo "FAIL: the invalid byte was not written"; exit 1; }
    refused_everywhere "incoming.yaml:[0-9]+:[0-9]+" "yaml-syntax\\]: the byte 0xC0 is not UTF-8"
    ;;
  scenario-alias)
    # one long scenario anchored once, then named by 10,000 rules
    {
      printf 'table:\n  id: many\n  scope: {transition: {from: Log, to: Close}}\n  hit_policy: collect\n  rules:\n'
      printf "    - id: many.0\n      then: Close\n      when: &e 'after.assignment in [\"g0\""
      for i in $(seq 1 1499); do printf ', "g%d"' "$i"; done
      printf "]'\n"
      for i in $(seq 1 10000); do printf '    - {id: many.%d, then: Close, when: *e}\n' "$i"; done
    } >r/many.yaml
    check 2 "r/many.yaml:[0-9]+:[0-9]+: error\\[limit-exceeded\\]: YAML aliases expand to more than 1048576 bytes" -- \
      timeout 5 "$casex" eval --rules r close.json
    check 1 "r/many.yaml:[0-9]+:[0-9]+: error\\[limit-exceeded\\]: YAML aliases expand" -- timeout 5 "$casex" lint r
    ;;
  test-alias-bomb)
    # 427 bytes: 9^8 nodes when walked, as the value of an unknown field of an input
    {
      printf 'cases:\n  - name: bomb\n    input:\n      before: {phase: Close}\n      after: {phase: Close}\n      junk:\n'
      printf '        a: &a [x, x, x, x, x, x, x, x, x]\n'
      prev=a
      for l in b c d e f g h; do
        printf '        %s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' $l $l $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$l
      done
      printf '    expect: {phase: Close}\n'
    } >bomb.yaml
    check 2 "bomb.yaml:[0-9]+:[0-9]+: YAML aliases expand to more than 100000 nodes" -- timeout 5 "$casex" test bomb.yaml
    ;;
  test-number-range)
    for n in 1e400 1e-400 -1e400; do
      printf 'cases:\n  - name: huge\n    input:\n      before: {phase: Close}\n      after: {phase: Close}\n      x: %s\n    expect: {phase: Close}\n' \
        "$n" >num.yaml
      check 2 "num.yaml:6:10: the number $n is out of range" -- "$casex" test num.yaml
    done
    ;;
  *)
    echo "unknown case $case"; exit 1 ;;
esac
[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
