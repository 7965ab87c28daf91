#!/usr/bin/env python3
"""tests/browser/simulator_test.py: the page at / of `casex serve` in headless Chromium
(Selenium + chromedriver), against servers this test starts on 127.0.0.1 (free ports).

Usage: simulator_test.py CASEX SOURCE_DIR ARTIFACTS_DIR
Exit status: 0 pass, 1 fail, 77 skipped (no chromium, chromedriver or python3-selenium).

One browser session serves every check but the share link's (a fresh profile):
  - changes covering every table row of the default rules, filled through the form (not the
    JSON), evaluated: the operations shown are `casex eval`'s on the same document;
  - Explain marks as HIT exactly the rules `casex explain --format json` reports as hits;
  - an incoming operation: the snapshot after it, changed fields highlighted, as `casex eval`;
  - the JSON editor and the form follow each other; invalid JSON is shown and never sent;
  - a copy of the rules with shadowed rules shows the finding; "Try it" runs its witness and
    the shadowing rule is marked HIT; a --tests scenario shows PASS, a wrong one FAIL;
  - the share link restores the same change in a fresh browser profile;
  - nothing is requested from another host; every control has a label;
  - screenshots at 360 px and 1280 px in ARTIFACTS_DIR.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

# Debian's python3-selenium is in the system Python's dist-packages: run there when the
# python3 first on PATH (e.g. a pyenv one) lacks it.
try:
    from selenium import webdriver
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    print("SKIP: python3-selenium is not installed (tools/setup.sh installs it)")
    sys.exit(77)
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CASEX, SOURCE, ARTIFACTS = sys.argv[1], sys.argv[2], sys.argv[3]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
if not CHROMIUM or not CHROMEDRIVER:
    print("SKIP: chromium or chromedriver is not installed (tools/setup.sh installs chromium and chromium-driver)")
    sys.exit(77)


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Server:
    """casex serve on 127.0.0.1, a free port."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([CASEX, "serve", "--listen", "127.0.0.1:0", "--threads", "2", *args],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        line = self.proc.stderr.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        check(m is not None, "casex serve did not start: %r" % line)
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.read().decode()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def casex(*args, stdin):
    p = subprocess.run([CASEX, *args], input=stdin.encode(), capture_output=True, timeout=60)
    check(p.returncode in (0, 1), "casex %s: %d %r" % (args, p.returncode, p.stderr))
    return p.stdout.decode()


def browser(profile):
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--hide-scrollbars", "--window-size=1280,900", "--user-data-dir=" + profile):
        o.add_argument(a)
    d = webdriver.Chrome(service=ChromeService(executable_path=CHROMEDRIVER), options=o)
    d.set_script_timeout(30)
    return d


def open_page(d, url):
    d.get(url)
    WebDriverWait(d, 30).until(lambda d: d.execute_script("return document.body.getAttribute('data-sim-ready')") == "yes")


def wait_result(d, attr="data-state"):
    WebDriverWait(d, 30).until(lambda d: d.execute_script(
        "return document.getElementById('sim-result').getAttribute(arguments[0])", attr) is not None)


def click_and_wait(d, button, attr="data-state"):
    d.execute_script("var r = document.getElementById('sim-result'); r.removeAttribute('data-state'); "
                     "r.removeAttribute('data-explained');")
    d.find_element(By.ID, button).click()
    wait_result(d, attr)


def typed(d, id_, value):
    """Types `value` into a text input as a user would (select all, delete, type)."""
    e = d.find_element(By.ID, id_) if isinstance(id_, str) else id_
    value = "" if value is None else str(value)
    if e.get_attribute("value") == value:
        return
    e.send_keys(Keys.CONTROL, "a")
    e.send_keys(Keys.DELETE)
    if value:
        e.send_keys(value)


def choose(d, id_, value):
    Select(d.find_element(By.ID, id_)).select_by_value("" if value is None else str(value))


def fill_control(d, id_, value):
    e = d.find_element(By.ID, id_)
    if e.tag_name == "select":
        choose(d, id_, value if not isinstance(value, bool) else str(value).lower())
    else:
        typed(d, e, value)


def fill_change(d, vocab, doc):
    """Fills the change form from `doc`, control by control."""
    if not d.find_element(By.ID, "sim-kind-change").is_selected():
        d.find_element(By.ID, "sim-kind-change").click()
    typed(d, "sim-incident", doc.get("incident"))
    for side in ("before", "after"):
        for f in vocab["fields"]:
            fill_control(d, "sim-%s-%s" % (side, f["name"]), (doc.get(side) or {}).get(f["name"]))
    for e in vocab["events"]:
        box = d.find_element(By.ID, "sim-event-" + e)
        if box.is_selected() != bool(doc.get(e)):
            box.click()
    ref = doc.get("external_reference") or {}
    typed(d, "sim-ref-system", ref.get("system"))
    typed(d, "sim-ref-id", ref.get("id"))
    for b in d.find_elements(By.CSS_SELECTOR, "#sim-groups .sim-remove-group"):
        b.click()
    for name, system in (doc.get("groups") or {}).items():
        d.find_element(By.ID, "sim-add-group").click()
        row = d.find_elements(By.CSS_SELECTOR, "#sim-groups .sim-row")[-1]
        typed(d, row.find_element(By.CSS_SELECTOR, ".sim-group-name"), name)
        typed(d, row.find_element(By.CSS_SELECTOR, ".sim-group-system"), system)
    typed(d, "sim-origin", doc.get("origin"))


def shown_ops(d, table):
    return [{"operation": r.get_attribute("data-operation"), "system": r.get_attribute("data-system") or None,
             "phase": r.get_attribute("data-phase"), "rule": r.get_attribute("data-rule")}
            for r in d.find_elements(By.CSS_SELECTOR, "#%s tbody tr[data-rule]" % table)]


def marked(d, outcome):
    return sorted(e.get_attribute("data-rule") for e in
                  d.find_elements(By.CSS_SELECTOR, "section.table tr[data-sim='%s']" % outcome))


def editor_doc(d):
    return json.loads(d.find_element(By.ID, "sim-json").get_attribute("value"))


def test_changes(d, server, vocab):
    """8+ changes covering every table row: the form's Evaluate equals casex eval, Explain casex explain."""
    rows = set(e.get_attribute("data-rule") for e in d.find_elements(By.CSS_SELECTOR, "section.table tr[data-rule]"))
    check(len(rows) >= 10, "table rows on the page: %r" % rows)
    cases = [c for c in json.loads(server.get("/v1/scenarios"))["cases"]
             if c["input"] and "incoming" not in c["input"] and "before" in c["input"]]
    # Greedy: the cases that fire rows not yet covered, until every row is (and at least 8 cases).
    fired = {}
    for c in cases:
        out = json.loads(casex("eval", stdin=json.dumps(c["input"])) or "{}")
        fired[c["name"]] = set(o["rule"] for o in out.get("operations", []) + out.get("suppressed", [])) & rows
    chosen, covered = [], set()
    for c in sorted(cases, key=lambda c: -len(fired[c["name"]])):
        if fired[c["name"]] - covered or len(chosen) < 8:
            chosen.append(c)
            covered |= fired[c["name"]]
    check(covered == rows, "the scenarios do not cover the rows %r" % (rows - covered))
    check(len(chosen) >= 8, "only %d changes" % len(chosen))
    for c in chosen:
        doc = c["input"]
        fill_change(d, vocab, doc)
        text = json.dumps(doc)
        click_and_wait(d, "sim-explain", "data-explained")
        want = json.loads(casex("eval", stdin=text))
        check(d.find_element(By.ID, "sim-phase").text == want["phase"], "%s: phase %s, casex eval %s"
              % (c["name"], d.find_element(By.ID, "sim-phase").text, want["phase"]))
        check(shown_ops(d, "sim-sent") == want["operations"], "%s: sent %r, casex eval %r"
              % (c["name"], shown_ops(d, "sim-sent"), want["operations"]))
        check(shown_ops(d, "sim-suppressed") == want["suppressed"], "%s: suppressed %r, casex eval %r"
              % (c["name"], shown_ops(d, "sim-suppressed"), want["suppressed"]))
        x = json.loads(casex("explain", "--format", "json", stdin=text))
        hits = sorted(h for s in x["steps"] for h in s["hit"])
        check(marked(d, "hit") == hits, "%s: rows marked HIT %r, casex explain %r" % (c["name"], marked(d, "hit"), hits))
        consulted = set(s["table"] for s in x["steps"])
        for sec in d.find_elements(By.CSS_SELECTOR, "section.table[data-table]"):
            dim = "sim-dim" in sec.get_attribute("class").split()
            check(dim == (sec.get_attribute("data-table") not in consulted), "%s: table %s dimmed=%s"
                  % (c["name"], sec.get_attribute("data-table"), dim))
        if x["workflow"]["move"]:
            check(d.find_elements(By.CSS_SELECTOR, "tr[data-move='%s'][data-sim='hit']" % x["workflow"]["move"])
                  and d.find_elements(By.CSS_SELECTOR, "svg path.move.sim-taken"), "%s: the move is not marked" % c["name"])
        for step in x["steps"]:
            first = next((i for i, r in enumerate(step["rules"]) if r["outcome"] == "hit"), None)
            for i, r in enumerate(step["rules"]):
                if step["hit_policy"] == "first" and first is not None and i > first:
                    want_mark = "notreached"
                elif r["outcome"] in ("hit", "no-match"):
                    want_mark = {"hit": "hit", "no-match": "nomatch"}[r["outcome"]]
                else:
                    want_mark = "matched"
                row = d.find_element(By.CSS_SELECTOR, "section[data-table='%s'] tr[data-rule='%s']" % (step["table"], r["id"]))
                check(row.get_attribute("data-sim") == want_mark, "%s: row %s marked %s, not %s"
                      % (c["name"], r["id"], row.get_attribute("data-sim"), want_mark))
                if want_mark == "nomatch":
                    failed = [b["expr"] for b in r["because"] if not b["is"]]
                    shown = [e.text for e in row.find_elements(By.CSS_SELECTOR, ".sim-why code")]
                    check(shown == failed, "%s: no-match row %s shows %r, not the failed %r" % (c["name"], r["id"], shown, failed))
    print("changes: %d filled through the form, %d rows covered, eval and explain agree" % (len(chosen), len(rows)))
    return chosen


def test_incoming(d, vocab):
    doc = json.load(open(os.path.join(SOURCE, "examples", "incoming.json")))
    d.find_element(By.ID, "sim-kind-incoming").click()
    choose(d, "sim-in-operation", doc["incoming"])
    typed(d, "sim-in-system", doc["system"])
    typed(d, "sim-in-id", doc["id"])
    for f in vocab["fields"]:
        fill_control(d, "sim-in-" + f["name"], doc["incident"].get(f["name"]))
    typed(d, "sim-in-ref-system", doc["external_reference"]["system"])
    typed(d, "sim-in-ref-id", doc["external_reference"]["id"])
    click_and_wait(d, "sim-explain", "data-explained")
    want = json.loads(casex("eval", stdin=json.dumps(editor_doc(d))))
    for k, v in want["incident"].items():
        row = d.find_element(By.CSS_SELECTOR, "#sim-snapshot tr[data-field='%s']" % k)
        changed = doc["incident"].get(k) != v
        check(("changed" in (row.get_attribute("class") or "")) == changed, "incoming: %s changed=%s" % (k, changed))
        check(json.dumps(v) in row.text, "incoming: %s after is not %r: %r" % (k, v, row.text))
    comments = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#sim-comments li")]
    check(comments == want["comments"], "incoming comments %r, casex eval %r" % (comments, want["comments"]))
    check(d.find_element(By.ID, "sim-in-rule").text == want["rule"], "incoming rule")
    check(d.find_elements(By.CSS_SELECTOR, "#incoming tr[data-rule='%s'][data-sim='hit']" % want["rule"]),
          "the incoming rule is not marked HIT")
    d.find_element(By.ID, "sim-kind-change").click()
    print("incoming: the snapshot after %s as casex eval, changed fields highlighted" % doc["incoming"])


def evals(server):
    m = re.search(r'casex_http_requests_total\{endpoint="/v1/eval",status="200"\} (\d+)', server.get("/metrics"))
    return int(m.group(1)) if m else 0


def test_json_sync(d, server):
    """The editor follows the form, the form the editor; invalid JSON is shown, never sent."""
    if not d.find_element(By.ID, "sim-json-box").get_attribute("open"):
        d.find_element(By.CSS_SELECTOR, "#sim-json-box summary").click()
    choose(d, "sim-after-phase", "Escalate")
    typed(d, "sim-after-solution", "Fixed it")
    doc = editor_doc(d)
    check(doc["after"]["phase"] == "Escalate" and doc["after"]["solution"] == "Fixed it", "the editor does not follow the form: %r" % doc)
    doc["after"]["phase"] = "Review"
    doc["before"]["assignment"] = "Service Desk"
    doc["comment_added"] = True
    editor = d.find_element(By.ID, "sim-json")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(json.dumps(doc))
    check(Select(d.find_element(By.ID, "sim-after-phase")).first_selected_option.get_attribute("value") == "Review",
          "the form's after.phase does not follow the editor")
    check(d.find_element(By.ID, "sim-before-assignment").get_attribute("value") == "Service Desk", "before.assignment")
    check(d.find_element(By.ID, "sim-event-comment_added").is_selected(), "comment_added")
    before = evals(server)
    editor.send_keys(Keys.END, "{oops")
    error = d.find_element(By.ID, "sim-json-error").text
    check("Invalid JSON" in error, "invalid JSON is not shown: %r" % error)
    d.find_element(By.ID, "sim-evaluate").click()
    time.sleep(0.3)
    check(evals(server) == before, "invalid JSON was sent")
    editor.send_keys(Keys.BACKSPACE * 5)
    check(d.find_element(By.ID, "sim-json-error").text == "", "the error stays once the JSON is valid again")
    print("json: editor and form in sync, invalid JSON shown and not sent")


def test_share(server, doc, profile):
    """The link restores the same change in a fresh profile."""
    d = browser(profile)
    try:
        open_page(d, server.url + "/")
        fill_change(d, json.loads(server.get("/v1/vocabulary")), doc)
        link = d.find_element(By.ID, "sim-share").get_attribute("href")
        want = editor_doc(d)
    finally:
        d.quit()
    check("#try=" in link and link.startswith(server.url), "share link %r" % link)
    fresh = browser(profile + "-fresh")
    try:
        open_page(fresh, link)
        wait_result(fresh, "data-explained")
        check(editor_doc(fresh) == want, "the link restores %r, not %r" % (editor_doc(fresh), want))
        check(Select(fresh.find_element(By.ID, "sim-after-phase")).first_selected_option.get_attribute("value")
              == want["after"]["phase"], "the form is not restored")
        check(shown_ops(fresh, "sim-sent") == json.loads(casex("eval", stdin=json.dumps(want)))["operations"],
              "the restored change's result")
    finally:
        fresh.quit()
    print("share: the link restores the change in a fresh profile")


def test_page_hygiene(d, server):
    origin = server.url
    urls = d.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    check(all(u.startswith(origin) for u in urls), "requests to other hosts: %r" % urls)
    html = server.get("/")
    check(not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html), "the page loads from another host")
    unlabelled = d.execute_script("""
      return Array.prototype.filter.call(document.querySelectorAll('#sim input, #sim select, #sim textarea'),
        function (e) { return !(e.labels && e.labels.length) && !e.getAttribute('aria-label'); })
        .map(function (e) { return e.id || e.className; });""")
    check(unlabelled == [], "controls without a label: %r" % unlabelled)


def test_shadowed(d, tmp):
    """A copy of the rules with shadowed rules: the finding shows, Try it runs the witness."""
    rules = os.path.join(tmp, "rules")
    shutil.copytree(os.path.join(SOURCE, "rules"), rules)
    shutil.copy(os.path.join(SOURCE, "tests", "data", "lint", "shadowed-rule.yaml"), os.path.join(rules, "done.yaml"))
    tests = os.path.join(tmp, "tests")
    os.mkdir(tests)
    case = ('  - name: %s\n    input: {before: {phase: Close}, after: {phase: Close, completion_code: WithdrawnbyUser},'
            ' external_reference: {system: SM, id: X}}\n    expect: {operations: [{operation: %s, rule: %s}]}\n')
    with open(os.path.join(tests, "done.yaml"), "w") as f:
        f.write("cases:\n" + case % ("withdrawn closes", "Close", "done.close-any")
                + case % ("withdrawn cancels", "Cancel", "done.cancel"))
    server = Server("--rules", rules, "--tests", tests)
    try:
        open_page(d, server.url + "/")
        finding = d.find_element(By.CSS_SELECTOR, "tr[data-rule='done.cancel'] .finding[data-code='shadowed-rule']")
        check("done.close-any" in finding.text, "the finding: %r" % finding.text)
        d.execute_script("document.getElementById('sim-result').removeAttribute('data-explained')")
        finding.find_element(By.CSS_SELECTOR, "button.sim-try").click()
        wait_result(d, "data-explained")
        check(marked(d, "hit") == ["done.close-any"], "after Try it, HIT: %r" % marked(d, "hit"))
        check(marked(d, "notreached")[:1] == ["done.cancel"] or "done.cancel" in marked(d, "notreached"),
              "the shadowed rule is not 'not reached': %r" % marked(d, "notreached"))
        check([o["rule"] for o in shown_ops(d, "sim-sent")] == ["done.close-any"], "sent: %r" % shown_ops(d, "sim-sent"))
        check(editor_doc(d)["after"]["completion_code"] == "WithdrawnbyUser", "the witness is not in the panel")
        # Scenarios of --tests: one passes, one fails.
        items = d.find_elements(By.CSS_SELECTOR, "#sim-scenario-list button.sim-scenario")
        check([b.text for b in items] == ["withdrawn closes", "withdrawn cancels"], "scenarios: %r" % [b.text for b in items])
        for b, verdict in zip(items, ("PASS", "FAIL")):
            d.execute_script("var v = document.getElementById('sim-verdict'); if (v) v.remove();")
            b.click()
            WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sim-verdict .verdict"))
            got = d.find_element(By.CSS_SELECTOR, "#sim-verdict .verdict").text
            check(got == verdict, "scenario %s: %s, expected %s" % (b.text, got, verdict))
        print("shadowed: the finding shows, Try it marks done.close-any HIT; scenarios PASS and FAIL")
    finally:
        server.stop()


def screenshots(d, server, doc, vocab):
    os.makedirs(ARTIFACTS, exist_ok=True)
    for width in (1280, 360):
        d.set_window_size(width, 1000)
        open_page(d, server.url + "/")
        fill_change(d, vocab, doc)
        click_and_wait(d, "sim-explain", "data-explained")
        d.execute_script("window.scrollTo(0, 0)")
        overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, "the page is %d px wider than a %d px window" % (overflow, width))
        path = os.path.join(ARTIFACTS, "casex-serve-%d.png" % width)
        d.save_screenshot(path)
        check(os.path.getsize(path) > 1000, "screenshot " + path)
        print("screenshot: " + path)


def main():
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="casex-sim-")
    server = Server("--tests", os.path.join(SOURCE, "tests", "rules"))
    d = None
    try:
        d = browser(os.path.join(tmp, "profile"))
        open_page(d, server.url + "/")
        vocab = json.loads(server.get("/v1/vocabulary"))
        test_page_hygiene(d, server)
        chosen = test_changes(d, server, vocab)
        test_incoming(d, vocab)
        test_json_sync(d, server)
        test_shadowed(d, tmp)
        example = json.load(open(os.path.join(SOURCE, "examples", "change.json")))
        screenshots(d, server, example, vocab)
        d.quit()
        d = None
        test_share(server, chosen[0]["input"], os.path.join(tmp, "share"))
    except Fail as e:
        print("FAIL: %s" % e)
        if d is not None:
            os.makedirs(ARTIFACTS, exist_ok=True)
            d.save_screenshot(os.path.join(ARTIFACTS, "failure.png"))
        return 1
    finally:
        if d is not None:
            d.quit()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("pass in %.1f s" % (time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
