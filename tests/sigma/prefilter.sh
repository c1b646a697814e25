#!/usr/bin/env bash
# The literal prefilter changes nothing but speed: every published rule over the attack
# samples and a simulated fleet's endpoint logs, with the prefilter and without it
# (SAKIMORI_SIGMA_NO_PREFILTER=1), must give the same findings, line for line.
# usage: prefilter.sh SAKIMORI ROOT   (real data: skips with 77 when missing, fails with CI=true)
set -u
bin=$1 root=$2
sigma=$root/../shared/data/sigma samples=$root/../shared/data/evtx/attack-samples
if [ ! -d "$sigma/rules" ] || [ ! -d "$samples" ]; then
  echo "prefilter: $sigma or $samples missing"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" simulate --hosts 60 --seed 7 --out "$tmp/fleet" > /dev/null 2>&1 || { echo "FAIL: simulate"; exit 1; }
rules=()
for d in "$sigma"/rules "$sigma"/rules-*; do [ -d "$d" ] && rules+=(--sigma "$d"); done
"$bin" hunt events --quiet "${rules[@]}" "$samples" "$tmp/fleet/logs/events" > "$tmp/with.jsonl" 2> "$tmp/with.err"
SAKIMORI_SIGMA_NO_PREFILTER=1 "$bin" hunt events --quiet "${rules[@]}" "$samples" "$tmp/fleet/logs/events" > "$tmp/without.jsonl" 2> "$tmp/without.err"
n=$(wc -l < "$tmp/with.jsonl")
if ! cmp -s "$tmp/with.jsonl" "$tmp/without.jsonl"; then
  echo "FAIL: the prefilter changes the findings ($n with it, $(wc -l < "$tmp/without.jsonl") without)"
  diff <(jq -c '[.rule.title,.evidence[0].record_id]' "$tmp/with.jsonl" | sort) <(jq -c '[.rule.title,.evidence[0].record_id]' "$tmp/without.jsonl" | sort) | head -20
  exit 1
fi
[ "$n" -ge 500 ] || { echo "FAIL: only $n findings: the comparison proves little"; exit 1; }
echo "prefilter: the same $n findings with and without it"
