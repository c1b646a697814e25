#!/usr/bin/env bash
# bench/collect.sh - the collector against hashdeep and openssl dgst (issue #4).
#
#   bench/collect.sh [BIN] [TREE]        default: build/sakimori /usr
#
# Same warm tree (read once beforehand), same run, every tool given both cores:
#   hashdeep -r -c sha256 -j CORES
#   find -type f -print0 | xargs -0 -P CORES openssl dgst -sha256 -r (one output per process)
#   sakimori collect --digests sha256 --hash-limit none    (the same digest as the peers,
#                                                           plus PE/ELF identity)
#   sakimori collect (defaults: MD5+SHA-1+SHA-256 of executables, SHA-256 up to 64 MiB)
# The three SHA-256 lists are checked equal (hard links resolved). Then the incremental
# cache in both configurations: a run that fills it and three rescans of the unchanged
# tree, whose median is compared with the full scan of the same configuration (target:
# >= 20x faster; the rescan's lines are checked equal to the full scan's). With root, a
# cold-cache run of sakimori (page cache dropped) is reported too.
# Prints wall, user, sys, peak RSS, GB/s and the ratios. Targets: >= 1.15x the faster
# peer, peak RSS <= 256 MiB.
set -euo pipefail
bin=$(readlink -f "${1:-build/sakimori}")
tree=${2:-/usr}
cores=$(nproc)
tmp=$(mktemp -d /tmp/sk-bench-collect.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
command -v hashdeep > /dev/null || { echo "bench/collect.sh: hashdeep is missing (scripts/install-deps --bench)" >&2; exit 2; }
bytes=$(find "$tree" -xdev -type f -printf '%s\n' 2> /dev/null | awk '{s += $1} END {print s}')
files=$(find "$tree" -xdev -type f 2> /dev/null | wc -l)
echo "tree: $tree, $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1e9}') GB; $cores cores; warming the page cache"
find "$tree" -xdev -type f -print0 2> /dev/null | xargs -0 -P "$cores" cat > /dev/null 2>&1 || true

run() { # name, command...: prints "name wall user sys rss_kb"
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/$name.err" || true
  read -r w u s m < "$tmp/time"
  echo "$name $w $u $s $m" >> "$tmp/results"
}
: > "$tmp/results"
run hashdeep sh -c "hashdeep -r -c sha256 -j $cores '$tree' > '$tmp/hashdeep.txt'"
run openssl sh -c "cd '$tmp' && find '$tree' -xdev -type f -print0 | xargs -0 -P $cores -n 256 sh -c 'openssl dgst -sha256 -r \"\$@\" > \"$tmp/ossl.\$\$.\$(date +%s%N)\"' sh"
run sakimori "$bin" collect --root "$tree" --host bench --digests sha256 --hash-limit none --out "$tmp/sk.jsonl" --threads "$cores"
run sakimori-default "$bin" collect --root "$tree" --host bench --out "$tmp/sk-default.jsonl" --threads "$cores"
# the incremental cache, in both configurations: a run that fills it, then three
# rescans of the unchanged tree (the median is compared with the full scan above)
run cache-fill-default "$bin" collect --root "$tree" --host bench --cache "$tmp/cache-d" --out "$tmp/sk-cd1.jsonl"
run cache-fill "$bin" collect --root "$tree" --host bench --digests sha256 --hash-limit none --cache "$tmp/cache" --out "$tmp/sk-c1.jsonl"
for i in 1 2 3; do
  rm -f "$tmp/sk-cd2.jsonl" "$tmp/sk-c2.jsonl"
  run rescan-default-$i "$bin" collect --root "$tree" --host bench --cache "$tmp/cache-d" --out "$tmp/sk-cd2.jsonl"
  run rescan-$i "$bin" collect --root "$tree" --host bench --digests sha256 --hash-limit none --cache "$tmp/cache" --out "$tmp/sk-c2.jsonl"
done
cold=
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
  sync; echo 3 > /proc/sys/vm/drop_caches
  run sakimori-cold "$bin" collect --root "$tree" --host bench --digests sha256 --hash-limit none --out "$tmp/sk-cold.jsonl"
  cold=1
fi
# the same answer: path -> sha256 from each tool
/usr/bin/python3 - "$tmp" <<'PY'
import glob, json, sys, re
tmp = sys.argv[1]
def snap(p):
    d, links = {}, {}
    for line in open(p, encoding="utf-8", errors="surrogateescape"):
        r = json.loads(line)
        if r.get("type") != "file": continue
        if "hardlink_of" in r: links[r["path"]] = r["hardlink_of"]
        elif "sha256" in r: d[r["path"]] = r["sha256"]
    for k, v in links.items():
        if v in d: d[k] = d[v]
    return d
sk = snap(tmp + "/sk.jsonl")
hd = {}
for line in open(tmp + "/hashdeep.txt", encoding="utf-8", errors="surrogateescape"):
    if line.startswith(("%", "#")): continue
    size, h, path = line.rstrip("\n").split(",", 2)
    hd[path] = h
os_ = {}
for f in glob.glob(tmp + "/ossl.*"):
    for line in open(f, encoding="utf-8", errors="surrogateescape"):
        m = re.match(r"([0-9a-f]{64}) \*?(.*)$", line.rstrip("\n"))
        if m: os_[m.group(2)] = m.group(1)
# hashdeep also lists the files it reaches through symlinked directories (sakimori
# never follows a symlink): every path of sakimori's must have hashdeep's digest, and
# openssl (given the same regular files by find) must list exactly the same
ok_hd = all(hd.get(k) == v for k, v in sk.items())
ok_os = sk == os_
c2 = snap(tmp + "/sk-c2.jsonl")
def lines(p):
    out = []
    for line in open(p, encoding="utf-8", errors="surrogateescape"):
        r = json.loads(line)
        if r.get("type") in ("file", "error"):
            r.pop("cached", None)
            out.append(r)
    return out
same_default = lines(tmp + "/sk-default.jsonl") == lines(tmp + "/sk-cd2.jsonl")
print("rescan (default digests) lines equal to the full scan's: %s" % ("yes" if same_default else "NO"))
print("same answer: %s (%d paths; openssl %s, hashdeep %s on all of them, +%d paths hashdeep reached through symlinks; "
      "rescan from cache %s)" % ("yes" if ok_hd and ok_os else "NO", len(sk), "equal" if ok_os else "DIFFERENT",
                                 "equal" if ok_hd else "DIFFERENT", len(set(hd) - set(sk)),
                                 "equal" if c2 == sk else "DIFFERENT"))
for name, o, full in (("hashdeep", hd, False), ("openssl", os_, True)):
    diff = [k for k in (set(sk) | set(o) if full else set(sk)) if sk.get(k) != o.get(k)]
    if diff: print("  %s differs on %d paths, e.g. %s" % (name, len(diff), diff[:3]))
PY
awk -v bytes="$bytes" '
  function med(a, b, c) { return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b)) }
  { w[$1] = $2; u[$1] = $3; s[$1] = $4; m[$1] = $5; order[n++] = $1 }
  END {
    printf "%-17s %8s %8s %8s %9s %7s\n", "tool", "wall_s", "user_s", "sys_s", "peak_MiB", "GB/s"
    for (i = 0; i < n; i++) { k = order[i]
      printf "%-17s %8.2f %8.2f %8.2f %9d %7.2f\n", k, w[k], u[k], s[k], m[k] / 1024, bytes / 1e9 / w[k] }
    best = w["hashdeep"] < w["openssl"] ? "hashdeep" : "openssl"
    printf "sakimori (sha256) vs the faster peer (%s): %.2fx (target >= 1.15x)\n", best, w[best] / w["sakimori"]
    printf "sakimori (default digests) vs %s: %.2fx\n", best, w[best] / w["sakimori-default"]
    md = med(w["rescan-default-1"], w["rescan-default-2"], w["rescan-default-3"])
    ms = med(w["rescan-1"], w["rescan-2"], w["rescan-3"])
    printf "incremental rescan, median of 3 (target >= 20x the full scan):\n"
    printf "  default digests: %.2f s vs full scan %.2f s: %.1fx\n", md, w["sakimori-default"], w["sakimori-default"] / md
    printf "  sha256 only:     %.2f s vs full scan %.2f s: %.1fx\n", ms, w["sakimori"], w["sakimori"] / ms
    printf "peak RSS: %d MiB (target <= 256 MiB)\n", m["sakimori"] / 1024
  }' "$tmp/results"
[ -n "$cold" ] && echo "(sakimori-cold: page cache dropped before the run)"
exit 0
