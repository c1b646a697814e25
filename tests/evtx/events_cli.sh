#!/usr/bin/env bash
# evtx/events-cli: `sakimori events` selects, sorts and writes timelines. The expected
# sets are computed here, independently, with python from the unselected dump: each
# filter (--since/--until, --event-id ranges, --channel, --provider, --computer by FQDN
# or short name, --search over every value) must keep exactly the events the model says;
# --sort time over many inputs with a 1 MiB budget (forcing batches on disk) must give
# the same events as python's stable sort; --format csv must be one row per event that
# python's csv module reads back, formulas defused, line breaks escaped.
set -u
bin=$(readlink -f "$1") root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
/usr/bin/python3 "$root/tests/fixtures/evtx/make_evtx.py" "$tmp/f" >/dev/null || { echo "FAIL make_evtx.py"; exit 1; }
cd "$tmp"
cp "$root"/tests/fixtures/evtx/nxlog.jsonl "$root"/tests/fixtures/evtx/shapes/winlogbeat-ecs.jsonl "$root"/tests/fixtures/evtx/shapes/xmltodict.json f/
inputs="f/log.evtx f/forwarded.evtx f/types.evtx f/nxlog.jsonl f/winlogbeat-ecs.jsonl f/xmltodict.json"
"$bin" events --quiet $inputs > all.jsonl 2> /dev/null
[ "$(wc -l < all.jsonl)" -gt 100 ] || bad "the inputs give $(wc -l < all.jsonl) events"
check() { # title, python expression over d (an event), options...
  local title=$1 expr=$2; shift 2
  "$bin" events --quiet "$@" $inputs > got.jsonl 2> err.txt
  python3 - "$expr" all.jsonl got.jsonl <<'PY' && ok "$title ($(wc -l < got.jsonl) events)" || bad "$title: $(cat err.txt)"
import json, sys
expr = sys.argv[1]
def values(v):
    if isinstance(v, dict):
        for x in v.values(): yield from values(x)
    elif isinstance(v, list):
        for x in v: yield from values(x)
    elif isinstance(v, str): yield v
def has(d, text):  # the keyword anywhere a value is: System's texts, EventData, UserData, message
    s = d["System"]
    vs = [s.get(k) for k in ("Provider_Name", "Channel", "Computer", "UserID")] + list(values(d.get("EventData"))) + \
         list(values(d.get("UserData"))) + [d.get("message")]
    return any(v is not None and text.lower() in v.lower() for v in vs)
want = [l for l in open(sys.argv[2]) if eval(expr, {"has": has}, {"d": json.loads(l)})]
got = open(sys.argv[3]).readlines()
if not want: sys.exit("the test selects nothing")
if got != want: sys.exit("%d events, want %d" % (len(got), len(want)))
PY
}
check "--event-id 4624,4688-4689" 'd["System"].get("EventID") in (4624, 4688, 4689)' --event-id 4624,4688-4689
check "--since/--until" '"2026-06-03T05:00:00" <= d["time"][:19] < "2026-06-03T09:05:00"' --since 2026-06-03T05:00:00Z --until 2026-06-03T18:05:00+09:00
check "--channel (case ignored, twice)" 'd["System"]["Channel"].lower() in ("system", "windows powershell")' --channel SYSTEM --channel 'windows powershell'
check "--provider" 'd["System"].get("Provider_Name") == "PowerShell"' --provider powershell
check "--computer by short name" 'd["System"]["Computer"].lower().split(".")[0] == "sv-osa-0003"' --computer SV-OSA-0003
check "--search in UserData" 'has(d, "admin-tky")' --search ADMIN-TKY
check "--search in a classic PowerShell field" 'has(d, "msedge.exe")' --search MSEdge.EXE
check "--search in System" 'has(d, "sv-osa")' --search Sv-Osa
check "filters together" 'd["System"].get("EventID") == 4688 and d["time"] >= "2026-06-03T06"' --event-id 4688 --since 2026-06-03T06:00:00Z
# --sort time, stable, over every input, with batches on disk
for i in $(seq 1 30); do cp f/log.evtx f/copy$i.evtx; done
"$bin" events --sort time --sort-memory 1 f/ > sorted.jsonl 2> err.txt; rc=$?
"$bin" events --quiet f/ > unsorted.jsonl 2> /dev/null
python3 - unsorted.jsonl sorted.jsonl <<'PY' && ok "--sort time over $(ls f | wc -l) inputs, 1 MiB: python's stable sort ($(grep -o 'sorted [0-9]* events in [0-9]* batches' err.txt))" || bad "sort: $(tail -3 err.txt)"
import json, sys
u = open(sys.argv[1]).readlines()
s = open(sys.argv[2]).readlines()
def key(l):
    d = json.loads(l)
    q = d.get("time_quality", [])
    if "missing" in q or "unparsed" in q: return ""  # a stand-in sorts first
    return d["time"][:19] + d["time"][19:].rstrip("Z").ljust(10, "0")
want = sorted(u, key=key)
if len(s) != len(u): sys.exit("%d events, want %d" % (len(s), len(u)))
if s != want: sys.exit("order differs")
PY
grep -q "batches on disk" err.txt && ok "the sort wrote batches to disk" || bad "no batch on disk: $(cat err.txt)"
# --format csv: one row per event, read back by python's csv, formulas defused
"$bin" events --quiet --format csv f/types.evtx f/log.evtx f/winlogbeat-ecs.jsonl > t.csv 2> /dev/null
"$bin" events --quiet f/types.evtx f/log.evtx f/winlogbeat-ecs.jsonl > t.jsonl 2> /dev/null
python3 - t.csv t.jsonl <<'PY' && ok "--format csv: a header and one row per event, each on one line" || bad "csv"
import csv, json, sys
raw = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read().split("\n")
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="")))
ev = [json.loads(l) for l in open(sys.argv[2])]
assert rows[0] == ["time", "computer", "channel", "event_id", "level", "record_id", "provider", "details", "sha256", "locator"], rows[0]
assert len(rows) == len(ev) + 1 and len(raw) == len(ev) + 2, (len(rows), len(raw), len(ev))
for r, d in zip(rows[1:], ev):
    assert r[0] == d["time"] and r[2] == d["System"]["Channel"] and r[3] == str(d["System"].get("EventID", "")), r
    assert r[8] == d["src"]["sha256"], r
    for cell in r:
        assert not cell or cell[0] not in "=+-@\t\r", cell
assert any("HostApplication: C:\\Program Files" in r[7] for r in rows), "classic PowerShell details"
assert any("\\r\\n" in r[7] for r in rows), "escaped line breaks"
PY
# hostile record ids: 2^64-1 then 3 (no gap of 2^64 records), a stream without ids first
printf '%s\n' '{"@timestamp":"2026-06-03T11:00:00Z","winlog":{"channel":"System","event_id":1,"computer_name":"h"}}' \
  '{"@timestamp":"2026-06-03T11:00:01Z","winlog":{"channel":"Security","event_id":1,"computer_name":"h","record_id":18446744073709551615}}' \
  '{"@timestamp":"2026-06-03T11:00:02Z","winlog":{"channel":"Security","event_id":1,"computer_name":"h","record_id":3}}' > ids.jsonl
rm -f ids-cov.jsonl
"$bin" events --coverage ids-cov.jsonl ids.jsonl > /dev/null 2> err.txt
python3 - ids-cov.jsonl err.txt <<'PY' && ok "record id 2^64-1: no wrapped gap; the summary's id range from the streams with ids" || bad "hostile ids: $(cat ids-cov.jsonl err.txt)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sec = [r for r in recs if r["source"] == "evtx:Security"][0]
assert all(g["after"] < g["before"] and g["missing"] < 2**32 for g in sec.get("record_id_gaps", [])), sec
assert sec["record_id_min"] == 3 and sec["record_id_max"] == 18446744073709551615, sec
PY
# usage errors
"$bin" events --event-id 70000 f/log.evtx > /dev/null 2> err.txt; rc=$?
[ $rc = 2 ] && grep -q "is not a list of event ids" err.txt && ok "--event-id 70000: usage error" || bad "event-id usage: rc=$rc"
"$bin" events --since yesterday f/log.evtx > /dev/null 2> err.txt; rc=$?
[ $rc = 2 ] && grep -q "is not a time" err.txt && ok "--since yesterday: usage error" || bad "since usage: rc=$rc"
"$bin" events --since 2026-06-04 --until 2026-06-03 f/log.evtx > /dev/null 2> err.txt; rc=$?
[ $rc = 2 ] && ok "--until before --since: usage error" || bad "window usage: rc=$rc"
"$bin" events --quiet f/log.evtx 2>&1 >/dev/null | grep -q . && bad "--quiet writes on stderr" || ok "--quiet: nothing on stderr (no progress off a terminal)"
# progress on a terminal (script(1) gives stderr one), none in a pipe
if command -v script > /dev/null; then
  script -qec "$bin events --count f/ > /dev/null" /dev/null > tty.txt 2>&1 < /dev/null
  grep -q "inputs, [0-9.]* MiB, [0-9.]* MiB/s" tty.txt && ok "progress shown when stderr is a terminal" || bad "no progress on a terminal: $(head -c 300 tty.txt)"
fi
exit $fail
