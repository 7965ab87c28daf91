#!/usr/bin/env python3
"""tests/data/lint/validate_schema.py: validates rule files against rules/schema.json
(JSON Schema draft-07, with Debian's python3-jsonschema and python3-yaml).

usage: validate_schema.py SCHEMA FILE...   exit 0 when every file is valid, 1 otherwise
"""
import json
import sys

import jsonschema
import yaml


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failed = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
        if document is None:
            document = {}
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
            print(f"{path}: {where}: {e.message}")
        if errors:
            failed += 1
        else:
            print(f"{path}: valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
