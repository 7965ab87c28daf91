#!/usr/bin/env python3
"""(A copy of shared/bench/peers/gen_workload.py, so that the benchmarks of
bench/ run the same workload as the peers.)

Deterministic workload of incident *changes* for the casex Outgoing contract.

usage: gen_workload.py N SEED > workload.jsonl
       gen_workload.py N SEED --stats      (scenario mix on stderr, no output)

Each line is one change document in exactly the input format of
shared/spec/behaviour.md ("A change"): before/after snapshots, comment_added,
attachment_changed, external_reference, groups, origin (optional keys are
sometimes left out, "no value" is written as missing, null or "").

The mix is meant to look like real saves: about 40% change nothing that the
outgoing tables look at, the rest cover every row of every table (Resolution,
Validation, Done, Review -> InitialSupport) and the phase moves between them.
Same N and SEED give byte-identical output.
"""
import json
import random
import sys

SYSTEMS = ["SM", "SNOW", "JIRA", "RMDY", "ZEND", "VX"]
EXT_SUFFIX = ["Tier 2", "Tier 3", "Network", "Hardware", "Database", "Apps"]
EXTERNAL = {f"{s} {suf}": s for s in SYSTEMS for suf in EXT_SUFFIX}  # 36 external groups
INTERNAL = [
    "Service Desk", "Network Team", "Desktop Support", "DBA Team", "Security Ops", "Unix Admins",
    "Windows Admins", "Storage Team", "Backup Team", "Identity Mgmt", "Mail Team", "Web Ops",
    "Facilities", "HR Systems", "Finance Apps", "Telephony", "Field Services", "Change Board",
    "Cloud Platform", "Middleware", "Monitoring", "Print Services", "Mobile Devices", "ERP Support",
    "CRM Support", "Data Warehouse", "VPN Team", "Firewall Team", "Citrix Team", "SharePoint Team",
    "Release Mgmt", "Asset Mgmt", "Problem Mgmt", "Major Incident", "Level 1 EMEA", "Level 1 APAC",
]  # 36 internal groups -> 72 distinct group names in all

SOLUTIONS = [
    "Rebooted the switch", "Replaced the failed disk", "Cleared the print queue", "Reset the user's password",
    "Patched to 4.2.1", "Restored from last night's backup", "Increased the mailbox quota",
    "Renewed the TLS certificate", "Rolled back the faulty change", "Re-imaged the laptop",
    "Workaround: use the web client", "Duplicate of INC-0001234", "set {} to %s and {0}",
    "Neustart des Servers \u2013 erledigt", "Cable re-seated in rack B12", "DNS record corrected",
    "Resolved by external system",
]
CC_OK = ["CompletionCodeFulfilled", "CompletionCodeFulfilled", "CompletionCodeFulfilled", "NoFaultFound",
         "CompletionCodeAbandonedByUser"]
DESCRIPTIONS = ["VPN drops every 10 minutes", "Outlook cannot connect", "Printer on floor 3 offline",
                "Cannot log in to SAP", "Laptop fan noisy", "Share \\\\fs01\\team not reachable",
                "Password expired", "Slow database queries", "Phone shows \"no service\"", "Badge reader broken"]
PRIORITIES = ["1", "2", "3", "4"]

MISSING = object()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # --- small helpers -------------------------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def choice(self, seq):
        return self.r.choice(seq)

    def novalue(self):
        """One of the three spellings of 'no value'."""
        x = self.r.random()
        return MISSING if x < 0.3 else (None if x < 0.8 else "")

    def ts(self):
        day = self.r.randint(1, 28)
        hour = self.r.randint(6, 19)
        return f"2026-{self.r.randint(1, 12):02d}-{day:02d}T{hour:02d}:{self.choice(['00', '15', '30', '45'])}:00Z"

    def other_ts(self, t):
        while True:
            u = self.ts()
            if u != t:
                return u

    def solution(self):
        return self.choice(SOLUTIONS)

    def other_solution(self, s):
        while True:
            u = self.solution()
            if u != s:
                return u

    def internal(self, exclude=None):
        while True:
            g = self.choice(INTERNAL)
            if g != exclude:
                return g

    def external(self, systems, exclude=None):
        while True:
            g = f"{self.choice(systems)} {self.choice(EXT_SUFFIX)}"
            if g != exclude:
                return g


def snapshot(phase, assignment, solution, cc, ert, extra):
    s = {"phase": phase}
    for k, v in (("assignment", assignment), ("solution", solution), ("completion_code", cc),
                 ("expected_resolution_time", ert)):
        if v is not MISSING:
            s[k] = v
    s.update(extra)
    return s


# scenario name -> weight (percent of documents); names starting with "noop" send nothing.
SCENARIOS = [
    # ~40% no-op saves: only fields that no table looks at change (or nothing at all)
    ("noop-field", 34.0), ("noop-novalue-spelling", 4.0), ("noop-logging-comment", 2.0),
    # Resolution metaphase
    ("res-assign", 3.0), ("res-accept", 2.0), ("res-ext-to-ext", 1.0), ("res-int-to-int", 1.0),
    ("res-update-ert", 3.0), ("res-update-comment", 4.0), ("res-update-attachment", 2.0),
    ("res-solution-entered", 3.0), ("res-solution-cleared", 1.0), ("res-assign-and-comment", 1.0),
    ("res-move-is-es", 1.0),
    # Validation metaphase
    ("val-cancel", 1.5), ("val-reject", 1.5), ("val-solution", 1.5), ("val-cc", 1.5),
    ("val-comment", 2.5), ("val-attachment", 1.5),
    # Done metaphase
    ("done-cancel", 1.0), ("done-reject", 1.0), ("done-solution", 1.0), ("done-cc", 1.0),
    ("done-comment", 2.0), ("done-attachment", 1.0),
    # Review -> InitialSupport transition
    ("rv-is-reopen", 1.5), ("rv-is-assign", 1.0), ("rv-is-no-reassign", 1.0), ("rv-is-to-internal", 0.5),
    # other phase moves
    ("rv-close", 2.5), ("rv-close-withdrawn", 0.5), ("rv-close-rejected", 0.5),
    ("enter-review", 2.0), ("log-classify", 1.0), ("classify-is-assign", 2.0), ("classify-is-internal", 1.0),
    ("close-is", 1.0), ("is-close", 0.5), ("rv-es", 0.5), ("close-rv", 0.5),
]
# scenarios that need an external group or record and so are never internal-only
NEEDS_EXTERNAL = {"res-assign", "res-accept", "res-ext-to-ext", "res-assign-and-comment", "rv-is-reopen",
                  "rv-is-assign", "classify-is-assign"}


def make_doc(g, n, scenario):
    r = g.r
    internal_only = scenario not in NEEDS_EXTERNAL and g.chance(0.22)
    systems = r.sample(SYSTEMS, r.choice([2, 2, 3]))
    comment = False
    attach = False
    has_ref = (not internal_only) and g.chance(0.6)
    ref_system = None
    extra_b = {"priority": g.choice(PRIORITIES), "description": g.choice(DESCRIPTIONS)}
    if g.chance(0.3):
        extra_b["updated_by"] = f"user{r.randint(1, 400)}"
    extra_a = dict(extra_b)

    def pick_group(external_ok=True):
        if internal_only or not external_ok or g.chance(0.45):
            return g.internal()
        return g.external(systems)

    # defaults: a plain in-progress incident
    pb = pa = "InitialSupport"
    ab = aa = pick_group()
    sb = sa = MISSING
    cb = ca = MISSING
    eb = ea = MISSING

    def nv():
        return g.novalue()

    def in_phase(phase):
        """a consistent before==after state for an incident sitting in `phase`"""
        nonlocal pb, pa, ab, aa, sb, sa, cb, ca, eb, ea
        pb = pa = phase
        if phase in ("Log", "Classify"):
            ab = aa = nv() if g.chance(0.4) else pick_group()
            sb = sa = nv()
            cb = ca = nv()
            eb = ea = nv() if g.chance(0.5) else g.ts()
        elif phase in ("InitialSupport", "Escalate"):
            ab = aa = pick_group()
            sb = sa = nv()
            cb = ca = nv()
            eb = ea = g.ts() if g.chance(0.85) else nv()
        elif phase == "Review":
            ab = aa = pick_group()
            sb = sa = g.solution()
            cb = ca = nv() if g.chance(0.5) else "CompletionCodeFulfilled"
            eb = ea = g.ts()
        else:  # Close
            ab = aa = pick_group()
            sb = sa = g.solution()
            cb = ca = g.choice(CC_OK)
            eb = ea = g.ts()

    def respell(v):
        """same value, possibly another spelling of no value"""
        return nv() if v is MISSING or v is None or v == "" else v

    s = scenario
    if s == "noop-field":
        in_phase(r.choices(["Log", "Classify", "InitialSupport", "Escalate", "Review", "Close"],
                           [4, 4, 12, 6, 6, 4])[0])
        extra_a["priority"] = g.choice(PRIORITIES)
        if g.chance(0.5):
            extra_a["description"] = g.choice(DESCRIPTIONS)
        extra_a["updated_by"] = f"user{r.randint(1, 400)}"
    elif s == "noop-novalue-spelling":
        in_phase(g.choice(["InitialSupport", "Escalate", "Review", "Close"]))
        sa, ca, ea = respell(sa), respell(ca), respell(ea)
        if aa is MISSING or aa is None or aa == "":
            aa = respell(aa)
    elif s == "noop-logging-comment":
        in_phase(g.choice(["Log", "Classify"]))
        comment = g.chance(0.7)
        attach = not comment or g.chance(0.3)
    # ---------------- Resolution
    elif s in ("res-assign", "res-assign-and-comment"):
        in_phase(g.choice(["InitialSupport", "InitialSupport", "Escalate"]))
        ab = g.internal() if g.chance(0.85) else nv()
        aa = g.external(systems)
        comment = s == "res-assign-and-comment" or g.chance(0.1)
        if s == "res-assign-and-comment" and g.chance(0.4):
            ea = g.other_ts(ea)
    elif s == "res-accept":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        ab = g.external(systems)
        aa = g.internal() if g.chance(0.9) else nv()
        if has_ref:
            ref_system = EXTERNAL[ab]
        comment = g.chance(0.3)
        if g.chance(0.2):
            ea = g.other_ts(ea)
    elif s == "res-ext-to-ext":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        ab = g.external(systems)
        aa = g.external(systems, exclude=ab)
        comment = g.chance(0.5)
    elif s == "res-int-to-int":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        ab = g.internal()
        aa = g.internal(exclude=ab)
        comment = g.chance(0.3)
    elif s == "res-update-ert":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        if eb is MISSING or eb is None or eb == "" or g.chance(0.8):
            ea = g.other_ts(eb if isinstance(eb, str) else "")
        else:
            ea = nv()
    elif s == "res-update-comment":
        in_phase(g.choice(["InitialSupport", "InitialSupport", "Escalate"]))
        comment = True
        attach = g.chance(0.15)
    elif s == "res-update-attachment":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        attach = True
    elif s == "res-solution-entered":
        in_phase(g.choice(["InitialSupport", "InitialSupport", "Escalate"]))
        sa = g.solution()
        if g.chance(0.5):
            ca = "CompletionCodeFulfilled"
        if g.chance(0.15):
            pa = "Escalate" if pb == "InitialSupport" else "InitialSupport"
        comment = g.chance(0.2)
    elif s == "res-solution-cleared":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        sb = g.solution()
        sa = nv()
    elif s == "res-move-is-es":
        in_phase("InitialSupport")
        if g.chance(0.5):
            pb, pa = "InitialSupport", "Escalate"
        else:
            pb, pa = "Escalate", "InitialSupport"
        x = r.random()
        if x < 0.3:
            ab = g.internal()
            aa = g.external(systems) if not internal_only else g.internal()
        elif x < 0.5:
            comment = True
        elif x < 0.6:
            ea = g.other_ts(ea if isinstance(ea, str) else "")
    # ---------------- Validation
    elif s.startswith("val-") or s.startswith("done-"):
        phase = "Review" if s.startswith("val-") else "Close"
        in_phase(phase)
        what = s.split("-", 1)[1]
        if what == "cancel":
            cb = cb if g.chance(0.7) else nv()
            ca = "WithdrawnbyUser"
            comment = g.chance(0.3)
        elif what == "reject":
            ca = "RequestRejected"
            comment = g.chance(0.3)
        elif what == "solution":
            sa = g.other_solution(sb) if g.chance(0.85) else nv()
        elif what == "cc":
            if cb is MISSING or cb is None or cb == "" or g.chance(0.3):
                ca = g.choice(["CompletionCodeFulfilled", "NoFaultFound", "CompletionCodeAbandonedByUser"])
                if ca == cb:
                    ca = "NoFaultFound" if cb != "NoFaultFound" else "CompletionCodeFulfilled"
            else:
                ca = nv()
        elif what == "comment":
            comment = True
            attach = g.chance(0.1)
            if g.chance(0.2):
                cb = ca = g.choice(["WithdrawnbyUser", "RequestRejected"])  # unchanged: not a Cancel/Reject
        elif what == "attachment":
            attach = True
    # ---------------- Review -> InitialSupport
    elif s in ("rv-is-reopen", "rv-is-assign"):
        in_phase("Review")
        pa = "InitialSupport"
        ab = g.internal() if g.chance(0.9) else nv()
        aa = g.external(systems)
        has_ref = s == "rv-is-reopen"
        if has_ref and g.chance(0.8):
            ref_system = EXTERNAL[aa]
        sa = nv() if g.chance(0.7) else sb
        ca = nv()
        comment = g.chance(0.3)
    elif s == "rv-is-no-reassign":
        in_phase("Review")
        pa = "InitialSupport"
        sa = nv()
        ca = nv()
        comment = g.chance(0.6)
    elif s == "rv-is-to-internal":
        in_phase("Review")
        pa = "InitialSupport"
        ab = g.external(systems) if not internal_only else g.internal()
        aa = g.internal(exclude=ab)
        sa = nv()
        ca = nv()
    # ---------------- other moves
    elif s in ("rv-close", "rv-close-withdrawn", "rv-close-rejected"):
        in_phase("Review")
        pa = "Close"
        if s == "rv-close":
            if cb is MISSING or cb is None or cb == "":
                ca = "CompletionCodeFulfilled" if g.chance(0.8) else nv()
            comment = g.chance(0.2)
        else:
            ca = "WithdrawnbyUser" if s == "rv-close-withdrawn" else "RequestRejected"
    elif s == "enter-review":
        in_phase(g.choice(["InitialSupport", "Escalate"]))
        pa = "Review"
        if g.chance(0.6):
            sa = g.solution()
        if g.chance(0.3):
            ca = "CompletionCodeFulfilled"
    elif s == "log-classify":
        in_phase("Log")
        pa = "Classify"
        if g.chance(0.5):
            aa = pick_group()
        comment = g.chance(0.3)
    elif s == "classify-is-assign":
        in_phase("Classify")
        pa = "InitialSupport"
        ab = nv() if g.chance(0.5) else g.internal()
        aa = g.external(systems)
        if g.chance(0.4):
            ea = g.ts()
    elif s == "classify-is-internal":
        in_phase("Classify")
        pa = "InitialSupport"
        ab = nv() if g.chance(0.5) else g.internal()
        aa = g.internal()
        comment = g.chance(0.7)
        if g.chance(0.4):
            ea = g.ts()
    elif s == "close-is":
        in_phase("Close")
        pa = "InitialSupport"
        sa = nv()
        ca = nv()
        comment = g.chance(0.5)
    elif s == "is-close":
        in_phase("InitialSupport")
        pa = "Close"
        if g.chance(0.7):
            ca = g.choice(["CompletionCodeAbandonedByUser", "WithdrawnbyUser", "CompletionCodeFulfilled"])
    elif s == "rv-es":
        in_phase("Review")
        pa = "Escalate"
        sa = nv() if g.chance(0.7) else sb
        ca = nv()
        if g.chance(0.4) and not internal_only:
            aa = g.external(systems)
    elif s == "close-rv":
        in_phase("Close")
        pa = "Review"
        ca = nv() if g.chance(0.5) else ca
        comment = g.chance(0.4)
    else:
        raise AssertionError(s)

    # ------------------------------------------------------------- record, groups, origin
    used_ext = [x for x in (ab, aa) if isinstance(x, str) and x in EXTERNAL]
    for x in used_ext:
        if EXTERNAL[x] not in systems:
            systems.append(EXTERNAL[x])
    ref = None
    if has_ref:
        if ref_system is None:
            ext_now = [EXTERNAL[x] for x in used_ext]
            ref_system = ext_now[0] if ext_now and g.chance(0.8) else g.choice(systems)
        ref = {"system": ref_system, "id": f"{ref_system[:2]}{r.randint(10000, 999999)}"}

    groups = {}
    if not internal_only or g.chance(0.5):
        pool = [x for x in EXTERNAL if EXTERNAL[x] in systems]
        for x in r.sample(pool, min(len(pool), r.randint(3, 8))):
            groups[x] = EXTERNAL[x]
        for x in used_ext:
            groups[x] = EXTERNAL[x]
        if internal_only:
            # an internal-only incident: its groups are never external
            for x in (ab, aa):
                groups.pop(x, None)
        items = list(groups.items())
        r.shuffle(items)
        groups = dict(items)

    origin = None
    if not internal_only and g.chance(0.125):
        origin = ref_system if ref_system and g.chance(0.6) else g.choice(systems)

    doc = {"incident": f"INC-{n:07d}",
           "before": snapshot(pb, ab, sb, cb, eb, extra_b),
           "after": snapshot(pa, aa, sa, ca, ea, extra_a)}
    if comment or g.chance(0.7):
        doc["comment_added"] = comment
    if attach or g.chance(0.7):
        doc["attachment_changed"] = attach
    if ref is not None or g.chance(0.7):
        doc["external_reference"] = ref
    if groups or g.chance(0.5):
        doc["groups"] = groups
    if origin is not None or g.chance(0.5):
        doc["origin"] = origin
    return doc


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    n, seed = int(argv[1]), int(argv[2])
    stats = "--stats" in argv[3:]
    g = Gen(seed)
    names = [s for s, _ in SCENARIOS]
    weights = [w for _, w in SCENARIOS]
    counts = {}
    out = sys.stdout
    buf = []
    for i in range(n):
        scenario = g.r.choices(names, weights)[0]
        counts[scenario] = counts.get(scenario, 0) + 1
        doc = make_doc(g, 1000000 + i, scenario)
        if not stats:
            buf.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
            if len(buf) >= 4096:
                out.write("\n".join(buf) + "\n")
                buf = []
    if buf:
        out.write("\n".join(buf) + "\n")
    if stats:
        for s in names:
            print(f"{s:28s} {counts.get(s, 0):8d} {100.0 * counts.get(s, 0) / max(n, 1):6.2f}%", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
