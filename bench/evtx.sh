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
ee=$(grep -c '^Event number' "$tmp/ee.txt" || true)
s1=$(wc -l < "$tmp/sk1.jsonl")
sn=$(wc -l < "$tmp/skn.jsonl")
same=no
[ "$ee" = "$s1" ] && [ "$s1" = "$sn" ] && cmp -s "$tmp/sk1.jsonl" "$tmp/skn.jsonl" && same=yes
echo "file: $(awk -v b="$bytes" 'BEGIN {printf "%.2f GB", b / 1e9}'); records: evtxexport $ee, sakimori $s1 (1 thread) $sn ($cores threads); same count and bytes: $same"
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
    for (i = 0; i < n; i++) { k = order[i]; b = (k ~ /^corpus/) ? cbytes : bytes
      printf "%-20s %8.2f %10.2f %9d %8.1f %12.1f\n", k, w[k], c[k], m[k] / 1024, b / 1e6 / w[k], b / 1e6 / c[k] }
    printf "sakimori 1 thread vs evtxexport: %.1fx (target >= 5x)\n", w["evtxexport"] / w["sakimori-1"]
    printf "sakimori %d threads vs evtxexport: %.1fx\n", cores, w["evtxexport"] / w["sakimori-" cores]
    printf "per core (user+sys): %.1f MB/s (stretch >= 100)\n", bytes / 1e6 / c["sakimori-1"]
    printf "peak RSS on the big file: %d MiB (target <= 256)\n", m["sakimori-" cores] / 1024
    printf "corpus (start-up): sakimori %.2f s vs evtxexport %.2f s: %.1fx\n", w["corpus-sakimori"], w["corpus-evtxexport"], w["corpus-evtxexport"] / w["corpus-sakimori"]
  }' "$tmp/results"
