#!/usr/bin/env python3
"""Time and memory bound on `case check` for a large generated case (issue #10).

scale.py SITES SUBNETS MODE writes case.json into a temporary folder, then runs
`timeout -k 2 10 sakimori case check case.json` there and prints: the exit code, the
summary's first two lines and its line count (the full summary is megabytes), stderr
verbatim (the exact warnings), and whether the peak RSS stayed under 200 MB.

MODE distinct: each site holds SUBNETS distinct /28s (no overlap: 3,000 x 50 took 70 s
when every pair of sites was compared). MODE same: every subnet is 10.0.0.0/8, so every
pair of sites overlaps (5,000 sites: 12.5 million pairs, once 1 GiB and an error that
named no file). The bounds hold in the ASan+UBSan build too.
"""
import os
import resource
import subprocess
import sys
import tempfile

sites, subnets, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
LIMIT_KB = 200 * 1024

out = ['{"schema": "sakimori/case/1", "name": "scale",\n',
       '"window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},\n',
       '"regions": [{"name": "r", "domestic": true, "sites": [\n']
for s in range(sites):
    if mode == "same":
        subs = ['"10.0.0.0/8"'] * subnets
    else:
        subs = ['"10.%d.%d.%d/28"' % (n >> 12 & 255, n >> 4 & 255, (n & 15) << 4)
                for n in range(s * subnets, (s + 1) * subnets)]
    out.append('  {"name": "s%d", "subnets": [%s]}%s\n' % (s, ", ".join(subs), "," if s + 1 < sites else ""))
out.append(']}]}\n')

with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "case.json"), "w") as f:
        f.write("".join(out))
    p = subprocess.run(["timeout", "-k", "2", "10", "sakimori", "case", "check", "case.json"],
                       cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
lines = p.stdout.decode("utf-8", "replace").splitlines()
print("rc %d%s" % (p.returncode, " (timed out after 10 s)" if p.returncode in (124, 137) else ""))
for line in lines[:2]:
    print(line)
print("%d lines of summary" % len(lines))
sys.stdout.write(p.stderr.decode("utf-8", "replace"))
print("peak RSS %s 200 MB" % ("under" if peak < LIMIT_KB else "OVER (%d KB)" % peak))
sys.exit(0 if p.returncode == 0 and peak < LIMIT_KB else 1)
