#!/usr/bin/env python3
"""tests/memory/big_documents.py: a host feeding realistic incidents (long
descriptions) through `casex eval --lines` or `casex explain` gets every
document answered, and casex's peak memory stays a small multiple of the
largest document however many it reads.

Usage: big_documents.py CASEX eval|explain|mixed COUNT SIZE [casex args...]
  eval:    COUNT incoming documents of SIZE bytes through `casex eval --lines`
  explain: COUNT of them through `casex explain`, one process each
  mixed:   COUNT good change lines with 20 malformed change lines of SIZE bytes
           among them (the fast reader refuses those, so they take the DOM path)
"""
import json
import os
import subprocess
import sys
import tempfile

MiB = 1 << 20


def incoming(i, size):
    return json.dumps({"incoming": "Assign", "system": "SM", "id": str(i),
                       "incident": {"phase": "Review", "description": "x" * size},
                       "external_reference": {"system": "SM", "id": str(i)}})


def run(argv, stdin_path, stdout_path):
    """Runs argv; returns (exit status, peak RSS in bytes) of that child alone."""
    with open(stdin_path, "rb") as i, open(stdout_path, "wb") as o:
        p = subprocess.Popen(argv, stdin=i, stdout=o, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
    if err:
        sys.stderr.write(err.decode(errors="replace")[:2000])
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024


def eval_lines(casex, extra, src, out, total, want_status, failures, good):
    """Runs `casex eval --lines` on src; checks the exit status, that total
    lines came out and that good(i, result) holds for each; returns the peak RSS."""
    status, peak = run([casex, "eval", "--lines", *extra], src, out)
    with open(out, "rb") as f:
        lines = f.read().splitlines()
    if status != want_status:
        failures.append(f"exit status {status}, expected {want_status}")
    if len(lines) != total:
        failures.append(f"{total} lines in, {len(lines)} out")
    for i, line in enumerate(lines):
        if not good(i, json.loads(line)):
            failures.append(f"line {i + 1}: {line[:200]!r}")
            break
    return peak


def main():
    casex, mode, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    extra = sys.argv[5:]
    # Generous: casex's own ~12 MiB, its buffers, a few copies of the largest document per thread.
    jobs = 2 if "--jobs" in extra else 1
    bound = 48 * MiB + 8 * jobs * size
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        if mode == "eval":
            with open(src, "w") as f:
                for i in range(count):
                    f.write(incoming(i, size) + "\n")
            peak = eval_lines(casex, extra, src, out, count, 0, failures,
                              lambda i, r: r.get("external_reference", {}).get("id") == str(i) and
                              len(r.get("incident", {}).get("description", "")) == size)
        elif mode == "mixed":
            good = json.dumps({"incident": "INC-1", "before": {"phase": "InitialSupport", "solution": None},
                               "after": {"phase": "InitialSupport", "solution": "Rebooted"},
                               "external_reference": {"system": "SM", "id": "IM1"}})
            bad_at = {count * (k + 1) // 21 for k in range(20)}
            total = count + len(bad_at)
            with open(src, "w") as f:
                for i in range(total):
                    if i in bad_at:  # a number where the solution's text belongs, and the document cut short
                        f.write('{"before":{"phase":"Review","solution":1},"after":{"phase":"Review","d":"' +
                                "x" * size + "\n")
                    else:
                        f.write(good + "\n")
            peak = eval_lines(casex, extra, src, out, total, 1, failures,
                              lambda i, r: (i in bad_at) == ("error" in r) and
                              ("error" not in r or r.get("line") == i + 1))
            count = total
        else:  # explain: one process per document
            peak = 0
            for i in range(count):
                with open(src, "w") as f:
                    f.write(incoming(i, size))
                status, p = run([casex, "explain", "--format", "json", *extra], src, out)
                peak = max(peak, p)
                with open(out) as f:
                    r = json.load(f)
                if status != 0 or r.get("result", {}).get("external_reference", {}).get("id") != str(i):
                    failures.append(f"document {i}: exit {status}")
                    break
        if peak > bound:
            failures.append(f"peak RSS {peak / MiB:.1f} MiB over the bound {bound / MiB:.1f} MiB")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    print(f"1 passed, 0 failed: {count} documents of {size} bytes answered, peak RSS {peak / MiB:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
