#!/usr/bin/env bash
# Sigma end to end: the specification oracle (tests/sigma/spec, written from the
# specification's text), every finding `hunt events` prints valid against
# docs/formats/schemas/finding.schema.json, and the mapping's self-check.
# usage: sigma_cli.sh SAKIMORI ROOT
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
python3 "$root/tests/sigma/run_spec.py" "$bin" "$root/tests/sigma/spec" > "$tmp/spec.out" 2>&1 || { cat "$tmp/spec.out"; fail=1; }
tail -1 "$tmp/spec.out"
# findings are schema-valid (detections and a correlation)
"$bin" hunt events --quiet --sigma "$root/tests/fixtures/sigma/rules" "$root/tests/fixtures/sigma/events.jsonl" > "$tmp/f.jsonl" 2>/dev/null
[ "$(wc -l < "$tmp/f.jsonl")" -ge 4 ] || { echo "FAIL: fewer than 4 findings"; fail=1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance finding "$tmp/f.jsonl" > "$tmp/v.out" 2>&1 || { cat "$tmp/v.out"; fail=1; }
# the same rules, compressed input and stdin give the same findings (their ids differ: the evidence is the compressed file)
gzip -c "$root/tests/fixtures/sigma/events.jsonl" > "$tmp/events.jsonl.gz"
"$bin" hunt events --quiet --sigma "$root/tests/fixtures/sigma/rules" "$tmp/events.jsonl.gz" 2>/dev/null | jq -c '[.rule.id,.evidence[0].record_id,.summary]' > "$tmp/gz"
jq -c '[.rule.id,.evidence[0].record_id,.summary]' "$tmp/f.jsonl" > "$tmp/plain"
cmp -s "$tmp/gz" "$tmp/plain" || { echo "FAIL: gzip input gives other findings"; diff "$tmp/plain" "$tmp/gz"; fail=1; }
# the mapping's self-check (format only; the rule coverage check is in sigma/regression)
python3 "$root/tests/sigma/check_mapping.py" "$root/config/sigma-logsources.yml" > "$tmp/m.out" 2>&1 || { cat "$tmp/m.out"; fail=1; }
[ $fail -eq 0 ] && echo "sigma cli: all passed" || echo "sigma cli: FAILED"
exit $fail
