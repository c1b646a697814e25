#!/usr/bin/env python3
"""Check the simulator's firewall logs against its case and truth, with none of
sakimori's code: CSV read with the csv module, local times converted with zoneinfo.

  - every firewall source in case.json has files, each with the documented header;
  - a session crossing two regions is logged by both firewalls, each in its own local
    time: converted to UTC with the zone case.json gives, the two times agree (this is
    what a DST change inside the timeline would break in a writer that ignored it);
  - the zero-day victims' exploit sessions are there: accepted HTTPS to the victim's
    address within two minutes before its first compromise, from the truth's spoofed
    sources for the external one; victims listing "firewall" evidence are exactly those
    with such sessions, and the spoofed sources appear nowhere else.
Prints "N passed, N failed".
"""
import collections, csv, datetime, glob, json, os, sys
from zoneinfo import ZoneInfo

d = sys.argv[1]
case = json.load(open(os.path.join(d, "case.json")))
t = json.load(open(os.path.join(d, "truth", "truth.json")))
HEADER = ("date,time,devname,logid,type,subtype,level,action,policyid,proto,srcip,srcport,srcintf,"
          "dstip,dstport,dstintf,service,duration,sentbyte,rcvdbyte").split(",")
passed = failed = 0


def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL " + what)


def utc(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


fws = [s for s in case["sources"] if s["kind"] == "firewall-csv"]
check(len(fws) == len(case["regions"]), "one firewall per region: %d for %d" % (len(fws), len(case["regions"])))
sessions = collections.defaultdict(list)  # 4-tuple -> [(fw, utc time)]
lines = []                                 # (fw, utc, row)
dst_zones = set()
for fw in fws:
    tz = ZoneInfo(fw["timezone"])
    files = sorted(glob.glob(os.path.join(d, fw["path"])))
    check(len(files) > 0, "%s: no files" % fw["name"])
    offsets = set()
    for p in files:
        with open(p, newline="") as f:
            rows = csv.reader(f)
            check(next(rows) == HEADER, "%s: header" % p)
            for r in rows:
                local = datetime.datetime.strptime(r[0] + " " + r[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
                offsets.add(local.utcoffset())
                u = local.astimezone(datetime.timezone.utc)
                check(os.path.basename(p) == "traffic-%s.csv" % r[0], "%s: line dated %s" % (p, r[0]))
                key = (r[10], r[11], r[13], r[14], r[17], r[18], r[19])
                sessions[key].append((fw["name"], u))
                lines.append((fw["name"], u, r))
    if len(offsets) > 1:
        dst_zones.add(fw["name"])
pairs = [v for v in sessions.values() if len(v) == 2]
check(len(pairs) > 0, "no session logged by two firewalls")
for v in pairs:
    check(v[0][0] != v[1][0] and v[0][1] == v[1][1], "a session logged at %s and %s" % (v[0], v[1]))
check(all(len(v) <= 2 for v in sessions.values()), "a session logged more than twice")
across_dst = sum(1 for v in pairs if v[0][0] in dst_zones or v[1][0] in dst_zones)

spoofed = set(t["attacker"]["spoofed_sources"])
names = {v["host"]: v for v in t["compromised_hosts"]}
for v in t["compromised_hosts"]:
    if v["how"] != "zero_day" or not v["ip"]:
        continue
    first = utc(v["first_compromise"])
    hits = [r for fw, u, r in lines
            if r[13] == v["ip"] and r[14] == "443" and r[7] == "accept" and
            datetime.timedelta(0) < first - u <= datetime.timedelta(minutes=2)]
    if v["infected_by"] is None:
        hits = [r for r in hits if r[10] in spoofed]
    else:
        p = names.get(v["infected_by"])
        if p and p["ip"]:
            hits = [r for r in hits if r[10] == p["ip"]]
    check(bool(hits) == ("firewall" in v["evidence"]),
          "%s: %d exploit sessions in the firewall logs, evidence %s" % (v["host"], len(hits), v["evidence"]))
    check(bool(hits), "%s: no exploit sessions in the firewall logs" % v["host"])
stray = [r for fw, u, r in lines if r[10] in spoofed and r[17:] and
         not any(v["how"] == "zero_day" and v["ip"] == r[13] for v in t["compromised_hosts"])]
check(not stray, "spoofed sources elsewhere: %s" % stray[:2])
print("ok   %d firewall lines, %d sessions seen by two firewalls (%d through a firewall whose zone changed offset)"
      % (len(lines), len(pairs), across_dst))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
