#!/usr/bin/env python3
"""Check the simulator's endpoint event logs against its truth, with none of sakimori's
code. Both shipper shapes are read: Winlogbeat (winlog.event_id, winlog.event_data)
and NXLog (flat: EventID and EventData fields at the top level).

Per victim, by the evidence the truth says was emitted:
  sysmon         a Sysmon 1 of the renamed binary with OriginalFileName PowerShell.EXE, whose
                 SHA-256 is the one the inventory's catalogue gives PowerShell;
  security_4688  a 4688 whose NewProcessName is the renamed binary;
  powershell     4104 parts that reassemble (ScriptBlockId, MessageNumber 1..MessageTotal)
                 into a script naming one of its C2 destinations, and a 400 whose
                 HostApplication names the binary;
and a 1102 on the hosts whose Security log the truth says was cleared, or whose
benign clear it lists (by the administrator it names), and nowhere else. Module logging
(4103, 800) names the renamed binary on some victims; the stager's command line appears
in no other host's module logging. No host outside the truth runs a binary whose OriginalFileName is PowerShell from a non-system path.
The AV management servers' web logs hold exploit requests exactly on the zero-day
victims and one payload fetch per push victim whose evidence lists the web log.
Prints "N passed, N failed".
"""
import collections, glob, json, os, sys

d = sys.argv[1]
t = json.load(open(os.path.join(d, "truth", "truth.json")))
victims = {v["host"]: v for v in t["compromised_hosts"]}
benign_clears = {c["host"]: c for c in t.get("benign_log_clears", [])}
module_hits = collections.Counter()
ps_hashes = set()
for line in open(os.path.join(d, "snapshots", "catalog.jsonl")):
    r = json.loads(line)
    en = [x for x in r.get("pe", {}).get("version_info", []) if x["lang"].startswith("0409")]
    if en and en[0]["strings"].get("OriginalFilename", "").lower().startswith("powershell.exe"):
        ps_hashes.add(r["sha256"].upper())

def records(path):
    for line in open(path):
        r = json.loads(line)
        if "winlog" in r:
            yield r["winlog"]["event_id"], r["winlog"].get("event_data", {})
        else:
            yield r["EventID"], r

passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL " + what)

system_dirs = ("c:\\windows\\system32\\", "c:\\windows\\syswow64\\")
seen = set()
for path in glob.glob(os.path.join(d, "logs", "events", "*", "*.json")):
    host = os.path.basename(path)[:-5]
    seen.add(host)
    v = victims.get(host)
    target = (v["renamed_powershell"] or "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe") if v else None
    found = collections.Counter()
    parts = collections.defaultdict(dict)
    for eid, e in records(path):
        if eid == 1 and e.get("OriginalFileName", "").lower().startswith("powershell.exe"):
            img = e["Image"].lower()
            if not v and not img.startswith(system_dirs):
                check(False, "%s runs PowerShell as %s but is not in the truth" % (host, e["Image"]))
            if v and e["Image"] == target:
                found["sysmon"] += 1
                h = e.get("Hashes", "").split("SHA256=")[-1][:64]
                check(h in ps_hashes, "%s: Sysmon hash %s is not PowerShell's in the catalogue" % (host, h))
        elif eid == 4688 and v and e.get("NewProcessName") == target:
            found["security_4688"] += 1
        elif eid == 4104:
            parts[e["ScriptBlockId"]][int(e["MessageNumber"])] = (int(e["MessageTotal"]), e["ScriptBlockText"])
        elif eid == 400 and v:
            text = "".join(str(x) for k, x in sorted(e.items()) if k.startswith(("param", "Data")))
            if "HostApplication=" + os.path.basename(target.replace("\\", "/")) in text:
                found["ps400"] += 1
        elif eid == 1102:
            found["clear"] += 1
            if host in benign_clears:
                check(e.get("SubjectUserName") == benign_clears[host]["by"],
                      "%s: cleared by %s, the truth says %s" % (host, e.get("SubjectUserName"), benign_clears[host]["by"]))
        elif eid in (4103, 800):
            text = e.get("ContextInfo", "") + "".join(str(x) for k, x in e.items() if k.startswith(("param", "Data")))
            names_it = target and ("Host Application = " + os.path.basename(target.replace("\\", "/")) + " " in text or
                                   "HostApplication=" + os.path.basename(target.replace("\\", "/")) + " " in text)
            if v and names_it:
                module_hits[eid] += 1
            if not v:
                check("-nop -w hidden -enc" not in text, "%s: module logging of the stager on a host the truth does not name" % host)
    if v:
        for sid, ps in parts.items():
            total = next(iter(ps.values()))[0]
            if sorted(ps) == list(range(1, total + 1)):
                script = "".join(ps[i][1] for i in range(1, total + 1))
                if any(c["destination"] in script for c in v["c2"]):
                    found["powershell"] += 1
        for ev in ("sysmon", "security_4688", "powershell"):
            if ev in v["evidence"]:
                check(found[ev] > 0, "%s: truth says %s evidence, none found" % (host, ev))
            else:
                check(found[ev] == 0, "%s: %s evidence found that the truth does not list" % (host, ev))
        if "powershell" in v["evidence"]:
            check(found["ps400"] > 0, "%s: no PowerShell 400 naming the renamed binary" % host)
        check((found["clear"] > 0) == (v["security_log_cleared"] is not None), "%s: log clear" % host)
    else:
        check((found["clear"] > 0) == (host in benign_clears), "%s: a log clear the truth does not name" % host)
for h, v in victims.items():
    if any(e in v["evidence"] for e in ("sysmon", "security_4688", "powershell")):
        check(h in seen, "%s: no event log file" % h)
# the AV management servers' web logs: exploit requests where the truth puts a zero-day,
# one payload fetch per push victim whose evidence lists the web log, nothing else odd
av_posts, av_fetch = collections.Counter(), collections.Counter()
for path in glob.glob(os.path.join(d, "logs", "av", "*", "W3SVC1", "u_ex*.log")):
    server = path.split(os.sep)[-3]
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.split()
        if f[3] == "POST" and f[4].startswith("/avmgmt/"):
            av_posts[server] += 1
        if f[4].startswith("/avupdate/hotfix/"):
            av_fetch[server] += 1
for v in t["compromised_hosts"]:
    if v["how"] == "zero_day":
        check(av_posts[v["host"]] > 0 and "av_web_log" in v["evidence"], "%s: no exploit requests in its web log" % v["host"])
want = collections.Counter(v["infected_by"] for v in t["compromised_hosts"]
                           if v["how"] == "av_update_push" and "av_web_log" in v["evidence"])
check(av_fetch == want, "payload fetches per AV server %s, truth says %s" % (dict(av_fetch), dict(want)))
check(set(av_posts) <= {v["host"] for v in t["compromised_hosts"] if v["how"] == "zero_day"},
      "exploit requests on an AV server the truth does not name")
for h in benign_clears:
    check(h in seen and h not in victims, "%s: a benign clear on a host without logs, or a victim" % h)
check(module_hits[4103] > 0 and module_hits[800] > 0, "no module logging (4103, 800) of the renamed binary: %s" % dict(module_hits))
print("ok   checked the event logs of %d hosts (module logging of victims: %d 4103, %d 800)"
      % (len(seen), module_hits[4103], module_hits[800]))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
