#!/usr/bin/env python3
"""bench/files.sh's import for the sqlite3 shell: the case's inventory as TSV tables.
  files_tsv.py CASE OUT_DIR  ->  OUT_DIR/entries.tsv (host, sha256: each host listing's
  entries with a digest), basesha.tsv (sha256 of every base manifest entry),
  catalog.tsv (sha256, kind)."""
import json
import os
import sys

case, out = sys.argv[1], sys.argv[2]
snap = os.path.join(case, "snapshots")
with open(os.path.join(out, "basesha.tsv"), "w") as b:
    for f in sorted(os.listdir(os.path.join(snap, "bases"))):
        for l in open(os.path.join(snap, "bases", f)):
            e = json.loads(l)
            if e.get("type") == "entry" and e.get("sha256"):
                b.write(e["sha256"] + "\n")
with open(os.path.join(out, "catalog.tsv"), "w") as c:
    for l in open(os.path.join(snap, "catalog.jsonl")):
        r = json.loads(l)
        c.write("%s\t%s\n" % (r["sha256"], r["kind"]))
with open(os.path.join(out, "entries.tsv"), "w") as o:
    for root, _, files in os.walk(os.path.join(snap, "listings")):
        for f in sorted(files):
            host = None
            for l in open(os.path.join(root, f)):
                e = json.loads(l)
                if e.get("type") == "listing":
                    host = e["host_id"]
                elif e.get("sha256"):
                    o.write("%s\t%s\n" % (host, e["sha256"]))
