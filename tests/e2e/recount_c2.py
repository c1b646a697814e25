#!/usr/bin/env python3
"""Recount the compromised hosts' C2 contacts from the simulator's written logs alone,
with none of sakimori's code: Squid access logs give (time, client address,
destination); ISC dhcpd.leases files map an address to a host name at that time (a
laptop's address changes daily and is reused by others); servers keep fixed addresses,
which an investigator knows from the asset list - here the truth's `ip`, the only thing
taken from the truth besides what to compare against.

Zeek's http.log (TSV, read through its #fields header) is recounted the same way: a
victim has C2 CONNECTs there exactly when the truth lists Zeek evidence.

Checks, per victim and C2 destination: the logs hold at least `connections_logged`
contacts, exactly that many for attacker-registered domains (which no benign host
uses), and no host outside the truth contacts an attacker domain. Prints
"N passed, N failed".
"""
import bisect, collections, datetime, glob, json, os, re, sys

d = sys.argv[1]
truth = json.load(open(os.path.join(d, "truth", "truth.json")))

leases = collections.defaultdict(list)  # ip -> [(start, end, host)]
lease_re = re.compile(r"lease (\S+) \{\s*starts \d (\S+ \S+);\s*ends \d (\S+ \S+);.*?client-hostname \"([^\"]+)\";", re.S)
def ts(s):
    return datetime.datetime.strptime(s, "%Y/%m/%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp()
for path in glob.glob(os.path.join(d, "logs", "dhcp", "*", "dhcpd.leases")):
    for ip, a, b, host in lease_re.findall(open(path).read()):
        leases[ip].append((ts(a), ts(b), host))
for ip in leases:
    leases[ip].sort()
static = {v["ip"]: v["host"] for v in truth["compromised_hosts"] if v["ip"]}

def host_at(ip, t):
    ls = leases.get(ip)
    if ls:
        i = bisect.bisect_right(ls, (t, float("inf"), "")) - 1
        while i >= 0 and ls[i][0] <= t:
            if t < ls[i][1]:
                return ls[i][2]
            i -= 1
    return static.get(ip)

dests = {c["destination"] for v in truth["compromised_hosts"] for c in v["c2"]}
attacker = set(truth["attacker"]["attacker_domains"])
count = collections.Counter()
for path in glob.glob(os.path.join(d, "logs", "proxy", "*", "access.log-*")):
    for line in open(path):
        f = line.split()
        if len(f) < 7 or f[5] != "CONNECT":
            continue
        dest = f[6].rsplit(":", 1)[0]
        if dest in dests:
            count[(host_at(f[2], float(f[0])), dest)] += 1

# Zeek's http.log (a sensor in front of the domestic proxies): CONNECTs by host, from the
# #fields header as Zeek writes it
zeek = collections.Counter()
for path in glob.glob(os.path.join(d, "logs", "zeek", "*", "*", "http.log")):
    fields = None
    for line in open(path):
        if line.startswith("#fields"):
            fields = line.rstrip("\n").split("\t")[1:]
            continue
        if line.startswith("#"):
            continue
        r = dict(zip(fields, line.rstrip("\n").split("\t")))
        if r["method"] == "CONNECT" and r["host"] in dests:
            zeek[(host_at(r["id.orig_h"], float(r["ts"])), r["host"])] += 1

passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL " + what)

victims = {v["host"] for v in truth["compromised_hosts"]}
for v in truth["compromised_hosts"]:
    for c in v["c2"]:
        got, want = count[(v["host"], c["destination"])], c["connections_logged"]
        if c["destination"] in attacker:
            check(got == want, "%s -> %s: %d in the logs, truth says %d" % (v["host"], c["destination"], got, want))
        else:
            check(got >= want, "%s -> %s: %d in the logs, truth says at least %d" % (v["host"], c["destination"], got, want))
    if "proxy" in v["evidence"]:
        check(any(count[(v["host"], c["destination"])] for c in v["c2"]), "%s: no C2 contact found" % v["host"])
    zk = sum(zeek[(v["host"], c["destination"])] for c in v["c2"])
    check((zk > 0) == ("zeek" in v["evidence"]), "%s: %d C2 contacts in Zeek, truth %s zeek evidence" %
          (v["host"], zk, "lists" if "zeek" in v["evidence"] else "does not list"))
for (host, dest), n in count.items():
    if dest in attacker:
        check(host in victims, "%s contacts attacker domain %s but is not in the truth" % (host, dest))
reused = sum(1 for ip, ls in leases.items() if len({h for _, _, h in ls}) > 1)
check(reused > 0, "no DHCP address was reused by two hosts")
print("ok   recounted %d C2 contact(s) of %d victims (%d in Zeek); %d addresses reused by several hosts" %
      (sum(n for (h, dd), n in count.items() if h in victims), len(victims),
       sum(n for (h, dd), n in zeek.items() if h in victims), reused))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
