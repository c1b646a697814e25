#!/usr/bin/env bash
# evtx/realdata-fields (real data): fields that fixtures written from the documentation
# never showed. Over EVTX-ATTACK-SAMPLES (the whole folder, read as one input list):
# every classic PowerShell event (Windows PowerShell 400, 403, 600, 800) has its
# HostApplication (real 800 events hold their Data as one string array, which hid it),
# and the raw Data stays an array. Skips when ../shared/data is missing; fails then
# with CI=true.
set -u
bin=$(readlink -f "$1") root=$2
data=${SK_SHARED_DATA:-$root/../shared/data}/evtx/attack-samples
if [ ! -d "$data" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: $data is missing (CI=true)"; exit 1; fi
  echo "skipped: $data is missing"; exit 77
fi
"$bin" evtx dump --quiet "$data" 2> /dev/null | python3 -c '
import json, sys
n = ok = 0
for l in sys.stdin:
    d = json.loads(l)
    s = d["System"]
    if s.get("Channel") != "Windows PowerShell" or s.get("EventID") not in (400, 403, 600, 800): continue
    n += 1
    e = d.get("EventData", {})
    if "HostApplication" in e and isinstance(e.get("Data"), list): ok += 1
    else: print("FAIL no HostApplication: %s" % l[:300])
if n == 0: sys.exit("FAIL no classic PowerShell event found")
if ok != n: sys.exit(1)
print("ok   %d classic PowerShell events, each with HostApplication and its raw Data" % n)'
