#!/usr/bin/env python3
"""tests/fuzz/make_large_inputs.py: regenerates the large seed inputs of
tests/fuzz/corpus/eval_json/ (issue 12): documents whose parsed form (the
JSON DOM) outgrows the evaluator's 64 KiB first arena block.

  arena-nested-numbers.json  ~8 KB of nested arrays of one-digit numbers in an
                             incoming document: a DOM of over 64 KiB from a
                             small text (like the 7,477-byte input of issue 12
                             that made boost::json::monotonic_resource ask
                             for 2 GiB after a long run)
  arena-incoming-100k.json   an incoming document with ~100 KB of fields
  arena-change-200k.json     a change with a ~200 KB array in a snapshot field
                             the vocabulary does not know (the SAX fast path)
  arena-incoming-300k.json   an incoming document with ~300 KB of nested objects

Deterministic; run from anywhere: writes into corpus/eval_json beside it.
"""
import json
import os

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "eval_json")


def write(name, text):
    with open(os.path.join(out, name), "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"{name}: {len(text)} bytes")


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


# Nested arrays of numbers: each number is 2 bytes of text and a 16-byte value.
rows = [[[(i * 7 + j * 3 + k) % 10 for k in range(10)] for j in range(20)] for i in range(18)]
write("arena-nested-numbers.json",
      compact({"incoming": "Assign", "incident": {"phase": "Review", "x": rows}}))

fields = {"phase": "Review", "assignment": "SM Tier 2"}
for i in range(1800):
    fields[f"note_{i:04d}"] = f"text {i} " + "abcdefghij" * 3
write("arena-incoming-100k.json",
      compact({"incoming": "Assign", "system": "SM", "id": "IM10023", "incident": fields,
               "external_reference": {"system": "SM", "id": "IM10023"}}))

snapshot = {"phase": "Classify", "assignment": "Service Desk", "solution": None, "completion_code": None,
            "expected_resolution_time": "2026-12-01T10:00:00Z"}
# A field the vocabulary does not know, kept for the host: the fast path (the
# SAX reader, whose text arena takes the document's size) reads this change.
after = dict(snapshot, phase="InitialSupport", assignment="SM Tier 2",
             history=[[i, i * 0.5, str(i), i % 2 == 0, None] for i in range(6500)])
write("arena-change-200k.json",
      compact({"incident": "INC-1060", "before": snapshot, "after": after, "comment_added": False,
               "attachment_changed": False, "external_reference": None,
               "groups": {"SM Tier 2": "SM", "SM Tier 3": "SM", "Vendor Network": "VENDOR"},
               "origin": None}))

write("arena-incoming-300k.json",
      compact({"incoming": "Resolve", "system": "SM", "id": "IM10024",
               "incident": {"phase": "InitialSupport", "solution": None,
                            "attachments": [{"name": f"file-{i}.txt", "size": i, "lines": [i, i + 1, i + 2],
                                             "tags": {"a": True, "b": None}} for i in range(3450)]}}))
