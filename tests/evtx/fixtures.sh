#!/usr/bin/env bash
# evtx/fixtures: EVTX files written by tests/fixtures/evtx/make_evtx.py (from the format's
# documentation, independently of sakimori's reader) - every value type, nested Binary
# XML, a two-chunk log with a record-id gap and a log clear, and one file per kind of
# damage - dumped as JSON and XML and compared with the golden tests/evtx/fixtures.expected
# (stdout, stderr and exit code of each run). The undamaged log is also read by both
# oracles (python3-evtx, evtxexport) with the same record count and values; where the
# oracles fail on what the format allows (types.evtx), that failure is checked too, so
# a fixed oracle is noticed. GOLDEN_UPDATE=1 rewrites the golden (review the diff).
set -u
bin=$(readlink -f "$1") root=$2
expected=$root/tests/evtx/fixtures.expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f=$tmp/f
/usr/bin/python3 "$root/tests/fixtures/evtx/make_evtx.py" "$f" || { echo "FAIL make_evtx.py"; exit 1; }
cp "$root/tests/fixtures/evtx/winlogbeat.jsonl" "$root/tests/fixtures/evtx/nxlog.jsonl" "$root"/tests/fixtures/evtx/shapes/* "$f/"
run() { # title, args...
  local title=$1; shift
  echo "== $title"
  (cd "$f" && "$bin" evtx dump "$@" > "$tmp/out" 2> "$tmp/err"; echo "rc=$?" >> "$tmp/err")
  cat "$tmp/out" "$tmp/err"
}
{
  run "types.evtx jsonl" types.evtx
  run "types.evtx xml" --format xml types.evtx
  run "log.evtx jsonl" log.evtx
  run "log.evtx xml, 2 threads" --format xml --threads 2 log.evtx
  for d in damaged-header-checksum damaged-chunk-checksum damaged-chunk-magic damaged-zeroed-chunk damaged-truncated damaged-records; do
    run "$d.evtx" --quiet "$d.evtx"
  done
  run "bomb.evtx (an expansion bomb, then a plain record)" bomb.evtx
  run "slack.evtx" slack.evtx
  echo "== coverage of the log, the damaged ones, the slack (--quiet-gap 0.5: the 50-minute silence splits)"
  (cd "$f" && "$bin" evtx dump --quiet --coverage cov.jsonl --quiet-gap 0.5 log.evtx damaged-records.evtx \
     damaged-zeroed-chunk.evtx slack.evtx > /dev/null 2>&1; echo "rc=$?")
  cat "$f/cov.jsonl"
  run "coverage file exists" --quiet --coverage cov.jsonl log.evtx
  echo "== coverage of a merged log (two hosts, two channels, their own record ids) and of shippers' JSON logs"
  (cd "$f" && "$bin" evtx dump --coverage cov2.jsonl forwarded.evtx winlogbeat.jsonl nxlog-export.jsonl xmltodict.json filtered.jsonl > /dev/null; echo "rc=$?")
  cat "$f/cov2.jsonl"
  run "slack.evtx --carve" --carve slack.evtx
  run "not-evtx.evtx" not-evtx.evtx
  run "empty.evtx" empty.evtx
  run "missing file" no-such.evtx
  run "winlogbeat.jsonl" winlogbeat.jsonl
  run "nxlog.jsonl, Asia/Tokyo" --timezone Asia/Tokyo nxlog.jsonl
  run "nxlog.jsonl as xml" --format xml nxlog.jsonl
  # issue #11: JSON shapes seen in the field, written from their documentation: NXLog
  # exports with TimeCreated/Level/Message at the top and EventTime against @timestamp
  # (an inferred offset; a disagreement); Winlogbeat/ECS with classic PowerShell's
  # Key=Value text (English, then Japanese keys) and a Sysmon UtcTime far from
  # @timestamp; a pretty-printed JSON array; python-evtx's XML through xmltodict
  for x in nxlog-export.jsonl winlogbeat-ecs.jsonl array.json xmltodict.json; do run "$x" "$x"; done
  run "xmltodict.json as xml" --format xml xmltodict.json
  # hostile JSON lines: a 17 MiB line between two events, a truncated record, a last
  # line without its newline
  /usr/bin/python3 -c '
import sys
ev = open(sys.argv[1]).readline().rstrip("\n")
with open(sys.argv[2], "w") as f:
    f.write(ev + "\n" + "{\"EventID\": \"" + "A" * (17 << 20) + "\"}\n" + ev[: len(ev) // 2] + "\n" + ev)
' "$root/tests/fixtures/evtx/nxlog.jsonl" "$f/hostile.jsonl"
  run "hostile.jsonl (oversized, truncated, no final newline)" hostile.jsonl
  # issue #10: events without a usable EventID (null, 1e400, -1, 65536, "x", 4688.5) are
  # refused, each with file and line; a missing or unreadable time is written with a
  # time_quality saying so and a diagnostic; repeated keys said once for the file; C1
  # controls and U+2028/U+2029 escaped in the JSON output
  cp "$root/tests/fixtures/evtx/hostile-events.jsonl" "$f/"
  run "hostile-events.jsonl (event ids, times, repeated keys, separators)" hostile-events.jsonl
  # issue #10: at most 100 diagnostics a file, the rest counted in one line. 8 MiB of fake
  # 28-byte records (record signature, size and its copy, nothing inside) for --carve,
  # and 5000 lines that are no JSON
  /usr/bin/python3 -c '
import struct, sys
rec = b"\x2a\x2a\x00\x00" + struct.pack("<I", 28) + bytes(16) + struct.pack("<I", 28)
open(sys.argv[1], "wb").write(rec * ((8 << 20) // 28))
open(sys.argv[2], "w").write("{\"EventID\": 1}\n" + "{nope\n" * 5000)
' "$f/fake-signatures.bin" "$f/bad-lines.jsonl"
  for x in fake-signatures.bin bad-lines.jsonl; do
    echo "== $x: stderr lines, the last three"
    (cd "$f" && timeout -k 2 60 "$bin" evtx dump --carve "$x" > /dev/null 2> "$tmp/err"; echo "rc=$?" >> "$tmp/err")
    wc -l < "$tmp/err"
    tail -3 "$tmp/err"
  done
  run "usage: bad zone" --timezone Mars/Olympus nxlog.jsonl
  run "usage: no file"
  run "usage: bad format" --format yaml log.evtx
} > "$tmp/got"
fail=0
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then cp "$tmp/got" "$expected"; echo "updated $expected"
elif ! diff -u "$expected" "$tmp/got" > "$tmp/diff"; then head -60 "$tmp/diff"; echo "FAIL golden differs"; fail=1
else echo "ok   golden dumps of the fixtures"; fi
if /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance coverage "$f/cov.jsonl" > "$tmp/v" 2>&1; then
  echo "ok   coverage records valid against the coverage schema"
else tail -3 "$tmp/v"; echo "FAIL coverage records do not validate"; fail=1; fi
# every XML line is well-formed XML, whatever names the file gave its elements
(cd "$f" && for x in *.evtx; do "$bin" evtx dump --quiet --carve --format xml "$x" 2> /dev/null; done) > "$tmp/all.xml"
if /usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
n = 0
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    ET.fromstring(line.encode("utf-8", "surrogateescape")); n += 1
print("ok   %d XML events well-formed" % n)' "$tmp/all.xml"; then :; else echo "FAIL XML output not well-formed"; fail=1; fi
# sakimori's own events read back: the same lines, each with "via" naming the dump and
# its line (and read back again, "via" replaced, not nested)
(cd "$f" && "$bin" evtx dump --quiet types.evtx log.evtx nxlog-export.jsonl winlogbeat-ecs.jsonl array.json xmltodict.json \
     > own.jsonl 2> /dev/null; "$bin" evtx dump --quiet own.jsonl > own2.jsonl &&
   "$bin" evtx dump --quiet own2.jsonl > own3.jsonl)
if /usr/bin/python3 -c '
import hashlib, json, sys
a, b, c = (open(p, "rb").read() for p in sys.argv[1:4])
ha, hb = hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest()
la, lb, lc = a.splitlines(), b.splitlines(), c.splitlines()
assert len(la) == len(lb) == len(lc) > 0
for i, (x, y, z) in enumerate(zip(la, lb, lc), 1):
    want = x[:-1] + b",\"via\":{\"sha256\":\"" + ha.encode() + b"\",\"path\":\"own.jsonl\",\"line\":" + str(i).encode() + b"}}"
    assert y == want, (i, x, y)
    assert z == want.replace(ha.encode(), hb.encode()).replace(b"\"path\":\"own.jsonl\"", b"\"path\":\"own2.jsonl\""), (i, z)
print("ok   %d events read back from sakimori'"'"'s own dump unchanged but for via" % len(la))' "$f/own.jsonl" "$f/own2.jsonl" "$f/own3.jsonl"
then :; else echo "FAIL sakimori's own events read back differ"; fail=1; fi
# sakimori's own events written as XML: rebuilt from the view (no element tree), every
# line well-formed, with the System values and every EventData field of the JSON line
(cd "$f" && "$bin" evtx dump --quiet --format xml own.jsonl > own.xml 2> own.xml.err)
if /usr/bin/python3 -c '
import json, sys, xml.etree.ElementTree as ET
ns = "{http://schemas.microsoft.com/win/2004/08/events/event}"
js = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape")]
xs = open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read().splitlines()
assert len(js) == len(xs) > 0, (len(js), len(xs))
def text(v):
    if v is None: return ""
    if isinstance(v, list): return ",".join("" if x is None else x for x in v)
    return v
for j, x in zip(js, xs):
    e = ET.fromstring(x.encode("utf-8", "surrogateescape"))
    sysx = e.find(ns + "System")
    assert int(sysx.find(ns + "EventID").text) == j["System"]["EventID"], x
    assert (sysx.find(ns + "Channel").text or "") == j["System"]["Channel"], x
    assert sysx.find(ns + "TimeCreated").get("SystemTime") == j["time"], x
    named = {d.get("Name"): d.text or "" for d in e.iter(ns + "Data") if d.get("Name") is not None}
    for k, v in j.get("EventData", {}).items():
        if k == "Data": continue
        want = text(v)
        if any(ord(c) < 32 and c not in "\t\n\r" or 0xdc80 <= ord(c) <= 0xdcff for c in want + k): continue  # U+FFFD in XML
        assert named.get(k) == want.replace("\r\n", "\n").replace("\r", "\n") or named.get(k) == want, (k, named.get(k), want)
print("ok   %d events read back from JSON written as XML, rebuilt from the view" % len(js))' "$f/own.jsonl" "$f/own.xml"
then :; else echo "FAIL XML rebuilt from the view"; cat "$f/own.xml.err" | head -3; fail=1; fi
# every event line is a valid event (docs/formats/schemas/event.schema.json)
(cd "$f" && for x in *.evtx winlogbeat.jsonl nxlog.jsonl hostile-events.jsonl nxlog-export.jsonl winlogbeat-ecs.jsonl array.json \
   xmltodict.json; do "$bin" evtx dump --quiet --carve "$x" 2> /dev/null; done) > "$tmp/all.jsonl"
if /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance event "$tmp/all.jsonl" > "$tmp/v" 2>&1; then
  echo "ok   $(wc -l < "$tmp/all.jsonl") events valid against the event schema"
else tail -5 "$tmp/v"; echo "FAIL events do not validate"; fail=1; fi
# every line parses with Debian's jq too (1.6 stops at a lone high surrogate escape), and
# the lone surrogates of the hostile fixture come back exactly through surrogateescape
if jq -c . "$tmp/all.jsonl" > /dev/null 2> "$tmp/jq.err"; then echo "ok   every event line parses with $(jq --version)"
else head -2 "$tmp/jq.err"; echo "FAIL jq cannot read the events"; fail=1; fi
if /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    v = e.get("EventData", {}).get("CommandLine", "")
    if v.startswith("a") and "c " in v:
        got = v.encode("utf-8", "surrogateescape")
        want = "a\ud800b \udc00c \U00010000 ".encode("utf-8", "surrogatepass") + b"\xff"
        assert got == want, (got, want)
        print("ok   lone surrogates written so that the original code units come back"); break
else: sys.exit("no line with the surrogates")' "$tmp/all.jsonl"; then :; else echo "FAIL lone surrogates not recovered"; fail=1; fi
# the oracles on the undamaged log: the same records, the same values
if command -v evtx_dump.py > /dev/null && /usr/bin/python3 -c 'import Evtx' 2> /dev/null; then
  /usr/bin/python3 "$root/tests/oracle/evtx_oracle.py" "$f" "$f/log.evtx" > "$tmp/oracle.jsonl"
  (cd "$f" && "$bin" evtx dump --quiet log.evtx | sed 's|^|log.evtx\t|') > "$tmp/mine.jsonl"
  /usr/bin/python3 "$root/tests/oracle/compare_evtx.py" "$tmp/oracle.jsonl" "$tmp/mine.jsonl" /dev/null || fail=1
  # python-evtx knows no UInt16 array (value type 0x86): it fails on types.evtx
  /usr/bin/python3 "$root/tests/oracle/evtx_oracle.py" "$f" "$f/types.evtx" > "$tmp/types-oracle.jsonl"
  if grep -q '"error": "KeyError: 134"' "$tmp/types-oracle.jsonl"; then
    echo "ok   python-evtx still fails on a UInt16 array (documented in docs/evtx.md)"
  else echo "NOTE python-evtx now reads types.evtx: compare it and update docs/evtx.md"; fi
elif [ "${CI:-}" = true ]; then echo "FAIL python3-evtx is missing (CI=true)"; fail=1
else echo "skip python-evtx cross-check: python3-evtx is missing (scripts/install-deps)"; fi
if command -v evtxexport > /dev/null; then
  n=$(evtxexport "$f/log.evtx" 2> /dev/null | grep -c '^Event number')
  [ "$n" = 66 ] && echo "ok   evtxexport reads the same 66 records" || { echo "FAIL evtxexport reads $n records"; fail=1; }
  if ! evtxexport "$f/types.evtx" > /dev/null 2>&1; then
    echo "ok   evtxexport still fails on a character reference (token 0x08; documented in docs/evtx.md)"
  else echo "NOTE evtxexport now reads types.evtx: update docs/evtx.md"; fi
elif [ "${CI:-}" = true ]; then echo "FAIL evtxexport is missing (CI=true)"; fail=1
else echo "skip evtxexport cross-check: libevtx-utils is missing (scripts/install-deps)"; fi
exit $fail
