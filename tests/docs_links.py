#!/usr/bin/env python3
"""tests/docs_links.py ROOT: every relative link of README.md and docs/*.md
resolves to a file or directory of the repository (and, for a link into a
Markdown file, to one of its headings' anchors, as GitHub makes them).

Fails on a link that leaves the repository (an absolute path, `file:`, a
relative path above ROOT), and on any mention of `../shared` at all. Links to
web pages (http:, https:, mailto:) are not fetched. Code blocks and code spans
are not links. Prints one line per problem, FILE:LINE: message."""
import os
import re
import sys
import unicodedata

ROOT = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))

INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
WEB = re.compile(r"^(https?:|mailto:)", re.I)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def strip_code_spans(line):
    return re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)


def lines_outside_code(text):
    """(line number, line) of every line outside fenced code blocks."""
    fenced = None
    for n, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if m:
            if fenced is None:
                fenced = m.group(1)
            elif m.group(1) == fenced:
                fenced = None
            continue
        if fenced is None:
            yield n, line


def slug(heading):
    """The anchor GitHub gives a heading: its text (no Markdown), lower case,
    without punctuation but hyphens and underscores, blanks as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"<[^>]+>", "", text)
    text = text.strip().lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "-_" or cat[0] in "LN" or cat == "Mn":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


_anchors = {}


def anchors(path):
    if path not in _anchors:
        seen = {}
        found = set()
        with open(path, encoding="utf-8") as f:
            for _, line in lines_outside_code(f.read()):
                m = HEADING.match(line)
                if not m:
                    continue
                s = slug(m.group(2))
                k = seen.get(s, 0)
                seen[s] = k + 1
                found.add(s if k == 0 else f"{s}-{k}")
        _anchors[path] = found
    return _anchors[path]


def check(doc):
    problems = []
    rel = os.path.relpath(doc, ROOT)
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    for n, line in enumerate(text.split("\n"), 1):
        if "../shared" in line:
            problems.append(f"{rel}:{n}: mentions ../shared, which is outside the repository")
    for n, line in lines_outside_code(text):
        plain = strip_code_spans(line)
        targets = [m.group(1) for m in INLINE.finditer(plain)]
        m = REFDEF.match(plain)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if not target or WEB.match(target):
                continue
            if SCHEME.match(target):
                problems.append(f"{rel}:{n}: {target}: not a relative link or a web page")
                continue
            path, _, anchor = target.partition("#")
            if path.startswith("/"):
                problems.append(f"{rel}:{n}: {target}: an absolute path, outside the repository")
                continue
            dest = os.path.realpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            if dest != ROOT and not dest.startswith(ROOT + os.sep):
                problems.append(f"{rel}:{n}: {target}: leaves the repository")
                continue
            if not os.path.exists(dest):
                problems.append(f"{rel}:{n}: {target}: no such file or directory")
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors(dest):
                problems.append(f"{rel}:{n}: {target}: no heading of {os.path.relpath(dest, ROOT)} has the anchor #{anchor}")
    return problems


def main():
    docs = [os.path.join(ROOT, "README.md")]
    docs_dir = os.path.join(ROOT, "docs")
    docs += sorted(os.path.join(docs_dir, f) for f in os.listdir(docs_dir) if f.endswith(".md"))
    problems = []
    for doc in docs:
        problems += check(doc)
    for p in problems:
        print(p)
    print(f"{len(docs)} files checked: {len(problems)} problem{'' if len(problems) == 1 else 's'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
