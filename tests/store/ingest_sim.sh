#!/usr/bin/env bash
# store/ingest-sim: `sakimori ingest` on a simulated case, checked from outside with the
# sqlite3 shell and python3 against the files themselves:
#   - every listing file is in the store, its SHA-256 the file's (sha256sum), its host
#     the listing header's host_id and name; every asset row's host is registered;
#   - a second run reads nothing again and leaves every table as it was (idempotent);
#   - a listing file changed afterwards is read again, its bad line said with file and
#     line, the run's exit code 3;
#   - a snapshot with a 100 MB line: the line is said and skipped, the rest ingested;
#   - a 10 GB sparse file with no line end: said at once, not read to its end.
set -euo pipefail
bin=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$bin" simulate --hosts 120 --seed 5 --out "$t/case" > /dev/null
"$bin" ingest -q "$t/case"
db=$t/case/case.db
python3 - "$t/case" <<'PY'
import hashlib, json, os, sqlite3, sys, csv
case = sys.argv[1]
db = sqlite3.connect(os.path.join(case, "case.db"))
rows = {p: (k, s, h) for k, p, s, h in db.execute("SELECT kind, path, sha256, host_id FROM inventory")}
names = dict(db.execute("SELECT host_id, name FROM hosts"))
bad = 0
seen = 0
for root, _, files in os.walk(os.path.join(case, "snapshots")):
    for f in files:
        if not f.endswith(".jsonl"):
            continue
        full = os.path.join(root, f)
        rel = os.path.relpath(full, case)
        data = open(full, "rb").read()
        if rel not in rows:
            print("not in the store:", rel); bad += 1; continue
        kind, sha, host = rows[rel]
        if hashlib.sha256(data).hexdigest() != sha:
            print("wrong digest:", rel); bad += 1
        hdr = json.loads(data.split(b"\n", 1)[0])
        if "type" in hdr and hdr.get("kind") == "host":
            seen += 1
            if host != hdr["host_id"] or names.get(host) != hdr["host"]:
                print("wrong host:", rel, host, names.get(host), hdr["host_id"], hdr["host"]); bad += 1
assets = list(csv.DictReader(open(os.path.join(case, "assets.csv"))))
held = {n.upper() for n in names.values()}
for a in assets:
    if a["host"].upper() not in held:
        print("asset not registered:", a["host"]); bad += 1
n_hosts = db.execute("SELECT count(*) FROM hosts").fetchone()[0]
if n_hosts != len({a["host"].upper() for a in assets} | held):
    print("hosts:", n_hosts); bad += 1
print("store/ingest-sim: %d listings, %d hosts checked" % (seen, n_hosts))
sys.exit(1 if bad or not seen else 0)
PY
# what ingest writes is valid against the documented schemas (python3-jsonschema)
root=$(cd "$(dirname "$0")/../.." && pwd)
s0=$t/s0.jsonl
printf '%s\n' '{"type":"snapshot","schema":"sakimori/snapshot/1","host":{"name":"NEW-1","anchors":[{"kind":"machine_sid","value":"S-1-5-21-77"}]},"started":"2019-07-10T00:00:00Z","root":"/"}' \
  '{"type":"file","path":"/usr/bin/newtool","size":5,"mtime":"2019-07-01T00:00:00Z","mode":"0755","kind":"elf","sha256":"2222222222222222222222222222222222222222222222222222222222222222","elf":{"type":"EXEC","machine":"X86_64"}}' \
  '{"type":"end","files":1,"errors":0,"complete":true}' > "$s0"
"$bin" ingest -q "$t/case" "$s0" || { echo "FAIL: ingesting a snapshot exited $?"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance listing $(find "$t/case/snapshots/listings" -name 'NEW-1*.jsonl') | tail -1 | grep -q ", 0 failed" || { echo "FAIL: a written listing is not schema-valid"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance catalog "$t"/case/snapshots/catalog/ingest-*.jsonl | tail -1 | grep -q ", 0 failed" || { echo "FAIL: a written catalogue record is not schema-valid"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance host "$t/case/hosts.jsonl" | tail -1 | grep -q ", 0 failed" || { echo "FAIL: hosts.jsonl is not schema-valid"; python3 "$root/tests/schema/validate.py" "$root/docs" --instance host "$t/case/hosts.jsonl" | grep -v "^ok" | head -5; exit 1; }
dump() { sqlite3 "$db" "SELECT * FROM hosts ORDER BY host_id; SELECT * FROM anchors ORDER BY 1,2,3; SELECT * FROM aliases ORDER BY 1,2,3,4; SELECT * FROM links ORDER BY 1,2,3; SELECT id, kind, host_id, path, sha256, mode, base, collected, complete, superseded_by, entries FROM inventory ORDER BY id; SELECT sha256, path, kind, records, errors FROM inputs ORDER BY id"; }
dump > "$t/before" || { echo "FAIL: sqlite3 could not read the store"; exit 1; }
set +e
out=$("$bin" ingest "$t/case" 2>&1); rc=$?
set -e
[ "$rc" -eq 0 ] || { echo "FAIL: the second run exited $rc: $out"; exit 1; }
echo "$out" | grep -q " 0 inventory files indexed" || { echo "FAIL: the second run read files again: $out"; exit 1; }
dump > "$t/after" || { echo "FAIL: sqlite3 could not read the store"; exit 1; }
cmp -s "$t/before" "$t/after" || { echo "FAIL: the second run changed the store"; diff "$t/before" "$t/after" | head; exit 1; }
# a listing changed afterwards: read again, its bad line said
l=$(find "$t/case/snapshots/listings" -name '*.jsonl' | sort | sed -n 1p)  # sed reads to the end: no SIGPIPE under pipefail
echo '{"type":"entry","path":' >> "$l"
touch -d '2030-01-01' "$l"
set +e
err=$("$bin" ingest "$t/case" 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "FAIL: exit $rc for a damaged listing"; exit 1; }
rel=${l#"$t/case/"}
n=$(wc -l < "$l")
echo "$err" | grep -qF "$rel: line $n: not a JSON object" || { echo "FAIL: no message naming $rel line $n: $err"; exit 1; }
# a snapshot with a 100 MB line
s=$t/big.jsonl
printf '%s\n' '{"type":"snapshot","schema":"sakimori/snapshot/1","host":{"name":"BIG-1"},"started":"2019-07-10T00:00:00Z","root":"/"}' > "$s"
python3 -c "import sys; sys.stdout.write('{\"type\":\"file\",\"path\":\"' + 'a' * 100000000 + '\"}\n')" >> "$s"
printf '%s\n' '{"type":"file","path":"/bin/x","size":1,"kind":"elf","sha256":"1111111111111111111111111111111111111111111111111111111111111111"}' '{"type":"end","files":2,"errors":0,"complete":true}' >> "$s"
set +e
err=$("$bin" ingest "$t/case" "$s" 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "FAIL: exit $rc for a 100 MB line"; exit 1; }
echo "$err" | grep -qF "big.jsonl: line 2: longer than 64 MiB: skipped" || { echo "FAIL: $err"; exit 1; }
[ "$(sqlite3 "$db" "SELECT i.entries FROM inventory i JOIN hosts h USING(host_id) WHERE h.name = 'BIG-1'")" = 1 ] || { echo "FAIL: BIG-1's listing"; exit 1; }
# a 10 GB sparse file with no line end: said at once, never read to its end
truncate -s 10G "$t/sparse.jsonl"
set +e
err=$(timeout 20 "$bin" ingest "$t/case" "$t/sparse.jsonl" 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "FAIL: exit $rc for a 10 GB sparse file (124: it hung)"; exit 1; }
echo "$err" | grep -qF "sparse.jsonl: line 1: longer than 64 MiB: skipped" || { echo "FAIL: $err"; exit 1; }
echo "1 passed, 0 failed"
