#!/usr/bin/env bash
# hunt net on a simulated fleet, scored by the independent scorer against the truth:
# findings schema-valid, no contact attributed to a host that did not hold the address
# (attribution rebuilt by the scorer from the DHCP logs), evidence lines that show the
# indicator. The indicators are the truth's attacker domains and C2 service.
# usage: hunt_net.sh SAKIMORI ROOT
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" simulate --hosts 300 --seed 11 --out "$tmp/fleet" > /dev/null 2>&1 || { echo "FAIL: simulate"; exit 1; }
python3 - "$tmp/fleet/truth/truth.json" > "$tmp/ioc.txt" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
print("# attacker domains and C2 destinations from the truth")
dest = set(t["attacker"]["attacker_domains"])
for h in t["compromised_hosts"]:
    for c in h.get("c2") or []:
        dest.add(c["destination"])
for d in sorted(dest):
    print(d)
PY
zone=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timezone'])" "$tmp/fleet/case.json")
year=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['window']['start'][:4])" "$tmp/fleet/case.json")
"$bin" hunt net --quiet --ioc "$tmp/ioc.txt" --dhcp "$tmp/fleet/logs/dhcp" --assets "$tmp/fleet/assets.csv" --year "$year" --timezone "$zone" \
  "$tmp/fleet/logs/proxy" "$tmp/fleet/logs/zeek" > "$tmp/f.jsonl" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, expected 1 (contacts found)"; cat "$tmp/err"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance finding "$tmp/f.jsonl" > "$tmp/v.out" 2>&1 || { echo "FAIL: schema"; tail -5 "$tmp/v.out"; exit 1; }
python3 "$root/tests/e2e/score_net.py" "$tmp/fleet/truth/truth.json" "$tmp/f.jsonl" --dhcp-logs "$tmp/fleet/logs/dhcp" \
  --ioc-file "$tmp/ioc.txt" > "$tmp/score" 2>&1
cat "$tmp/score"
# coverage of every victim (servers through the asset inventory) and attribution must
# hold
grep -q '^PASS attribution' "$tmp/score" || { echo "FAIL: attribution"; exit 1; }
grep -q '^PASS ioc-coverage' "$tmp/score" || { echo "FAIL: ioc-coverage"; exit 1; }
grep -q '^PASS findings' "$tmp/score" || { echo "FAIL: findings"; exit 1; }
grep -q '^PASS evidence' "$tmp/score" || { echo "FAIL: evidence"; exit 1; }
echo "hunt net: $(wc -l < "$tmp/f.jsonl") findings, attribution and evidence hold"
# the same fleet read as a case folder: case.json's sources (kinds, globs, zones - the
# firewalls' and IIS servers' logs too), the window's year, assets.csv
"$bin" hunt net --quiet --ioc "$tmp/ioc.txt" --case "$tmp/fleet" > "$tmp/c.jsonl" 2> "$tmp/cerr"
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: --case: exit $rc, expected 1"; cat "$tmp/cerr"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance finding "$tmp/c.jsonl" > "$tmp/cv.out" 2>&1 || { echo "FAIL: --case: schema"; tail -5 "$tmp/cv.out"; exit 1; }
python3 "$root/tests/e2e/score_net.py" "$tmp/fleet/truth/truth.json" "$tmp/c.jsonl" --dhcp-logs "$tmp/fleet/logs/dhcp" \
  --ioc-file "$tmp/ioc.txt" > "$tmp/cscore" 2>&1
grep '^[A-Z]' "$tmp/cscore" | sed 's/^/--case: /'
for c in findings ioc-coverage attribution evidence; do
  grep -q "^PASS $c" "$tmp/cscore" || { echo "FAIL: --case: $c"; exit 1; }
done
echo "hunt net --case: $(wc -l < "$tmp/c.jsonl") findings, coverage, attribution and evidence hold"
