#!/usr/bin/env bash
# tools/mutants.sh: the mutation check (docs/testing.md). Each mutant of
# tests/mutants/mutants.txt is a one-line fault in the engine; the check builds
# the command and the unit tests with it, runs the fast tests, and expects some
# test to fail (the mutant is "killed").
#
#   tools/mutants.sh [--build DIR] [--only NAME]... [--keep] [--list FILE] [--work DIR] [--jobs N]
#   tools/mutants.sh --stale-only [--list FILE]
#
# --build DIR  a built build directory of this tree (default: build/ of the repository;
#              the Unix Makefiles generator, the default one). Only read: never written
# --stale-only only check that every mutant's text occurs exactly once in its file
#              of the repository (seconds; no build): the list is current
# --only NAME  run only this mutant (repeatable; the list is still checked for stale entries)
# --keep       keep the work directory (mutated objects, programs, logs) and print where it is
# --list FILE  another mutant list (default tests/mutants/mutants.txt)
# --work DIR   the work directory (default: a new one under ${TMPDIR:-/tmp}, removed at the end)
# --jobs N     compilations and tests at once (default $CASEX_MUTANTS_JOBS, else 2)
#
# Nothing is built twice: the build directory's objects stay, and per mutant
# only the translation units the mutated file reaches are compiled again (the
# build's own command from compile_commands.json, at -O0 -g0, from a copy of the
# source tree in WORK/src), into WORK, and linked with the build's objects and
# libraries into WORK/bin/casex and WORK/bin/casex_unit_tests. The tests run
# from WORK/ctest, a copy of the build's ctest files that names those two
# programs and writes into WORK, never into the build or source tree:
# casex_unit_tests in one process first (stops at the first failure), then the
# eval fixtures, then the cli: and rules: tests. The repository and the build
# directory are never written. From the environment: a compiler launcher
# (CMAKE_CXX_COMPILER_LAUNCHER=ccache) and which ctest to run (CTEST).
#
# Outcome per mutant: killed (some test failed), SURVIVED (every test passed),
# STALE (its text is not in its file exactly once, or it does not compile).
# Prints a table and `mutants: N killed, S survived, T stale`; exits 1 on any
# survivor or stale mutant, 2 on bad usage, an out-of-date build directory, or
# when the unmutated programs fail their tests.
exec python3 - "$0" "$@" <<'PY'
import atexit, concurrent.futures, json, os, re, shlex, shutil, signal, subprocess, sys, tempfile, threading, time

script = sys.argv[1]
root = os.path.realpath(os.path.join(os.path.dirname(script), ".."))


def die(msg, code=2):
    print(f"mutants: {msg}", file=sys.stderr)
    sys.exit(code)


# ---- arguments ---------------------------------------------------------------------------
args = sys.argv[2:]
opt = {"list": os.path.join(root, "tests/mutants/mutants.txt"), "work": "", "build": "",
       "keep": False, "stale_only": False, "only": [],
       "jobs": os.environ.get("CASEX_MUTANTS_JOBS", "2")}
while args:
    a = args.pop(0)
    if a in ("--only", "--list", "--work", "--build", "--jobs"):
        if not args:
            die(f"{a} needs a value")
        v = args.pop(0)
        if a == "--only":
            opt["only"].append(v)
        else:
            opt[a[2:]] = v
    elif a == "--keep":
        opt["keep"] = True
    elif a == "--stale-only":
        opt["stale_only"] = True
    elif a in ("-h", "--help"):
        for line in open(script, encoding="utf-8").read().splitlines()[1:35]:
            print(re.sub(r"^# ?", "", line))
        sys.exit(0)
    else:
        die(f'unknown argument "{a}" (see --help)')
if not opt["jobs"].isdigit() or int(opt["jobs"]) < 1:
    die(f'--jobs needs a positive number, not "{opt["jobs"]}"')
jobs = int(opt["jobs"])


# ---- the mutant list ---------------------------------------------------------------------
def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], "\\" + s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_list(path):
    entries, cur = [], {}
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except OSError as err:
        die(f"no list {path}: {err.strerror}")
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                entries.append(cur)
                cur = {}
            continue
        key, sep, value = line.partition(":")
        if not sep or key not in ("name", "file", "find", "replace", "why"):
            die(f"{path}:{n}: expected `key: value` with key name, file, find, replace or why")
        if key in cur:
            die(f"{path}:{n}: {key} given twice in one entry")
        cur[key] = value[1:] if value.startswith(" ") else value
        cur.setdefault("line", n)
    if cur:
        entries.append(cur)
    names = set()
    for e in entries:
        for k in ("name", "file", "find", "replace", "why"):
            if k not in e:
                die(f"{path}:{e['line']}: the entry lacks `{k}:`")
        if e["name"] in names:
            die(f"{path}:{e['line']}: mutant {e['name']} named twice")
        if unescape(e["find"]) == unescape(e["replace"]):
            die(f"{path}:{e['line']}: mutant {e['name']} replaces its text with itself")
        names.add(e["name"])
    return entries


def stale_reason(e, tree):
    """Why the mutant cannot apply to the file in tree, or None."""
    try:
        text = open(os.path.join(tree, e["file"]), encoding="utf-8").read()
    except OSError as err:
        return f"cannot read {e['file']}: {err.strerror}"
    count = text.count(unescape(e["find"]))
    return None if count == 1 else f"its text occurs {count} times in {e['file']}"


mutants = read_list(opt["list"])
names = [e["name"] for e in mutants]
for n in opt["only"]:
    if n not in names:
        die(f'no mutant named "{n}" in {opt["list"]}')

if opt["stale_only"]:
    stale = 0
    for e in mutants:
        why = stale_reason(e, root)
        if why:
            stale += 1
            print(f"STALE {e['name']}: {why}")
    print(f"mutants: {len(mutants)} mutants, {stale} stale")
    sys.exit(1 if stale else 0)


# ---- the build directory: objects, link lines, ctest files (only read) --------------------
build = os.path.realpath(opt["build"] or os.path.join(root, "build"))
if not os.path.isfile(os.path.join(build, "compile_commands.json")):
    die(f"no compile_commands.json in {build}: build first (cmake -S . -B build && cmake --build build)"
        " or name a build directory with --build DIR")
if not os.path.isfile(os.path.join(build, "CTestTestfile.cmake")):
    die(f"{build} has no tests (configure it with the tests on)")
PROGRAMS = ("casex", "casex_unit_tests")  # the programs of the fast tests that link the engine


def under(path, top):
    return path == top or path.startswith(top + "/")


def abspath(p, cwd):
    return os.path.normpath(os.path.join(cwd, p))


# The targets of this build (not those of a nested build a ctest makes inside it) and
# their link lines: DIR/CMakeFiles/T.dir/link.txt, run in DIR.
try:
    target_dirs = open(os.path.join(build, "CMakeFiles", "TargetDirectories.txt"), encoding="utf-8").read().split()
except OSError:
    die(f"{build} has no CMakeFiles/TargetDirectories.txt: it is not a build of the Unix Makefiles generator")
link_lines = {}  # target -> (cwd, [argv, ...])
for d in target_dirs:
    path = os.path.join(d, "link.txt")
    if os.path.isfile(path):
        lines = [l for l in open(path, encoding="utf-8").read().splitlines() if l.strip()]
        link_lines[os.path.basename(d)[: -len(".dir")]] = (os.path.dirname(os.path.dirname(d)),
                                                         [shlex.split(l) for l in lines])

# The static libraries: archive -> its member objects (ar's command in the library's link line).
archives = {}
for cwd, cmds in link_lines.values():
    first = cmds[0]
    if len(first) > 3 and os.path.basename(first[0]).endswith("ar") and first[1] in ("qc", "cr", "rc"):
        archives[abspath(first[2], cwd)] = [abspath(o, cwd) for o in first[3:]]

programs = {}  # name -> (cwd, argv, output path, objects, archives)
for name in PROGRAMS:
    if name not in link_lines:
        die(f"no link line of {name} in {build} (CMakeFiles/{name}.dir/link.txt): configure it with the tests on")
    cwd, cmds = link_lines[name]
    if len(cmds) != 1 or "-o" not in cmds[0]:
        die(f"the link line of {name} is not one command with -o")
    argv = cmds[0]
    out = abspath(argv[argv.index("-o") + 1], cwd)
    objs = [abspath(a, cwd) for a in argv if a.endswith(".o")]
    libs = [abspath(a, cwd) for a in argv if abspath(a, cwd) in archives]
    programs[name] = (cwd, argv, out, objs, libs)

commands = {}  # object (absolute) -> compile command entry
for entry in json.load(open(os.path.join(build, "compile_commands.json"), encoding="utf-8")):
    argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    if "-o" not in argv:
        continue
    obj = abspath(argv[argv.index("-o") + 1], entry["directory"])
    commands[obj] = {"argv": argv, "dir": entry["directory"], "file": os.path.realpath(entry["file"])}

# Every object the programs link: their own and those of the libraries they name.
linked = set()
for cwd, argv, out, objs, libs in programs.values():
    linked.update(objs)
    for lib in libs:
        linked.update(archives[lib])
linked = {o for o in linked if o in commands}


def depfile_deps(obj):
    try:
        text = open(obj + ".d", encoding="utf-8").read()
    except OSError:
        return None
    text = text.replace("\\\n", " ")
    _, _, deps = text.partition(": ")
    cwd = commands[obj]["dir"]  # the paths are relative to where it was compiled
    return [abspath(d.replace("\\ ", " "), cwd) for d in re.findall(r"(?:\\ |[^\s])+", deps)]


def out_of_date():
    """Why the build directory is older than the sources, or None (make's own rule, read only)."""
    def mtime(p):
        try:
            return os.stat(p).st_mtime
        except OSError:
            return None
    for name, (cwd, argv, out, objs, libs) in programs.items():
        t = mtime(out)
        if t is None:
            return f"{out} is not built"
        for inp in objs + libs:
            ti = mtime(inp)
            if ti is None or ti > t:
                return f"{out} is older than {inp}"
    for lib in {l for p in programs.values() for l in p[4]}:
        t = mtime(lib)
        for o in archives[lib]:
            to = mtime(o)
            if to is None or to > t:
                return f"{lib} is older than {o}"
    for obj in linked:
        t = mtime(obj)
        for dep in depfile_deps(obj) or [commands[obj]["file"]]:
            td = mtime(dep)
            if td is not None and td > t:
                return f"{obj} is older than {dep}"
    return None


why = out_of_date()
if why:
    die(f"the build directory {build} is out of date ({why}): run cmake --build {build} first")


# ---- the work directory --------------------------------------------------------------------
if opt["work"]:
    work = os.path.realpath(opt["work"])
    for sub in ("src", "obj", "bin", "ctest", "log"):
        shutil.rmtree(os.path.join(work, sub), ignore_errors=True)
    made_work = False
else:
    work = tempfile.mkdtemp(prefix="casex-mutants.", dir=os.environ.get("TMPDIR", "/tmp"))
    made_work = True
src, objdir, bindir, ctestdir, logdir = (os.path.join(work, d) for d in ("src", "obj", "bin", "ctest", "log"))
for d in (objdir, bindir, ctestdir, logdir):
    os.makedirs(d, exist_ok=True)


def finish(*_):
    raise SystemExit(130)


signal.signal(signal.SIGTERM, finish)
signal.signal(signal.SIGINT, finish)


@atexit.register
def cleanup():
    if opt["keep"]:
        print(f"mutants: work directory kept: {work}")
    elif made_work:
        shutil.rmtree(work, ignore_errors=True)


# The source tree as it is, without build directories and .git: the mutated files
# and everything they include are compiled from here.
def ignore(d, entries):
    skip = {".git"} if d != root else {e for e in entries if e == ".git" or e.startswith("build")}
    return skip | {e for e in entries if os.path.join(d, e) == build}


shutil.copytree(root, src, ignore=ignore, symlinks=True)

# The compiler: ld.gold, without debug information, links the programs in about a second.
link_extra = ["-Wl,--strip-debug"] + (["-fuse-ld=gold"] if shutil.which("ld.gold") else [])
launcher = shlex.split(os.environ.get("CMAKE_CXX_COMPILER_LAUNCHER", ""))


def in_work(obj):
    return os.path.join(objdir, os.path.relpath(obj, build))


def compile_cmd(obj):
    """The build's command for obj, compiled from WORK/src into WORK/obj, at -O0 -g0."""
    c = commands[obj]

    def repath(p):  # a path of the source tree -> its copy in WORK/src
        full = abspath(p, c["dir"])
        if under(full, root) and not under(full, build):
            return os.path.join(src, os.path.relpath(full, root))
        return p
    argv, out = c["argv"], [c["argv"][0]]
    for prev, a in zip(argv, argv[1:]):
        if prev == "-o":
            a = in_work(obj)
        elif prev in ("-I", "-isystem", "-iquote"):
            a = repath(a)
        elif a.startswith("-I") and len(a) > 2:
            a = "-I" + repath(a[2:])
        elif not a.startswith("-") and os.path.realpath(abspath(a, c["dir"])) == c["file"]:
            a = repath(a)
        out.append(a)
    return launcher + out + ["-O0", "-g0"]


def run(argv, cwd, log, timeout=None):
    with open(log, "ab") as f:
        f.write(("$ " + shlex.join(argv) + "\n").encode())
        f.flush()
        try:
            return subprocess.run(argv, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            f.write(f"mutants: timed out after {timeout} s\n".encode())
            return 124


KEYWORDS = {"if", "for", "while", "switch", "catch", "return", "sizeof", "decltype", "alignof"}


def enclosing_function(text, pos):
    """The name of the function whose body holds text[pos], or None (a rough C++ reading)."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            if depth:
                depth -= 1
                continue
            head = re.sub(r"//[^\n]*", "", text[max(0, i - 400):i])
            m = re.search(r"(~?[A-Za-z_]\w*)\s*\([^;{}]*\)\s*(?:const\s*)?(?:noexcept\s*)?"
                          r"(?:->\s*[\w:<>, ]+)?\s*$", head)
            if m and m.group(1) not in KEYWORDS:
                return m.group(1)
    return None


def reached(e):
    """The objects the programs link whose translation unit the mutant changes."""
    path, base = os.path.join(root, e["file"]), os.path.basename(e["file"])
    if e["file"].endswith((".cpp", ".cc", ".c")):
        return [obj for obj in sorted(linked) if commands[obj]["file"] == path]
    # A header: the translation units that read it; when the mutant is in the body of a
    # function f, only those that name f (in their source or a header of the tree they
    # read), since only they can run it. Fewer is never a false kill: a mutant that a
    # unit needing it does not get survives, which fails the check.
    text = open(path, encoding="utf-8").read()
    function = enclosing_function(text, text.index(unescape(e["find"])))
    word = re.compile(r"\b%s\b" % re.escape(function)) if function else None
    mentions = {}

    def names(p):
        if p not in mentions:
            try:
                mentions[p] = bool(word.search(open(p, encoding="utf-8", errors="replace").read()))
            except OSError:
                mentions[p] = False
        return mentions[p]
    out = []
    for obj in sorted(linked):
        deps = [d for d in depfile_deps(obj) or [] if under(os.path.realpath(d), root)]
        if not any(os.path.basename(d) == base and os.path.realpath(d) == path for d in deps):
            continue
        if word is None or any(names(os.path.realpath(d)) for d in deps + [commands[obj]["file"]]
                               if os.path.realpath(d) != path):
            out.append(obj)
    return out


def build_programs(objs, log):
    """Compile objs (mutated) and link the programs with them; False when that fails."""
    for o in objs:
        os.makedirs(os.path.dirname(in_work(o)), exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        logs = [f"{log}.{i}" for i in range(len(objs))]
        codes = list(pool.map(lambda a: run(compile_cmd(a[0]), commands[a[0]]["dir"], a[1]), zip(objs, logs)))
    for l in logs:
        with open(l, "rb") as f, open(log, "ab") as g:
            g.write(f.read())
        os.remove(l)
    if any(codes):
        return False
    mutated = set(objs)

    def link(name):
        cwd, argv, out, own, libs = programs[name]
        new, last_obj = [], max(i for i, a in enumerate(argv) if a.endswith(".o"))
        extra = [in_work(o) for lib in libs for o in archives[lib] if o in mutated]
        extra = list(dict.fromkeys(extra))
        for i, a in enumerate(argv):
            if i > 0 and argv[i - 1] == "-o":
                a = os.path.join(bindir, name)
            elif a.endswith(".o") and abspath(a, cwd) in mutated:
                a = in_work(abspath(a, cwd))
            new.append(a)
            if i == last_obj:
                new += extra  # ahead of the libraries: the linker never takes their originals
        return run(new + link_extra, cwd, log)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return not any(pool.map(link, PROGRAMS))


# ---- the tests, from a copy of the build's ctest files ------------------------------------
# Every path of the build directory in them is read as: one of the programs -> WORK/bin;
# another program of the build (eval_fixture_runner) -> itself; anything else (the test's
# working directory, files it writes) -> WORK/ctest.
bpath = re.compile(re.escape(build) + r"(/[^\"\s;\]\)]*)?(?![\w.-])")
program_path = {programs[n][2]: os.path.join(bindir, n) for n in PROGRAMS}


def mapped(p):
    if p in program_path:
        return program_path[p]
    if os.path.isfile(p) and os.access(p, os.X_OK):
        return p
    return os.path.join(ctestdir, os.path.relpath(p, build))


def copy_ctest_file(path):
    text = open(path, encoding="utf-8").read()
    for inc in re.findall(r'include\("([^"]+)"\)', text):
        if under(inc, build) and os.path.isfile(inc):
            copy_ctest_file(inc)
    dirs = {mapped(m.group(0)) for m in bpath.finditer(text) if os.path.isdir(m.group(0))}
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    dest = mapped(path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "w", encoding="utf-8") as f:
        f.write(bpath.sub(lambda m: mapped(m.group(0)), text))
    if os.path.basename(path) == "CTestTestfile.cmake":
        for sub in re.findall(r'subdirs\("([^"]+)"\)', text):
            sub = abspath(sub, os.path.dirname(path))
            if under(sub, build) and os.path.isfile(os.path.join(sub, "CTestTestfile.cmake")):
                copy_ctest_file(os.path.join(sub, "CTestTestfile.cmake"))


copy_ctest_file(os.path.join(build, "CTestTestfile.cmake"))

ctest = os.environ.get("CTEST", "ctest")
# The fast subset: unit tests, eval fixtures, the command's tests and the rule tests;
# not the soak, sanitizer, fuzz, package, memory, benchmark or browser tests, nor the
# slow hostile I/O tests of the command.
EXCLUDE = "100,000|^unit:memory|--jobs 3"
LABELS = "soak|sanitize|fuzz|package|memory|bench-smoke|browser|hostile_cli"
select = ["-E", EXCLUDE, "-LE", LABELS]
unit_bin = os.path.join(bindir, "casex_unit_tests")
unit_list = os.path.join(work, "unit-tests.txt")


def list_unit_tests():
    """The tests of casex_unit_tests in the fast subset, into unit_list; their working directory."""
    listing = subprocess.run([ctest, "--test-dir", ctestdir, "--show-only=json-v1", "-R", "^unit:"] + select,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if listing.returncode:
        die(f"ctest cannot list the tests of {ctestdir}: {listing.stderr.strip()}")
    names, cwd = [], ctestdir
    for t in json.loads(listing.stdout)["tests"]:
        cmd = t.get("command", [])
        if len(cmd) == 2 and cmd[0] == unit_bin:
            names.append(cmd[1])
            cwd = next((p["value"] for p in t.get("properties", []) if p["name"] == "WORKING_DIRECTORY"), cwd)
    if not names:
        die("no unit test of casex_unit_tests in the build's ctest files")
    with open(unit_list, "w", encoding="utf-8") as f:
        f.write("".join(n + "\n" for n in names))
    return names, cwd


# Two lines of tests at once (one core each): casex_unit_tests in one process (-a: it
# stops at its first failed check), and ctest over the eval fixtures, then the command's
# and the rules' tests. The first failure in either kills the mutant and stops the other.
def lines():
    par = ["--timeout", "120", "-j", str(max(1, jobs - 1))]
    return [[("unit", [unit_bin, "-a", "-f", unit_list], unit_dir)],
            [("eval", [ctest, "--test-dir", ctestdir, "-R", "^eval: "] + select + par, ctestdir),
             ("cli", [ctest, "--test-dir", ctestdir, "-R", "^(cli: |rules: )"] + select + par, ctestdir)]]


def first_failure(stage, log, code):
    text = open(log, encoding="utf-8", errors="replace").read()
    if stage == "unit":
        m = re.search(r"-{79}\n(.*?)\n-{79}\n[^\n]*\n\.{79}\n\n[^\n]*(FAILED|error)", text, re.S)
        return "unit: " + (" ".join(m.group(1).split()) if m else f"casex_unit_tests (exit {code})")
    m = re.search(r"Test +#\d+: (.*?) \.{3,}\*+(Failed|Timeout|Exception)|Test +#\d+: (.*?) \.{3,}.*Not Run", text)
    return (m.group(1) or m.group(3)) if m else f"a test of {stage} (exit {code})"


def run_tests(log, stop=True):
    """None when every test passed, else the first failing test (all failures when not stop)."""
    failures, running, lock = [], {}, threading.Lock()
    stopping = threading.Event()

    def line(stages):
        for stage, argv, cwd in stages:
            with lock:
                if stopping.is_set():
                    return
                f = open(f"{log}.{stage}.log", "wb")
                f.write(("$ " + shlex.join(argv) + "\n").encode())
                f.flush()
                p = subprocess.Popen(argv, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
                running[stage] = p
            try:
                code = p.wait(timeout=900)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                code = p.wait()
            f.close()
            with lock:
                del running[stage]
                if code == 0 or stopping.is_set():
                    continue
                failures.append(first_failure(stage, f"{log}.{stage}.log", code))
                if stop:
                    stopping.set()
                    for q in running.values():
                        os.killpg(q.pid, signal.SIGTERM)
                    return
    threads = [threading.Thread(target=line, args=(l,)) for l in lines()]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    finally:  # interrupted: no test left behind
        stopping.set()
        with lock:
            for q in running.values():
                os.killpg(q.pid, signal.SIGKILL)
    return "; ".join(failures) or None


# ---- the check -----------------------------------------------------------------------------
rows, killed, survived, stale = [], 0, 0, 0
start = time.time()
print(f"mutants: {len(mutants)} mutants against {build}; work directory {work}")
t0 = time.time()
if not build_programs([], os.path.join(logdir, "unmutated.build.log")):
    die(f"the unmutated programs do not link (see {logdir}/unmutated.build.log)")
unit_names, unit_dir = list_unit_tests()
failed = run_tests(os.path.join(logdir, "unmutated"), stop=False)
if failed:
    die(f"the unmutated programs fail their tests ({failed}; see {logdir}/unmutated.*.log): fix that first")
print(f"mutants: the unmutated programs pass {len(unit_names)} unit tests, the eval fixtures and the"
      f" cli: and rules: tests ({time.time() - t0:.0f} s)", flush=True)
for e in mutants:
    name = e["name"]
    why = stale_reason(e, src)
    if why:
        stale += 1
        rows.append(("STALE", name, why))
        print(f"mutants: STALE {name}", flush=True)
        continue
    if opt["only"] and name not in opt["only"]:
        continue
    t0 = time.time()
    target = os.path.join(src, e["file"])
    text = open(target, encoding="utf-8").read()
    log = os.path.join(logdir, name)
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text.replace(unescape(e["find"]), unescape(e["replace"])))
        objs = reached(e)
        ok = bool(objs) and build_programs(objs, log + ".build.log")
    finally:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    t1 = time.time()
    if not objs:
        stale += 1
        rows.append(("STALE", name, f"no program of the fast tests compiles {e['file']}"))
    elif not ok:
        stale += 1
        rows.append(("STALE", name, f"does not compile (log/{name}.build.log)"))
    else:
        by = run_tests(log)
        t2 = time.time()
        cost = f"{t2 - t0:.0f} s: {len(objs)} compiled and linked in {t1 - t0:.0f} s, tests {t2 - t1:.0f} s"
        if by:
            killed += 1
            rows.append(("killed", name, f"by {by} ({cost})"))
        else:
            survived += 1
            rows.append(("SURVIVED", name, f"every test passed ({cost})"))
    print(f"mutants: {rows[-1][0]} {name}", flush=True)
print()
print(f"{'outcome':<9} {'mutant':<40} detail")
for outcome, name, detail in rows:
    print(f"{outcome:<9} {name:<40} {detail}")
print()
print(f"mutants: {killed} killed, {survived} survived, {stale} stale ({time.time() - start:.0f} s)")
sys.exit(0 if survived == 0 and stale == 0 else 1)
PY
