#!/usr/bin/env bash
# e2e: the simulator on the smallest fleets and the oddest scenarios, meant for the
# ASan+UBSan build (ctest runs it in both): a 30-host fleet once stopped UBSan with
# qsort(NULL, 0, ...) in the proxy and DHCP writers, a tiny region weight did the same,
# and a region whose first site got no endpoint made the firewall writer read past
# the host table. Each run must exit 0 with no sanitizer report on stderr, and write
# a case.json that `case check` loads and a truth.json valid against its schema.
#  - the default scenario at 30 hosts (the smallest allowed: 6 per region) and 31;
#  - a region and a site of weight 1e-9, and a site of weight 0, at 12 and 13 hosts;
#  - every weight 0 (sizes fall back to uniform), at the smallest allowed size;
#  - every entry of the scenario fuzz corpus that passes --check-scenario, run through
#    the simulator itself at 30 hosts (not only through the scenario parser).
# The smallest default fleet's event logs are also checked against its truth.
set -u
bin=$1 root=$2
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

cat > "$tmp/tiny.json" <<'JSON'
{"schema": "sakimori/scenario/1", "name": "a tiny region weight",
 "organisation": {"regions": [
   {"name": "japan", "domestic": true, "country": "JP", "timezone": "Asia/Tokyo", "weight": 1,
    "sites": [{"name": "tokyo-hq", "kind": "head_office", "weight": 1}, {"name": "osaka", "kind": "office", "weight": 1e-9}]},
   {"name": "china", "domestic": false, "country": "CN", "timezone": "Asia/Shanghai", "weight": 1e-9,
    "sites": [{"name": "shanghai", "kind": "office", "weight": 1}, {"name": "dalian-plant", "kind": "plant", "weight": 0}]}]},
 "logs": {"days": 2}}
JSON
cat > "$tmp/zero.json" <<'JSON'
{"schema": "sakimori/scenario/1", "name": "every weight zero",
 "organisation": {"regions": [
   {"name": "japan", "domestic": true, "country": "JP", "timezone": "Asia/Tokyo", "weight": 0,
    "sites": [{"name": "tokyo-hq", "kind": "head_office", "weight": 0}]},
   {"name": "china", "domestic": false, "country": "CN", "timezone": "Asia/Shanghai", "weight": 0,
    "sites": [{"name": "shanghai", "kind": "office", "weight": 0}]},
   {"name": "europe", "domestic": false, "country": "DE", "timezone": "Europe/Berlin", "weight": 0,
    "sites": [{"name": "ratingen", "kind": "office", "weight": 0}, {"name": "london", "kind": "office", "weight": 0,
              "country": "GB", "timezone": "Europe/London"}]}]},
 "logs": {"days": 1}}
JSON

# run NAME HOSTS [SCENARIO]
run() {
  local name=$1 hosts=$2 sc=${3:-} out="$tmp/out-$1"
  local args=(simulate --hosts "$hosts" --seed 3 --out "$out")
  [ -n "$sc" ] && args+=(--scenario "$sc")
  timeout -k 2 300 "$bin" "${args[@]}" > "$tmp/$name.out" 2> "$tmp/$name.err"
  local rc=$?
  if [ $rc -ne 0 ] || grep -qE 'runtime error|Sanitizer|ERROR: ' "$tmp/$name.err"; then
    bad "$name ($hosts hosts): exit $rc"; head -20 "$tmp/$name.err"; return 1
  fi
  if ! "$bin" case check "$out/case.json" > /dev/null 2> "$tmp/$name.case"; then
    bad "$name: case.json does not load: $(head -3 "$tmp/$name.case")"; return 1
  fi
  if ! /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance truth "$out/truth/truth.json" > "$tmp/$name.v" 2>&1; then
    bad "$name: truth.json invalid"; tail -3 "$tmp/$name.v"; return 1
  fi
  ok "$name: $(head -1 "$tmp/$name.out")"
}

run default-30 30 && {
  if /usr/bin/python3 "$root/tests/e2e/check_events.py" "$tmp/out-default-30" > "$tmp/ce"; then
    ok "default-30: endpoint events hold exactly the evidence the truth lists"
  else
    bad "default-30: endpoint events"; head -20 "$tmp/ce"
  fi
}
rm -rf "$tmp/out-default-30"
run default-31 31; rm -rf "$tmp/out-default-31"
run tiny-weight-12 12 "$tmp/tiny.json"; rm -rf "$tmp/out-tiny-weight-12"
run tiny-weight-13 13 "$tmp/tiny.json"; rm -rf "$tmp/out-tiny-weight-13"
run zero-weights-18 18 "$tmp/zero.json"; rm -rf "$tmp/out-zero-weights-18"
# too few hosts is refused, not simulated
if "$bin" simulate --hosts 11 --scenario "$tmp/tiny.json" --out "$tmp/few" > /dev/null 2>&1; then
  bad "11 hosts for 2 regions accepted"
else
  ok "11 hosts for 2 regions refused"
fi
n=0
for f in "$root"/tests/fuzz/corpus/scenario/*; do
  "$bin" simulate --check-scenario "$f" > /dev/null 2>&1 || continue
  n=$((n + 1))
  run "corpus-$(basename "$f")" 30 "$f"; rm -rf "$tmp/out-corpus-$(basename "$f")"
done
if [ $n -gt 0 ]; then ok "$n scenario corpus entries pass --check-scenario and were simulated"; else bad "no corpus entry passed --check-scenario"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
