"""casex: Python bindings of libcasex (ctypes over the C API, pure Python).

    import casex
    with casex.Engine() as engine:            # the built-in rules; Engine("/etc/casex/rules")
        decision = engine.eval({"before": {"phase": "InitialSupport"},
                                "after": {"phase": "InitialSupport", "solution": "Rebooted"}})
        for op in decision.operations:
            print(op.name, op.system, op.rule)

Errors raise CasexError subclasses carrying the library's one-line message.
"""
import ctypes
import json
import warnings
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _capi

__all__ = [
    "BadInput", "CasexError", "Decision", "Diagnostic", "Engine", "Incoming", "InvalidArgument",
    "Operation", "RulesInvalid", "Unsupported", "library_version", "lint", "lint_texts",
]

# casex_status
OK, BAD_INPUT, RULES_INVALID, INVALID_ARGUMENT, UNSUPPORTED, NO_MEMORY, INTERNAL = range(7)
# casex_kind, casex_log_kind, casex_format
_KIND_CHANGE, _KIND_INCOMING = 1, 2
_LOG_DECISION, _LOG_RELOAD = 0, 1
_FORMATS = {"text": 0, "json": 1}
_SEVERITIES = {0: "error", 1: "warning", 2: "info"}

Document = Union[str, bytes, dict]


class CasexError(Exception):
    """A call of the library failed: `status` (e.g. "CASEX_BAD_INPUT") and its message."""

    def __init__(self, status: int, message: str, diagnostics: Sequence["Diagnostic"] = ()):
        self.status = _capi.text(_capi.library().casex_status_name(status))
        self.message = message
        self.diagnostics: List[Diagnostic] = list(diagnostics)
        super().__init__(f"{self.status}: {message}" if message else self.status)


class BadInput(CasexError):
    """The document is not valid input, or the rules fail on it."""


class RulesInvalid(CasexError):
    """The rules do not load; `diagnostics` says why (the previous rules stay in effect)."""


class InvalidArgument(CasexError):
    """A value the library cannot take."""


class Unsupported(CasexError):
    """Not possible here (e.g. watching the built-in rules)."""


_ERRORS = {BAD_INPUT: BadInput, RULES_INVALID: RulesInvalid, INVALID_ARGUMENT: InvalidArgument,
           UNSUPPORTED: Unsupported}


def _raise(status: int, message: str, diagnostics: Sequence["Diagnostic"] = ()) -> None:
    raise _ERRORS.get(status, CasexError)(status, message, diagnostics)


@dataclass(frozen=True)
class Operation:
    """One outgoing operation of a change: its name, target system, the phase of
    the step that produced it and the id of the rule that fired."""
    name: str
    system: str
    phase: str
    rule: str


@dataclass(frozen=True)
class Decision:
    """What a change sends: the phase after the workflow, the operations sent and suppressed."""
    record: Optional[str]  # the record's id (the document's `record:` key, e.g. "incident"), if given
    phase: str
    operations: List[Operation]
    suppressed: List[Operation]
    version: str  # the rule set version that decided
    output: str   # the result document (JSON), as `casex eval` prints it

    @property
    def incident(self) -> Optional[str]:
        """Deprecated: `record`."""
        warnings.warn("Decision.incident is deprecated; use Decision.record", DeprecationWarning,
                      stacklevel=2)
        return self.record


@dataclass(frozen=True)
class Incoming:
    """What an incoming operation changes on the record."""
    fields: Dict[str, Optional[str]]  # the record's fields after it (None: no value)
    comments: List[str]
    external_reference: Optional[Tuple[str, str]]  # (system, id) it sets, if any
    rule: str
    version: str
    output: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a rule file."""
    code: str
    severity: str  # "error", "warning" or "info"
    file: str
    line: int
    column: int
    message: str
    help: str = ""
    witness: str = ""  # lint: a change document on which the finding shows


def _diagnostics(lib: ctypes.CDLL, handle: ctypes.c_void_p) -> List[Diagnostic]:
    t = _capi.text
    return [Diagnostic(t(lib.casex_diagnostic_code(handle, i)),
                       _SEVERITIES.get(lib.casex_diagnostic_severity(handle, i), "error"),
                       t(lib.casex_diagnostic_file(handle, i)), lib.casex_diagnostic_line(handle, i),
                       lib.casex_diagnostic_column(handle, i), t(lib.casex_diagnostic_message(handle, i)),
                       t(lib.casex_diagnostic_help(handle, i)), t(lib.casex_diagnostic_witness(handle, i)))
            for i in range(lib.casex_diagnostics_count(handle))]


def _encode(document: Document) -> bytes:
    if isinstance(document, dict):
        return json.dumps(document).encode("utf-8")
    return document.encode("utf-8") if isinstance(document, str) else bytes(document)


def library_version() -> str:
    """The version of the libcasex loaded, e.g. "0.1.0"."""
    return _capi.text(_capi.library().casex_version())


class Engine:
    """An engine: the rule set in effect, replaced by reload(). Evaluate from any
    number of threads. Use it as a context manager (or call close()) to free it."""

    def __init__(self, rules_dir: Optional[str] = None, library: Optional[str] = None,
                 lenient_input: bool = False):
        self._lib = _capi.library(library)
        self._handle = ctypes.c_void_p()
        self._log_callback = None
        self._lenient_input = False
        diags = ctypes.c_void_p()
        status = self._lib.casex_engine_open(rules_dir.encode() if rules_dir else None,
                                             ctypes.byref(self._handle), ctypes.byref(diags))
        try:
            found = _diagnostics(self._lib, diags)
        finally:
            self._lib.casex_diagnostics_free(diags)
        if status != OK:
            _raise(status, _capi.text(self._lib.casex_engine_last_error(None)), found)
        self.diagnostics = found  # warnings and infos of loading
        if lenient_input:
            self.lenient_input = True

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        """Frees the engine (after this, every call raises)."""
        handle = getattr(self, "_handle", None)
        if handle:
            self._lib.casex_engine_free(handle)
            self._handle = ctypes.c_void_p()

    def _engine(self) -> ctypes.c_void_p:
        if not self._handle:
            raise ValueError("the engine is closed")
        return self._handle

    @property
    def version(self) -> str:
        """The version (a digest of the rule files) in effect now."""
        return _capi.take_string(self._lib, self._lib.casex_engine_version(self._engine()))

    @property
    def lenient_input(self) -> bool:
        """How eval reads documents. False (the default): input that could be
        silently misread is BadInput with "did you mean" (a near-miss top-level
        key, a snapshot key naming a field but for case or separators, a text
        one edit from a declared value, a key given twice). True (as `casex
        eval --lenient-input`): such documents are read as before."""
        return self._lenient_input

    @lenient_input.setter
    def lenient_input(self, lenient: bool) -> None:
        status = self._lib.casex_engine_set_lenient_input(self._engine(), 1 if lenient else 0)
        if status != OK:
            _raise(status, _capi.text(self._lib.casex_engine_last_error(self._handle)))
        self._lenient_input = bool(lenient)

    def eval(self, document: Document) -> Union[Decision, Incoming]:
        """Evaluates one `casex eval` document (a dict, or JSON text): a change
        gives a Decision, an incoming operation an Incoming. Raises BadInput."""
        lib, data, result = self._lib, _encode(document), ctypes.c_void_p()
        status = lib.casex_eval(self._engine(), data, len(data), ctypes.byref(result))
        t = _capi.text
        try:
            if status != OK:
                _raise(status, t(lib.casex_result_error(result)) or t(lib.casex_engine_last_error(self._handle)))
            version, output = t(lib.casex_result_version(result)), t(lib.casex_result_output(result))
            if lib.casex_result_kind(result) == _KIND_INCOMING:
                fields = {}
                for i in range(lib.casex_result_field_count(result)):
                    value = t(lib.casex_result_field_value(result, i))
                    fields[t(lib.casex_result_field_name(result, i))] = value if value else None
                system = t(lib.casex_result_reference_system(result))
                return Incoming(fields, [t(lib.casex_result_comment(result, i))
                                         for i in range(lib.casex_result_comment_count(result))],
                                (system, t(lib.casex_result_reference_id(result))) if system else None,
                                t(lib.casex_result_rule(result)), version, output)

            def operations(kind: str, count: int) -> List[Operation]:
                part = lambda name, i: t(getattr(lib, f"casex_result_{kind}_{name}")(result, i))
                return [Operation(part("name", i), part("system", i), part("phase", i), part("rule", i))
                        for i in range(count)]
            record = t(lib.casex_result_record(result))
            return Decision(record or None, t(lib.casex_result_phase(result)),
                            operations("operation", lib.casex_result_operation_count(result)),
                            operations("suppressed", lib.casex_result_suppressed_count(result)),
                            version, output)
        finally:
            lib.casex_result_free(result)

    def explain(self, document: Document, format: str = "text") -> str:
        """Why a document gives its result, as `casex explain` (format "text" or "json")."""
        data, out = _encode(document), ctypes.c_void_p()
        status = self._lib.casex_explain(self._engine(), data, len(data), _FORMATS[format], ctypes.byref(out))
        if status != OK:
            _raise(status, _capi.text(self._lib.casex_engine_last_error(self._handle)))
        return _capi.take_string(self._lib, out.value)

    def reload(self) -> str:
        """Reads the rules again and swaps them in; returns the version now in
        effect. Raises RulesInvalid (the previous rules stay) with the diagnostics."""
        diags = ctypes.c_void_p()
        status = self._lib.casex_engine_reload(self._engine(), ctypes.byref(diags))
        try:
            found = _diagnostics(self._lib, diags)
            version = _capi.text(self._lib.casex_diagnostics_version(diags))
        finally:
            self._lib.casex_diagnostics_free(diags)
        if status != OK:
            _raise(status, _capi.text(self._lib.casex_engine_last_error(self._handle)), found)
        return version

    def set_log(self, callback: Optional[Callable[[str, dict], None]]) -> None:
        """Calls `callback(kind, line)` for each decision ("decision") and reload
        ("reload"), `line` the parsed JSON log line; None removes it. It runs on
        the evaluating thread."""
        if callback is None:
            hook = _capi.LOG_CALLBACK()
        else:
            def hook_fn(_user: Optional[int], kind: int, line: bytes) -> None:
                callback("reload" if kind == _LOG_RELOAD else "decision", json.loads(line))
            hook = _capi.LOG_CALLBACK(hook_fn)
        status = self._lib.casex_engine_set_log(self._engine(), hook, None)
        if status != OK:
            _raise(status, _capi.text(self._lib.casex_engine_last_error(self._handle)))
        self._log_callback = hook  # kept alive while the library may call it


def _lint_result(lib: ctypes.CDLL, status: int, diags: ctypes.c_void_p) -> List[Diagnostic]:
    try:
        found = _diagnostics(lib, diags)
    finally:
        lib.casex_diagnostics_free(diags)
    if status not in (OK, RULES_INVALID):
        _raise(status, _capi.text(lib.casex_engine_last_error(None)))
    return found


def lint(paths: Sequence[str] = ()) -> List[Diagnostic]:
    """Lints rule files and directories as `casex lint` does (none: the built-in
    rules): every finding, errors included, each with its witness."""
    lib = _capi.library()
    array = (ctypes.c_char_p * len(paths))(*[p.encode() for p in paths])
    diags = ctypes.c_void_p()
    return _lint_result(lib, lib.casex_lint(array, len(paths), ctypes.byref(diags)), diags)


def lint_texts(files: Dict[str, str]) -> List[Diagnostic]:
    """Lints rule files given as {name: text}."""
    lib = _capi.library()
    names = (ctypes.c_char_p * len(files))(*[n.encode() for n in files])
    texts = (ctypes.c_char_p * len(files))(*[t.encode() for t in files.values()])
    diags = ctypes.c_void_p()
    return _lint_result(lib, lib.casex_lint_texts(names, texts, len(files), ctypes.byref(diags)), diags)
