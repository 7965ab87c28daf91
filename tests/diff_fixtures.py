#!/usr/bin/env python3
"""tests/diff_fixtures.py: `casex diff` on the fixture pairs of tests/data/diff/.

    diff_fixtures.py CASEX ROOT golden      each NAME/old, NAME/new: the text output equals
                                            NAME/expected.txt, the exit status NAME/status
    diff_fixtures.py CASEX ROOT witnesses   every witness of every fixture (--format json)
                                            evaluates differently on the two sides
                                            (casex eval --rules old / new, rule ids aside)
    diff_fixtures.py CASEX ROOT since       --since REV DIR reads the old rules from git and
                                            finds what OLD NEW finds
    diff_fixtures.py CASEX ROOT status      exit statuses: --expect-same, rules that do not
                                            load, a missing directory, a bad revision

With CASEX_UPDATE_FIXTURES=1, `golden` rewrites the expected files.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CASEX, ROOT, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
DATA = os.path.join("tests", "data", "diff")


def fixtures():
    return sorted(d for d in os.listdir(os.path.join(ROOT, DATA))
                  if os.path.isdir(os.path.join(ROOT, DATA, d)))


def casex(*args, cwd=ROOT, stdin=None):
    return subprocess.run([CASEX, *args], cwd=cwd, capture_output=True, text=True, input=stdin)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def decision(result):
    """A result without the rules' ids (a renamed rule decides the same)."""
    if result.returncode != 0:
        return "error: " + result.stderr
    doc = json.loads(result.stdout)
    for key in ("operations", "suppressed"):
        for op in doc.get(key) or []:
            op.pop("rule", None)
    doc.pop("rule", None)
    return json.dumps(doc, sort_keys=True)


def golden():
    for name in fixtures():
        d = os.path.join(DATA, name)
        r = casex("diff", f"{d}/old", f"{d}/new")
        exp_file = os.path.join(ROOT, d, "expected.txt")
        status_file = os.path.join(ROOT, d, "status")
        if os.environ.get("CASEX_UPDATE_FIXTURES") == "1":
            open(exp_file, "w").write(r.stdout)
            open(status_file, "w").write(f"{r.returncode}\n")
            continue
        want = open(exp_file).read()
        if r.stdout != want:
            fail(f"{name}: output differs from {exp_file}\n=== expected:\n{want}=== actual:\n{r.stdout}")
        if r.returncode != int(open(status_file).read()):
            fail(f"{name}: exit status {r.returncode}\n{r.stderr}")
        print(f"ok {name}: exit {r.returncode}")


def witnesses():
    total = 0
    for name in fixtures():
        d = os.path.join(DATA, name)
        r = casex("diff", "--format", "json", f"{d}/old", f"{d}/new")
        doc = json.loads(r.stdout)
        for x in doc["differences"]:
            if x["kind"] == "setting":
                continue
            if x["witness"] is None:
                fail(f"{name}: a difference without a verified witness: {x}")
            w = json.dumps(x["witness"])
            old = casex("eval", "--rules", f"{d}/old", stdin=w)
            new = casex("eval", "--rules", f"{d}/new", stdin=w)
            if decision(old) == decision(new):
                fail(f"{name}: witness {w} evaluates alike on both sides: {old.stdout}")
            total += 1
        print(f"ok {name}: {len(doc['differences'])} differences, identical={doc['identical']}")
    if total == 0:
        fail("no witness checked")
    print(f"{total} witnesses evaluate differently on the two sides")


def since():
    if shutil.which("git") is None:
        print("SKIP: git is not installed")
        return
    for name in ("collect", "incoming", "descriptions"):
        d = os.path.join(ROOT, DATA, name)
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "myrules")
            shutil.copytree(os.path.join(d, "old"), rules)
            git = ["git", "-C", tmp, "-c", "user.name=t", "-c", "user.email=t@t"]
            subprocess.run(["git", "init", "-q", tmp], check=True)
            subprocess.run(git + ["add", "."], check=True)
            subprocess.run(git + ["commit", "-q", "-m", "old"], check=True)
            shutil.rmtree(rules)
            shutil.copytree(os.path.join(d, "new"), rules)
            a = casex("diff", "--format", "json", "--since", "HEAD", "myrules", cwd=tmp)
            b = casex("diff", "--format", "json", f"{DATA}/{name}/old", f"{DATA}/{name}/new")
            if a.returncode != b.returncode:
                fail(f"{name}: --since exit {a.returncode}, OLD NEW {b.returncode}: {a.stderr}")
            da, db = json.loads(a.stdout), json.loads(b.stdout)
            if da["differences"] != db["differences"]:
                fail(f"{name}: --since finds other differences")
            if da["old"]["rules"] != "myrules at HEAD":
                fail(f"{name}: old rules named {da['old']['rules']}")
            print(f"ok {name}: --since HEAD finds what OLD NEW finds ({len(da['differences'])})")


def status():
    d = f"{DATA}/collect"
    r = casex("diff", "--expect-same", f"{d}/old", f"{d}/new")
    if r.returncode != 1 or "--expect-same" not in r.stderr:
        fail(f"--expect-same on differing rules: exit {r.returncode}, stderr {r.stderr!r}")
    r = casex("diff", "--expect-same", f"{DATA}/descriptions/old", f"{DATA}/descriptions/new")
    if r.returncode != 0 or r.stderr:
        fail(f"--expect-same on identical decisions: exit {r.returncode} {r.stderr!r}")
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad")
        shutil.copytree(os.path.join(ROOT, d, "new"), bad)
        p = os.path.join(bad, "resolution.yaml")
        text = open(p).read().replace("hit_policy: collect", "hit_policy: colect")
        open(p, "w").write(text)
        r = casex("diff", f"{d}/old", bad)
        if r.returncode != 2 or "resolution.yaml:" not in r.stderr:
            fail(f"rules that do not load: exit {r.returncode}, stderr {r.stderr!r}")
        r = casex("diff", "--since", "no-such-revision", bad)
        if r.returncode != 2 or "no-such-revision" not in r.stderr:
            fail(f"a bad revision: exit {r.returncode}, stderr {r.stderr!r}")
    r = casex("diff", f"{d}/old", "no/such/dir")
    if r.returncode != 2:
        fail(f"a missing directory: exit {r.returncode}")
    r = casex("diff", f"{DATA}/descriptions/new")
    if r.returncode != 0 or "old built-in (version " not in r.stdout.splitlines()[0]:
        fail(f"NEW against the built-in rules: exit {r.returncode}: {r.stdout[:200]}")
    print("ok exit statuses")


{"golden": golden, "witnesses": witnesses, "since": since, "status": status}[MODE]()
