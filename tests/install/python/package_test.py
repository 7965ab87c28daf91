#!/usr/bin/env python3
"""tests/install/python/package_test.py: the Python package (python/casex),
pip-installed into a venv, against the installed libcasex ($CASEX_LIBRARY):
runs the README's example and checks what it prints, then each call."""
import contextlib
import io
import os
import pathlib
import sys
import tempfile
import threading
import warnings

import casex

here = pathlib.Path(__file__).resolve()
source = here.parents[3]
assert pathlib.Path(casex.__file__).resolve().is_relative_to(pathlib.Path(sys.prefix).resolve()), \
    f"casex is imported from {casex.__file__}, not from the venv {sys.prefix}"

# The README's example, verbatim, prints what the README shows.
readme = (source / "python" / "README.md").read_text()
blocks = readme.split("```")
example = next(b for b in blocks if b.startswith("python\n"))[len("python\n"):]
shown = blocks[blocks.index(next(b for b in blocks if b.startswith("python\n"))) + 2].strip("\n")
out = io.StringIO()
with contextlib.redirect_stdout(out):
    exec(compile(example, "python/README.md", "exec"), {})
assert out.getvalue().strip("\n") == shown, out.getvalue()
assert len(example.strip("\n").splitlines()) <= 15
assert example in (source / "docs" / "embedding.md").read_text(), "docs/embedding.md shows another example"

assert casex.library_version().count(".") == 2

with casex.Engine() as engine:
    version = engine.version
    assert len(version) == 16
    d = engine.eval({"incident": "INC-1", "before": {"phase": "InitialSupport"},
                     "after": {"phase": "InitialSupport", "solution": "Rebooted"},
                     "external_reference": {"system": "SM", "id": "IM1"}, "origin": "SM"})
    assert isinstance(d, casex.Decision) and d.record == "INC-1" and d.phase == "Review"
    # The name before the record was named by the vocabulary: same value, a DeprecationWarning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert d.incident == "INC-1"
    assert [w.category for w in caught] == [DeprecationWarning], caught
    assert "Decision.record" in str(caught[0].message), caught[0].message
    assert d.operations == [] and [op.name for op in d.suppressed] == ["Update", "Resolve"], d
    inc = engine.eval((source / "examples" / "incoming.json").read_text())
    assert isinstance(inc, casex.Incoming) and inc.rule == "incoming.reopen"
    assert inc.fields["phase"] == "Review" and inc.fields["solution"] is None, inc.fields
    assert inc.comments == ["Incident was reopened. Previous solution was: Rebooted."], inc
    assert inc.external_reference == ("SM", "IM10023"), inc
    try:
        engine.eval(b"{\"incoming\": \"\xff\"}")
        raise AssertionError("invalid UTF-8 accepted")
    except casex.BadInput as e:
        assert "invalid UTF-8" in e.message and e.status == "CASEX_BAD_INPUT", e
    assert '"kind":"change"' in engine.explain({"before": {"phase": "Review"},
                                                "after": {"phase": "Review"}}, "json")
    assert engine.explain('{"incoming": "Assign", "incident": {"phase": "Review"}}')
    # The log hook: one call per decision, from 4 threads.
    seen = []
    lock = threading.Lock()

    def on_log(kind, line):
        with lock:
            seen.append((kind, line))
    engine.set_log(on_log)
    doc = {"incoming": "Assign", "incident": {"phase": "Review"}}
    threads = [threading.Thread(target=lambda: [engine.eval(doc) for _ in range(50)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 200 and all(k == "decision" and l["rules_fired"] == ["incoming.assign"] for k, l in seen)
    engine.set_log(None)
    engine.eval(doc)
    assert len(seen) == 200
    assert engine.reload() == version  # the built-in rules again
    # Near misses are refused by default, read as before with lenient_input.
    near_miss = {"before": {"phase": "Review"}, "after": {"phase": "Review"}, "comment_addd": True}
    assert engine.lenient_input is False
    try:
        engine.eval(near_miss)
        raise AssertionError("a near-miss key was accepted")
    except casex.BadInput as e:
        assert 'did you mean "comment_added"' in e.message, e
    engine.lenient_input = True
    assert engine.lenient_input is True and engine.eval(near_miss).phase == "Review"
    engine.lenient_input = False
    try:
        engine.eval(near_miss)
        raise AssertionError("lenient_input = False did not restore the check")
    except casex.BadInput:
        pass
    with casex.Engine(lenient_input=True) as lenient:
        assert lenient.lenient_input is True and lenient.eval(near_miss).operations == []
    try:
        casex.Engine("/nonexistent/casex-rules")
        raise AssertionError("opened a missing directory")
    except casex.RulesInvalid as e:
        assert e.diagnostics and e.message.startswith("the rules do not load"), e
engine.close()  # twice is harmless
try:
    engine.eval(doc)
    raise AssertionError("a closed engine evaluated")
except ValueError:
    pass

assert casex.lint() == []  # the built-in rules lint clean
with tempfile.TemporaryDirectory() as tmp:
    (pathlib.Path(tmp) / "done.yaml").write_text("table: [")
    found = casex.lint([tmp])
    assert found and found[0].severity == "error", found
rules = {p.name: p.read_text() for p in sorted((source / "rules").glob("*.yaml"))}
rules["done.yaml"] += "\n    - id: done.again\n      when: changed(solution)\n      then: Close\n"
findings = casex.lint_texts(rules)
assert any(f.witness for f in findings), findings
print("ok")
