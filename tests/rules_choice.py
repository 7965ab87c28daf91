#!/usr/bin/env python3
"""tests/rules_choice.py CASEX ROOT COMMAND: every command picks its rules the same
way (--rules DIR, else the built-in rules, never a rules/ directory that happens to
be in the current directory) and names them, with their version, in its output.

COMMAND is one of eval, lint, test, explain, render, diff, serve. Each is run

- from a directory that holds rules/ (a copy of tests/data/diff/collect/new: rules
  that decide differently from the built-in ones),
- from a directory without rules/,
- with --rules DIR (or the command's way of naming a directory),

and the line that names the rules is checked: "built-in" and the built-in version
for the first two, DIR and its version for the third. Exit status 1 on a failure.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

CASEX, ROOT, COMMAND = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
EXAMPLE = os.path.join(ROOT, "examples", "change.json")
TESTS = os.path.join(ROOT, "tests", "rules", "resolution.yaml")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def casex(*args, cwd, stdin=None):
    return subprocess.run([CASEX, *args], cwd=cwd, capture_output=True, text=True, input=stdin,
                          timeout=120)


def version_of(rules_args, cwd):
    r = casex("explain", "--format", "json", *rules_args, EXAMPLE, cwd=cwd)
    if r.returncode not in (0, 1):
        fail(f"explain --format json {rules_args}: exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["rules_version"]


def first(text):
    return text.splitlines()[0] if text else ""


def last(text):
    return text.splitlines()[-1] if text else ""


def serve_ready_line(args, cwd):
    p = subprocess.Popen([CASEX, "serve", "--listen", "127.0.0.1:0", *args], cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        return p.stderr.readline()
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def named_line(cwd, rules_dir):
    """The line of COMMAND's output that names its rules (rules_dir: None for the default)."""
    opt = [] if rules_dir is None else ["--rules", rules_dir]
    if COMMAND == "eval":
        # stdout is the JSON of the contract, untouched: the rules are named by --stats (stderr).
        with open(EXAMPLE) as f:
            line = json.dumps(json.load(f)) + "\n"
        r = casex("eval", *opt, "--lines", "--stats", "-", cwd=cwd, stdin=line)
        return last(r.stderr).strip(), r.stdout
    if COMMAND == "lint":
        r = casex("lint", *([] if rules_dir is None else [rules_dir]), cwd=cwd)
        return last(r.stdout), None
    if COMMAND == "test":
        r = casex("test", *opt, TESTS, cwd=cwd)
        return first(r.stdout), None
    if COMMAND == "explain":
        r = casex("explain", *opt, EXAMPLE, cwd=cwd)
        return first(r.stdout), None
    if COMMAND == "render":
        r = casex("render", *opt, cwd=cwd)
        m = re.search(r"From (.*?) &middot; rule set version <code>([0-9a-f]+)</code>", r.stdout)
        return (f"From {m.group(1)}, version {m.group(2)}" if m else r.stdout[:300]), None
    if COMMAND == "diff":
        # One directory: NEW (LOCAL) against the default OLD, the built-in rules; or OLD NEW.
        r = casex("diff", *([LOCAL] if rules_dir is None else [rules_dir, LOCAL]), cwd=cwd)
        return first(r.stdout), None
    if COMMAND == "serve":
        return serve_ready_line(opt, cwd).strip(), None
    fail(f"unknown command {COMMAND}")


def expected(name, version):
    if COMMAND == "lint":
        return re.compile(re.escape(name) + r": .*, version " + re.escape(version) + r"\)$")
    if COMMAND == "render":
        shown = "the built-in rules" if name == "built-in" else name
        return re.compile(re.escape(f"From {shown}, version {version}") + "$")
    if COMMAND == "serve":
        return re.compile(r"casex serve: listening on http://127\.0\.0\.1:\d+ \(rules " +
                          re.escape(version) + ", " + re.escape(name) + ";")
    if COMMAND == "diff":
        return re.compile("^casex diff: old built-in " + re.escape(f"(version {version}),"))
    return re.compile("^" + re.escape(f"rules: {name} (version {version})") + "$")


LOCAL = None  # the rules/ directory of the directory that has one (absolute)


def main():
    global LOCAL
    work = tempfile.mkdtemp(prefix="casex-rules-choice-")
    try:
        with_rules = os.path.join(work, "with-rules")
        without = os.path.join(work, "without-rules")
        os.makedirs(without)
        shutil.copytree(os.path.join(ROOT, "tests", "data", "diff", "collect", "new"),
                        os.path.join(with_rules, "rules"))
        LOCAL = os.path.join(with_rules, "rules")
        builtin = version_of([], without)
        local = version_of(["--rules", "rules"], with_rules)
        if builtin == local:
            fail("the rules/ copy should differ from the built-in rules")
        outputs = {}
        for where, cwd in (("a directory with rules/", with_rules),
                           ("a directory without rules/", without)):
            line, out = named_line(cwd, None)
            outputs[where] = out
            want = expected("built-in", builtin)
            if not want.search(line):
                fail(f"casex {COMMAND} from {where}: expected the built-in rules (version "
                     f"{builtin}) named, got: {line!r}")
            print(f"ok: from {where}: {line}")
        if COMMAND == "eval" and outputs["a directory with rules/"] != outputs[
                "a directory without rules/"]:
            fail("casex eval's output depends on a rules/ directory in the current directory")
        line, _ = named_line(with_rules, "rules")
        if COMMAND == "diff":
            want = re.compile(r"^casex diff: old rules \(version " + re.escape(local) +
                              r"\), new " + re.escape(LOCAL) + r" \(version " + re.escape(local) +
                              r"\)$")
        else:
            want = expected("rules", local)
        if not want.search(line):
            fail(f"casex {COMMAND} with the directory rules: expected it named with version "
                 f"{local}, got: {line!r}")
        print(f"ok: with the directory named: {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
