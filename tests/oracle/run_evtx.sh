#!/usr/bin/env bash
# oracle/evtx: sakimori evtx dump over every EVTX file of the attack samples and the
# SigmaHQ regression data; every record python3-evtx reads (the committed oracle,
# tests/oracle/evtx-*.jsonl.zst, made by regen_evtx.sh) must be read by sakimori with
# the same System and EventData values (compare_evtx.py lists the normalisations), and
# sakimori must read no allocated record python-evtx does not. Also: no file may give
# a diagnostic (the corpus is undamaged), 1 and 2 threads give the same bytes, and the
# .json beside each regression file (another parser's rendering) agrees field by field.
set -u
bin=$(readlink -f "$1") root=$2
here=$root/tests/oracle
data=${SK_SHARED_DATA:-$root/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$data/evtx/attack-samples" ] || [ ! -d "$data/sigma/regression_data" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL EVTX corpus missing under $data (CI=true)"; exit 1; fi
  echo "skip: $data/evtx/attack-samples or sigma/regression_data is missing (see ../shared/data/README)"
  exit 77
fi
fail=0
for set in attack-samples:evtx/attack-samples regression:sigma/regression_data; do
  name=${set%%:*} dir=${set#*:}
  (cd "$data" && find "$dir" -name '*.evtx' -print0 | sort -z) > "$tmp/files"
  n=$(tr -cd '\0' < "$tmp/files" | wc -c)
  # each file on its own, its lines tagged with its path (the comparison's key)
  (cd "$data" && while IFS= read -r -d '' f; do
     "$bin" evtx dump --quiet --threads 1 "$f" 2>> "$tmp/$name.err" | sed "s|^|$f\t|"
   done < "$tmp/files") > "$tmp/$name.jsonl"
  if [ -s "$tmp/$name.err" ]; then echo "FAIL $name: diagnostics on an undamaged corpus"; head -5 "$tmp/$name.err"; fail=1; fi
  /usr/bin/python3 "$here/compare_evtx.py" "$here/evtx-$name.jsonl.zst" "$tmp/$name.jsonl" "$here/evtx-differences.txt" || fail=1
  # the same bytes whatever the number of threads (all files in one run)
  (cd "$data" && xargs -0 "$bin" evtx dump --quiet --threads 1 < "$tmp/files") > "$tmp/t1" 2> /dev/null
  (cd "$data" && xargs -0 "$bin" evtx dump --quiet --threads 2 < "$tmp/files") > "$tmp/t2" 2> /dev/null
  if ! cmp -s "$tmp/t1" "$tmp/t2"; then echo "FAIL $name: 1 and 2 threads differ"; fail=1; fi
  (cd "$data" && xargs -0 "$bin" evtx dump --quiet --format xml < "$tmp/files") > "$tmp/x.xml" 2> /dev/null
  if ! /usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
n = 0
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    ET.fromstring(line.encode("utf-8", "surrogateescape")); n += 1
sys.exit(0 if n == int(sys.argv[2]) else 1)' "$tmp/x.xml" "$(wc -l < "$tmp/t1")"; then
    echo "FAIL $name: the XML output is not one well-formed event per line"; fail=1
  fi
  cp "$tmp/t1" "$tmp/events.jsonl"
  if ! /usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance event "$tmp/events.jsonl" > "$tmp/v" 2>&1; then
    tail -5 "$tmp/v"; echo "FAIL $name: events do not validate against the event schema"; fail=1
  fi
  echo "$name: $n files, $(wc -l < "$tmp/t1") records, valid events"
done
# the other parser's renderings beside the regression files, field by field
(cd "$data" && /usr/bin/python3 "$here/compare_evtx_json.py" . "$tmp/regression.jsonl" "$here/evtx-json-differences.txt") || fail=1
exit $fail
