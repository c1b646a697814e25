#!/usr/bin/env bash
# collect/read-bounds: files that change while the collector reads them, and huge
# sparse files (issue #10). Each read is bounded by the size statted on the open file,
# a change (size, mtime, ctime, bytes ending early or going on) is recorded as
# "changed_while_read" plus an error line, SIGTERM ends a collect within about a second
# even inside a 20 GB file, and a sparse file's digests are coreutils'. Every run is
# bounded by timeout; the background writers are bounded too and killed at exit.
set -u
bin=$1 src=${2:-}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
py=/usr/bin/python3

# a writer: grow (sparse, 4 GB/s: faster than any hashing), rewrite (a byte every ms:
# mtime moves) or shrink (64 MiB <-> 32 MiB every 30 ms: reads end early), for at most
# 40 s. It touches $2.ready once the file exists.
writer() {
  timeout -k 1 40 "$py" - "$1" "$2" <<'PY' &
import os, sys, time
mode, path = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
if mode in ("rewrite", "shrink"):
    block = os.urandom(1 << 20)
    for i in range(64):
        os.write(fd, block)
else:
    os.write(fd, os.urandom(1 << 20))
os.fsync(fd)
open(path + ".ready", "w").close()
size = os.fstat(fd).st_size
while True:
    if mode == "grow":
        size = min(size + (40 << 20), 1 << 40)
        os.ftruncate(fd, size)
        time.sleep(0.01)
    elif mode == "rewrite":
        os.pwrite(fd, os.urandom(1), 0)
        time.sleep(0.001)
    else:
        os.ftruncate(fd, 32 << 20)
        time.sleep(0.03)
        os.ftruncate(fd, 64 << 20)
        time.sleep(0.03)
PY
  pids+=($!)
}
wait_ready() { for _ in $(seq 1 100); do [ -e "$1.ready" ] && return 0; sleep 0.05; done; return 1; }

# the line of one file and its error lines, as "changed=<bool> error=<text>"
check_changed() { # snapshot name
  "$py" - "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
f = [r for r in lines if r["type"] == "file" and r["path"].endswith("/" + sys.argv[2])]
e = [r for r in lines if r["type"] == "error" and r["path"].endswith("/" + sys.argv[2])]
end = [r for r in lines if r["type"] == "end"]
if len(f) != 1 or not end:
    print("missing line"); sys.exit(1)
if f[0].get("changed_while_read") is not True:
    print("not flagged:", json.dumps(f[0])[:300]); sys.exit(1)
if not any(r["op"] == "read" and "changed while it was read" in r["error"] for r in e):
    print("no error line:", e); sys.exit(1)
if not end[0]["complete"]:
    print("incomplete"); sys.exit(1)
print(e[0]["error"])
PY
}

for mode in grow rewrite shrink; do
  r=$tmp/$mode
  mkdir -p "$r"
  writer "$mode" "$r/file.bin"
  wait_ready "$r/file.bin" || { bad "$mode: the writer did not start"; continue; }
  rm -f "$r/file.bin.ready"
  timeout -k 2 30 "$bin" collect --root "$r" --host T --hash-limit none --out "$tmp/$mode.jsonl" 2> "$tmp/$mode.err"
  rc=$?
  kill "${pids[-1]}" 2> /dev/null
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then bad "$mode: collect did not finish within 30 s (rc $rc)"; continue; fi
  [ $rc -eq 3 ] || bad "$mode: exit code $rc, want 3 (an error line)"
  if msg=$(check_changed "$tmp/$mode.jsonl" file.bin); then ok "$mode: flagged: $msg"; else bad "$mode: $msg"; fi
done

# a change during the YARA scan: a 64 MiB file over --hash-limit (not hashed: only its
# first block and the YARA scan read it) rewritten every ms while a rule that walks it
# takes ~250 ms. The change check comes after the scan, so the file is flagged; before,
# it came between the first block and the scan, a window of microseconds.
y=$tmp/yscan
mkdir -p "$y/root"
cat > "$y/slow.yar" <<'YAR'
rule slow_loop {
  condition:
    for any i in (0 .. filesize \ 64 - 1) : (uint32(i * 64) == 0x12345678 and uint32(i * 64 + 4) == 0x9abcdef0)
}
YAR
writer rewrite "$y/root/file.bin"
if wait_ready "$y/root/file.bin"; then
  rm -f "$y/root/file.bin.ready"
  timeout -k 2 30 "$bin" collect --root "$y/root" --host T --hash-limit 1M --yara "$y/slow.yar" --out "$tmp/yscan.jsonl" 2> "$tmp/yscan.err"
  rc=$?
  kill "${pids[-1]}" 2> /dev/null
  [ $rc -eq 3 ] || bad "yara: exit code $rc, want 3 (an error line)"
  if msg=$(check_changed "$tmp/yscan.jsonl" file.bin); then ok "changed during the YARA scan: flagged: $msg"; else bad "yara: $msg"; fi
else
  bad "yara: the writer did not start"
fi

# the flagged lines and the end line's hole_bytes are what the snapshot's schema allows
if [ -n "$src" ]; then
  for mode in grow rewrite shrink; do
    [ -s "$tmp/$mode.jsonl" ] || continue
    /usr/bin/python3 "$src/tests/schema/validate.py" "$src/docs" --instance snapshot "$tmp/$mode.jsonl" > "$tmp/v" 2>&1 &&
      ok "$mode: the snapshot validates against its schema" || { bad "$mode: schema"; head -5 "$tmp/v"; }
  done
fi

# a sparse file: data, a hole, data, a hole to the end; digests as coreutils', holes counted
s=$tmp/sparse
mkdir -p "$s"
head -c 100000 /dev/urandom > "$s/sparse.dat"
head -c 70000 /dev/urandom | dd of="$s/sparse.dat" bs=1 seek=1200000 conv=notrunc status=none
truncate -s 3000000 "$s/sparse.dat"
truncate -s 5000000 "$s/allhole.dat"
timeout -k 2 30 "$bin" collect --root "$s" --host T --hash-limit none --out "$tmp/sparse.jsonl" 2> "$tmp/sparse.err" ||
  bad "sparse: collect failed: $(cat "$tmp/sparse.err")"
for f in sparse.dat allhole.dat; do
  want="$(md5sum < "$s/$f" | cut -c1-32) $(sha1sum < "$s/$f" | cut -c1-40) $(sha256sum < "$s/$f" | cut -c1-64)"
  got=$("$py" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "file" and r["path"].endswith("/" + sys.argv[2]):
        print(r.get("md5"), r.get("sha1"), r.get("sha256"), r.get("changed_while_read", False))' "$tmp/sparse.jsonl" "$f")
  if [ "$got" = "$want False" ]; then ok "sparse: $f digests equal coreutils'"; else bad "sparse: $f: got '$got', want '$want'"; fi
done
holes=$("$py" -c '
import json, sys
print([json.loads(l) for l in open(sys.argv[1])][-1].get("hole_bytes"))' "$tmp/sparse.jsonl")
if [ "$holes" -gt 0 ] 2> /dev/null; then ok "sparse: end line counts $holes bytes in holes"; else bad "sparse: hole_bytes '$holes'"; fi

# 1 TiB sparse files (a script and an ELF, which --hash-limit does not bound) with the
# default options: their holes exceed --hash-limit, so they are listed unhashed, with
# not_hashed "sparse" and their allocated bytes, in seconds (hashing the zeros would
# take 45 minutes each); a 70 MiB document (allocated) over the limit says not_hashed "size"
b=$tmp/tib
mkdir -p "$b"
truncate -s 1T "$b/x.js"
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00' > "$b/big.so"
truncate -s 1T "$b/big.so"
fallocate -l 70M "$b/big.txt" 2> /dev/null || head -c 70M /dev/zero > "$b/big.txt"
t0=$(date +%s%N)
timeout -k 2 20 "$bin" collect --root "$b" --host T --out "$tmp/tib.jsonl" 2> "$tmp/tib.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
got=$("$py" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "file":
        print(r["path"].rsplit("/", 1)[1], r["kind"], r.get("not_hashed"), r.get("allocated_bytes", -1) >= 0,
              any(k in r for k in ("md5", "sha1", "sha256")))
    if r["type"] == "end":
        print("complete", r["complete"], "hashed", r["bytes_hashed"])' "$tmp/tib.jsonl" 2>&1)
want="big.so elf sparse True False
big.txt document size False False
x.js script sparse True False
complete True hashed 0"
if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then ok "1 TiB sparse script and ELF: listed unhashed (not_hashed sparse) in $ms ms"
else bad "1 TiB sparse: rc $rc after $ms ms: $got $(head -c 300 "$tmp/tib.err")"; fi
if [ -n "$src" ] && [ -s "$tmp/tib.jsonl" ]; then
  /usr/bin/python3 "$src/tests/schema/validate.py" "$src/docs" --instance snapshot "$tmp/tib.jsonl" > "$tmp/v" 2>&1 &&
    ok "1 TiB sparse: the snapshot validates against its schema" || { bad "1 TiB sparse: schema"; head -5 "$tmp/v"; }
fi

# SIGTERM in the middle of a 20 GB sparse file: out within about a second, complete false
h=$tmp/huge
mkdir -p "$h"
truncate -s 20G "$h/huge.bin"
timeout -k 2 60 "$bin" collect --root "$h" --host T --hash-limit none --out "$tmp/huge.jsonl" 2> "$tmp/huge.err" &
cpid=$!
sleep 1.5
t0=$(date +%s%N)
kill -TERM $cpid
wait $cpid
rc=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ $ms -le 2000 ]; then ok "SIGTERM inside a 20 GB file: out in $ms ms"; else bad "SIGTERM: $ms ms to stop (rc $rc)"; fi
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "SIGTERM: exit code $rc"
end=$(tail -n 1 "$tmp/huge.jsonl")
case $end in *'"type":"end"'*'"complete":false'*) ok "SIGTERM: the end line says complete: false" ;; *) bad "SIGTERM: last line $end" ;; esac
grep -q '"op":"read","error":"interrupted' "$tmp/huge.jsonl" && ok "SIGTERM: the file's error line says interrupted" ||
  bad "SIGTERM: no interrupted error line: $(grep -c . "$tmp/huge.jsonl") lines"
exit $fail
