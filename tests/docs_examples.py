#!/usr/bin/env python3
"""tests/docs_examples.py CASEX ROOT: every example command of README.md and
docs/*.md runs and prints what the page shows.

The convention (what a page must look like to be checked):

- A fenced block is checked when its first line starts with `$ `. Any other
  block (usage lines such as `casex eval [--rules DIR] [FILE]`, YAML, C++,
  outputs of compiled examples, the lint fixtures' diagnostics) is not.
- In a checked block, a line starting with `$ ` is a command. A command with a
  here-document (`<<'WORD'` or `<<WORD`) takes the following lines up to the
  line `WORD` too. The lines after a command, up to the next `$ ` line or the
  end of the block, are its expected output: standard output and standard
  error as a terminal would show them; none means it prints nothing.
- A command runs in `bash -c` (exit status not compared), in a temporary
  directory that holds copies of what the pages read (COPIED below), with the
  casex under test as `casex` on PATH and as `./build/casex`. Every checked
  block of one page runs in the same directory, in page order, so a page can
  build up files (`cp -r rules myrules`, then edit) and later blocks use them.

The comparison is exact, line by line, except (the whole list):

- an expected line that is `...` (indentation aside) stands for any number of
  lines, none included;
- `/tmp/` in a command is the temporary directory's `tmp/`, and that directory
  is written `/tmp/` in the actual output;
- what varies from run to run: the time of a decision-log line
  (`"time":"..."`) and the duration and rate of `--stats`
  (`in 0.85 s (117360 lines/s)`).

Prints, for each example that differs, FILE:LINE, the command and a diff of
the expected and the actual output, then a count; exit status 1 when an
example differs or when none is found."""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

CASEX = os.path.realpath(sys.argv[1]) if len(sys.argv) > 1 else None
ROOT = os.path.realpath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), ".."))

# What the examples read, copied from the repository into the temporary directory.
COPIED = ["rules", "examples", "tests/rules", "tests/data/coverage", "bench/gen_workload.py"]

FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")

# Each pair: (pattern, replacement), applied to the expected and the actual output.
VARYING = [
    (re.compile(r'"time":"[^"]*"'), '"time":"<time>"'),
    (re.compile(r"\bin [0-9.]+ s \([0-9]+ lines/s\)"), "in <seconds> s (<rate> lines/s)"),
]


class Example:
    def __init__(self, doc, line, command):
        self.doc, self.line, self.command, self.expected = doc, line, command, []


def examples(doc):
    """The examples of one page, in page order."""
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m.group(1), i + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        block = lines[start:end]
        i = end + 1
        if not block or not block[0].startswith("$ "):
            continue
        j = 0
        while j < len(block):
            line = block[j]
            if line.startswith("$ "):
                ex = Example(doc, start + j + 1, line[2:])
                here = HEREDOC.search(line)
                j += 1
                if here:
                    while j < len(block) and block[j] != here.group(2):
                        ex.command += "\n" + block[j]
                        j += 1
                    ex.command += "\n" + here.group(2)
                    j += 1
                found.append(ex)
            else:
                found[-1].expected.append(line)
                j += 1
    return found


def normalise(lines):
    out = []
    for line in lines:
        for pattern, replacement in VARYING:
            line = pattern.sub(replacement, line)
        out.append(line)
    return out


def matches(expected, actual):
    """Whether the actual lines are the expected ones, a `...` line standing for any lines."""
    memo = {}

    def at(e, a):
        if (e, a) not in memo:
            if e == len(expected):
                ok = a == len(actual)
            elif expected[e].strip() == "...":
                ok = any(at(e + 1, k) for k in range(a, len(actual) + 1))
            else:
                ok = a < len(actual) and expected[e] == actual[a] and at(e + 1, a + 1)
            memo[(e, a)] = ok
        return memo[(e, a)]

    return at(0, 0)


def workspace():
    work = tempfile.mkdtemp(prefix="casex-docs-")
    for path in COPIED:
        src, dst = os.path.join(ROOT, path), os.path.join(work, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, dst)
    for bindir in ("bin", "build"):
        os.makedirs(os.path.join(work, bindir), exist_ok=True)
        os.symlink(CASEX, os.path.join(work, bindir, "casex"))
    os.makedirs(os.path.join(work, "tmp"))
    return work


def run(ex, work):
    env = dict(os.environ, PATH=os.path.join(work, "bin") + os.pathsep + os.environ.get("PATH", ""), LC_ALL="C.UTF-8")
    tmp = os.path.join(work, "tmp") + "/"
    p = subprocess.run(["bash", "-c", ex.command.replace("/tmp/", tmp)], cwd=work, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    text = p.stdout.decode("utf-8", "replace").replace(tmp, "/tmp/")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def main():
    if not CASEX or not os.access(CASEX, os.X_OK):
        print("usage: docs_examples.py CASEX ROOT (CASEX: the built casex)")
        return 2
    docs = [os.path.join(ROOT, "README.md")]
    docs += sorted(os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    checked = failed = 0
    for doc in docs:
        found = examples(doc)
        if not found:
            continue
        work = workspace()
        try:
            for ex in found:
                checked += 1
                actual = normalise(run(ex, work))
                expected = normalise(ex.expected)
                if matches(expected, actual):
                    continue
                failed += 1
                rel = os.path.relpath(doc, ROOT)
                print(f"{rel}:{ex.line}: the output of this example differs from the page")
                print("  $ " + ex.command.replace("\n", "\n  "))
                diff = list(difflib.unified_diff(expected, actual, "shown on the page", "printed", lineterm="", n=2))
                for d in diff[:80]:
                    print("  " + d)
                if len(diff) > 80:
                    print(f"  ({len(diff) - 80} more lines of diff)")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{checked} examples checked in {len(docs)} files: {failed} differ")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
