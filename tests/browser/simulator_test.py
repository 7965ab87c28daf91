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
  - nothing is requested from another host; every control has a label; without JavaScript
    the tables are readable;
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
from selenium.webdriver.support.ui import WebDriverWait

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


def wait(d):
    return WebDriverWait(d, 30, poll_frequency=0.05)


def open_page(d, url):
    d.get(url)
    wait(d).until(lambda d: d.execute_script("return document.body.getAttribute('data-sim-ready')") == "yes")


def wait_result(d, attr="data-state"):
    wait(d).until(lambda d: d.execute_script(
        "return document.getElementById('sim-result').getAttribute(arguments[0])", attr) is not None)


def click_and_wait(d, button, attr="data-state"):
    d.execute_script("var r = document.getElementById('sim-result'); r.removeAttribute('data-state'); "
                     "r.removeAttribute('data-explained');")
    d.find_element(By.ID, button).click()
    wait_result(d, attr)


def typed(d, e, value):
    """Types `value` into a text input as a user would: select all, type over it (or delete)."""
    e = d.find_element(By.ID, e) if isinstance(e, str) else e
    value = "" if value is None else str(value)
    e.send_keys(Keys.CONTROL, "a", Keys.NULL, value or Keys.DELETE)


def choose(d, id_, value):
    value = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    d.find_element(By.CSS_SELECTOR, "#%s option[value='%s']" % (id_, value)).click()


# The form's controls and their values, in one call: {id: [element, value or checked]}.
CONTROLS = """
  var out = {};
  document.querySelectorAll('#sim input[id], #sim select[id]').forEach(function (e) {
    out[e.id] = [e, e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value];
  });
  out.groups = Array.prototype.map.call(document.querySelectorAll('#sim-groups .sim-row'), function (r) {
    return [r.querySelector('.sim-group-name').value, r.querySelector('.sim-group-system').value];
  });
  return out;"""


def fill(d, controls, id_, value):
    """Sets one control of the form as a user would, when it does not hold `value` already."""
    e, now = controls[id_]
    if isinstance(now, bool):
        if now != bool(value):
            e.click()
        return
    want = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if now == want:
        return
    if e.tag_name == "select":
        choose(d, id_, want)
    else:
        typed(d, e, want)


def fill_change(d, vocab, doc):
    """Fills the change form from `doc`, control by control (only those that differ)."""
    c = d.execute_script(CONTROLS)
    fill(d, c, "sim-kind-change", True)
    fill(d, c, "sim-record", doc.get(vocab["record"]))  # the record's name comes from the vocabulary
    for side in ("before", "after"):
        for f in vocab["fields"]:
            fill(d, c, "sim-%s-%s" % (side, f["name"]), (doc.get(side) or {}).get(f["name"]))
    for e in vocab["events"]:
        fill(d, c, "sim-event-" + e, bool(doc.get(e)))
    ref = doc.get("external_reference") or {}
    fill(d, c, "sim-ref-system", ref.get("system"))
    fill(d, c, "sim-ref-id", ref.get("id"))
    groups = [[k, v or ""] for k, v in (doc.get("groups") or {}).items()]
    if c["groups"] != groups:
        for b in d.find_elements(By.CSS_SELECTOR, "#sim-groups .sim-remove-group"):
            b.click()
        for name, system in groups:
            d.find_element(By.ID, "sim-add-group").click()
            row = d.find_elements(By.CSS_SELECTOR, "#sim-groups .sim-row")[-1]
            typed(d, row.find_element(By.CSS_SELECTOR, ".sim-group-name"), name)
            typed(d, row.find_element(By.CSS_SELECTOR, ".sim-group-system"), system)
    fill(d, c, "sim-origin", doc.get("origin"))


def shown_ops(d, table):
    return d.execute_script("""
      return Array.prototype.map.call(document.querySelectorAll('#' + arguments[0] + ' tbody tr[data-rule]'), function (r) {
        return {operation: r.getAttribute('data-operation'), system: r.getAttribute('data-system') || null,
                phase: r.getAttribute('data-phase'), rule: r.getAttribute('data-rule')};
      });""", table)


def marked(d, outcome):
    return sorted(d.execute_script("""
      return Array.prototype.map.call(document.querySelectorAll("section.table tr[data-sim='" + arguments[0] + "']"),
        function (e) { return e.getAttribute('data-rule'); });""", outcome))


# What Explain drew, in one call: each table's rows (mark, failed conditions shown) and whether it is dimmed.
DRAWN = """
  var out = {tables: {}, move: null, arrow: false};
  document.querySelectorAll('section.table[data-table]').forEach(function (s) {
    var rows = {};
    s.querySelectorAll('tr[data-rule]').forEach(function (r) {
      rows[r.getAttribute('data-rule')] = [r.getAttribute('data-sim'),
        Array.prototype.map.call(r.querySelectorAll('.sim-why code'), function (c) { return c.textContent; })];
    });
    out.tables[s.getAttribute('data-table')] = {dim: s.classList.contains('sim-dim'), rows: rows};
  });
  var m = document.querySelector("tr[data-move][data-sim='hit']");
  out.move = m ? m.getAttribute('data-move') : null;
  out.arrow = !!document.querySelector('svg path.move.sim-taken');
  return out;"""


def editor_doc(d):
    return json.loads(d.find_element(By.ID, "sim-json").get_attribute("value"))


def test_changes(d, server, vocab):
    """8+ changes covering every table row: the form's Evaluate equals casex eval, Explain casex explain."""
    rows = set(e.get_attribute("data-rule") for e in d.find_elements(By.CSS_SELECTOR, "section.table tr[data-rule]"))
    check(len(rows) >= 10, "table rows on the page: %r" % rows)
    cases = [c for c in json.loads(server.get("/v1/scenarios"))["cases"]
             if c["input"] and "incoming" not in c["input"] and "before" in c["input"]]
    # Greedy: the cases that fire rows not yet covered, until every row is (and at least 8 cases).
    # Which rows each case fires: from its result, as `casex test` ran it in the server.
    fired = {}
    for c in cases:
        out = json.loads(c["actual"]) if c["actual"].startswith("{") else {}
        fired[c["name"]] = set(o["rule"] for o in out.get("operations", []) + out.get("suppressed", [])) & rows
    chosen, covered = [], set()
    for c in sorted(cases, key=lambda c: -len(fired[c["name"]])):
        if fired[c["name"]] - covered:
            chosen.append(c)
            covered |= fired[c["name"]]
    chosen += [c for c in cases if c not in chosen][:max(0, 8 - len(chosen))]
    check(covered == rows, "the scenarios do not cover the rows %r" % (rows - covered))
    check(len(chosen) >= 8, "only %d changes" % len(chosen))
    # What `casex eval` prints for each, in one run of --lines.
    results = casex("eval", "--lines", stdin="".join(json.dumps(c["input"]) + "\n" for c in chosen)).splitlines()
    check(len(results) == len(chosen), "casex eval --lines: %r" % results)
    for c, result in zip(chosen, results):
        doc = c["input"]
        t0 = time.time()
        fill_change(d, vocab, doc)
        t1 = time.time()
        text = json.dumps(doc)
        click_and_wait(d, "sim-explain", "data-explained")
        t2 = time.time()
        if os.environ.get("SIM_TIMING"):  # where the time goes
            print("    fill %.2f s, explain %.2f s" % (t1 - t0, t2 - t1))
        want = json.loads(result)
        check(d.find_element(By.ID, "sim-phase").text == want["phase"], "%s: phase %s, casex eval %s"
              % (c["name"], d.find_element(By.ID, "sim-phase").text, want["phase"]))
        check(shown_ops(d, "sim-sent") == want["operations"], "%s: sent %r, casex eval %r"
              % (c["name"], shown_ops(d, "sim-sent"), want["operations"]))
        check(shown_ops(d, "sim-suppressed") == want["suppressed"], "%s: suppressed %r, casex eval %r"
              % (c["name"], shown_ops(d, "sim-suppressed"), want["suppressed"]))
        x = json.loads(casex("explain", "--format", "json", stdin=text))
        hits = sorted(h for s in x["steps"] for h in s["hit"])
        drawn = d.execute_script(DRAWN)
        shown_hits = sorted(r for t in drawn["tables"].values() for r, (m, _) in t["rows"].items() if m == "hit")
        check(shown_hits == hits, "%s: rows marked HIT %r, casex explain %r" % (c["name"], shown_hits, hits))
        consulted = set(s["table"] for s in x["steps"])
        for t, v in drawn["tables"].items():
            check(v["dim"] == (t not in consulted), "%s: table %s dimmed=%s" % (c["name"], t, v["dim"]))
        check(drawn["move"] == x["workflow"]["move"] and drawn["arrow"] == bool(x["workflow"]["move"]),
              "%s: move marked %r (arrow %s), casex explain %r" % (c["name"], drawn["move"], drawn["arrow"], x["workflow"]["move"]))
        for step in x["steps"]:
            first = next((i for i, r in enumerate(step["rules"]) if r["outcome"] == "hit"), None)
            for i, r in enumerate(step["rules"]):
                if step["hit_policy"] == "first" and first is not None and i > first:
                    want_mark = "notreached"
                elif r["outcome"] in ("hit", "no-match"):
                    want_mark = {"hit": "hit", "no-match": "nomatch"}[r["outcome"]]
                else:
                    want_mark = "matched"
                got, why = drawn["tables"][step["table"]]["rows"][r["id"]]
                check(got == want_mark, "%s: row %s marked %s, not %s" % (c["name"], r["id"], got, want_mark))
                if want_mark == "nomatch":
                    failed = [b["expr"] for b in r["because"] if not b["is"]]
                    check(why == failed, "%s: no-match row %s shows %r, not the failed %r" % (c["name"], r["id"], why, failed))
    print("changes: %d filled through the form, %d rows covered, eval and explain agree" % (len(chosen), len(rows)))
    return chosen


def test_incoming(d, vocab):
    doc = json.load(open(os.path.join(SOURCE, "examples", "incoming.json")))
    d.find_element(By.ID, "sim-kind-incoming").click()
    c = d.execute_script(CONTROLS)
    fill(d, c, "sim-in-operation", doc["incoming"])
    fill(d, c, "sim-in-system", doc["system"])
    fill(d, c, "sim-in-id", doc["id"])
    for f in vocab["fields"]:
        fill(d, c, "sim-in-" + f["name"], doc[vocab["record"]].get(f["name"]))
    fill(d, c, "sim-in-ref-system", doc["external_reference"]["system"])
    fill(d, c, "sim-in-ref-id", doc["external_reference"]["id"])
    click_and_wait(d, "sim-explain", "data-explained")
    want = json.loads(casex("eval", stdin=json.dumps(editor_doc(d))))
    for k, v in want[vocab["record"]].items():
        row = d.find_element(By.CSS_SELECTOR, "#sim-snapshot tr[data-field='%s']" % k)
        changed = doc[vocab["record"]].get(k) != v
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
    # A document pasted into the editor (an input event with the whole text, as a paste gives).
    d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new InputEvent('input', "
                     "{bubbles: true, inputType: 'insertFromPaste'}));", editor, json.dumps(doc, indent=2))
    check(d.find_element(By.ID, "sim-after-phase").get_attribute("value") == "Review",
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


def share_link(d):
    return d.find_element(By.ID, "sim-share").get_attribute("href"), editor_doc(d)


def test_share(server, link, want, profile):
    """The link restores the same change in a fresh profile."""
    check("#try=" in link and link.startswith(server.url), "share link %r" % link)
    fresh = browser(profile + "-fresh")
    try:
        open_page(fresh, link)
        wait_result(fresh, "data-explained")
        check(editor_doc(fresh) == want, "the link restores %r, not %r" % (editor_doc(fresh), want))
        check(fresh.find_element(By.ID, "sim-after-phase").get_attribute("value")
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


def test_without_javascript(d, server):
    """With JavaScript off the tables stay readable and the panel says what it needs."""
    d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        d.get(server.url + "/")
        rows = d.find_elements(By.CSS_SELECTOR, "section.table tr[data-rule]")
        check(len(rows) >= 10 and all(r.is_displayed() for r in rows), "the tables without JavaScript")
        check("needs JavaScript" in d.find_element(By.ID, "sim").text, "no word on JavaScript in the panel")
        check(not d.find_element(By.ID, "sim-body").is_displayed(), "the empty form shows without JavaScript")
    finally:
        d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    print("no javascript: %d table rows readable, the panel says it needs JavaScript" % len(rows))


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
            wait(d).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sim-verdict .verdict"))
            got = d.find_element(By.CSS_SELECTOR, "#sim-verdict .verdict").text
            check(got == verdict, "scenario %s: %s, expected %s" % (b.text, got, verdict))
        print("shadowed: the finding shows, Try it marks done.close-any HIT; scenarios PASS and FAIL")
    finally:
        server.stop()


def test_record_name(d):
    """Rules whose record is a request (examples/rules/request): the form labels
    and writes the id and the incoming snapshot under "request", never "incident",
    and Evaluate shows what casex eval prints for that document."""
    rules = os.path.join(SOURCE, "examples", "rules", "request")
    server = Server("--rules", rules)
    try:
        open_page(d, server.url + "/")
        vocab = json.loads(server.get("/v1/vocabulary"))
        check(vocab["record"] == "request", "record %r" % vocab.get("record"))
        label = d.find_element(By.CSS_SELECTOR, "label[for='sim-record']").text
        check(label == "request", "the id's label: %r" % label)
        phase = vocab["phases"][0]["name"]
        fill_change(d, vocab, {"request": "REQ-1", "before": {"phase": phase}, "after": {"phase": phase}})
        click_and_wait(d, "sim-evaluate")
        doc = editor_doc(d)
        check(list(doc)[0] == "request" and doc["request"] == "REQ-1" and "incident" not in doc,
              "the change document: %r" % doc)
        want = json.loads(casex("eval", "--rules", rules, stdin=json.dumps(doc)))
        check(d.find_element(By.ID, "sim-phase").text == want["phase"], "request change: phase")
        d.find_element(By.ID, "sim-kind-incoming").click()
        c = d.execute_script(CONTROLS)
        ops = vocab["operations"]["incoming"]
        fill(d, c, "sim-in-operation", "Assign" if "Assign" in ops else ops[0])
        fill(d, c, "sim-in-system", "SM")
        fill(d, c, "sim-in-id", "REQ-EXT-1")
        fill(d, c, "sim-in-phase", phase)
        click_and_wait(d, "sim-evaluate")
        doc = editor_doc(d)
        check(isinstance(doc.get("request"), dict) and "incident" not in doc, "the incoming document: %r" % doc)
        want = json.loads(casex("eval", "--rules", rules, stdin=json.dumps(doc)))
        shown = [e.get_attribute("data-field") for e in d.find_elements(By.CSS_SELECTOR, "#sim-snapshot tr[data-field]")]
        check(shown == list(want["request"]), "incoming snapshot rows %r, casex eval %r" % (shown, list(want["request"])))
        caption = d.find_element(By.CSS_SELECTOR, "#sim-snapshot caption").text
        check(caption.startswith("The request after the operation"), "caption %r" % caption)
        print("record name: the form writes and reads \"request\" (change and incoming)")
    finally:
        server.stop()


def screenshots(d, server, doc, vocab):
    os.makedirs(ARTIFACTS, exist_ok=True)
    d.set_window_size(1280, 900)
    open_page(d, server.url + "/")
    fill_change(d, vocab, doc)
    click_and_wait(d, "sim-explain", "data-explained")
    for width, height in ((1280, 900), (360, 1400)):
        d.set_window_size(width, height)
        # Wide: the workflow and the moves marked, the panel at its buttons and result.
        # Narrow: the panel first, from its buttons on (the result).
        d.execute_script("""
          var sim = document.getElementById('sim'), at = document.querySelector('.sim-actions');
          if (arguments[0] >= 1100) { window.scrollTo(0, 0); sim.scrollTop = at.offsetTop - 12; }
          else window.scrollTo(0, at.getBoundingClientRect().top + window.scrollY - 8);""", width)
        overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, "the page is %d px wider than a %d px window" % (overflow, width))
        path = os.path.join(ARTIFACTS, "casex-serve-%d.png" % width)
        d.save_screenshot(path)
        check(os.path.getsize(path) > 1000, "screenshot " + path)
        print("screenshot: " + path)


START = time.time()


def lap(what):
    print("  %5.1f s  %s" % (time.time() - START, what))


def main():
    start = START
    tmp = tempfile.mkdtemp(prefix="casex-sim-")
    server = Server("--tests", os.path.join(SOURCE, "tests", "rules"))
    d = None
    try:
        d = browser(os.path.join(tmp, "profile"))
        open_page(d, server.url + "/")
        vocab = json.loads(server.get("/v1/vocabulary"))
        test_page_hygiene(d, server)
        lap("test_page_hygiene")
        chosen = test_changes(d, server, vocab)
        lap("test_changes")
        test_incoming(d, vocab)
        lap("test_incoming")
        test_json_sync(d, server)
        lap("test_json_sync")
        test_shadowed(d, tmp)
        lap("test_shadowed")
        test_without_javascript(d, server)
        lap("test_without_javascript")
        test_record_name(d)
        lap("test_record_name")
        example = json.load(open(os.path.join(SOURCE, "examples", "change.json")))
        screenshots(d, server, example, vocab)
        lap("screenshots")
        link, want = share_link(d)
        d.quit()
        d = None
        test_share(server, link, want, os.path.join(tmp, "share"))
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
