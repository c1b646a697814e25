#!/usr/bin/env bash
# bench/evtx.sh - sakimori evtx dump against evtxexport (issue #5).
#
#   bench/evtx.sh [BIN] [SIZE_MB]          default: build/sakimori 1100
#
# 1. A >= 1 GB file made of the attack samples' whole chunks, repeated, under a fixed-up
#    header (bench/make_big_evtx.py). Same run, warm page cache: evtxexport (Debian
#    libevtx-utils, one thread), sakimori --threads 1, sakimori on every core; the
#    record counts must be equal. Prints wall, user+sys, peak RSS, MB/s and the ratios.
# 2. The corpus as it is (269 files: start-up cost): evtxexport once per file (it takes
#    one file), sakimori once for all of them, on one thread.
# 3. (issue #11) The typed event view alone: `sakimori events --count` reads every value of
#    every event and renders nothing; its CPU against the dump's (view + JSON) on one
#    thread, target <= 0.5.
#    The whole pipeline shares reading, hashing and Binary XML parsing; the view's own
#    share is measured apart with callgrind on a 40 MB slice (when valgrind is there):
#    instructions in the view builder (sk_event_from_xml) against the view builder plus
#    the JSON renderer (sk_event_write_json), target <= 0.5.
# 4. (issue #11) gzip input: the big file gzipped, read through decompression (records
#    and events equal to the plain file's but for sha256/decoded), MB/s of EVTX bytes.
# 5. (issue #11) --sort time over >= 1 GB of events from many files: the big file's
#    chunks cut into 32 files, three times (96 inputs), sorted with the default 64 MiB budget;
#    peak RSS target <= 256 MiB; the sorted output checked against sort(1) of the times.
# Targets: >= 5x evtxexport on one thread; peak RSS <= 256 MiB on the 1 GB file;
# stretch: >= 100 MB/s per core.
set -euo pipefail
bin=$(readlink -f "${1:-build/sakimori}")
size=${2:-1100}
here=$(cd "$(dirname "$0")" && pwd)
data=${SK_SHARED_DATA:-$here/../../shared/data}
samples=$data/evtx/attack-samples
command -v evtxexport > /dev/null || { echo "bench/evtx.sh: evtxexport is missing (scripts/install-deps)" >&2; exit 2; }
[ -d "$samples" ] || { echo "bench/evtx.sh: $samples is missing" >&2; exit 2; }
tmp=$(mktemp -d /tmp/sk-bench-evtx.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
big=$tmp/big.evtx
find "$samples" -name '*.evtx' -print0 | sort -z | xargs -0 /usr/bin/python3 "$here/make_big_evtx.py" "$big" "$size"
bytes=$(stat -c %s "$big")
cat "$big" > /dev/null
cores=$(nproc)
: > "$tmp/results"
run() { # name, output, command...
  local name=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" > "$out" 2> "$tmp/$name.err" || true
  read -r w u s m < "$tmp/time"
  echo "$name $w $u $s $m" >> "$tmp/results"
}
run evtxexport "$tmp/ee.txt" evtxexport "$big"
run sakimori-1 "$tmp/sk1.jsonl" "$bin" evtx dump --quiet --threads 1 "$big"
run sakimori-$cores "$tmp/skn.jsonl" "$bin" evtx dump --quiet --threads "$cores" "$big"
run view-only-1 "$tmp/count.txt" "$bin" events --count --quiet --threads 1 "$big"
gzip -1 -c "$big" > "$tmp/big.evtx.gz"
gzbytes=$(stat -c %s "$tmp/big.evtx.gz")
run gzip-input-$cores "$tmp/gz.jsonl" "$bin" evtx dump --quiet --threads "$cores" "$tmp/big.evtx.gz"
ee=$(grep -c '^Event number' "$tmp/ee.txt" || true)
s1=$(wc -l < "$tmp/sk1.jsonl")
sn=$(wc -l < "$tmp/skn.jsonl")
same=no
[ "$ee" = "$s1" ] && [ "$s1" = "$sn" ] && cmp -s "$tmp/sk1.jsonl" "$tmp/skn.jsonl" && same=yes
echo "file: $(awk -v b="$bytes" 'BEGIN {printf "%.2f GB", b / 1e9}'); records: evtxexport $ee, sakimori $s1 (1 thread) $sn ($cores threads); same count and bytes: $same"
cnt=$(cat "$tmp/count.txt")
gzsame=no
python3 - "$tmp/skn.jsonl" "$tmp/gz.jsonl" <<'PY' && gzsame=yes
import json, sys
a, b = open(sys.argv[1]), open(sys.argv[2])
for x, y in zip(a, b):
    x, y = json.loads(x), json.loads(y)
    y["src"].pop("decoded"); y["src"]["sha256"] = x["src"]["sha256"]; y["src"]["path"] = x["src"]["path"]
    if x != y: sys.exit(1)
if a.readline() or b.readline(): sys.exit(1)
PY
echo "view only (--count): $cnt events (dump: $s1); gzip input ($(awk -v b="$gzbytes" 'BEGIN {printf "%.0f MB", b / 1e6}') stored): the same events as the plain file: $gzsame"
# --sort time over many files: the big file cut into 32 files of whole chunks, twice
/usr/bin/python3 - "$big" "$tmp/parts" <<'PY'
import os, struct, sys, zlib
big, out = sys.argv[1], sys.argv[2]
os.makedirs(out + "/a"); os.makedirs(out + "/b"); os.makedirs(out + "/c")
d = open(big, "rb")
head = bytearray(d.read(4096))
chunks = (os.path.getsize(big) - 4096) // 65536
per = (chunks + 31) // 32
for i in range(32):
    n = min(per, chunks - i * per)
    if n <= 0: break
    h = bytearray(head)
    struct.pack_into("<Q", h, 8, 0); struct.pack_into("<Q", h, 16, n - 1); struct.pack_into("<H", h, 42, n)
    struct.pack_into("<I", h, 120, 0); struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[:120])))
    body = d.read(n * 65536)
    for sub in ("a", "b", "c"):
        with open("%s/%s/part%02d.evtx" % (out, sub, i), "wb") as f: f.write(h); f.write(body)
PY
run sort-$cores "$tmp/sorted.jsonl" "$bin" events --quiet --sort time --threads "$cores" "$tmp/parts"
sbytes=$(stat -c %s "$tmp/sorted.jsonl")
slines=$(wc -l < "$tmp/sorted.jsonl")
sortok=no
cut -c10-37 "$tmp/sorted.jsonl" | LC_ALL=C sort -c 2> /dev/null && [ "$slines" = $(( s1 * 3 )) ] && sortok=yes
echo "sort: $(ls "$tmp/parts"/a "$tmp/parts"/b "$tmp/parts"/c | grep -c evtx) inputs, $slines events, $(awk -v b="$sbytes" 'BEGIN {printf "%.2f GB", b / 1e9}') of JSON lines; in time order and complete: $sortok"
# the view builder's own cost against the renderer's, by instructions (callgrind)
if command -v valgrind > /dev/null && command -v callgrind_annotate > /dev/null; then
  find "$samples" -name '*.evtx' -print0 | sort -z | xargs -0 /usr/bin/python3 "$here/make_big_evtx.py" "$tmp/slice.evtx" 40 > /dev/null
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" evtx dump --quiet --threads 1 "$tmp/slice.evtx" > /dev/null 2> /dev/null
  callgrind_annotate --inclusive=yes "$tmp/cg.out" 2> /dev/null > "$tmp/cg.txt"
  iv=$(grep -m1 'event_view.c:sk_event_from_xml' "$tmp/cg.txt" | awk '{gsub(",", "", $1); print $1}')
  ij=$(grep -m1 'event_render.c:sk_event_write_json' "$tmp/cg.txt" | awk '{gsub(",", "", $1); print $1}')
  it=$(grep -m1 'PROGRAM TOTALS' "$tmp/cg.txt" | awk '{gsub(",", "", $1); print $1}')
  awk -v v="$iv" -v j="$ij" -v t="$it" 'BEGIN {printf "callgrind, 40 MB slice: view builder %.0f M instructions (%.1f%%), JSON renderer %.0f M (%.1f%%); view / (view + JSON) = %.2f (target <= 0.5)\n", v / 1e6, 100 * v / t, j / 1e6, 100 * j / t, v / (v + j)}'
fi
# the corpus as it is
find "$samples" -name '*.evtx' -print0 | sort -z > "$tmp/files"
nfiles=$(tr -cd '\0' < "$tmp/files" | wc -c)
cbytes=$(xargs -0 stat -c %s < "$tmp/files" | awk '{s += $1} END {print s}')
run corpus-evtxexport "$tmp/cee.txt" sh -c "xargs -0 -n 1 evtxexport < '$tmp/files'"
run corpus-sakimori "$tmp/csk.jsonl" sh -c "xargs -0 '$bin' evtx dump --quiet --threads 1 < '$tmp/files'"
cee=$(grep -c '^Event number' "$tmp/cee.txt" || true)
csk=$(wc -l < "$tmp/csk.jsonl")
echo "corpus: $nfiles files, $(awk -v b="$cbytes" 'BEGIN {printf "%.1f MB", b / 1e6}'); records: evtxexport $cee, sakimori $csk"
awk -v bytes="$bytes" -v cbytes="$cbytes" -v cores="$cores" '
  { w[$1] = $2; c[$1] = $3 + $4; m[$1] = $5; order[n++] = $1 }
  END {
    printf "%-20s %8s %10s %9s %8s %12s\n", "run", "wall_s", "cpu_s", "peak_MiB", "MB/s", "MB/s/core"
    for (i = 0; i < n; i++) { k = order[i]; b = (k ~ /^corpus/) ? cbytes : (k ~ /^sort/) ? 3 * bytes : bytes
      printf "%-20s %8.2f %10.2f %9d %8.1f %12.1f\n", k, w[k], c[k], m[k] / 1024, b / 1e6 / w[k], b / 1e6 / c[k] }
    printf "sakimori 1 thread vs evtxexport: %.1fx (target >= 5x)\n", w["evtxexport"] / w["sakimori-1"]
    printf "sakimori %d threads vs evtxexport: %.1fx\n", cores, w["evtxexport"] / w["sakimori-" cores]
    printf "per core (user+sys): %.1f MB/s (stretch >= 100)\n", bytes / 1e6 / c["sakimori-1"]
    printf "peak RSS on the big file: %d MiB (target <= 256)\n", m["sakimori-" cores] / 1024
    printf "corpus (start-up): sakimori %.2f s vs evtxexport %.2f s: %.1fx\n", w["corpus-sakimori"], w["corpus-evtxexport"], w["corpus-evtxexport"] / w["corpus-sakimori"]
    printf "typed view alone vs view + JSON (cpu, 1 thread): %.2f (target <= 0.5)\n", c["view-only-1"] / c["sakimori-1"]
    printf "gzip input: %.1f MB/s of EVTX bytes (plain: %.1f MB/s), %d threads\n", bytes / 1e6 / w["gzip-input-" cores], bytes / 1e6 / w["sakimori-" cores], cores
    printf "--sort time: %.1f s, peak RSS %d MiB (target <= 256)\n", w["sort-" cores], m["sort-" cores] / 1024
  }' "$tmp/results"
