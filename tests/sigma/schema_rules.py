#!/usr/bin/env python3
"""Every rule sakimori accepts is valid against the Sigma specification's JSON Schemas.

Runs `sakimori sigma check --format jsonl` over the given rule folders, and for every rule
it did not refuse, validates that YAML document (found by file and line) against the
detection, correlation or filter schema of ../shared/data/sigma/specification/json-schema
(python3-jsonschema, which shares no code with sakimori). Prints a summary; exit 1 on any
invalid accepted rule, 77 when the specification is missing (1 when CI=true).

usage: schema_rules.py SAKIMORI SIGMA_DIR RULES_DIR...
"""
import json
import os
import subprocess
import sys

import jsonschema
import yaml


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    sakimori, sigma, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    sdir = os.path.join(sigma, "specification", "json-schema")
    if not os.path.isdir(sdir) or not all(os.path.isdir(d) for d in dirs):
        print("schema_rules: %s or a rule folder missing" % sdir, file=sys.stderr)
        return 1 if os.environ.get("CI") == "true" else 77
    schemas = {}
    for kind, name in (("detection", "sigma-detection-rule-schema.json"), ("correlation", "sigma-correlation-rules-schema.json"),
                       ("filter", "sigma-filters-schema.json")):
        with open(os.path.join(sdir, name), encoding="utf-8") as f:
            s = json.load(f)
        schemas[kind] = jsonschema.validators.validator_for(s)(s)
    p = subprocess.run([sakimori, "sigma", "check", "--format", "jsonl"] + dirs, capture_output=True, text=True, timeout=600)
    docs = {}
    checked = invalid = 0
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r["support"] == "refused":
            continue
        path = r["path"]
        if path not in docs:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            docs[path] = {}
            for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
                if node is not None:
                    docs[path][node.start_mark.line + 1] = yaml.safe_load(yaml.serialize(node))
        doc = docs[path].get(r["line"])
        if doc is None:
            print("FAIL %s:%d: no YAML document starts there" % (path, r["line"]))
            invalid += 1
            continue
        checked += 1
        errs = list(schemas[r["kind"]].iter_errors(json.loads(json.dumps(doc, default=str))))
        if errs:
            invalid += 1
            print("FAIL %s:%d (%s): %s" % (path, r["line"], r["kind"], errs[0].message[:200]))
    print("schema_rules: %d accepted rules validated, %d invalid" % (checked, invalid))
    return 1 if invalid or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
