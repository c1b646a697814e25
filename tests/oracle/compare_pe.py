#!/usr/bin/python3
"""Compare sakimori's PE identities with the committed pefile oracle.

usage: compare_pe.py ORACLE.jsonl LABEL=ROOT SNAPSHOT.jsonl [LABEL=ROOT SNAPSHOT.jsonl ...]
SNAPSHOT lines of "type": "file" (sakimori collect --root ROOT --out -) are matched to
oracle lines by LABEL/relative path. For every file pefile parsed: sections (name,
virtual size, raw size; the first 96), imphash and the VERSIONINFO strings of every
language must agree; SHA-256 must agree for every file. Reviewed differences are listed, with the reason, in
pefile-differences.txt beside this script. A file the oracle lists that the
snapshot lacks is a failure. Prints the disagreements and "N passed, N failed".
"""
import json, sys

import os
allowed = set()
for line in open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pefile-differences.txt")):
    if line.strip() and not line.startswith("#"):
        path, field = line.split()[:2]
        allowed.add((path, field))
oracle = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    oracle[r["path"]] = r
ours = {}
args = sys.argv[2:]
for i in range(0, len(args), 2):
    label, root = args[i].split("=", 1)
    root = root.rstrip("/") + "/"
    for line in open(args[i + 1]):
        r = json.loads(line)
        if r.get("type", "file") != "file" or not r["path"].startswith(root):
            continue
        ours[label + "/" + r["path"][len(root):]] = r
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok and failed <= 40:
        print("FAIL " + what)
for path, o in sorted(oracle.items()):
    s = ours.get(path)
    if s is None:
        check(False, "%s: not in the snapshot" % path)
        continue
    check(s.get("sha256") == o["sha256"], "%s: sha256 %s, oracle %s" % (path, s.get("sha256"), o["sha256"]))
    if "pefile_error" in o:
        continue
    pe = s.get("pe")
    if pe is None:
        check(False, "%s: pefile parses it, sakimori found no PE identity" % path)
        continue
    mine = [{"name": x["name"], "virtual_size": x["virtual_size"], "raw_size": x["raw_size"]} for x in pe.get("sections", [])]
    want = o["sections"][:96]
    if (path, "sections") in allowed: mine = want
    check(mine == want, "%s: sections differ: %s vs oracle %s" % (path, mine[:3], want[:3]))
    if "imphash" in o and (path, "imphash") not in allowed:
        check(pe.get("imphash", "") == o["imphash"], "%s: imphash %s, oracle %s" % (path, pe.get("imphash", ""), o["imphash"]))
    vi = {t["lang"]: t["strings"] for t in pe.get("version_info", [])}
    if (path, "version_info") in allowed: vi = o["version_info"]
    check(vi == o["version_info"], "%s: version info %s, oracle %s" % (path, json.dumps(vi, ensure_ascii=False)[:300],
                                                                         json.dumps(o["version_info"], ensure_ascii=False)[:300]))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
