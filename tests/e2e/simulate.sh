#!/usr/bin/env bash
# e2e: the simulator's output, checked with tools that share no code with it.
#  - the same seed gives byte-identical output, another seed does not;
#  - case.json loads with `sakimori case check` and validates against its schema,
#    truth.json against the truth schema (python3-jsonschema);
#  - the victims' C2 contacts can be recounted from the proxy and DHCP logs alone
#    (tests/e2e/recount_c2.py, Python, no sakimori code);
#  - the endpoint event logs (Winlogbeat and NXLog shapes) hold the evidence the truth
#    lists, and only that (tests/e2e/check_events.py);
#  - the firewall logs, in each appliance's local time, agree with each other across
#    regions and DST changes, and hold the zero-days' sessions (tests/e2e/check_firewall.py);
#  - the story's invariants hold (python, reading truth.json only): floors of 12
#    compromised and 3 sensitive at every N >= 100, the report's sequence (zero-day on an
#    overseas AV server, pushes from AV servers, the domestic AV server attacked from an
#    overseas victim), times inside the timeline, consistent counts.
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

"$bin" simulate --hosts 300 --seed 11 --out "$tmp/a" > /dev/null || bad "simulate a"
"$bin" simulate --hosts 300 --seed 11 --out "$tmp/b" --threads 1 > /dev/null || bad "simulate b"
"$bin" simulate --hosts 300 --seed 12 --out "$tmp/c" > /dev/null || bad "simulate c"
if diff -r "$tmp/a" "$tmp/b" > /dev/null; then ok "same seed, same bytes"; else bad "same seed gave different output"; fi
if ! cmp -s "$tmp/a/truth/truth.json" "$tmp/c/truth/truth.json"; then ok "another seed, another story"; else bad "seeds 11 and 12 gave the same truth"; fi
if "$bin" case check "$tmp/a/case.json" > /dev/null 2>&1; then ok "case.json loads"; else bad "case.json does not load: $("$bin" case check "$tmp/a/case.json" 2>&1)"; fi
for n in 100 1000 4000; do
  "$bin" simulate --hosts $n --seed $n --out "$tmp/n$n" > /dev/null || bad "simulate --hosts $n"
done
if /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance case "$tmp/a/case.json" > "$tmp/v1" &&
   /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance truth "$tmp/a/truth/truth.json" "$tmp"/n*/truth/truth.json > "$tmp/v2"; then
  ok "case.json and truth.json valid against their schemas"
else
  bad "schema validation"; cat "$tmp/v1" "$tmp/v2"
fi
if /usr/bin/python3 - "$tmp" <<'PY'
import json, sys, glob
bad = []
for path in sorted(glob.glob(sys.argv[1] + "/n*/truth/truth.json")):
    t = json.load(open(path))
    v = t["compromised_hosts"]
    names = {h["host"] for h in v}
    tl = t["timeline"]
    c = t["counts"]
    if len(v) != c["compromised"]: bad.append("%s: count mismatch" % path)
    if c["compromised"] < 12: bad.append("%s: fewer than 12 compromised" % path)
    if sum(h["sensitive"] for h in v) < 3: bad.append("%s: fewer than 3 sensitive" % path)
    if c["sensitive"] != sum(h["sensitive"] for h in v): bad.append("%s: sensitive count" % path)
    zd = [h for h in v if h["how"] == "zero_day"]
    if len(zd) != 2 or any(h["role"] != "av_management" for h in zd): bad.append("%s: zero-days" % path)
    ext = [h for h in zd if h["infected_by"] is None]
    if len(ext) != 1 or ext[0]["domestic"]: bad.append("%s: the external zero-day must hit an overseas AV server" % path)
    dom_av = [h for h in zd if h["domestic"]]
    if len(dom_av) != 1: bad.append("%s: one domestic AV server" % path)
    else:
        src = [h for h in v if h["host"] == dom_av[0]["infected_by"]]
        if not src or src[0]["domestic"]: bad.append("%s: domestic AV server not attacked from an overseas victim" % path)
        if dom_av[0]["first_compromise"] != tl["domestic_entry"]: bad.append("%s: domestic entry time" % path)
    for h in v:
        if not (tl["overseas_entry"] <= h["first_compromise"] < tl["detection"]): bad.append("%s: %s time" % (path, h["host"]))
        if h["infected_by"] is not None and h["infected_by"] not in names: bad.append("%s: %s parent not a victim" % (path, h["host"]))
        if h["how"] == "av_update_push":
            p = [x for x in v if x["host"] == h["infected_by"]]
            if not p or p[0]["role"] != "av_management": bad.append("%s: %s pushed by a non-AV host" % (path, h["host"]))
        if h["sensitive"] and not h["domestic"]: bad.append("%s: overseas sensitive host" % path)
        if len(h["host"]) > 15: bad.append("%s: NetBIOS name too long" % h["host"])
        for ch in h["c2"]:
            if not (ch["first"] < ch["last"] and ch["connections"] > 0): bad.append("%s: c2 schedule" % h["host"])
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
then ok "truth invariants at 100, 1000 and 4000 hosts"; else bad "truth invariants"; fi
# inventories: valid against their schemas, and the masquerade is there to be found
if /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance listing "$tmp"/n1000/snapshots/bases/*.jsonl \
     $(ls "$tmp"/n1000/snapshots/listings/*/*.jsonl | head -100) > "$tmp/v3" &&
   { head -n 2000 "$tmp/n1000/snapshots/catalog.jsonl"; tail -n 1000 "$tmp/n1000/snapshots/catalog.jsonl"; } > "$tmp/catalog-sample.jsonl" &&
   /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance catalog "$tmp/catalog-sample.jsonl" > "$tmp/v4"; then
  ok "bases, listings and catalogue valid against their schemas"
else
  bad "inventory schema validation"; tail -3 "$tmp/v3" "$tmp/v4"
fi
if /usr/bin/python3 - "$tmp/n1000" <<'PY'
import json, sys, glob, os
d = sys.argv[1]
t = json.load(open(d + "/truth/truth.json"))
ident = {}
for line in open(d + "/snapshots/catalog.jsonl"):
    r = json.loads(line)
    en = [x for x in r.get("pe", {}).get("version_info", []) if x["lang"].startswith("0409")]
    ident[r["sha256"]] = en[0]["strings"].get("OriginalFilename") if en else None
listings = {os.path.basename(p)[:-6]: p for p in glob.glob(d + "/snapshots/listings/*/*.jsonl")}
victims = {v["host"]: v for v in t["compromised_hosts"]}
bad = []
for host, p in listings.items():
    lines = open(p).read().splitlines()
    head = json.loads(lines[0])
    if head["entries"] != len(lines) - 1: bad.append("%s: header count" % host)
    ps = [json.loads(l) for l in lines[1:]]
    ps = [e for e in ps if (ident.get(e.get("sha256")) or "").lower().startswith("powershell.exe")]
    v = victims.get(host)
    if v and v["renamed_powershell"] and "inventory" in v["evidence"]:
        if not any(e["path"] == v["renamed_powershell"] for e in ps): bad.append("%s: renamed powershell missing" % host)
    elif ps:
        bad.append("%s: powershell identity on a host the truth does not name" % host)
for h, v in victims.items():
    if "inventory" in v["evidence"] and h not in listings: bad.append("%s: no listing" % h)
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
PY
then ok "every victim's renamed powershell is in its listing, and only victims have one"; else bad "masquerade evidence"; fi
# the C2 contacts, recounted from the proxy and DHCP logs by a script that shares no code
if /usr/bin/python3 "$root/tests/e2e/recount_c2.py" "$tmp/n1000" > "$tmp/rc2"; then
  ok "C2 contacts recounted from the logs alone ($(grep -o 'recounted [0-9]* C2' "$tmp/rc2"))"
else
  bad "C2 recount"; cat "$tmp/rc2"
fi
# the endpoint event logs, in both shipper shapes, against the truth's evidence
if /usr/bin/python3 "$root/tests/e2e/check_events.py" "$tmp/n1000" > "$tmp/ce"; then
  ok "endpoint events hold exactly the evidence the truth lists ($(grep -o 'event logs of [0-9]* hosts' "$tmp/ce"))"
else
  bad "endpoint events"; head -20 "$tmp/ce"
fi
# the firewalls: the same session in two regions' local times agrees, the zero-days are there
if /usr/bin/python3 "$root/tests/e2e/check_firewall.py" "$tmp/n1000" > "$tmp/fw"; then
  ok "firewall logs agree across time zones and hold the zero-days ($(grep -o '[0-9]* sessions seen by two firewalls' "$tmp/fw"))"
else
  bad "firewall logs"; head -20 "$tmp/fw"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
