#!/usr/bin/env python3
"""tests/install/python/consumer.py: loads the installed libcasex.so through
ctypes (no pip), evaluates a change and an incoming operation, checks both."""
import ctypes
import json
import sys

lib = ctypes.CDLL(sys.argv[1])
lib.casex_engine_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
lib.casex_engine_open.restype = ctypes.c_int
lib.casex_engine_free.argtypes = [ctypes.c_void_p]
lib.casex_eval.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)]
lib.casex_eval.restype = ctypes.c_int
for name in ("casex_result_output", "casex_result_error", "casex_result_version"):
    getattr(lib, name).argtypes = [ctypes.c_void_p]
    getattr(lib, name).restype = ctypes.c_char_p
lib.casex_result_free.argtypes = [ctypes.c_void_p]
lib.casex_engine_version.argtypes = [ctypes.c_void_p]
lib.casex_engine_version.restype = ctypes.c_void_p  # a char* the caller frees
lib.casex_string_free.argtypes = [ctypes.c_void_p]
CASEX_OK, CASEX_BAD_INPUT = 0, 1


def evaluate(engine, document):
    """Returns (status, output, error, version); frees the result."""
    data = json.dumps(document).encode()
    result = ctypes.c_void_p()
    status = lib.casex_eval(engine, data, len(data), ctypes.byref(result))
    try:
        return (status, lib.casex_result_output(result).decode(), lib.casex_result_error(result).decode(),
                lib.casex_result_version(result).decode())
    finally:
        lib.casex_result_free(result)


engine = ctypes.c_void_p()
assert lib.casex_engine_open(None, ctypes.byref(engine), None) == CASEX_OK
version_ptr = lib.casex_engine_version(engine)
version = ctypes.string_at(version_ptr).decode()
lib.casex_string_free(version_ptr)

status, output, error, used = evaluate(engine, {
    "before": {"phase": "InitialSupport", "assignment": "SM Tier 2"},
    "after": {"phase": "InitialSupport", "assignment": "SM Tier 2", "solution": "Rebooted"},
    "external_reference": {"system": "SM", "id": "IM10023"}, "groups": {"SM Tier 2": "SM"}})
print(output)
assert status == CASEX_OK, error
assert [op["operation"] for op in json.loads(output)["operations"]] == ["Update", "Resolve"]
assert used == version

status, output, error, _ = evaluate(engine, {"incoming": "Reopen", "incident": {"phase": "Closed", "solution": "x"}})
print(output or error)
assert status == CASEX_OK, error
assert json.loads(output)["rule"] == "incoming.reopen"

status, output, error, _ = evaluate(engine, {"before": {"phase": "Reveiw"}, "after": {"phase": "Review"}})
assert status == CASEX_BAD_INPUT and 'did you mean "Review"' in error, error

lib.casex_engine_free(engine)
print("ok")
