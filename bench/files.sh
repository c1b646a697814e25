#!/usr/bin/env bash
# bench/files.sh - the case store and the fleet hunt over inventories (issue #14).
#
#   bench/files.sh [BIN] [HOSTS...]        default: build/sakimori 10000 50000
#   SK_BENCH_FULL=1 bench/files.sh BIN 245000   the 245,000-host fleet (bench/scale-scenario.json;
#                                          about 20 GB of disk)
#
# For each fleet size: the simulator writes the fleet (default volumes; the scale scenario
# for more than 50,000 hosts), then, timed with peak RSS:
#   ingest     sakimori ingest CASE (every inventory file hashed and indexed, hosts registered)
#   hunt       sakimori hunt files CASE (catalogue, bases, prevalence from the store's
#              content index, every listing read once for the rules)
# and, at up to 50,000 hosts, the stacking step (executable contents on at most R hosts
# that no base image holds; R as hunt files chose it): sakimori's (catalogue + bases +
# prevalence from the content index, as --timings gives them) against two peers on the
# same inventory:
#   sqlite3    the listings imported into the sqlite3 shell (import timed apart), then
#              SELECT ... GROUP BY sha256 HAVING count(DISTINCT host) <= R
#   mawk       bench/files_stack.awk over the same files
# Same answer: the three sets of rare contents are checked equal. Targets: 245,000 hosts
# hunted in <= 5 minutes and <= 8 GiB, cost linear in fleet size, stacking >= 10x the
# sqlite3 shell's query alone (sakimori's ingest, like the shell's import, timed apart).
set -euo pipefail
bin=$(readlink -f "${1:-build/sakimori}")
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000)
here=$(cd "$(dirname "$0")" && pwd)
for t in mawk sqlite3 /usr/bin/time python3; do command -v "$t" > /dev/null || { echo "bench/files.sh: $t is missing (scripts/install-deps --bench)" >&2; exit 2; }; done
tmp=${SK_BENCH_TMP:-$(mktemp -d /tmp/sk-bench-files.XXXXXX)}
[ -n "${SK_BENCH_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
run() { # NAME CMD...: wall, cpu (user+sys), peak RSS in MiB
  local name=$1; shift
  local rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time.$name" "$@" || rc=$?
  [ "$rc" -le 1 ] || { echo "bench/files.sh: $name failed (exit $rc)" >&2; exit 1; }
  read -r wall usr sys rss < <(tail -1 "$tmp/time.$name")
  eval "w_$name=$wall c_$name=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') r_$name=$((rss / 1024))"
}
printf '%-8s %9s %9s %8s %9s %9s %8s %12s %10s\n' hosts ingest_s ingest_cpu rss_MiB hunt_s hunt_cpu rss_MiB entries GB_read
for n in "${sizes[@]}"; do
  case_dir=$tmp/fleet-$n
  scen=()
  [ "$n" -gt 50000 ] && scen=(--scenario "$here/scale-scenario.json")
  if [ ! -d "$case_dir" ]; then "$bin" simulate --hosts "$n" --seed 14 "${scen[@]}" --out "$case_dir" > /dev/null; fi
  rm -f "$case_dir"/case.db*
  sync
  cat "$case_dir"/snapshots/catalog.jsonl > /dev/null
  run ingest "$bin" ingest -q "$case_dir"
  run hunt sh -c "'$bin' hunt files --timings '$case_dir' > '$tmp/findings-$n.jsonl' 2> '$tmp/hunt-$n.err'"
  entries=$(sqlite3 "$case_dir/case.db" "SELECT sum(entries) FROM inventory WHERE kind = 'listing' AND superseded_by IS NULL")
  gb=$(du -sb "$case_dir/snapshots" | awk '{ printf "%.2f", $1 / 1e9 }')
  printf '%-8s %9s %9s %8s %9s %9s %8s %12s %10s\n' "$n" "$w_ingest" "$c_ingest" "$r_ingest" "$w_hunt" "$c_hunt" "$r_hunt" "$entries" "$gb"
  rare=$(sed -n 's/.*rare: on at most \([0-9]*\) hosts.*/\1/p' "$tmp/hunt-$n.err")
  stack=$(sed -n 's/^hunt files: seconds: catalogue \([0-9.]*\), bases \([0-9.]*\), prevalence \([0-9.]*\), rules.*/\1 \2 \3/p' "$tmp/hunt-$n.err" | awk '{ printf "%.3f", $1 + $2 + $3 }')
  grep '^hunt files: seconds' "$tmp/hunt-$n.err" | sed 's/^/  /'
  echo "  case.db $(du -m "$case_dir/case.db" | cut -f1) MiB ($(sqlite3 "$case_dir/case.db" "SELECT sum(length(recs)) / 1048576 FROM listing_index") MiB of content index)"
  eval "h_$n=$w_hunt"
  [ "$n" -le 50000 ] || continue
  # the peers, on the same inventory
  mkdir -p "$tmp/sql-$n"
  run tsv python3 "$here/files_tsv.py" "$case_dir" "$tmp/sql-$n"
  db=$tmp/sql-$n/stack.db
  rm -f "$db"
  run import sqlite3 "$db" "CREATE TABLE entries(host TEXT, sha256 TEXT); CREATE TABLE basesha(sha256 TEXT); CREATE TABLE catalog(sha256 TEXT, kind TEXT);" \
    ".mode tabs" ".import $tmp/sql-$n/entries.tsv entries" ".import $tmp/sql-$n/basesha.tsv basesha" ".import $tmp/sql-$n/catalog.tsv catalog"
  run query sh -c "sqlite3 '$db' \"SELECT sha256 FROM entries WHERE sha256 NOT IN (SELECT sha256 FROM basesha) GROUP BY sha256 HAVING count(DISTINCT host) <= $rare INTERSECT SELECT sha256 FROM catalog WHERE kind IN ('pe','elf','macho','script')\" > '$tmp/sql-$n/rare.txt'"
  run mawk sh -c "{ cat '$case_dir'/snapshots/bases/*.jsonl '$case_dir'/snapshots/catalog.jsonl; find '$case_dir/snapshots/listings' -name '*.jsonl' -print0 | sort -z | xargs -0 cat; } | mawk -v R=$rare -f '$here/files_stack.awk' > '$tmp/sql-$n/mawk.txt'"
  python3 - "$tmp/findings-$n.jsonl" "$tmp/sql-$n" "$n" "$rare" "$w_hunt" "$w_query" "$w_import" "$w_tsv" "$w_mawk" "$stack" "$w_ingest" <<'PY'
import json, sys
fnd, d, n, rare, wh, wq, wi, wt, wm, ws, wg = sys.argv[1:]
base = set(l.strip() for l in open(d + "/basesha.tsv"))
sk = set()
for l in open(fnd):
    f = json.loads(l)
    if f["rule"]["id"] == "stack/rare-content" and f["attributes"]["sha256"] not in base:
        sk.add(f["attributes"]["sha256"])
sq = set(l.strip() for l in open(d + "/rare.txt") if l.strip())
mw = set(l.strip() for l in open(d + "/mawk.txt") if l.strip())
same = "yes (%d contents)" % len(sk) if sk == sq == mw else "NO: sakimori %d, sqlite3 %d, mawk %d" % (len(sk), len(sq), len(mw))
print("  %s hosts, stacking (rare: on at most %s hosts): same answer: %s" % (n, rare, same))
print("    sakimori stacking step            %7.2f s   (catalogue, bases, prevalence from the content index; ingest %.2f s apart)" % (float(ws), float(wg)))
print("    sakimori hunt files (everything)  %7.2f s" % float(wh))
print("    sqlite3 query alone               %7.2f s   (%.1fx sakimori's stacking step, %.1fx its whole hunt; import %.2f s apart, TSV export %.2f s)" % (float(wq), float(wq) / float(ws), float(wq) / float(wh), float(wi), float(wt)))
print("    mawk                              %7.2f s   (%.1fx the stacking step, %.1fx the whole hunt)" % (float(wm), float(wm) / float(ws), float(wm) / float(wh)))
PY
done
