"""casex._capi: the C API of libcasex (include/casex/casex.h) declared for
ctypes: every function's argtypes and restype, once. Internal."""
import ctypes
import ctypes.util
import os
from typing import Optional

c_char_p, c_void_p, c_size_t, c_int = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
P = ctypes.POINTER

LOG_CALLBACK = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)

# name: (restype, argtypes). A `char *` the caller frees is c_void_p (freed with
# casex_string_free); a `const char *` owned by a handle is c_char_p.
_SIGNATURES = {
    "casex_version": (c_char_p, []),
    "casex_version_number": (ctypes.c_long, []),
    "casex_status_name": (c_char_p, [c_int]),
    "casex_string_free": (None, [c_void_p]),
    "casex_engine_open": (c_int, [c_char_p, P(c_void_p), P(c_void_p)]),
    "casex_engine_free": (None, [c_void_p]),
    "casex_engine_version": (c_void_p, [c_void_p]),
    "casex_engine_last_error": (c_char_p, [c_void_p]),
    "casex_engine_reload": (c_int, [c_void_p, P(c_void_p)]),
    "casex_engine_set_log": (c_int, [c_void_p, LOG_CALLBACK, c_void_p]),
    "casex_engine_set_lenient_input": (c_int, [c_void_p, c_int]),
    "casex_eval": (c_int, [c_void_p, c_char_p, c_size_t, P(c_void_p)]),
    "casex_result_output": (c_char_p, [c_void_p]),
    "casex_result_error": (c_char_p, [c_void_p]),
    "casex_result_version": (c_char_p, [c_void_p]),
    "casex_result_free": (None, [c_void_p]),
    "casex_result_kind": (c_int, [c_void_p]),
    "casex_result_record": (c_char_p, [c_void_p]),
    "casex_result_phase": (c_char_p, [c_void_p]),
    "casex_result_operation_count": (c_size_t, [c_void_p]),
    "casex_result_suppressed_count": (c_size_t, [c_void_p]),
    "casex_result_field_count": (c_size_t, [c_void_p]),
    "casex_result_field_name": (c_char_p, [c_void_p, c_size_t]),
    "casex_result_field_value": (c_char_p, [c_void_p, c_size_t]),
    "casex_result_comment_count": (c_size_t, [c_void_p]),
    "casex_result_comment": (c_char_p, [c_void_p, c_size_t]),
    "casex_result_reference_system": (c_char_p, [c_void_p]),
    "casex_result_reference_id": (c_char_p, [c_void_p]),
    "casex_result_rule": (c_char_p, [c_void_p]),
    "casex_explain": (c_int, [c_void_p, c_char_p, c_size_t, c_int, P(c_void_p)]),
    "casex_lint": (c_int, [P(c_char_p), c_size_t, P(c_void_p)]),
    "casex_lint_texts": (c_int, [P(c_char_p), P(c_char_p), c_size_t, P(c_void_p)]),
    "casex_diagnostics_count": (c_size_t, [c_void_p]),
    "casex_diagnostics_text": (c_char_p, [c_void_p]),
    "casex_diagnostics_version": (c_char_p, [c_void_p]),
    "casex_diagnostic_severity": (c_int, [c_void_p, c_size_t]),
    "casex_diagnostic_line": (c_int, [c_void_p, c_size_t]),
    "casex_diagnostic_column": (c_int, [c_void_p, c_size_t]),
    "casex_diagnostics_free": (None, [c_void_p]),
}
for _list in ("operation", "suppressed"):
    for _part in ("name", "system", "phase", "rule"):
        _SIGNATURES[f"casex_result_{_list}_{_part}"] = (c_char_p, [c_void_p, c_size_t])
for _part in ("code", "file", "message", "help", "witness"):
    _SIGNATURES[f"casex_diagnostic_{_part}"] = (c_char_p, [c_void_p, c_size_t])

_lib: Optional[ctypes.CDLL] = None


def library(path: Optional[str] = None) -> ctypes.CDLL:
    """libcasex, loaded once: `path`, else $CASEX_LIBRARY, else the system's
    libcasex (ctypes.util.find_library), else libcasex.so.0 on the loader's path."""
    global _lib
    if _lib is not None and path is None:
        return _lib
    name = path or os.environ.get("CASEX_LIBRARY") or ctypes.util.find_library("casex") or "libcasex.so.0"
    lib = ctypes.CDLL(name)
    for fn, (restype, argtypes) in _SIGNATURES.items():
        f = getattr(lib, fn)
        f.restype, f.argtypes = restype, argtypes
    _lib = lib
    return lib


def text(value: Optional[bytes]) -> str:
    return value.decode("utf-8") if value else ""


def take_string(lib: ctypes.CDLL, pointer: Optional[int]) -> str:
    """The text of a `char *` the library returned, freed."""
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib.casex_string_free(pointer)
