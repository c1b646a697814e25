#!/usr/bin/env bash
# bench/simulate.sh - the simulator at 10k, 50k and 245k hosts: wall time, CPU time,
# peak memory and disk size, against the targets of issue #3 (245k hosts in <= 30
# minutes, <= 2 GiB of memory, <= 40 GB on disk). The simulator has no peer to race;
# the targets are absolute.
#
#   bench/simulate.sh [BIN] [SIZES...]     default: build/sakimori 10000 50000 245000
#
# Settings: the default scenario with bench/scale-scenario.json over it - inventories at
# the default realistic volume (base images of 22,000 PE files, 40-400 extra files per
# host), a 7-day log window, and the benign log background thinned to 0.05 of the
# default (endpoint events and proxy lines); the campaign's evidence is always whole.
# Every source is emitted (endpoint events, Squid, Zeek, DHCP, AV web logs, firewalls).
set -euo pipefail
bin=${1:-build/sakimori}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 245000)
out=${BENCH_DIR:-/tmp/sakimori-bench-sim}
echo "scenario: default + bench/scale-scenario.json (7-day log window, benign density 0.05); $(nproc) cores"
printf '%-8s %10s %10s %10s %10s %12s  %s\n' hosts wall_s user_s sys_s peak_MiB disk_GB verdict
for n in "${sizes[@]}"; do
  rm -rf "$out"
  /usr/bin/time -f '%e %U %S %M' -o /tmp/sim-bench.time "$bin" simulate --hosts "$n" --seed 1 --out "$out" \
    --scenario "$(dirname "$0")/scale-scenario.json" > /dev/null
  read -r wall user sys rss < /tmp/sim-bench.time
  disk=$(du -sb "$out" | cut -f1)
  verdict=ok
  if [ "$n" -ge 245000 ]; then
    awk -v w="$wall" -v r="$rss" -v d="$disk" 'BEGIN { exit !(w <= 1800 && r <= 2097152 && d <= 40e9) }' || verdict=MISSED
  fi
  printf '%-8s %10s %10s %10s %10d %12.2f  %s\n' "$n" "$wall" "$user" "$sys" $((rss / 1024)) \
    "$(awk -v d="$disk" 'BEGIN { print d / 1e9 }')" "$verdict"
  rm -rf "$out"
done
