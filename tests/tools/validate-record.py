#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validate a record against schemas/record.schema.json and the schema of
each section it holds (schemas/<section>.schema.json). Exit 0 when valid,
1 with the first error per section otherwise. Usage: SCHEMAS RECORD"""
import json
import os
import sys

import jsonschema


def main():
    schemas, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        record = json.load(f)
    bad = 0
    top = os.path.join(schemas, "record.schema.json")
    checks = [("record", top, record)]
    for name, section in record.items():
        p = os.path.join(schemas, name + ".schema.json")
        if os.path.exists(p):
            checks.append((name, p, section))
    for name, p, doc in checks:
        with open(p) as f:
            schema = json.load(f)
        v = jsonschema.Draft202012Validator(schema)
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        for e in errs[:3]:
            loc = "/".join(str(x) for x in e.path)
            print(f"{name}: {loc}: {e.message}", file=sys.stderr)
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
