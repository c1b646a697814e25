#!/usr/bin/env python3
"""Validate docs/formats: every schema is a valid JSON Schema (draft 2020-12), every
example validates against its schema, every negative example is rejected, and every
schema has at least one example. python3-jsonschema (Debian) is the oracle: it shares
no code with sakimori.

Examples are named <schema>.json (one document), <schema>.jsonl or
<schema>-<variant>.jsonl (one document per line); negative ones live in invalid/.
Prints one line per check and closes with "N passed, N failed".
"""
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker, RefResolver

# validate.py [DOCS]                          check docs/formats itself
# validate.py DOCS --instance SCHEMA FILE...   validate files (JSON or JSON lines) against SCHEMA
args = sys.argv[1:]
instance = None
if "--instance" in args:
    k = args.index("--instance")
    instance = (args[k + 1], args[k + 2:])
    args = args[:k]
docs = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "..", "docs")
sdir = os.path.join(docs, "formats", "schemas")
edir = os.path.join(docs, "formats", "examples")

passed = failed = 0


def report(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(("ok   " if ok else "FAIL ") + what)


schemas, store = {}, {}
for fn in sorted(os.listdir(sdir)):
    if not fn.endswith(".schema.json"):
        continue
    name = fn[: -len(".schema.json")]
    with open(os.path.join(sdir, fn), encoding="utf-8") as f:
        s = json.load(f)
    try:
        Draft202012Validator.check_schema(s)
        report(s.get("$id", "").endswith("/schemas/%s/v1" % name), "%s: valid schema with $id .../schemas/%s/v1" % (fn, name))
    except jsonschema.SchemaError as e:
        report(False, "%s: %s" % (fn, e.message))
    schemas[name] = s
    store[s["$id"]] = s


def validator(name):
    s = schemas[name]
    return Draft202012Validator(s, resolver=RefResolver(s["$id"], s, store=store), format_checker=FormatChecker())


def docs_in(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith(".jsonl"):
            for i, line in enumerate(f, 1):
                if line.strip():
                    yield i, json.loads(line)
        else:
            yield 1, json.load(f)


def schema_of(fn):
    base = fn.rsplit(".", 1)[0]
    for cand in (base, base.split("-", 1)[0]):
        if cand in schemas:
            return cand
    return None


if instance:
    name, files = instance
    if name not in schemas:
        print("no schema named %s" % name)
        sys.exit(2)
    v = validator(name)
    for path in files:
        n = 0
        for line, doc in docs_in(path):
            n += 1
            errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
            if errs:
                report(False, "%s:%d against %s: %s at %s" % (path, line, name, errs[0].message[:200], list(errs[0].path)))
        if n == 0:
            report(False, "%s: no document" % path)
        elif not failed:
            report(True, "%s: %d document(s) valid against %s" % (path, n, name))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)

covered = set()
for fn in sorted(os.listdir(edir)):
    path = os.path.join(edir, fn)
    if os.path.isdir(path):
        continue
    name = schema_of(fn)
    if name is None:
        report(False, "%s: no schema named after it" % fn)
        continue
    covered.add(name)
    v = validator(name)
    for line, doc in docs_in(path):
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        report(not errs, "%s:%d valid against %s%s" % (fn, line, name, (": " + errs[0].message[:200]) if errs else ""))

idir = os.path.join(edir, "invalid")
for fn in sorted(os.listdir(idir)) if os.path.isdir(idir) else []:
    name = schema_of(fn)
    if name is None:
        report(False, "invalid/%s: no schema named after it" % fn)
        continue
    v = validator(name)
    for line, doc in docs_in(os.path.join(idir, fn)):
        errs = list(v.iter_errors(doc))
        report(bool(errs), "invalid/%s:%d rejected by %s%s" % (fn, line, name, (": " + errs[0].message[:120]) if errs else " (WRONGLY ACCEPTED)"))

for name in sorted(schemas):
    if name != "common":
        report(name in covered, "%s has at least one example" % name)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
