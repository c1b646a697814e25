#!/usr/bin/env bash
# collect/deep: a chain of 2,000 nested directories with a file at the bottom (and one
# beside each of a few levels) is walked whole, with at most 256 descriptors (the walk
# holds the handles of a bounded number of levels and reopens the others through
# ".."), in the same order with 1 and 4 threads.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
t=$tmp/tree
mkdir -p "$t"
/usr/bin/python3 - "$t" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
for i in range(2000):
    if i % 500 == 0:
        f = os.open("side%d.txt" % i, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"level %d\n" % i)
        os.close(f)
    os.mkdir("d", dir_fd=fd)
    nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = nfd
f = os.open("bottom.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, b"the bottom\n")
os.close(f)
PY
for th in 1 4; do
  (ulimit -n 256 && timeout -k 2 120 "$bin" collect --root "$t" --host DEEP --threads $th --out "$tmp/snap$th.jsonl") 2> "$tmp/err$th"
  rc=$?
  [ $rc -eq 0 ] || bad "threads $th: exit code $rc: $(tail -c 300 "$tmp/err$th")"
done
got=$(/usr/bin/python3 - "$tmp/snap1.jsonl" "$t" <<'PY'
import json, sys
root = sys.argv[2]
files = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "file"]
errors = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "error"]
for r in files:
    p = r["path"][len(root):]
    print(p.count("/d"), p.rsplit("/", 1)[1], r.get("sha256", "")[:12])
print("errors", len(errors))
PY
)
want="2000 bottom.txt $(printf 'the bottom\n' | sha256sum | cut -c1-12)
1500 side1500.txt $(printf 'level 1500\n' | sha256sum | cut -c1-12)
1000 side1000.txt $(printf 'level 1000\n' | sha256sum | cut -c1-12)
500 side500.txt $(printf 'level 500\n' | sha256sum | cut -c1-12)
0 side0.txt $(printf 'level 0\n' | sha256sum | cut -c1-12)
errors 0"
if [ "$got" = "$want" ]; then ok "2,000 levels: every file listed, at its depth, with 256 descriptors"; else bad "2,000 levels: got"; echo "$got" | head; fi
grep -v '"type":"\(snapshot\|end\)"' "$tmp/snap1.jsonl" > "$tmp/a"
grep -v '"type":"\(snapshot\|end\)"' "$tmp/snap4.jsonl" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "the same lines with 1 and 4 threads" || bad "1 and 4 threads differ"
exit $fail
