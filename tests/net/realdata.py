#!/usr/bin/env python3
"""realdata: `sakimori net records` over the real Zeek logs of ../shared/data/zeek
(Stratosphere captures): every data line of every log becomes one record, with no line
reported, and the records' times, addresses and ports are those of the lines.

usage: realdata.py SAKIMORI DATA_DIR
Skips (exit 77) when the data is missing; fails instead when CI=true.
"""
import json
import os
import subprocess
import sys

def main():
    binary, data = sys.argv[1], sys.argv[2]
    root = os.path.join(data, "zeek", "stratosphere")
    if not os.path.isdir(root):
        print("realdata: %s is missing" % root)
        return 1 if os.environ.get("CI") == "true" else 77
    logs = []
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith(".log"):
                logs.append(os.path.join(d, f))
    bad = 0
    total = 0
    for path in logs:
        p = subprocess.run([binary, "net", "records", path], capture_output=True)
        recs = [json.loads(l) for l in p.stdout.decode().splitlines()]
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        data_lines = [i + 1 for i, l in enumerate(lines) if l.strip() and not l.startswith("#")]
        problems = []
        if p.returncode != 0 or p.stderr.strip():
            problems.append("exit %d: %s" % (p.returncode, p.stderr.decode()[:300]))
        if [r["line"] for r in recs] != data_lines:
            problems.append("%d records for %d data lines" % (len(recs), len(data_lines)))
        fields = None
        for l in lines:
            if l.startswith("#fields"):
                fields = l.split("\t")[1:]
        kind = os.path.basename(path).split(".")[0]
        for l in lines:
            if l.startswith("#path"):
                kind = l.split("\t")[1]
        if recs and recs[0]["kind"] != kind:
            problems.append("kind %s for %s" % (recs[0]["kind"], kind))
        for r in recs[:2000]:
            if fields:
                row = dict(zip(fields, lines[r["line"] - 1].split("\t")))
            else:
                row = {k: str(v) for k, v in json.loads(lines[r["line"] - 1]).items()}
            if row.get("id.orig_h", "-") != "-" and r.get("src_ip") != row["id.orig_h"]:
                problems.append("line %d: src_ip %s, the line has %s" % (r["line"], r.get("src_ip"), row["id.orig_h"]))
                break
            if row.get("proto") != "icmp" and row.get("id.resp_p", "-") != "-" and "id.resp_h" in row and r.get("dst_port") != int(row["id.resp_p"]):
                problems.append("line %d: dst_port %s, the line has %s" % (r["line"], r.get("dst_port"), row["id.resp_p"]))
                break
            sec = row.get("ts", "").split(".")[0]
            if sec.isdigit() and not r["ts"].startswith(__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(int(sec)))):
                problems.append("line %d: ts %s, the line has %s" % (r["line"], r["ts"], row["ts"]))
                break
        total += len(recs)
        if problems:
            bad += 1
            print("FAIL %s" % os.path.relpath(path, root))
            for pr in problems[:5]:
                print("  " + pr)
    print("realdata: %d logs, %d records, %d failed" % (len(logs), total, bad))
    return 1 if bad or not logs else 0

if __name__ == "__main__":
    sys.exit(main())
