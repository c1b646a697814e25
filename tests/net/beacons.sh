#!/usr/bin/env bash
# Beacon ranking on simulated fleets, scored by the independent scorer against the truth:
# every true C2 series whose destination is in no IOC list must rank among the top 2N
# candidates (N: the true series). Two fleets: the default scenario (C2 every 2-15
# minutes, sync clients every 30 and 60) and one whose C2 periods overlap the sync
# clients' (tests/fixtures/scenarios/beacon-overlap.json). The IOC list holds the
# attacker's own domains only, so the cloud-service C2 must be found by timing.
# usage: beacons.sh SAKIMORI ROOT
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
run() { # name hosts seed [scenario]
  local name=$1 hosts=$2 seed=$3 sc=${4:-}
  local d="$tmp/$name"
  if [ -n "$sc" ]; then
    "$bin" simulate --hosts "$hosts" --seed "$seed" --scenario "$sc" --out "$d" > /dev/null 2>&1 || { echo "FAIL: simulate $name"; fail=1; return; }
  else
    "$bin" simulate --hosts "$hosts" --seed "$seed" --out "$d" > /dev/null 2>&1 || { echo "FAIL: simulate $name"; fail=1; return; }
  fi
  python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))
print('# the attacker domains only: cloud-service C2 must show by timing')
for x in sorted(set(t['attacker']['attacker_domains'])): print(x)" "$d/truth/truth.json" > "$d.ioc"
  local zone year
  zone=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timezone'])" "$d/case.json")
  year=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['window']['start'][:4])" "$d/case.json")
  "$bin" hunt net --quiet --beacons --ioc "$d.ioc" --dhcp "$d/logs/dhcp" --assets "$d/assets.csv" --year "$year" --timezone "$zone" \
    "$d/logs/proxy" "$d/logs/zeek" > "$d.jsonl" 2> "$d.err"
  local rc=$?
  [ "$rc" = 1 ] || { echo "FAIL: $name: exit $rc, expected 1"; cat "$d.err"; fail=1; return; }
  python3 "$root/tests/schema/validate.py" "$root/docs" --instance finding "$d.jsonl" > "$d.v" 2>&1 || { echo "FAIL: $name: schema"; tail -5 "$d.v"; fail=1; return; }
  python3 "$root/tests/e2e/score_net.py" "$d/truth/truth.json" "$d.jsonl" --beacons --ioc-file "$d.ioc" --dhcp-logs "$d/logs/dhcp" > "$d.score" 2>&1
  echo "== $name"
  grep -A4 '^[A-Z]* *beacons' "$d.score"
  grep -q '^PASS beacons' "$d.score" || { echo "FAIL: $name: beacons"; fail=1; }
  grep -q '^PASS attribution' "$d.score" || { echo "FAIL: $name: attribution"; fail=1; }
}
run default 1000 3
run overlap 1500 5 "$root/tests/fixtures/scenarios/beacon-overlap.json"
exit $fail
