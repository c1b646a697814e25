#!/usr/bin/env bash
# e2e/events-json: a 60-host simulation's endpoint logs (Winlogbeat and NXLog shapes)
# read by `sakimori evtx dump` into the event model and checked line by line with
# independent Python (check_events_json.py) against the raw lines and the truth; every
# event validates against the event schema.
set -u
bin=$(readlink -f "$1") root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" simulate --hosts 60 --seed 3 --out "$tmp/sim" > /dev/null 2>&1 || { echo "FAIL simulate"; exit 1; }
/usr/bin/python3 "$root/tests/e2e/check_events_json.py" "$bin" "$tmp/sim" || exit 1
"$bin" evtx dump --quiet "$tmp"/sim/logs/events/*/*.json > "$tmp/events.jsonl" 2> /dev/null
if /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance event "$tmp/events.jsonl" > "$tmp/v" 2>&1; then
  echo "ok   $(wc -l < "$tmp/events.jsonl") events valid against the event schema"
else tail -3 "$tmp/v"; echo "FAIL events do not validate"; exit 1; fi
