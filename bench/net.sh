#!/usr/bin/env bash
# bench/net.sh - the network hunt against GNU grep and a mawk script (issue #13).
#
#   bench/net.sh [BIN] [MiB] [N...]     default: build/sakimori 1024 100000 1000000
#
# Input (bench/make_netlogs.py, fixed seeds): a Squid native access.log and a Zeek
# http.log of MiB mebibytes each, and indicator lists of N entries (names with their
# subdomains, http URLs, /24 networks; 2,800 of them occur in the logs). Same run, the
# page cache warm, both cores for everyone:
#   sakimori   hunt net --ioc ioc-N.txt LOG (one finding per (client, indicator))
#   grep       grep -F -c -f ioc-N.txt LOG, the log split in two halves run side by side
#              (the fixed strings anywhere in the line; a lower bound on the work)
#   mawk       bench/net_contacts.awk: fields cut, each name and its parents, the URL and
#              the /24 looked up in hashes, the halves run side by side
# Same answer: sakimori's (client, indicator) pairs equal mawk's. Per core is user+sys
# CPU seconds. Targets: >= 500 MB/s per core, >= 20x grep -F and >= 4x mawk at
# 100,000 indicators (wall clock, both given both cores), peak RSS <= 1 GiB at 1,000,000;
# the gzip-input figure is printed too. Limits, same run: the kernel's copy, the input's
# SHA-256 (which sakimori must compute) and Vectorscan finding the indicators' literal
# forms in the raw bytes (bench/net_literals.c), each per core.
set -euo pipefail
bin=$(readlink -f "${1:-build/sakimori}")
mib=${2:-1024}
shift 2 2>/dev/null || shift $#
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100000 1000000)
here=$(cd "$(dirname "$0")" && pwd)
for t in mawk grep /usr/bin/time python3 gzip; do command -v "$t" > /dev/null || { echo "bench/net.sh: $t is missing (scripts/install-deps --bench)" >&2; exit 2; }; done
tmp=${SK_BENCH_TMP:-$(mktemp -d /tmp/sk-bench-net.XXXXXX)}
keep=${SK_BENCH_KEEP:-}
[ -n "$keep" ] || trap 'rm -rf "$tmp"' EXIT
if [ ! -s "$tmp/access.log" ]; then
  echo "== generating ${mib} MiB Squid and Zeek http logs, indicator lists ${ns[*]} into $tmp"
  python3 "$here/make_netlogs.py" "$tmp" "$mib" "${ns[@]}"
fi
cd "$tmp"
for f in access.log http.log; do
  [ -s "$f.1" ] || split -n l/2 -d -a 1 "$f" "$f."   # halves for the two-core peers: $f.0 $f.1
done
# the Zeek header goes with the second half too
if ! head -c 1 http.log.1 | grep -q '#'; then { grep '^#' http.log.0 | head -8; cat http.log.1; } > http.log.1h && mv http.log.1h http.log.1; fi
[ -s access.log.gz ] || gzip -1 -k access.log
cat access.log http.log access.log.gz > /dev/null   # warm the page cache
cores=$(nproc)
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }
# run NAME CMD...: wall, user+sys, peak RSS of CMD (a shell: its children counted)
run() {
  local name=$1; shift
  local rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time.$name" "$@" || rc=$?
  # hunt net exits 1 when it found contacts
  [ "$rc" -le 1 ] || { echo "bench/net.sh: $name failed (exit $rc)" >&2; exit 1; }
  read -r wall usr sys rss < <(tail -1 "$tmp/time.$name")
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  eval "w_$name=$wall c_$name=$cpu r_$name=$rss"
}
echo "inputs: access.log $(mb access.log) MB, http.log $(mb http.log) MB, access.log.gz $(mb access.log.gz) MB; $cores cores"
for log in access.log http.log; do
  fmt=squid; [ "$log" = http.log ] && fmt=zeek
  size=$(stat -c %s "$log")
  for n in "${ns[@]}"; do
    ioc=ioc-$n.txt
    run sk sh -c "'$bin' hunt net -q --ioc $ioc $log > sk.jsonl"
    run grep sh -c "grep -F -c -f $ioc $log.0 > g0 & grep -F -c -f $ioc $log.1 > g1; wait"
    run mawk sh -c "mawk -v IOC=$ioc -v FMT=$fmt -f '$here/net_contacts.awk' $log.0 > m0 & mawk -v IOC=$ioc -v FMT=$fmt -f '$here/net_contacts.awk' $log.1 > m1; wait"
    same=$(python3 - <<'PY'
import json
s = set()
for l in open("sk.jsonl"):
    f = json.loads(l)
    s.add((f["host"], f["attributes"]["indicator"]))
m = set()
for p in ("m0", "m1"):
    for l in open(p):
        c, x = l.rstrip("\n").split("\t")
        m.add((c, x))
print("yes (%d pairs)" % len(s) if s == m else "NO: %d sakimori, %d mawk, %d only sakimori, %d only mawk" % (len(s), len(m), len(s - m), len(m - s)))
PY
)
    awk -v lg="$log" -v n="$n" -v size="$size" -v same="$same" -v ws="$w_sk" -v cs="$c_sk" -v rs="$r_sk" \
        -v wg="$w_grep" -v cg="$c_grep" -v wm="$w_mawk" -v cm="$c_mawk" -v rm="$r_mawk" -v lines="$(cat g0 g1 | paste -sd+ | bc)" 'BEGIN {
      printf "%s, %d indicators: same answer as mawk: %s; grep -F lines with an indicator: %d\n", lg, n, same, lines
      printf "  sakimori  %6.2f s wall %6.2f s cpu  %7.1f MB/s per core  %6.0f MB/s wall  RSS %5.0f MiB\n", ws, cs, size / 1e6 / cs, size / 1e6 / ws, rs / 1024
      printf "  grep -F   %6.2f s wall %6.2f s cpu  (2 halves side by side)  ratio %.1fx\n", wg, cg, wg / ws
      printf "  mawk      %6.2f s wall %6.2f s cpu  %7.1f MB/s per core  RSS %5.0f MiB  ratio %.1fx\n", wm, cm, size / 1e6 / cm, rm / 1024, wm / ws
    }'
  done
done
# limits at the first indicator count, per core (user+sys CPU): the kernel's copy (cat), the
# input's SHA-256 (OpenSSL, which sakimori uses), and Vectorscan finding the indicators'
# literal forms anywhere in the bytes (bench/net_literals.c: no fields cut, no hashing)
n=${ns[0]}
lit=""
if command -v cc > /dev/null && [ -f /usr/include/hs/hs.h ]; then
  cc -O2 -o "$tmp/net_literals" "$here/net_literals.c" -lhs && lit="$tmp/net_literals"
fi
for log in access.log http.log; do
  size=$(stat -c %s "$log")
  run cat sh -c "cat $log > /dev/null"
  line="limits on $log: read $(awk -v s="$size" -v c="$c_cat" 'BEGIN { if (c < 0.01) printf "> %.0f", s / 1e6 / 0.01; else printf "%.0f", s / 1e6 / c }') MB/s per core"
  if command -v openssl > /dev/null; then
    run sha sh -c "openssl dgst -sha256 $log > /dev/null"
    line="$line, SHA-256 $(awk -v s="$size" -v c="$c_sha" 'BEGIN { if (c < 0.01) printf "> %.0f", s / 1e6 / 0.01; else printf "%.0f", s / 1e6 / c }') MB/s per core"
  fi
  echo "$line"
  [ -z "$lit" ] || echo "  Vectorscan, ioc-$n.txt as literals: $("$lit" "ioc-$n.txt" "$log")"
done
run skgz sh -c "'$bin' hunt net -q --ioc ioc-$n.txt access.log.gz > skgz.jsonl"
awk -v w="$w_skgz" -v c="$c_skgz" -v size="$(stat -c %s access.log)" -v n="$n" 'BEGIN {
  printf "access.log.gz (gzip -1), %d indicators: sakimori %.2f s wall, %.2f s cpu, %.1f MB/s of log per core\n", n, w, c, size / 1e6 / c }'
