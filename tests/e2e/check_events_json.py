#!/usr/bin/python3
"""check_events_json.py - the JSON event readers against the simulator's endpoint logs,
with independent Python (no sakimori code): every line of every host's Winlogbeat or
NXLog log becomes exactly one event, with the EventID, Channel and Computer the line
holds and the instant it says (Winlogbeat's UTC @timestamp; NXLog's EventTime in the
site's zone, converted here with zoneinfo) and the time quality and offset that says so,
no diagnostics; and every compromised host
that has event logs shows the renamed PowerShell in some event's fields.

    check_events_json.py SAKIMORI SIMDIR
"""
import datetime
import glob
import json
import os
import subprocess
import sys
import zoneinfo

sk, sim = sys.argv[1], sys.argv[2]
case = json.load(open(os.path.join(sim, "case.json")))
truth = json.load(open(os.path.join(sim, "truth", "truth.json")))
zones = {s["name"]: s["timezone"] for r in case["regions"] for s in r["sites"]}
fails = []
events_by_host = {}
total = 0


def check(cond, msg):
    if not cond:
        fails.append(msg)


def utc_ms(s, zone):
    s = s.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(s.replace(" ", "T"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return round(d.timestamp() * 1000)


for site_dir in sorted(glob.glob(os.path.join(sim, "logs", "events", "*"))):
    site = os.path.basename(site_dir)
    files = sorted(glob.glob(os.path.join(site_dir, "*.json")))
    p = subprocess.run([sk, "evtx", "dump", "--quiet", "--timezone", zones[site]] + files, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    check(p.returncode == 0 and not p.stderr, "%s: exit %d, stderr %r" % (site, p.returncode, p.stderr[:300]))
    out = [json.loads(l) for l in p.stdout.decode().splitlines()]
    raw = []
    for f in files:
        for line in open(f, encoding="utf-8"):
            if line.strip():
                raw.append((os.path.basename(f)[:-5], json.loads(line)))
    check(len(out) == len(raw), "%s: %d lines, %d events" % (site, len(raw), len(out)))
    for (host, r), ev in zip(raw, out):
        total += 1
        s = ev["System"]
        if "winlog" in r:
            w = r["winlog"]
            want = (int(w["event_id"]), w["channel"], w["computer_name"], utc_ms(r["@timestamp"], "UTC"))
            check(ev["format"] == "winlogbeat", "%s: format %s" % (host, ev["format"]))
        else:
            want = (int(r["EventID"]), r["Channel"], r["Hostname"], utc_ms(r["EventTime"], zones[site]))
            check(ev["format"] == "nxlog", "%s: format %s" % (host, ev["format"]))
        got = (s.get("EventID"), s.get("Channel"), s.get("Computer"), utc_ms(ev["time"], "UTC"))
        check(got == want, "%s: event %r, line says %r" % (host, got, want))
        # the time's quality (docs/formats/time.md): NXLog's EventTime is local time in the
        # site's zone, whole seconds; Winlogbeat's @timestamp is UTC
        tq = ev.get("time_quality")
        if "winlog" in r:
            ts = r["@timestamp"]
            check(tq == (None if "." in ts else ["utc", "seconds"]), "%s: time_quality %r for @timestamp %s" % (host, tq, ts))
        else:
            d = datetime.datetime.fromisoformat(r["EventTime"].replace(" ", "T")).replace(tzinfo=zoneinfo.ZoneInfo(zones[site]))
            off = int(d.utcoffset().total_seconds())
            check(tq is not None and tq[0] == "zone" and "seconds" in tq and ev.get("time_offset_s") == off,
                  "%s: time_quality %r, time_offset_s %r for EventTime %s in %s" % (host, tq, ev.get("time_offset_s"),
                                                                                   r["EventTime"], zones[site]))
        events_by_host.setdefault(host, []).append(ev)

unknown = set(truth.get("unknown_hosts", []))
seen = 0
for h in truth["compromised_hosts"]:
    name, renamed = h["host"], h.get("renamed_powershell")
    if not renamed or name not in events_by_host:
        continue
    text = json.dumps([e.get("EventData", {}) for e in events_by_host[name]])
    check(json.dumps(renamed)[1:-1] in text, "%s: no event names %s" % (name, renamed))
    seen += 1
print("%d lines of %d hosts' Winlogbeat and NXLog logs: %d events, times, ids, channels and computers agree; "
      "%d compromised hosts with logs show the renamed PowerShell" % (total, len(events_by_host), total, seen))
for f in fails[:10]:
    print("FAIL " + f)
sys.exit(1 if fails or not seen else 0)
