#!/usr/bin/env python3
"""SigmaHQ's regression data: every case matches exactly match_count times.

For every info.yml under SIGMA/regression_data, the rule it names (found by id under
SIGMA/rules*) runs alone on its own log with `sakimori hunt events`, once on the EVTX
file and once on the evtx-crate JSON rendering of the same events when it exists; the
findings are counted (one per matching event) and compared with match_count (at least
one where none is given). Prints one line per failure and a summary; exit 1 on any
failure, 77 when the data is missing (unless CI=true: then 1).

usage: regression.py SAKIMORI SIGMA_DIR [--only SUBSTRING] [-v]
"""
import glob
import json
import os
import subprocess
import sys

import yaml


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    only = None
    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1]
        args = [a for a in args if a != only]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sakimori, sigma = args
    reg = os.path.join(sigma, "regression_data")
    if not os.path.isdir(reg):
        msg = "regression: %s missing" % reg
        if os.environ.get("CI") == "true":
            print(msg + " (CI=true: failing)", file=sys.stderr)
            return 1
        print(msg + ": skipped", file=sys.stderr)
        return 77
    index = {}
    for path in glob.glob(os.path.join(sigma, "rules*", "**", "*.yml"), recursive=True):
        try:
            with open(path, encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if isinstance(doc, dict) and doc.get("id"):
                        index[str(doc["id"])] = path
        except yaml.YAMLError:
            pass
    overrides = {}
    ov_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regression_overrides.yml")
    if os.path.exists(ov_path):
        with open(ov_path, encoding="utf-8") as f:
            for o in (yaml.safe_load(f) or {}).get("overrides") or []:
                overrides[o["info"]] = o["count"]
    cases = fails = 0
    for info_path in sorted(glob.glob(os.path.join(reg, "**", "info.yml"), recursive=True)):
        if only and only not in info_path:
            continue
        with open(info_path, encoding="utf-8") as f:
            info = yaml.safe_load(f)
        tests = info.get("regression_tests_info") or []
        for meta in info.get("rule_metadata") or []:
            rule = index.get(str(meta.get("id")))
            for t in tests:
                if t.get("type") != "evtx":
                    continue
                want = t.get("match_count")
                rel = os.path.relpath(info_path, sigma)
                if rel in overrides:
                    want = overrides[rel]
                evtx = os.path.join(sigma, t["path"])
                inputs = [evtx]
                js = os.path.splitext(evtx)[0] + ".json"
                if os.path.exists(js):
                    inputs.append(js)
                for inp in inputs:
                    cases += 1
                    if not rule:
                        fails += 1
                        print("FAIL %s: rule %s not found" % (info_path, meta.get("id")))
                        continue
                    p = subprocess.run([sakimori, "hunt", "events", "--quiet", "--sigma", rule, "--format", "jsonl", inp],
                                       capture_output=True, text=True, timeout=120)
                    lines = [l for l in p.stdout.splitlines() if l.strip()]
                    found = 0
                    for l in lines:
                        f = json.loads(l)
                        if f.get("rule", {}).get("id") == str(meta.get("id")):
                            found += 1
                    ok = (found == want) if want is not None else found >= 1
                    if p.returncode not in (0, 1) or p.stderr.strip():
                        ok = False
                    if not ok:
                        fails += 1
                        print("FAIL %s on %s: %d findings, want %s (rc %d) %s" % (
                            os.path.relpath(rule, sigma), os.path.relpath(inp, sigma), found,
                            want if want is not None else ">=1", p.returncode, p.stderr.strip()[:300]))
                    elif verbose:
                        print("ok   %s: %d" % (os.path.relpath(inp, sigma), found))
    print("regression: %d cases, %d failed" % (cases, fails))
    return 1 if fails or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
