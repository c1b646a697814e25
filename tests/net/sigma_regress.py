#!/usr/bin/env python3
"""Run sakimori's Sigma hunt over the generated network-log regression fixtures.

usage: sigma_regress.py SAKIMORI ROOT [-v]

For every log in ROOT/tests/fixtures/sigma-net-regress/expected.json (written by
tests/net/sigma_regress_gen.py) it runs `SAKIMORI hunt net --format jsonl --sigma RULE...
LOG` once, with the rule files the log's lines were generated from
(ROOT/../shared/data/sigma), and checks:

  - every line expected to fire has a finding (engine sigma) for its host and rule,
    with count 1 and the line among the evidence (path, the log's SHA-256, line);
  - no near-miss or undecided line's host has a finding for the line's rule.

Findings of other rules on the synthetic lines are reported as information only.
Exit 0 when every check holds, 1 on a miss, a false positive or wrong evidence, 2 on
usage or stale fixtures. Without ../shared/data/sigma it prints a skip message and
exits 0 (1 when CI=true).
"""

import collections
import re
import hashlib
import json
import os
import subprocess
import sys


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv[1:] if a != "-v"]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    sakimori, root = os.path.abspath(args[0]), os.path.abspath(args[1])
    sigma = os.path.normpath(os.path.join(root, "..", "shared", "data", "sigma"))
    fixtures = os.path.join(root, "tests", "fixtures", "sigma-net-regress")
    if not os.path.isdir(sigma):
        print("sigma_regress: SKIP: %s is missing (SigmaHQ rules)" % sigma)
        return 1 if os.environ.get("CI") == "true" else 0
    with open(os.path.join(fixtures, "expected.json")) as f:
        exp = json.load(f)

    problems = []
    stale = []
    matched = missed = fps = silent_ok = wrong_ev = 0
    info = collections.Counter()
    info_absent = collections.Counter()
    checked_rules = set()
    for log in exp["logs"]:
        path = os.path.join(fixtures, log["path"])
        with open(path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != log["sha256"]:
            stale.append("%s: content differs from expected.json" % log["path"])
            continue
        rules = []
        for r in log["rules"]:
            rp = os.path.join(sigma, r["path"])
            try:
                with open(rp, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                h = None
            if h != r["sha256"]:
                stale.append("%s: rule changed or missing since generation" % r["path"])
            rules.append(rp)
        cmd = [sakimori, "hunt", "net", "--format", "jsonl"]
        for rp in rules:
            cmd += ["--sigma", rp]
        cmd.append(path)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        findings = []
        for ln in out.splitlines():
            ln = ln.strip()
            if not ln:
                continue
            try:
                o = json.loads(ln)
            except ValueError:
                problems.append("%s: output line is not JSON: %.120s" % (log["path"], ln))
                continue
            if o.get("engine") == "sigma":
                findings.append(o)
        any_fire = any(l["expect_fire"] for l in log["lines"])
        if p.returncode not in (0, 1) or (p.returncode == 1) != bool(findings):
            problems.append("%s: exit %d with %d findings (expected 1 when something is "
                            "found, 0 when nothing)" % (log["path"], p.returncode, len(findings)))
        for e in err.splitlines():
            if e.startswith("hunt net: "):  # the summary (its "0 refused or unmapped" is no problem)
                if re.search(r"[1-9][0-9]* refused", e):
                    problems.append("%s: sakimori: %s" % (log["path"], e))
                continue
            if ": line " in e or "refused" in e:
                problems.append("%s: sakimori: %s" % (log["path"], e))
        by = collections.defaultdict(list)
        for o in findings:
            host = o.get("host") if log["host_per_line"] else None
            by[(host, (o.get("rule") or {}).get("id"))].append(o)
        expected_keys = set()
        fire = collections.OrderedDict()  # (host, rule) -> the lines expected to fire
        for line in log["lines"]:
            host = line["host"] if log["host_per_line"] else None
            for rid in line["expect_fire"]:
                fire.setdefault((host, rid), []).append(line)
        for (host, rid), lines in fire.items():
            checked_rules.add(rid)
            expected_keys.add((host, rid))
            first = lines[0]
            where = "%s:%s" % (log["path"], ",".join(str(l["line"]) for l in lines))
            got = by.get((host, rid))
            if not got:
                missed += 1
                notes = [first.get("variant"), first.get("note"),
                         first.get("against_documented_reading") and
                         "expectation against the documented reading: " + first["against_documented_reading"],
                         first.get("case_flipped") and "case flipped: " + ",".join(first["case_flipped"])]
                problems.append("MISS %s %s host %s rule %s (%s)%s" % (
                    where, first["format"], first["host"], rid, first["rule"],
                    "".join(" [%s]" % n for n in notes if n)))
                continue
            o = got[0]
            ev = o.get("evidence") or []
            want = {l["line"] for l in lines}
            have = {x.get("line") for x in ev if x.get("sha256") == log["sha256"]}
            if len(got) != 1 or o.get("count") != len(lines) or not want <= have:
                wrong_ev += 1
                problems.append("EVIDENCE %s host %s rule %s: %d findings, count %s (expected "
                                "%d), evidence %s" % (where, first["host"], rid, len(got),
                                                      o.get("count"), len(lines), json.dumps(ev)))
            else:
                matched += 1
        for line in log["lines"]:
            host = line["host"] if log["host_per_line"] else None
            where = "%s:%d" % (log["path"], line["line"])
            for rid in line["expect_silent"]:
                checked_rules.add(rid)
                expected_keys.add((host, rid))
                got = by.get((host, rid))
                if got:
                    fps += 1
                    problems.append("FALSE POSITIVE %s %s (%s) host %s rule %s (%s): %s" % (
                        where, line["format"], line["kind"], line["host"], rid, line["rule"],
                        line.get("how") or line.get("note") or ""))
                else:
                    silent_ok += 1
        also = set()
        for line in log["lines"]:
            host = line["host"] if log["host_per_line"] else None
            for rid in line.get("also_fire", []):
                also.add((host, rid))
        for key, os_ in by.items():
            if key not in expected_keys:
                info[(log["path"], os_[0]["rule"]["id"], key in also)] += 1
        for key in also:
            if key not in by and key not in expected_keys:
                info_absent[(log["path"], key[1])] += 1
        if verbose:
            print("%-40s exit %d, %d findings" % (log["path"], p.returncode, len(findings)))

    found = exp["rules_found"]
    print("sigma_regress: %d rules in scope, %d covered, %d skipped" % (
        found, exp["rules_covered"], exp["rules_skipped"]))
    for reason, n in sorted(exp["skip_reasons"].items(), key=lambda x: -x[1]):
        print("  skipped %3d: %s" % (n, reason))
    print("sigma_regress: %d expected (host, rule) detections matched, %d missed, %d with "
          "wrong count/evidence; %d near-miss/undecided lines silent, %d false positives"
          % (matched, missed, wrong_ev, silent_ok, fps))
    if info:
        unexplained = sum(n for (lp, rid, ok), n in info.items() if not ok)
        print("sigma_regress: info: %d other (host, rule) findings on the synthetic lines, "
              "%d of them not predicted by the generator (not checked)"
              % (sum(info.values()), unexplained))
        for (lp, rid, ok), n in sorted(info.items()):
            if verbose or not ok:
                print("  info %s rule %s: %d hosts%s" % (
                    lp, rid, n, "" if ok else " (the generator's evaluator does not "
                    "find this rule on those lines)"))
    if info_absent:
        print("sigma_regress: info: %d (host, rule) pairs the generator's evaluator also "
              "finds on other rules' lines have no finding (not checked)"
              % sum(info_absent.values()))
        for (lp, rid), n in sorted(info_absent.items()):
            print("  info %s rule %s: %d hosts without the predicted finding" % (lp, rid, n))
    for s in stale:
        print("STALE " + s)
    for pr in problems:
        print(pr)
    if stale:
        print("sigma_regress: fixtures are stale: run tests/net/sigma_regress_gen.py")
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
