#!/usr/bin/env python3
"""tests/serve/page_test.py: what the page at / of `casex serve` reads, without a browser
(the browser test is tests/browser/simulator_test.py): GET / is the page of `casex render`
with the simulator and its data; GET /v1/vocabulary is rules/vocabulary.yaml; GET
/v1/scenarios gives the cases of --tests with their input and the verdict of `casex test`.

Usage: page_test.py CASEX SOURCE_DIR
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import yaml

CASEX, SOURCE = sys.argv[1], sys.argv[2]


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([CASEX, "serve", "--listen", "127.0.0.1:0", "--threads", "1", *args],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.proc.stderr.readline())
        check(m is not None, "casex serve did not start")
        self.url = "http://127.0.0.1:" + m.group(1)

    def get(self, path, method="GET"):
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + path, method=method), timeout=30) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Scripts(html.parser.HTMLParser):
    """The <script> elements of a page: (attributes, text)."""

    def __init__(self):
        super().__init__()
        self.scripts, self._in = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = (dict(attrs), [])

    def handle_data(self, data):
        if self._in:
            self._in[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in:
            self.scripts.append((self._in[0], "".join(self._in[1])))
            self._in = None


def main():
    rules = os.path.join(SOURCE, "rules")
    tests = os.path.join(SOURCE, "tests", "rules")
    s = Server("--rules", rules, "--tests", tests)
    try:
        # GET /: the render page (every table and rule of `casex render`) with the panel and its data.
        status, headers, page = s.get("/")
        check(status == 200 and headers["Content-Type"].startswith("text/html"), "GET /: %d" % status)
        render = subprocess.run([CASEX, "render", "--rules", rules], capture_output=True, text=True, timeout=60).stdout
        for attr in sorted(set(re.findall(r'data-(?:table|rule|move)="[^"]+"', render))):
            check(attr in page, "GET / lacks %s of casex render" % attr)
        check('<aside id="sim"' in page and "Try a change" in page, "GET / has no simulator panel")
        check(not re.search(r'(src|href)="(https?:)?//', page), "GET / refers to another host")
        p = Scripts()
        p.feed(page)
        data = {a.get("id"): t for a, t in p.scripts if a.get("type") == "application/json"}
        check(set(data) == {"casex-vocabulary", "casex-lint"}, "the page's JSON: %r" % list(data))
        check(len([1 for a, t in p.scripts if not a]) == 1, "one inline script (tools/serve/page/simulator.js)")
        # GET /v1/vocabulary: the vocabulary file's words, in order.
        status, headers, body = s.get("/v1/vocabulary")
        v = json.loads(body)
        check(status == 200 and json.loads(data["casex-vocabulary"]) == v, "the page's vocabulary is GET /v1/vocabulary's")
        y = yaml.safe_load(open(os.path.join(rules, "vocabulary.yaml")))["vocabulary"]
        check(v["metaphases"] == y["metaphases"], "metaphases %r" % v["metaphases"])
        check(v["record"] == y.get("record", "incident"), "record %r" % v.get("record"))
        check([(p["name"], p["metaphase"], p.get("aliases", [])) for p in y["phases"]]
              == [(p["name"], p["metaphase"], sorted(p["aliases"])) for p in v["phases"]], "phases %r" % v["phases"])
        check([(f["name"], f["type"], f.get("values", [])) for f in y["fields"]]
              == [(f["name"], f["type"], f["values"]) for f in v["fields"]], "fields %r" % v["fields"])
        check(v["events"] == y["events"] and v["operations"] == y["operations"], "events and operations")
        check(v["version"] == headers["X-Casex-Rules-Version"], "the vocabulary's version")
        # GET /v1/scenarios: the cases of `casex test`, each with its input and verdict.
        status, _, body = s.get("/v1/scenarios")
        sc = json.loads(body)
        run = json.loads(subprocess.run([CASEX, "test", "--rules", rules, "--format", "json", tests],
                                        capture_output=True, text=True, timeout=120).stdout)
        check(status == 200 and sc["errors"] == [], "scenarios: %d %r" % (status, sc["errors"]))
        check([(c["file"], c["line"], c["name"], c["passed"]) for c in sc["cases"]]
              == [(c["file"], c["line"], c["name"], c["status"] == "pass") for c in run["cases"]],
              "the scenarios are not the cases of casex test")
        check(all(isinstance(c["input"], dict) and isinstance(c["expect"], dict) for c in sc["cases"]),
              "a scenario without its input or expectation")
        # Only GET; nothing for / without --tests.
        status, headers, _ = s.get("/", method="POST")
        check(status == 405 and headers["Allow"] == "GET", "POST /: %d" % status)
    finally:
        s.stop()
    s = Server()
    try:
        status, _, body = s.get("/v1/scenarios")
        check(status == 200 and json.loads(body) == {"dir": None, "errors": [], "cases": []}, "no --tests: %s" % body)
    finally:
        s.stop()
    # The record's name comes from the vocabulary: the simulator's form and
    # documents use the key /v1/vocabulary (and the page's copy) name.
    s = Server("--rules", os.path.join(SOURCE, "examples", "rules", "request"))
    try:
        status, _, body = s.get("/v1/vocabulary")
        check(status == 200 and json.loads(body)["record"] == "request", "request rules: %s" % body[:200])
        status, _, page = s.get("/")
        p = Scripts()
        p.feed(page)
        data = {a.get("id"): t for a, t in p.scripts if a.get("type") == "application/json"}
        check(json.loads(data["casex-vocabulary"])["record"] == "request", "the page's vocabulary names the record")
    finally:
        s.stop()
    print("GET / holds the render page and the simulator; /v1/vocabulary is vocabulary.yaml; "
          "/v1/scenarios the %d cases of casex test" % len(sc["cases"]))


if __name__ == "__main__":
    main()
