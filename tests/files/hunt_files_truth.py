#!/usr/bin/env python3
"""files/truth: `hunt files` on simulated fleets (several seeds and sizes), scored
against the simulator's truth by this script alone (it reads the truth, the catalogue
and the listings itself):
  - every compromised host holding the renamed PowerShell has a masquerade finding of
    severity critical on exactly that path;
  - no finding of severity high or critical anywhere else;
  - the benign look-alikes (files named otherwise than their VERSIONINFO says, whose
    content is not PowerShell's: renamed portable tools) are never high or critical;
  - every push victim's pushed loader (the AV channel's "pattern file", a PE named .dat)
    found at its path with severity medium or more, and, with a threshold that its
    victims' count is under (--rare 20 at 800 hosts), among the rare contents;
  - every finding names its host, engine and path, and its evidence line is the listing
    line that holds that path.
usage: hunt_files_truth.py SAKIMORI
"""
import json
import os
import subprocess
import sys
import tempfile

binary = sys.argv[1]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def check(seed, hosts, rare=None):
    with tempfile.TemporaryDirectory() as t:
        case = os.path.join(t, "case")
        subprocess.run([binary, "simulate", "--hosts", str(hosts), "--seed", str(seed), "--out", case], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([binary, "ingest", "-q", case], check=True)
        r = subprocess.run([binary, "hunt", "files", "-q", case] + (["--rare", str(rare)] if rare else []), stdout=subprocess.PIPE, check=False)
        if r.returncode != 1:
            fail("seed %d: hunt files exited %d" % (seed, r.returncode))
        findings = [json.loads(l) for l in r.stdout.decode().splitlines()]
        truth = json.load(open(os.path.join(case, "truth", "truth.json")))
        renamed = {h["host"]: h["renamed_powershell"] for h in truth["compromised_hosts"] if h.get("renamed_powershell")}
        pushed = {h["host"]: h["pushed_payload"] for h in truth["compromised_hosts"] if h.get("pushed_payload")}
        payload_sha = truth["attacker"]["pushed_payload_sha256"]
        # the catalogue's identities, the listings' files (read here, independently)
        ident = {}
        for l in open(os.path.join(case, "snapshots", "catalog.jsonl")):
            c = json.loads(l)
            vi = (c.get("pe") or {}).get("version_info") or []
            if vi:
                ident[c["sha256"]] = vi[0].get("strings", {}).get("OriginalFilename")
        ps_sha = set()
        for b in os.listdir(os.path.join(case, "snapshots", "bases")):
            for l in open(os.path.join(case, "snapshots", "bases", b)):
                e = json.loads(l)
                if e.get("type") == "entry" and e["path"].lower().endswith("\\windowspowershell\\v1.0\\powershell.exe"):
                    ps_sha.add(e["sha256"])
        lookalikes = set()
        lines = {}
        holds_payload = set()
        for root, _, files in os.walk(os.path.join(case, "snapshots", "listings")):
            for f in files:
                rel = os.path.relpath(os.path.join(root, f), case)
                for n, l in enumerate(open(os.path.join(root, f)), 1):
                    e = json.loads(l)
                    if e.get("type") == "listing":
                        host = e["host"]
                        continue
                    lines[(rel, n)] = e.get("path")
                    if e.get("sha256") == payload_sha:
                        holds_payload.add((host, e["path"]))
                    o = ident.get(e.get("sha256"))
                    name = e["path"].rsplit("\\", 1)[-1]
                    if o and e.get("op") == "add" and e["sha256"] not in ps_sha and o.lower().replace(".mui", "") != name.lower():
                        lookalikes.add((host, e["path"]))
        masq = {}
        for f in findings:
            p = f.get("attributes", {}).get("path")
            if not f.get("host") or not p or f.get("engine") not in ("masquerade", "stack", "hash", "yara"):
                fail("seed %d: a finding without host, path or a known engine: %s" % (seed, f))
                continue
            ev = f["evidence"][0]
            if lines.get((ev.get("path"), ev.get("line"))) != p:
                fail("seed %d: %s: the evidence line is not the listing line of %s" % (seed, f["finding_id"], p))
            if f["severity"] in ("high", "critical"):
                if renamed.get(f["host"], "").lower() != p.lower():
                    fail("seed %d: %s %s on %s %s: not a truth victim's renamed PowerShell" % (seed, f["severity"], f["rule"]["id"], f["host"], p))
            if f["engine"] == "masquerade" and f["severity"] == "critical":
                masq[f["host"]] = p
            if (f["host"], p) in lookalikes and f["severity"] in ("high", "critical"):
                fail("seed %d: the benign look-alike %s on %s is %s" % (seed, p, f["host"], f["severity"]))
        seen = {}
        for f in findings:
            k = (f["host"], f["attributes"]["path"])
            if k in holds_payload and f["severity"] in ("medium", "high", "critical"):
                seen.setdefault(k, set()).add(f["rule"]["id"])
        for h, p in pushed.items():
            if (h, p) not in holds_payload:
                continue  # no listing for this host (offline at collection)
            if (h, p) not in seen:
                fail("seed %d: %s's pushed loader %s not found (medium or more)" % (seed, h, p))
            elif rare and "stack/rare-content" not in seen[(h, p)]:
                fail("seed %d: %s's pushed loader not among the rare contents with --rare %d" % (seed, h, rare))
        for h in {h for h, _ in holds_payload} - set(pushed):
            fail("seed %d: %s holds the loader but is no push victim" % (seed, h))
        for h, p in renamed.items():
            if masq.get(h, "").lower() != p.lower():
                fail("seed %d: %s's renamed PowerShell %s not found as critical masquerade (got %s)" % (seed, h, p, masq.get(h)))
        low = sum(1 for f in findings if (f["host"], f["attributes"]["path"]) in lookalikes)
        print("seed %d, %d hosts%s: %d pushed loaders found of %d in inventories; " % (seed, hosts, " --rare %d" % rare if rare else "", len(seen), len(holds_payload)), end="")
        print("%d renamed PowerShell found of %d; %d benign look-alikes (%d findings on them, none high); %d findings"
              % (sum(1 for h in renamed if masq.get(h, "").lower() == renamed[h].lower()), len(renamed), len(lookalikes),
                 low, len(findings)))


for seed, hosts, rare in ((3, 300, None), (11, 800, None), (29, 500, None), (11, 800, 20)):
    check(seed, hosts, rare)
print("1 passed, 0 failed" if not fails else "0 passed, 1 failed")
sys.exit(1 if fails else 0)
