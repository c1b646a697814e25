#!/usr/bin/env python3
"""check_fixtures: `sakimori net records` against the reader fixtures written from the
formats' documentation (tests/fixtures/net/, schema in its README).

usage: check_fixtures.py SAKIMORI FIXTURES_DIR

Every fixture F with F.expected.jsonl: the records printed must equal the expected ones,
in order, compared as JSON objects (the set of keys too). A broken fixture F.bad must
also report exactly the lines of F.bad.errors (the "line N:" of each message on stderr)
and exit 3. Formats without a reader yet are listed in NOT_YET and skipped with a line
saying so. Syslog lines without a year are read as 2019, as the fixtures assume.
"""
import glob
import json
import os
import re
import subprocess
import sys

NOT_YET = set()  # issue #13: readers to come

def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, root = sys.argv[1], sys.argv[2]
    failed = checked = 0
    skipped = set()
    for exp in sorted(glob.glob(os.path.join(root, "**", "*.expected.jsonl"), recursive=True)):
        fixture = exp[: -len(".expected.jsonl")]
        fmt = os.path.relpath(fixture, root).split(os.sep)[0]
        if fmt in NOT_YET:
            skipped.add(fmt)
            continue
        checked += 1
        p = subprocess.run([binary, "net", "records", "--year", "2019", fixture], capture_output=True)
        problems = []
        try:
            got = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
        except ValueError as e:
            got = []
            problems.append("output is not JSON lines: %s" % e)
        want = [json.loads(l) for l in open(exp, encoding="utf-8") if l.strip()]
        if len(got) != len(want):
            problems.append("%d records, expected %d" % (len(got), len(want)))
        for g, w in zip(got, want):
            if g != w:
                problems.append("line %s:\n    got  %s\n    want %s" % (w.get("line"), json.dumps(g, sort_keys=True), json.dumps(w, sort_keys=True)))
        err = p.stderr.decode("utf-8", "replace")
        if fixture.endswith(".bad"):
            want_lines = sorted(int(x) for x in open(fixture + ".errors").read().split())
            got_lines = sorted({int(m.group(1)) for m in re.finditer(r": line (\d+):", err)})
            if got_lines != want_lines:
                problems.append("error lines %s, expected %s" % (got_lines, want_lines))
            if p.returncode != 3:
                problems.append("exit %d, expected 3" % p.returncode)
        elif p.returncode != 0 or err.strip():
            problems.append("exit %d, stderr %r" % (p.returncode, err[:300]))
        if problems:
            failed += 1
            print("FAIL %s" % os.path.relpath(fixture, root))
            for pr in problems[:8]:
                print("  " + pr)
    for fmt in sorted(skipped):
        print("skip %s: no reader yet" % fmt)
    print("%d fixtures, %d failed" % (checked, failed))
    return 1 if failed or not checked else 0

if __name__ == "__main__":
    sys.exit(main())
