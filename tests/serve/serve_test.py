#!/usr/bin/env python3
"""tests/serve/serve_test.py CASEX ROOT TEST: one test of `casex serve`
(issue 16), against 127.0.0.1 only, with real clients (http.client, raw
sockets, curl), each bounded in time. TEST is a key of TESTS below; ctest
registers one test per key (tests/CMakeLists.txt). Exit 0 pass, 1 fail, 77 skip."""
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CASEX = os.path.realpath(sys.argv[1])
ROOT = os.path.realpath(sys.argv[2])
CHANGE = open(os.path.join(ROOT, "examples/change.json"), "rb").read()
INCOMING = open(os.path.join(ROOT, "examples/incoming.json"), "rb").read()


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Server:
    """casex serve on 127.0.0.1, a free port; its stderr collected."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([CASEX, "serve", "--listen", "127.0.0.1:0", *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.lines = []
        deadline = time.time() + 60
        while True:
            line = self.proc.stderr.readline().decode()
            if not line:
                raise Fail("casex serve exited before its ready line: " + "".join(self.lines))
            self.lines.append(line)
            m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+) \(rules ([0-9a-f]+)", line)
            if m:
                self.scheme, self.port, self.version = m.group(1), int(m.group(2)), m.group(3)
                break
            check(time.time() < deadline, "no ready line within 60 s")
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.decode(errors="replace"))

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def stop(self, expect=0, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Fail("casex serve did not exit within %d s of SIGTERM" % timeout)
        self.reader.join(5)
        check(code == expect, "casex serve exited %s, expected %s; stderr:\n%s" % (code, expect, "".join(self.lines)))

    def alive(self):
        return self.proc.poll() is None


def casex(*args, stdin=None):
    p = subprocess.run([CASEX, *args], input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raw(port, data, timeout=10, shut=True):
    """Sends bytes on a new connection and reads until the server closes (or timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def statuses(data):
    return [int(m) for m in re.findall(rb"^HTTP/1\.1 (\d{3}) ", data, re.M)]


# ---- the tests ---------------------------------------------------------------


def test_endpoints():
    """Every endpoint answers what the casex commands print for the same input."""
    s = Server()
    try:
        # POST /v1/eval: the bytes `casex eval` prints, change and incoming.
        for doc, name in ((CHANGE, "change"), (INCOMING, "incoming")):
            _, expected, _ = casex("eval", stdin=doc)
            st, h, body = s.request("POST", "/v1/eval", doc, {"Content-Type": "application/json"})
            check(st == 200, "eval %s: status %d" % (name, st))
            check(body == expected, "eval %s: %r != casex eval's %r" % (name, body, expected))
            check(h.get("X-Casex-Rules-Version") == s.version, "eval: no version header")
            check(h.get("Content-Type") == "application/json", "eval: content type")
        # Bad input: 400 with the message of casex eval.
        bad = b'{"before": {"phase": "Nowhere"}, "after": {"phase": "Review"}}'
        code, _, err = casex("eval", stdin=bad)
        st, h, body = s.request("POST", "/v1/eval", bad)
        check(st == 400 and code == 1, "bad eval: %d / exit %d" % (st, code))
        check(json.loads(body) == {"error": err.decode().strip()[len("casex eval: "):]},
              "bad eval: %r vs %r" % (body, err))
        check(h.get("X-Casex-Rules-Version") == s.version, "bad eval: no version header")
        st, _, body = s.request("POST", "/v1/eval", b"{not json")
        check(st == 400 and "error" in json.loads(body), "not JSON: %d %r" % (st, body))
        # POST /v1/eval/lines: what `casex eval --lines` prints, bad lines in place.
        lines = CHANGE.replace(b"\n", b" ") + b"\n\n{oops\r\n" + INCOMING.replace(b"\n", b" ") + b"\n" + CHANGE.replace(b"\n", b" ")
        _, expected, _ = casex("eval", "--lines", stdin=lines)
        st, h, body = s.request("POST", "/v1/eval/lines", lines)
        check(st == 200 and body == expected, "eval/lines: %d %r != %r" % (st, body, expected))
        check(h.get("X-Casex-Lines") == "5" and h.get("X-Casex-Errors") == "2", "eval/lines counts: %r" % h)
        check(h.get("Content-Type") == "application/x-ndjson", "eval/lines content type")
        st, _, body = s.request("POST", "/v1/eval/lines", b"")
        check(st == 200 and body == b"", "eval/lines of nothing: %d %r" % (st, body))
        # POST /v1/explain: JSON as `explain --format json`, text with Accept: text/plain.
        _, ej, _ = casex("explain", "--format", "json", stdin=CHANGE)
        _, et, _ = casex("explain", stdin=CHANGE)
        st, _, body = s.request("POST", "/v1/explain", CHANGE)
        check(st == 200 and body == ej, "explain json differs")
        st, h, body = s.request("POST", "/v1/explain", CHANGE, {"Accept": "text/plain"})
        check(st == 200 and body == et and h["Content-Type"].startswith("text/plain"), "explain text differs")
        st, _, body = s.request("POST", "/v1/explain", bad)
        check(st == 400 and json.loads(body)["error"].startswith("before.phase"), "explain bad: %r" % body)
        # GET /v1/rules: the page of `casex render`; /v1/rules/version.
        _, page, _ = casex("render")
        st, h, body = s.request("GET", "/v1/rules")
        check(st == 200 and body == page and h["Content-Type"].startswith("text/html"), "rules page differs")
        st, h, body = s.request("GET", "/v1/rules/version")
        check(st == 200 and json.loads(body) == {"version": s.version}, "version: %r" % body)
        # POST /v1/lint: the `casex lint --format json` document of the same files.
        names = ["rules/" + f for f in sorted(os.listdir(os.path.join(ROOT, "rules"))) if f.endswith(".yaml")]
        names.append("tests/data/lint/unique-overlap.yaml")
        files = {n: open(os.path.join(ROOT, n), encoding="utf-8").read() for n in names}
        p = subprocess.run([CASEX, "lint", "--format", "json", "rules", "tests/data/lint/unique-overlap.yaml"],
                           cwd=ROOT, capture_output=True, timeout=120)
        st, _, body = s.request("POST", "/v1/lint", json.dumps({"files": files}).encode())
        check(st == 200 and body == p.stdout, "lint differs:\n%r\n%r" % (body[:300], p.stdout[:300]))
        check(json.loads(body)["summary"]["errors"] >= 1, "lint: the overlap is not found")
        for bad_lint in (b"[]", b'{"files": {"a.yaml": 3}}', b"{", b'{"files": []}'):
            st, _, body = s.request("POST", "/v1/lint", bad_lint)
            check(st == 400 and "error" in json.loads(body), "lint of %r: %d" % (bad_lint, st))
        # Health, readiness, metrics.
        st, _, body = s.request("GET", "/health")
        check(st == 200 and json.loads(body) == {"status": "ok"}, "health")
        st, _, body = s.request("GET", "/ready")
        check(st == 200 and json.loads(body) == {"status": "ready"}, "ready")
        st, h, body = s.request("GET", "/metrics")
        text = body.decode()
        check(st == 200 and h["Content-Type"].startswith("text/plain; version=0.0.4"), "metrics type")
        for want in ['casex_http_requests_total{endpoint="/v1/eval",status="200"} 2',
                     'casex_http_requests_total{endpoint="/v1/eval",status="400"} 2',
                     'casex_evaluations_total{result="ok"} 5',
                     'casex_evaluations_total{result="error"} 4',
                     'casex_operations_sent_total{operation="Update"} 3',
                     'casex_operations_sent_total{operation="Resolve"} 3',
                     'casex_http_request_duration_seconds_bucket{le="+Inf"}',
                     'casex_rules_info{version="%s"} 1' % s.version,
                     'casex_reloads_total{result="ok"} 0']:
            check(want in text, "metrics lack %r:\n%s" % (want, text))
        # Unknown paths and methods; the reload endpoint is off without a token file.
        for method, path, want in (("GET", "/nope", 404), ("GET", "/v1/eval", 405), ("POST", "/health", 405),
                                   ("DELETE", "/v1/rules", 405), ("POST", "/v1/reload", 404),
                                   ("GET", "/v1/eval/../../etc/passwd", 404)):
            st, h, body = s.request(method, path, b"" if method == "POST" else None)
            check(st == want, "%s %s: %d, expected %d" % (method, path, st, want))
            check(h.get("X-Casex-Rules-Version") == s.version, "%s %s: no version header" % (method, path))
            check("error" in json.loads(body), "%s %s: no error document" % (method, path))
        check(s.request("GET", "/health?x=1")[0] == 200, "a query string")
    finally:
        s.stop()


def write_rules(d, comment=None, broken=False):
    for f in os.listdir(os.path.join(ROOT, "rules")):
        if f.endswith(".yaml"):
            shutil.copy(os.path.join(ROOT, "rules", f), os.path.join(d, f))
    with open(os.path.join(d, "done.yaml"), "a") as f:
        if comment is not None:
            f.write("\n# %s\n" % comment)
        if broken:
            f.write("\n    - id: done.broken\n      when: changed(no_such_field)\n      then: Update\n")


def test_reload():
    """POST /v1/reload needs the bearer token; a broken reload answers 422 and keeps the rules; SIGHUP and --watch reload; the decision log names the request."""
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        write_rules(rules)
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write("s3cret-token\n")
        log = os.path.join(tmp, "decisions.jsonl")
        s = Server("--rules", rules, "--token-file", token, "--log", log, "--watch")
        try:
            v0 = s.version
            for auth in (None, "Bearer wrong", "Basic czNjcmV0LXRva2Vu", "Bearer s3cret-token2", "Bearer "):
                st, h, _ = s.request("POST", "/v1/reload", b"", {"Authorization": auth} if auth else {})
                check(st == 401 and h.get("WWW-Authenticate") == "Bearer", "reload with %r: %d" % (auth, st))
            ok = {"Authorization": "Bearer s3cret-token"}
            st, _, body = s.request("POST", "/v1/reload", b"", ok)
            check(st == 200 and json.loads(body)["version"] == v0, "reload of the same rules: %d %r" % (st, body))
            write_rules(rules, comment="one")
            st, h, body = s.request("POST", "/v1/reload", b"", ok)
            v1 = json.loads(body)["version"]
            check(st == 200 and v1 != v0 and h["X-Casex-Rules-Version"] == v1, "reload: %d %r" % (st, body))
            write_rules(rules, comment="two", broken=True)
            st, h, body = s.request("POST", "/v1/reload", b"", ok)
            doc = json.loads(body)
            check(st == 422 and doc["ok"] is False and doc["version"] == v1, "broken reload: %d %r" % (st, body))
            check(any(d["code"] == "unknown-field" for d in doc["diagnostics"]), "broken reload: no diagnostic")
            check("no_such_field" in doc["text"], "broken reload: no text")
            st, h, body = s.request("POST", "/v1/eval", CHANGE, {"X-Request-Id": "req-42"})
            check(st == 200 and h["X-Casex-Rules-Version"] == v1 and h["X-Request-Id"] == "req-42",
                  "eval after a broken reload: %d %r" % (st, h))
            # SIGHUP: the rules of the directory (fixed now).
            write_rules(rules, comment="three")
            time.sleep(0.5)  # --watch may take them first; SIGHUP then reloads the same
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while s.request("GET", "/v1/rules/version")[1]["X-Casex-Rules-Version"] in (v0, v1):
                check(time.time() < deadline, "no reload within 10 s of the change")
                time.sleep(0.05)
            v3 = s.request("GET", "/v1/rules/version")[1]["X-Casex-Rules-Version"]
            # --watch: a change of a file, alone.
            write_rules(rules, comment="four")
            deadline = time.time() + 10
            while s.request("GET", "/v1/rules/version")[1]["X-Casex-Rules-Version"] == v3:
                check(time.time() < deadline, "--watch: no reload within 10 s")
                time.sleep(0.05)
            text = s.request("GET", "/metrics")[2].decode()
            check(re.search(r'casex_reloads_total\{result="failed"\} [1-9]', text), "metrics: no failed reload")
            with open(log) as f:
                entries = [json.loads(l) for l in f]
            check(len(entries) == 1 and entries[0]["request_id"] == "req-42" and entries[0]["rules_version"] == v1,
                  "decision log: %r" % entries)
        finally:
            s.stop()
        check(any("SIGHUP" in l for l in s.lines), "no SIGHUP line on stderr")
    finally:
        shutil.rmtree(tmp)


def test_limits():
    """431 over the header limit, 413 over the body limit, a slowloris closed by the read timeout (3 s) without delaying others, idle keep-alive closed, connections over the maximum answered 503 then served."""
    s = Server("--max-body", "100000", "--read-timeout", "3", "--idle-timeout", "1", "--max-connections", "3",
               "--header-limit", "4096")
    try:
        st, h, body = s.request("GET", "/health", headers={"X-Big": "x" * 5000})
        check(st == 431 and "header" in json.loads(body)["error"], "big header: %d" % st)
        st, h, body = s.request("POST", "/v1/eval", b"x" * 100001)
        check(st == 413 and "limit" in json.loads(body)["error"], "big body: %d %r" % (st, body))
        # Chunked, over the limit: 413 too.
        out = raw(s.port, b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + (b"ffff\r\n" + b"y" * 0xffff + b"\r\n") * 2 + b"0\r\n\r\n")
        check(statuses(out) == [413], "chunked over the limit: %r" % out[:200])
        # A slowloris: its header trickles; it is closed after the read timeout, others served meanwhile.
        slow = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        slow.sendall(b"GET /health HTTP/1.1\r\n")
        t0 = time.time()
        closed = None
        for i in range(80):
            try:
                slow.sendall(b"X-A: b\r\n")
            except OSError:
                closed = time.time() - t0
                break
            t1 = time.time()
            check(s.request("GET", "/health", timeout=5)[0] == 200, "others not served during a slowloris")
            check(time.time() - t1 < 1.5, "a request delayed by a slowloris (%.2f s)" % (time.time() - t1))
            time.sleep(0.1)
        if closed is None:
            slow.settimeout(3)
            try:
                closed = time.time() - t0 if slow.recv(100) == b"" else None
            except OSError:
                closed = time.time() - t0
        check(closed is not None and 2 < closed < 7, "slowloris not closed by the 3 s read timeout (%r)" % closed)
        slow.close()
        # Idle keep-alive: the connection is closed after the idle timeout.
        c = s.conn()
        c.request("GET", "/health")
        c.getresponse().read()
        c.sock.settimeout(5)
        t0 = time.time()
        check(c.sock.recv(10) == b"" and 0.5 < time.time() - t0 < 3, "idle keep-alive not closed after 1 s")
        c.close()
        # Max connections (3): a fourth is answered 503, and served once another closes.
        held = []
        for i in range(3):
            c = s.conn()
            c.request("GET", "/health")
            check(c.getresponse().read() and True, "held connection")
            held.append(c)
        st, h, body = s.request("GET", "/health")
        check(st == 503 and "too many connections" in json.loads(body)["error"], "fourth: %d" % st)
        # The 503 goes out at once: a client that sends nothing gets it well before the read timeout.
        t0 = time.time()
        out = raw(s.port, b"", timeout=5, shut=False)
        check(statuses(out) == [503] and time.time() - t0 < 2, "silent fifth: %r after %.2f s" % (out[:80], time.time() - t0))
        held[0].request("GET", "/metrics")
        metrics = held[0].getresponse().read().decode()
        check("casex_connections_refused_total 2" in metrics, "refusals not counted: %s" % metrics[-400:])
        held.pop().close()
        deadline = time.time() + 5
        while s.request("GET", "/health")[0] != 200:
            check(time.time() < deadline, "not served again after a connection closed")
            time.sleep(0.05)
        for c in held:
            c.close()
    finally:
        s.stop()


def test_malformed():
    """Malformed request lines, bad methods, bad Content-Length, chunked bodies, pipelined requests, mid-body disconnects: answered or closed, the service answers everyone else."""
    s = Server("--read-timeout", "2")
    try:
        for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"G@T / HTTP/1.1\r\n\r\n",
                     b"POST /v1/eval HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                     b"POST /v1/eval HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                     b"POST /v1/eval HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                     b"POST /v1/eval HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                     b"\x00\x01\x02\xff\r\n\r\n", b"GET /health HTTP/1.1\r\nBad Header\r\n\r\n"):
            out = raw(s.port, data)
            check(statuses(out) in ([400], []), "%r: %r" % (data, out[:120]))
            check(s.request("GET", "/health")[0] == 200, "not serving after %r" % data)
        out = raw(s.port, b"BREW /health HTTP/1.1\r\nHost: x\r\n\r\n")
        check(statuses(out) == [405], "unknown method: %r" % out[:100])
        # Chunked body: answered like the same body sent whole.
        body = CHANGE
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
        out = raw(s.port, b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  + chunked + b"0\r\n\r\n")
        _, expected, _ = casex("eval", stdin=CHANGE)
        check(statuses(out) == [200] and out.endswith(expected), "chunked: %r" % out[-300:])
        # Pipelined: three requests in one write, answered in order.
        req = lambda p, b: b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (p, len(b), b)
        out = raw(s.port, req(b"/v1/eval", CHANGE) + b"GET /v1/rules/version HTTP/1.1\r\nHost: x\r\n\r\n"
                  + req(b"/v1/eval", INCOMING) + b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(statuses(out) == [200, 200, 200, 200], "pipelined: %r" % statuses(out))
        i1, i2, i3 = out.find(b'"operations"'), out.find(b'{"version"'), out.find(b'"comments"')
        check(0 < i1 < i2 < i3, "pipelined answers out of order")
        # Lines in chunks of every size, split mid-line.
        lines = (CHANGE.replace(b"\n", b" ") + b"\n") * 50
        _, expected, _ = casex("eval", "--lines", stdin=lines)
        for size in (1, 13, 4096):
            parts = b"".join(b"%x\r\n%s\r\n" % (len(lines[i:i + size]), lines[i:i + size]) for i in range(0, len(lines), size))
            out = raw(s.port, b"POST /v1/eval/lines HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                      + parts + b"0\r\n\r\n")
            check(statuses(out) == [200] and out.endswith(expected), "lines in chunks of %d" % size)
        # Mid-body disconnects, many at once, then everyone else answered.
        for i in range(50):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"POST /v1/eval/lines HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + CHANGE[:30])
            c.close()
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
            c.close()
        st, _, body = s.request("POST", "/v1/eval", CHANGE)
        check(st == 200 and body == expected.split(b"\n")[0] + b"\n", "not serving after disconnects")
        # Expect: 100-continue (curl sends it for large bodies).
        p = subprocess.run(["curl", "-sS", "-H", "Expect: 100-continue", "--data-binary", "@-",
                            "http://127.0.0.1:%d/v1/eval" % s.port], input=CHANGE, capture_output=True, timeout=30)
        check(p.stdout == expected.split(b"\n")[0] + b"\n", "Expect: 100-continue: %r" % p.stdout)
        check(s.alive(), "casex serve died")
    finally:
        s.stop()


def test_reload_under_load():
    """4 client threads for 10 s while good and broken rules are reloaded every 50 ms: 0 failed requests, every version seen was in effect."""
    seconds = float(os.environ.get("CASEX_SERVE_LOAD_SECONDS", "10"))
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        write_rules(rules)
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write("t0ken")
        s = Server("--rules", rules, "--token-file", token, "--threads", "4")
        _, expected, _ = casex("eval", stdin=CHANGE)
        in_effect = {s.version}
        seen, failures, counts = set(), [], [0] * 4
        stop = threading.Event()

        def client(k):
            c = s.conn(timeout=30)
            while not stop.is_set():
                try:
                    c.request("POST", "/v1/eval", CHANGE)
                    r = c.getresponse()
                    body = r.read()
                    if r.status != 200 or body != expected:
                        failures.append((r.status, body[:200]))
                    seen.add(r.getheader("X-Casex-Rules-Version"))
                    counts[k] += 1
                except Exception as e:  # a failed request
                    failures.append(repr(e))
                    c.close()
                    c = s.conn(timeout=30)
            c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        reloads = {200: 0, 422: 0}
        try:
            end = time.time() + seconds
            n = 0
            while time.time() < end:
                n += 1
                write_rules(rules, comment="v%d" % n, broken=n % 2 == 0)
                st, h, body = s.request("POST", "/v1/reload", b"", {"Authorization": "Bearer t0ken"})
                doc = json.loads(body)
                check(st == (422 if n % 2 == 0 else 200), "reload %d: %d %r" % (n, st, body[:200]))
                reloads[st] += 1
                in_effect.add(doc["version"])
                time.sleep(0.05)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
            s.stop()
        total = sum(counts)
        print("%d requests in %.0f s on 4 threads, %d good and %d broken reloads, %d versions seen"
              % (total, seconds, reloads[200], reloads[422], len(seen)))
        check(not failures, "%d failed requests, e.g. %r" % (len(failures), failures[:3]))
        check(all(counts), "a client thread made no request: %r" % counts)
        check(seen <= in_effect, "versions never in effect were seen: %r" % (seen - in_effect))
        check(reloads[200] >= 5 and reloads[422] >= 5, "too few reloads: %r" % reloads)
        check(len(seen) >= 2, "no reload seen by the clients")
    finally:
        shutil.rmtree(tmp)


def test_tls():
    """HTTPS with a self-signed certificate made by openssl, through curl --cacert."""
    if not shutil.which("openssl") or not shutil.which("curl"):
        print("openssl or curl missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)
        s = Server("--tls-cert", cert, "--tls-key", key)
        try:
            check(s.scheme == "https", "the ready line does not say https")
            url = "https://127.0.0.1:%d" % s.port
            _, expected, _ = casex("eval", stdin=CHANGE)
            p = subprocess.run(["curl", "-sS", "--cacert", cert, "-D", "-", "--data-binary", "@-", url + "/v1/eval"],
                               input=CHANGE, capture_output=True, timeout=30)
            check(p.returncode == 0 and p.stdout.endswith(b"\r\n\r\n" + expected), "curl eval: %r %r" % (p.stdout, p.stderr))
            check(("x-casex-rules-version: " + s.version).encode() in p.stdout.lower(), "no version header over TLS")
            p = subprocess.run(["curl", "-sS", "--cacert", cert, url + "/health", url + "/ready"], capture_output=True, timeout=30)
            check(p.stdout == b'{"status":"ok"}\n{"status":"ready"}\n', "curl health: %r" % p.stdout)
            p = subprocess.run(["curl", "-sS", url + "/health"], capture_output=True, timeout=30)
            check(p.returncode != 0, "curl trusted the certificate without --cacert")
            out = raw(s.port, b"GET /health HTTP/1.1\r\n\r\n", timeout=5)  # plain HTTP to the TLS port
            check(b"200" not in out, "plain HTTP answered on the TLS port")
            p = subprocess.run(["curl", "-sS", "--cacert", cert, url + "/health"], capture_output=True, timeout=30)
            check(p.stdout == b'{"status":"ok"}\n', "not serving after a plain HTTP client")
        finally:
            s.stop()
        # Over --max-connections (1), a TLS connection is closed before the handshake; served again later.
        import ssl
        ctx = ssl.create_default_context(cafile=cert)
        s = Server("--tls-cert", cert, "--tls-key", key, "--max-connections", "1")
        try:
            held = http.client.HTTPSConnection("127.0.0.1", s.port, timeout=10, context=ctx)
            held.request("GET", "/health")
            check(held.getresponse().read() == b'{"status":"ok"}\n', "held TLS connection")
            t0 = time.time()
            refused = None
            try:
                with ctx.wrap_socket(socket.create_connection(("127.0.0.1", s.port), timeout=5),
                                     server_hostname="localhost") as t:
                    t.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    refused = t.recv(100)
            except (ssl.SSLError, ConnectionError, socket.timeout) as e:
                refused = type(e).__name__
            check(isinstance(refused, str) and time.time() - t0 < 3,
                  "second TLS connection not closed before the handshake: %r" % refused)
            held.request("GET", "/metrics")
            check("casex_connections_refused_total 1" in held.getresponse().read().decode(), "TLS refusal not counted")
            held.close()
            deadline = time.time() + 5
            while True:
                p = subprocess.run(["curl", "-sS", "--cacert", cert, url.rsplit(":", 1)[0] + ":%d/health" % s.port],
                                   capture_output=True, timeout=30)
                if p.stdout == b'{"status":"ok"}\n':
                    break
                check(time.time() < deadline, "TLS not served again after the held connection closed")
                time.sleep(0.05)
        finally:
            s.stop()
        # A key that does not load: exit 2, one line.
        with open(os.path.join(tmp, "bad.pem"), "w") as f:
            f.write("not a key\n")
        p = subprocess.run([CASEX, "serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key",
                            os.path.join(tmp, "bad.pem")], capture_output=True, timeout=30)
        check(p.returncode == 2 and p.stderr.startswith(b"casex serve: --tls-key"), "bad key: %r" % p.stderr)
    finally:
        shutil.rmtree(tmp)


def log_lines(path):
    """The JSON lines of an access log. A line is written and flushed before its answer is
    sent, so once a client has read an answer its line is there: read at once, no polling."""
    with open(path) as f:
        return [json.loads(l) for l in f]


def test_access_log():
    """--access-log: one JSON line per answered request (time, remote, method, target, status, bytes, duration_us, request_id), in the file before the client has its answer, in the order answered; an unopenable file is exit 2."""
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        path = os.path.join(tmp, "access.jsonl")
        s = Server("--access-log", path)
        try:
            c = s.conn()
            c.request("POST", "/v1/eval?x=1", body=CHANGE, headers={"X-Request-Id": "acc-1"})
            r = c.getresponse()
            body = r.read()
            check(r.status == 200, "eval: %d" % r.status)
            port = c.sock.getsockname()[1]
            lines = log_lines(path)
            check(len(lines) == 1, "lines after one request: %r" % lines)
            e = lines[0]
            check(sorted(e) == sorted(["time", "remote", "method", "target", "status", "bytes", "duration_us", "request_id"]),
                  "keys: %r" % sorted(e))
            check(e["method"] == "POST" and e["target"] == "/v1/eval?x=1" and e["status"] == 200, "line: %r" % e)
            check(e["bytes"] == len(body) and e["request_id"] == "acc-1", "bytes/id: %r" % e)
            check(e["remote"] == "127.0.0.1:%d" % port, "remote %r, client port %d" % (e["remote"], port))
            check(isinstance(e["duration_us"], int) and 0 <= e["duration_us"] < 10_000_000, "duration: %r" % e)
            check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["time"]) and
                  abs(time.mktime(time.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone - time.time()) < 60,
                  "time: %r" % e["time"])
            c.request("GET", "/nowhere")
            r = c.getresponse()
            r.read()
            check(len(log_lines(path)) == 2, "no line for GET /nowhere once it was answered")
            c.close()
            raw(s.port, b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")  # Beast parses it; 405/404
            raw(s.port, b"GET /\x01bad HTTP/1.1\r\n\r\n")        # malformed: 400, no request line known
            lines = log_lines(path)
            check(len(lines) == 4, "lines after four answers: %r" % lines)
            check([(l["method"], l["target"], l["status"]) for l in lines[1:]] ==
                  [("GET", "/nowhere", 404), ("BREW", "/pot", lines[2]["status"]), (None, None, 400)],
                  "later lines: %r" % lines[1:])
            check(lines[2]["status"] in (404, 405) and lines[3]["request_id"] is None, "BREW/400: %r" % lines[2:])
        finally:
            s.stop()
        p = subprocess.run([CASEX, "serve", "--listen", "127.0.0.1:0", "--access-log", os.path.join(tmp, "no", "such.log")],
                           capture_output=True, timeout=30)
        check(p.returncode == 2 and p.stderr.startswith(b"casex serve: --access-log cannot open"), "bad path: %r" % p.stderr)
    finally:
        shutil.rmtree(tmp)


def test_decision_log():
    """--log: the decision log of `casex eval --log` (the engine's log hook), one line per decision of
    POST /v1/eval and of each good line of POST /v1/eval/lines, each with its request's id; in the
    file before the answer is sent; bad documents and other endpoints log nothing."""
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        path = os.path.join(tmp, "decisions.jsonl")
        ref = os.path.join(tmp, "ref.jsonl")
        flat_change, flat_incoming = CHANGE.replace(b"\n", b" "), INCOMING.replace(b"\n", b" ")
        lines = flat_change + b"\n{oops\n" + flat_incoming + b"\n"
        code, _, err = casex("eval", "--lines", "--log", ref, stdin=flat_change + b"\n" + lines)
        check(code == 1, "casex eval --lines --log (one bad line): exit %d %r" % (code, err))
        with open(ref) as f:
            expected = [json.loads(l) for l in f]  # the change, the change, the incoming operation
        check(len(expected) == 3, "casex eval --log wrote %r" % expected)
        s = Server("--log", path)
        try:
            def logged():
                with open(path) as f:
                    return [json.loads(l) for l in f]
            st, h, _ = s.request("POST", "/v1/eval", flat_change, {"X-Request-Id": "dl-1"})
            check(st == 200 and len(logged()) == 1, "eval: %d, log %r" % (st, logged()))
            st, h, _ = s.request("POST", "/v1/eval", b"{oops")
            check(st == 400 and len(logged()) == 1, "a bad document is no decision: %d %r" % (st, logged()))
            st, h, _ = s.request("POST", "/v1/eval/lines", lines, {"X-Request-Id": "dl-2"})
            check(st == 200 and h.get("X-Casex-Errors") == "1", "eval/lines: %d %r" % (st, h))
            st, h, _ = s.request("POST", "/v1/eval", flat_change)
            generated = h.get("X-Request-Id", "")
            check(st == 200 and generated, "eval without an id: %d %r" % (st, h))
            for method, target in (("GET", "/health"), ("GET", "/metrics"), ("GET", "/v1/rules/version")):
                s.request(method, target)
            got = logged()
            check([e.get("request_id") for e in got] == ["dl-1", "dl-2", "dl-2", generated],
                  "request ids: %r" % [e.get("request_id") for e in got])
            for e, want in zip(got, expected + [expected[0]]):
                check(list(e)[:2] == ["time", "request_id"], "keys: %r" % list(e))
                check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["time"]), "time: %r" % e["time"])
                check(e["rules_version"] == s.version, "version: %r" % e)
                a = {k: v for k, v in e.items() if k not in ("time", "request_id")}
                b = {k: v for k, v in want.items() if k != "time"}
                check(a == b, "serve's line %r differs from casex eval --log's %r" % (a, b))
            check([e["kind"] for e in got] == ["change", "change", "incoming", "change"], "kinds: %r" % got)
        finally:
            s.stop()
    finally:
        shutil.rmtree(tmp)


def test_thousand():
    """1,000 concurrent connections each post a change: every one answered 200 (or refused 503), no crash, memory bounded."""
    s = Server("--max-connections", "1024")
    _, expected, _ = casex("eval", stdin=CHANGE)
    request = b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(CHANGE), CHANGE)
    rss0 = rss_kib(s.proc.pid)

    async def one(results, opened):
        r, w = await asyncio.open_connection("127.0.0.1", s.port)
        opened.append(1)
        while len(opened) < 1000:  # every connection open before any request
            await asyncio.sleep(0.01)
        w.write(request)
        await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
        body = await r.readexactly(length)
        results.append((int(head.split()[1]), body))
        w.close()

    async def main():
        results, opened = [], []
        await asyncio.wait_for(asyncio.gather(*(one(results, opened) for _ in range(1000))), 120)
        return results

    try:
        results = asyncio.run(main())
        peak = rss_kib(s.proc.pid)
        ok = sum(1 for st, b in results if st == 200 and b == expected)
        refused = sum(1 for st, b in results if st == 503)
        print("1000 connections: %d answered, %d refused; RSS %d -> %d KiB" % (ok, refused, rss0, peak))
        check(ok + refused == 1000 and ok >= 1000 - 24, "answers: %d ok, %d refused" % (ok, refused))
        check(peak - rss0 < 200 * 1024, "memory grew by %d KiB" % (peak - rss0))
        check(s.request("GET", "/health")[0] == 200, "not serving afterwards")
    finally:
        s.stop()


def test_drain():
    """SIGTERM: a request in flight (a body still arriving) is answered, new connections are refused, exit 0; bodies that never end are closed at the drain timeout, still exit 0."""
    s = Server()
    c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    c.sendall(b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(CHANGE) + CHANGE[:20])
    idle = s.conn()
    idle.request("GET", "/health")
    idle.getresponse().read()
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    check(s.alive(), "exited with a request in flight")
    try:
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    check(refused, "a new connection was accepted while draining")
    c.sendall(CHANGE[20:])
    out = b""
    c.settimeout(10)
    while True:
        d = c.recv(65536)
        if not d:
            break
        out += d
    _, expected, _ = casex("eval", stdin=CHANGE)
    check(statuses(out) == [200] and out.endswith(expected) and b"Connection: close" in out, "in flight: %r" % out)
    s.stop(timeout=15)
    # A body that never ends: closed at the drain timeout, and the exit is still 0.
    s = Server("--drain-timeout", "1")
    stuck = [socket.create_connection(("127.0.0.1", s.port), timeout=10) for _ in range(4)]
    for c in stuck:
        c.sendall(b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(0.3)
    started = time.time()
    s.stop(timeout=15)
    check(time.time() - started < 10, "the drain took %.1f s with a timeout of 1 s" % (time.time() - started))
    check(any("drain timeout" in l for l in s.lines), "no drain timeout line: %r" % s.lines)
    for c in stuck:
        c.close()


def test_usage():
    """Bad options and unloadable rules: exit 2 with one clear line, never a hang."""
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        for args, want in ((["--listen", "nowhere"], b"casex serve: --listen nowhere: expected HOST:PORT"),
                           (["--listen", "127.0.0.1:99999"], b"casex serve: --listen 127.0.0.1:99999: the port"),
                           (["--listen", "example.com:80"], b"is not an IP address"),
                           (["--token-file", os.path.join(tmp, "none")], b"casex serve: --token-file")):
            p = subprocess.run([CASEX, "serve", *args], capture_output=True, timeout=30)
            check(p.returncode == 2 and want in p.stderr, "%r: %d %r" % (args, p.returncode, p.stderr))
        bad = os.path.join(tmp, "rules")
        os.mkdir(bad)
        write_rules(bad, broken=True)
        p = subprocess.run([CASEX, "serve", "--rules", bad, "--listen", "127.0.0.1:0"], capture_output=True, timeout=30)
        check(p.returncode == 2 and b"error[unknown-field]" in p.stderr, "broken rules: %r" % p.stderr)
        s = Server()
        try:
            p = subprocess.run([CASEX, "serve", "--listen", "127.0.0.1:%d" % s.port], capture_output=True, timeout=30)
            check(p.returncode == 2 and b"cannot listen on" in p.stderr, "port in use: %r" % p.stderr)
        finally:
            s.stop()
        p = subprocess.run([CASEX, "serve", "--help"], capture_output=True, timeout=30)
        for opt in (b"--rules", b"--listen", b"--watch", b"--log", b"--access-log", b"--threads", b"--token-file", b"--tls-cert",
                    b"--tls-key", b"--max-connections", b"--read-timeout", b"--idle-timeout", b"/v1/eval/lines", b"/metrics"):
            check(opt in p.stdout, "--help lacks %r" % opt)
    finally:
        shutil.rmtree(tmp)


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def test_lines_stream():
    """POST /v1/eval/lines of 40 MB (100,000 lines) through curl: the answer, streamed in chunks, is what casex eval --lines prints, and the server's peak memory grows by far less than the body or the answer."""
    if not shutil.which("curl"):
        print("curl missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="casex-serve-")
    try:
        one = CHANGE.replace(b"\n", b" ")
        lines = os.path.join(tmp, "in.jsonl")
        with open(lines, "wb") as f:
            for i in range(100000):
                f.write(one + b"\n" if i % 1000 else b"{bad line\n")
        expected = os.path.join(tmp, "expected.jsonl")
        with open(lines, "rb") as fin, open(expected, "wb") as fout:
            subprocess.run([CASEX, "eval", "--lines", "--jobs", "1"], stdin=fin, stdout=fout, timeout=300)
        s = Server("--threads", "1")
        try:
            base = hwm_kib(s.proc.pid)
            out = os.path.join(tmp, "out.jsonl")
            p = subprocess.run(["curl", "-sS", "-D", os.path.join(tmp, "head"), "-H", "Expect:", "--data-binary",
                                "@" + lines, "-o", out, "http://127.0.0.1:%d/v1/eval/lines" % s.port],
                               capture_output=True, timeout=300)
            check(p.returncode == 0, "curl: %r" % p.stderr)
            head = open(os.path.join(tmp, "head"), "rb").read().lower()
            check(b"transfer-encoding: chunked" in head and b"x-casex-rules-version: " in head, "head: %r" % head)
            check(open(out, "rb").read() == open(expected, "rb").read(), "streamed answer differs from casex eval --lines")
            grown = hwm_kib(s.proc.pid) - base
            size = os.path.getsize(lines) // 1024
            print("body %d KiB, answer %d KiB, peak memory grew by %d KiB" % (size, os.path.getsize(out) // 1024, grown))
            check(grown < 16 * 1024, "peak memory grew by %d KiB for a body of %d KiB" % (grown, size))
            # A small body is still answered whole, with its counts.
            st, h, body = s.request("POST", "/v1/eval/lines", one + b"\n")
            check(st == 200 and h.get("X-Casex-Lines") == "1" and "Content-Length" in h, "small body: %r" % h)
        finally:
            s.stop()
    finally:
        shutil.rmtree(tmp)


def test_lenient_input():
    """A near-miss key is refused with did you mean, as casex eval refuses it; with
    --lenient-input it is read as casex eval --lenient-input reads it (an ignored key)."""
    near = CHANGE.rstrip().rstrip(b"}") + b', "comment_addd": true}'
    code, _, err = casex("eval", stdin=near)
    check(code == 1 and b"did you mean" in err, "casex eval of the near miss: exit %d %r" % (code, err))
    s = Server()
    try:
        st, _, body = s.request("POST", "/v1/eval", near)
        check(st == 400, "strict: status %d %r" % (st, body))
        check(json.loads(body) == {"error": err.decode().strip()[len("casex eval: "):]},
              "strict: %r is not casex eval's %r" % (body, err))
    finally:
        s.stop()
    code, expected, _ = casex("eval", "--lenient-input", stdin=near)
    check(code == 0, "casex eval --lenient-input of the near miss: exit %d" % code)
    s = Server("--lenient-input")
    try:
        st, _, body = s.request("POST", "/v1/eval", near)
        check(st == 200 and body == expected, "lenient: %d %r != casex eval's %r" % (st, body, expected))
        lines = near.replace(b"\n", b" ") + b"\n" + near.replace(b"\n", b" ") + b"\n"
        _, expected_lines, _ = casex("eval", "--lines", "--lenient-input", stdin=lines)
        st, h, body = s.request("POST", "/v1/eval/lines", lines)
        check(st == 200 and body == expected_lines and h.get("X-Casex-Errors") == "0",
              "lenient lines: %d %r %r" % (st, body, h))
    finally:
        s.stop()
    return 0


TESTS = {
    "endpoints": test_endpoints,
    "reload": test_reload,
    "limits": test_limits,
    "malformed": test_malformed,
    "reload-under-load": test_reload_under_load,
    "tls": test_tls,
    "thousand": test_thousand,
    "access-log": test_access_log,
    "decision-log": test_decision_log,
    "drain": test_drain,
    "usage": test_usage,
    "lines-stream": test_lines_stream,
    "lenient-input": test_lenient_input,
}

if __name__ == "__main__":
    try:
        code = TESTS[sys.argv[3]]()
    except Fail as e:
        print("FAIL:", e)
        sys.exit(1)
    sys.exit(code or 0)
