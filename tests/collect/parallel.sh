#!/usr/bin/env bash
# collect/parallel: the directory read-ahead (helpers preparing directories ahead of
# the walker, a bounded window) must not change the snapshot. A tree of ~700
# directories (more than the read-ahead window), files in most of them, and a chain
# of 600 nested directories (deeper than the levels whose handles the walk keeps open,
# and than the old limit of 384): the file lines are byte-identical with 1, 2 and 8
# threads; a rescan from the cache gives the same lines plus "cached": true and
# leaves the unchanged cache file alone; a changed file is read again and the cache
# rewritten.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/tree
mkdir -p "$t"
for a in $(seq 1 12); do
  for b in $(seq 1 55); do
    d=$t/a$a/b$b
    mkdir -p "$d"
    [ $((b % 7)) -eq 0 ] && continue # some empty directories
    for f in $(seq 1 $(((a * b) % 9 + 1))); do printf 'file %s %s %s\n' "$a" "$b" "$f" > "$d/f$f.txt"; done
    [ $((b % 5)) -eq 0 ] && printf '@echo off\r\n' > "$d/run.bat"
  done
done
d=$t/nest
for i in $(seq 1 600); do d=$d/n; done
mkdir -p "$d" && printf 'too deep' > "$d/x.txt"
printf 'shallow' > "$t/nest/n/n/y.txt"
fail=0
lines() { grep -v -e '"type":"snapshot"' -e '"type":"end"' "$1"; }
for th in 1 2 8; do
  "$bin" collect --root "$t" --host P --threads "$th" --out "$tmp/t$th.jsonl" 2> "$tmp/t$th.err"
  echo "threads $th: rc=$?" >> "$tmp/rcs"
  lines "$tmp/t$th.jsonl" > "$tmp/l$th"
done
if [ "$(grep -c 'rc=0' "$tmp/rcs")" != 3 ]; then
  echo "FAIL exit codes (0 expected)"; cat "$tmp/rcs"; fail=1
fi
n=$(grep -c '"type":"file"' "$tmp/l1")
want=$(find "$t" -type f | wc -l)
if [ "$n" != "$want" ] || [ "$n" -lt 2000 ]; then echo "FAIL $n file lines, find lists $want"; fail=1; fi
if ! grep -q '"path":"[^"]*\(/n\)\{600\}/x.txt"' "$tmp/l1"; then echo "FAIL x.txt, 600 levels down, not listed"; fail=1; fi
if grep -q '"type":"error"' "$tmp/l1"; then echo "FAIL error lines"; grep '"type":"error"' "$tmp/l1" | head -3; fail=1; fi
for th in 2 8; do
  if ! cmp -s "$tmp/l1" "$tmp/l$th"; then echo "FAIL threads $th differ from threads 1"; diff "$tmp/l1" "$tmp/l$th" | head -5; fail=1; fi
done
# sorted walk order: the paths of the file lines are in the order of a sorted walk
if ! /usr/bin/python3 - "$tmp/l1" <<'PY'
import json, sys
paths = [json.loads(l)["path"] for l in open(sys.argv[1]) if '"type":"file"' in l]
key = lambda p: p.split("/")
sys.exit(0 if paths == sorted(paths, key=key) else 1)
PY
then echo "FAIL file lines are not in sorted walk order"; fail=1; fi
# the cache: fill, rescan on 8 threads, the same lines with "cached": true
"$bin" collect --root "$t" --host P --cache "$tmp/cache" --out "$tmp/c1.jsonl" 2> /dev/null
before=$(stat -c '%i %Y %s' "$tmp/cache")
sleep 1
"$bin" collect --root "$t" --host P --threads 8 --cache "$tmp/cache" --out "$tmp/c2.jsonl" 2> "$tmp/c2.err"
lines "$tmp/c2.jsonl" | sed 's/,"cached":true}$/}/' > "$tmp/lc"
if ! cmp -s "$tmp/l1" "$tmp/lc"; then echo "FAIL the rescan's lines differ from a full scan's"; diff "$tmp/l1" "$tmp/lc" | head -5; fail=1; fi
cached=$(grep -c '"cached":true' "$tmp/c2.jsonl")
if [ "$cached" != "$n" ]; then echo "FAIL $cached of $n files from the cache"; fail=1; fi
if [ "$(stat -c '%i %Y %s' "$tmp/cache")" != "$before" ]; then echo "FAIL an unchanged cache was rewritten"; fail=1; fi
printf 'changed\n' >> "$t/a3/b4/f1.txt"
"$bin" collect --root "$t" --host P --threads 8 --cache "$tmp/cache" --out "$tmp/c3.jsonl" 2> /dev/null
if grep '"path":"[^"]*/a3/b4/f1.txt"' "$tmp/c3.jsonl" | grep -q '"cached":true'; then echo "FAIL a changed file came from the cache"; fail=1; fi
if [ "$(grep -c '"cached":true' "$tmp/c3.jsonl")" != $((n - 1)) ]; then echo "FAIL the other files did not come from the cache"; fail=1; fi
if [ "$(stat -c '%i %Y %s' "$tmp/cache")" = "$before" ]; then echo "FAIL the cache was not rewritten after a change"; fail=1; fi
[ "$fail" = 0 ] && echo "ok   $n files: the same snapshot on 1, 2 and 8 threads and from the cache"
exit "$fail"
