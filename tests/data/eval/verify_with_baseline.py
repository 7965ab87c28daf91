#!/usr/bin/env python3
"""Check the `casex eval` golden fixtures against the independent reference
implementation of the Outgoing section (shared/bench/peers/baseline.cpp).

usage: verify_with_baseline.py [--baseline BIN] [--peers DIR] [-v]

  --baseline BIN  an already built baseline (`baseline --lines` reads JSON Lines)
  --peers DIR     where baseline.cpp lives when it has to be built
                  (default: $CASEX_PEERS_DIR or /work/shared/bench/peers); it is compiled
                  into a temporary directory with g++ -std=c++17 and Boost.JSON
                  (libboost-json1.81-dev), falling back to nlohmann-json3-dev
  -v              list every case checked

What is checked (python3 stdlib only):
  1. The suite's layout: every input has exactly one expectation file, names are
     kebab-case, expectation files parse, expected-error files start with the exit
     status, a .jsonl and its .expected.jsonl have the same number of lines.
  2. Every outgoing case (a document without an "incoming" key) with an
     .expected.json: the baseline's result equals the expected one as a JSON value
     (incident, phase, operations and suppressed with operation/system/phase/rule).
  3. Every outgoing bad-input case (.expected-error.txt): the baseline rejects it too.
     (Only "is an error" is compared; the message texts are casex's own.)
  4. Every line of every .jsonl case that is an outgoing document: as 2 or 3.
Incoming operations are not implemented by the baseline: those cases are only
checked for layout and counted.

Exit status 0 when everything agrees, 1 otherwise.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*$")
OUT_KEYS = {"incident", "phase", "operations", "suppressed"}
IN_KEYS = {"incident", "comments", "external_reference", "rule"}


def strict_eq(a, b):
    """JSON value equality that does not let True equal 1 or 1 equal 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_eq(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_eq(x, y) for x, y in zip(a, b))
    return a == b


def build_baseline(peers, workdir):
    src = os.path.join(peers, "baseline.cpp")
    if not os.path.exists(src):
        sys.exit(f"verify: {src} not found (use --peers DIR or --baseline BIN)")
    out = os.path.join(workdir, "baseline")
    tries = [["g++", "-O2", "-std=c++17", "-DBASELINE_BOOST_JSON", src, "-o", out, "-lboost_json"],
             ["g++", "-O2", "-std=c++17", src, "-o", out]]
    errors = []
    for cmd in tries:
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode == 0:
            return out, ("built, Boost.JSON" if "-DBASELINE_BOOST_JSON" in cmd else "built, nlohmann-json")
        errors.append(p.stderr.strip().splitlines()[-1:] if p.stderr else [])
    sys.exit("verify: could not build the baseline (need libboost-json1.81-dev or nlohmann-json3-dev): "
             + repr(errors))


def one_line(text):
    """A document as one JSON Lines line: compact if it parses, else its raw text on one line."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")), True
    except ValueError:
        return text.replace("\r", " ").replace("\n", " ").strip(), False


def is_incoming(line):
    try:
        v = json.loads(line)
    except ValueError:
        return False
    return isinstance(v, dict) and "incoming" in v


def collect(problems):
    """Walk the suite; returns a list of case dicts."""
    cases = []
    for group in sorted(os.listdir(HERE)):
        gdir = os.path.join(HERE, group)
        if not os.path.isdir(gdir):
            continue
        if not KEBAB.match(group):
            problems.append(f"{group}: group name is not kebab-case")
        files = set(os.listdir(gdir))
        used = set()
        for f in sorted(files):
            if f.endswith((".expected.json", ".expected.jsonl", ".expected-error.txt")):
                continue
            if f.endswith(".jsonl"):
                base, kind = f[:-6], "jsonl"
            elif f.endswith(".json"):
                base, kind = f[:-5], "json"
            else:
                problems.append(f"{group}/{f}: unexpected file")
                continue
            name = f"{group}/{base}"
            if not KEBAB.match(base):
                problems.append(f"{name}: case name is not kebab-case")
            used.add(f)
            with open(os.path.join(gdir, f), encoding="utf-8") as fh:
                text = fh.read()
            exp = [e for e in (base + ".expected.json", base + ".expected-error.txt", base + ".expected.jsonl")
                   if e in files]
            used.update(exp)
            allowed = ([base + ".expected.jsonl"] if kind == "jsonl"
                       else [base + ".expected.json", base + ".expected-error.txt"])
            if len(exp) != 1 or exp[0] not in allowed:
                problems.append(f"{name}: needs exactly one matching expectation file, has {exp}")
                continue
            with open(os.path.join(gdir, exp[0]), encoding="utf-8") as fh:
                etext = fh.read()
            case = {"name": name, "kind": kind, "text": text}
            if exp[0].endswith(".expected-error.txt"):
                lines = etext.split("\n")
                if not lines or not lines[0].strip().isdigit():
                    problems.append(f"{name}: expected-error first line must be the exit status")
                    continue
                case["error"] = {"status": int(lines[0]), "substrings": [l for l in lines[1:] if l]}
            elif kind == "json":
                try:
                    case["expected"] = json.loads(etext)
                    json.loads(text)
                except ValueError as e:
                    problems.append(f"{name}: does not parse: {e}")
                    continue
                keys = set(case["expected"]) if isinstance(case["expected"], dict) else set()
                incoming = is_incoming(text)
                if keys != (IN_KEYS if incoming else OUT_KEYS):
                    problems.append(f"{name}: expected result keys {sorted(keys)}")
            else:
                in_lines = text.split("\n")
                ex_lines = etext.split("\n")
                if in_lines[-1] != "" or ex_lines[-1] != "":
                    problems.append(f"{name}: files must end with a newline")
                in_lines, ex_lines = in_lines[:-1], ex_lines[:-1]
                if len(in_lines) != len(ex_lines):
                    problems.append(f"{name}: {len(in_lines)} input lines but {len(ex_lines)} expected lines")
                    continue
                try:
                    case["lines"] = [(l, json.loads(e)) for l, e in zip(in_lines, ex_lines)]
                except ValueError as e:
                    problems.append(f"{name}: an expected line does not parse: {e}")
                    continue
                for n, (_, e) in enumerate(case["lines"], 1):
                    if isinstance(e, dict) and "error" in e and e.get("line") != n:
                        problems.append(f"{name}: expected error line {n} says line {e.get('line')}")
            cases.append(case)
        for f in sorted(files - used):
            problems.append(f"{group}/{f}: expectation without an input file")
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline")
    ap.add_argument("--peers", default=os.environ.get("CASEX_PEERS_DIR", "/work/shared/bench/peers"))
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()

    problems = []
    cases = collect(problems)

    tmp = tempfile.mkdtemp(prefix="casex-verify-")
    try:
        if args.baseline:
            baseline, how = args.baseline, "given"
            if not os.access(baseline, os.X_OK):
                sys.exit(f"verify: {baseline} is not an executable file")
        else:
            baseline, how = build_baseline(args.peers, tmp)

        # Every outgoing document, one per line, in one baseline run.
        feed = []  # (case name, label, line, expectation) ; expectation = value or "ERROR"
        counts = {"outgoing": 0, "outgoing-error": 0, "incoming": 0, "incoming-error": 0,
                  "jsonl-out": 0, "jsonl-out-error": 0, "jsonl-incoming": 0}
        for c in cases:
            if c["kind"] == "json":
                line, _ = one_line(c["text"])
                if is_incoming(c["text"]):
                    counts["incoming-error" if "error" in c else "incoming"] += 1
                    continue
                if "error" in c:
                    counts["outgoing-error"] += 1
                    feed.append((c["name"], "", line, "ERROR"))
                else:
                    counts["outgoing"] += 1
                    feed.append((c["name"], "", line, c["expected"]))
            else:
                for n, (line, exp) in enumerate(c["lines"], 1):
                    if is_incoming(line):
                        counts["jsonl-incoming"] += 1
                        continue
                    err = isinstance(exp, dict) and "error" in exp and "phase" not in exp
                    counts["jsonl-out-error" if err else "jsonl-out"] += 1
                    feed.append((c["name"], f" line {n}", line, "ERROR" if err else exp))

        stdin = "".join(line + "\n" for _, _, line, _ in feed)
        p = subprocess.run([baseline, "--lines"], input=stdin.encode("utf-8"), capture_output=True)
        got = p.stdout.decode("utf-8").split("\n")
        if got and got[-1] == "":
            got.pop()
        if len(got) != len(feed):
            problems.append(f"baseline wrote {len(got)} lines for {len(feed)} inputs")
        agree = 0
        for i, (name, label, line, exp) in enumerate(feed):
            if i >= len(got):
                break
            try:
                res = json.loads(got[i])
            except ValueError:
                problems.append(f"{name}{label}: baseline output does not parse: {got[i][:120]}")
                continue
            is_err = isinstance(res, dict) and "error" in res
            if exp == "ERROR":
                ok = is_err
                why = "" if ok else f"baseline accepted it: {got[i]}"
            else:
                ok = not is_err and strict_eq(res, exp)
                why = "" if ok else (f"\n    expected {json.dumps(exp, ensure_ascii=False)}"
                                     f"\n    baseline {got[i]}")
            if ok:
                agree += 1
                if args.v:
                    print(f"ok    {name}{label}")
            else:
                problems.append(f"{name}{label}: disagrees with the baseline: {why}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n_cases = len(cases)
    print(f"fixture cases: {n_cases} ({sum(1 for c in cases if c['kind'] == 'jsonl')} JSON Lines)")
    print(f"baseline ({how}): {agree}/{len(feed)} outgoing documents agree "
          f"[{counts['outgoing']} results, {counts['outgoing-error']} bad inputs, "
          f"{counts['jsonl-out']} JSON Lines results, {counts['jsonl-out-error']} JSON Lines bad lines]")
    print(f"not covered by the baseline: {counts['incoming']} incoming results, "
          f"{counts['incoming-error']} incoming bad inputs, {counts['jsonl-incoming']} incoming JSON Lines lines")
    for pr in problems:
        print("PROBLEM", pr)
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
