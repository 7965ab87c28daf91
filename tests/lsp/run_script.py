#!/usr/bin/env python3
"""tests/lsp/run_script.py: runs one scripted conversation with `casex lsp`.

Usage: run_script.py CASEX RULES_DIR SCRIPT

The rule directory is copied to a temporary directory (the server reads its
files; nothing of the source tree is written). A script is a text file of lines:

  # a comment (blank lines too)
  > {"jsonrpc": "2.0", ...}   a message the client sends (one line of JSON)
  >raw TEXT                  a message body sent as it is (e.g. not JSON)
  < {"jsonrpc": "2.0", ...}   a message the server must send
  ! exit N                   the server must end, with exit status N
  !args ARG...               options of `casex lsp` (first line only; default --debounce-ms 0)
  !table FILE N              FILE of the copy becomes a table of N generated rules
                             (scale.r0...: after.expected_resolution_time == "C0"...)

Consecutive `<` lines are one block, awaited after the `>` lines before it:
the server's messages must be exactly the block's, in any order (ids, ranges
and texts checked exactly). In both kinds of line, ${DIR} is the copy's path
and ${URI} its file URI; "@text:FILE" is the text of FILE of the copy, and
"@text:FILE:OLD=>NEW" that text with the first OLD replaced by NEW. In an
expected message "*" matches any value, {"...": true} lets an object have
other keys, and an array ending with "..." needs only the listed elements (in
order, others between them allowed).
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

TIMEOUT = 10


def read_messages(stream, out):
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                out.put(None)
                return
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = stream.read(length)
        if os.environ.get("LSP_TRACE"):
            sys.stderr.write("< " + body.decode() + "\n")
        out.put(json.loads(body))


def matches(expected, actual):
    if expected == "*":
        return True
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        loose = expected.get("...") is True
        keys = [k for k in expected if k != "..."]
        if not loose and set(keys) != set(actual):
            return False
        return all(k in actual and matches(expected[k], actual[k]) for k in keys)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        if expected and expected[-1] == "...":
            i = 0
            for e in expected[:-1]:
                while i < len(actual) and not matches(e, actual[i]):
                    i += 1
                if i == len(actual):
                    return False
                i += 1
            return True
        return len(expected) == len(actual) and all(matches(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def main():
    casex, rules, script = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="casex-lsp-")
    try:
        copy = os.path.join(work, "rules")
        shutil.copytree(rules, copy)
        uri = "file://" + urllib.parse.quote(copy)

        def expand(text):
            text = text.replace("${DIR}", copy).replace("${URI}", uri)
            value = json.loads(text)

            def walk(v):
                if isinstance(v, dict):
                    return {k: walk(x) for k, x in v.items()}
                if isinstance(v, list):
                    return [walk(x) for x in v]
                if isinstance(v, str) and v.startswith("@text:"):
                    spec = v[len("@text:"):]
                    name, _, edit = spec.partition(":")
                    with open(os.path.join(copy, name), encoding="utf-8") as f:
                        content = f.read()
                    if edit:
                        old, _, new = edit.partition("=>")
                        if old not in content:
                            raise SystemExit(f"{script}: {old!r} is not in {name}")
                        content = content.replace(old, new.replace("\\n", "\n"), 1)
                    return content
                return v
            return walk(value)

        with open(script, encoding="utf-8") as f:
            lines = list(enumerate(f, 1))
        args = ["--debounce-ms", "0"]
        if lines and lines[0][1].startswith("!args "):
            args = lines[0][1].split()[1:]
            lines = lines[1:]
        for _, line in lines:
            if line.startswith("!table "):
                _, name, count = line.split()
                table = ("table:\n  id: resolution\n  scope: {metaphase: Resolution}\n"
                         "  hit_policy: first\n  rules:\n")
                for i in range(int(count)):
                    table += (f"    - id: scale.r{i}\n      when: after.expected_resolution_time"
                              f" == \"C{i}\" or changed(solution)\n      then: Update\n")
                with open(os.path.join(copy, name), "w", encoding="utf-8") as f:
                    f.write(table)
        lines = [(n, l) for n, l in lines if not l.startswith("!table ")]
        proc = subprocess.Popen([casex, "lsp", *args, "--lint-docs",
                                 "https://casex.example/docs/lint.md"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        inbox = queue.Queue()
        threading.Thread(target=read_messages, args=(proc.stdout, inbox), daemon=True).start()

        def await_block(block, where):
            pending = list(block)
            while pending:
                try:
                    got = inbox.get(timeout=TIMEOUT)
                except queue.Empty:
                    raise SystemExit(f"{where}: timed out waiting for:\n" +
                                     "\n".join(json.dumps(p) for p in pending))
                if got is None:
                    raise SystemExit(f"{where}: the server ended; still expected:\n" +
                                     "\n".join(json.dumps(p) for p in pending))
                for i, p in enumerate(pending):
                    if matches(p, got):
                        del pending[i]
                        break
                else:
                    raise SystemExit(f"{where}: unexpected message:\n{json.dumps(got)}\n"
                                     "expected one of:\n" + "\n".join(json.dumps(p) for p in pending))

        block, block_line = [], 0
        for number, line in lines + [(len(lines) + 1, "")]:
            line = line.rstrip("\n")
            kind = line[:1]
            if kind != "<" and block:
                await_block(block, f"{script}:{block_line}")
                block = []
            if line.startswith(">raw "):
                body = line[len(">raw "):].encode()
                proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                proc.stdin.flush()
            elif kind == ">":
                body = json.dumps(expand(line[1:])).encode()
                proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                proc.stdin.flush()
            elif kind == "<":
                if not block:
                    block_line = number
                block.append(expand(line[1:]))
            elif kind == "!":
                want = int(line.split()[2])
                try:
                    code = proc.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    raise SystemExit(f"{script}:{number}: the server did not exit")
                if code != want:
                    raise SystemExit(f"{script}:{number}: exit status {code}, expected {want}")
        # Nothing more than the script expects.
        try:
            extra = inbox.get(timeout=0.2)
            if extra is not None:
                raise SystemExit(f"{script}: unexpected message at the end:\n{json.dumps(extra)}")
        except queue.Empty:
            pass
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=TIMEOUT)
        print(f"{script}: ok")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
