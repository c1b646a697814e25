#!/usr/bin/env bash
# collect/deep: a chain of 2,000 nested directories with a file at the bottom (and one
# beside each of a few levels) is walked whole, with at most 256 descriptors (the walk
# holds the handles of a bounded number of levels and reopens the others through
# ".."), in the same order with 1 and 4 threads. Then a directory is renamed while the
# walker is below it and the handles of its ancestors are closed: the other users'
# directories are still listed (a moved child says nothing about its parent).
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

# A rename during the walk: t/home/attacker/c1/.../c40/bottom holds 8,000 files and
# t/home/zed/secret.txt lies beside. The snapshot goes through a pipe whose reader stops
# at bottom's first line: the walker stalls when the pipe and the ring of 4,096 lines in
# flight are full, so it is still in bottom (the handles of home, attacker and c1..c9,
# more than 32 levels up, closed) when the reader renames c10, then reads on. The race
# is made deterministic by that back-pressure, not by timing.
mkrename() { # dir
  /usr/bin/python3 - "$1" <<'PY'
import os, sys
r = sys.argv[1]
p = os.path.join(r, "home", "attacker")
for i in range(1, 41):
    p = os.path.join(p, "c%d" % i)
os.makedirs(os.path.join(p, "bottom"))
for i in range(8000):
    open(os.path.join(p, "bottom", "f%05d" % i), "w").close()
open(os.path.join(r, "home", "attacker", *["c%d" % i for i in range(1, 10)], "z9.txt"), "w").write("nine\n")
os.makedirs(os.path.join(r, "home", "zed"))
open(os.path.join(r, "home", "zed", "secret.txt"), "w").write("secret\n")
PY
}
# collect with the rename(s) named "FROM:TO ..." done at bottom's first line; prints
# "files N errors E secret S z9 Z" and the error lines' paths relative to the root
rename_walk() { # bin root threads renames...
  timeout -k 2 120 /usr/bin/python3 - "$@" <<'PY'
import json, os, subprocess, sys
bin, root, th = sys.argv[1:4]
moves = [m.split(":") for m in sys.argv[4:]]
p = subprocess.Popen([bin, "collect", "--root", root, "--host", "R", "--threads", th, "--out", "-"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
lines, moved = [], False
for raw in p.stdout:
    lines.append(raw)
    if not moved and b"/bottom/f" in raw:
        for a, b in moves:
            os.rename(os.path.join(root, a), os.path.join(root, b))
        moved = True
p.wait()
recs = [json.loads(l) for l in lines]
files = [r["path"][len(root):] for r in recs if r["type"] == "file"]
errs = sorted(set(r["path"][len(root):] for r in recs if r["type"] == "error"))
print("moved" if moved else "not-moved", "files", len(files), "errors", sum(r["type"] == "error" for r in recs),
      "secret", sum(f.endswith("/zed/secret.txt") for f in files), "z9", sum(f.endswith("/c9/z9.txt") for f in files))
for e in errs:
    print(e)
with open(os.environ["OUT"], "w") as f: # what does not depend on the tree's inodes and times
    for r in recs:
        if r["type"] in ("file", "error"):
            print(r["type"], r["path"][len(root):], r.get("sha256"), r.get("op"), r.get("error"), file=f)
PY
}
c9=home/attacker/c1/c2/c3/c4/c5/c6/c7/c8/c9
for th in 1 4; do
  mkdir -p "$tmp/mv$th" && mkrename "$tmp/mv$th"
  got=$(OUT=$tmp/mv$th.lines rename_walk "$bin" "$tmp/mv$th" $th "$c9/c10:home/attacker/moved")
  want="moved files 8002 errors 0 secret 1 z9 1"
  if [ "$got" = "$want" ]; then ok "threads $th: c10 renamed under the walker: nothing lost, /home/zed listed"; else bad "threads $th: rename: got"; echo "$got" | head -20; fi
done
cmp -s "$tmp/mv1.lines" "$tmp/mv4.lines" && ok "rename: the same lines with 1 and 4 threads" || bad "rename: 1 and 4 threads differ"
# c5 moved too: c5..c9 are gone from their paths (error lines for them alone), c4 and
# above are reopened from the root and the rest of /home is listed
mkdir -p "$tmp/mv2" && mkrename "$tmp/mv2"
got=$(OUT=$tmp/mv2.lines rename_walk "$bin" "$tmp/mv2" 1 "$c9/c10:home/attacker/moved" "home/attacker/c1/c2/c3/c4/c5:home/c5moved")
want="moved files 8002 errors 6 secret 1 z9 1
/home/attacker/c1/c2/c3/c4/c5
/home/attacker/c1/c2/c3/c4/c5/c6
/home/attacker/c1/c2/c3/c4/c5/c6/c7
/home/attacker/c1/c2/c3/c4/c5/c6/c7/c8
/$c9
/$c9/z9.txt"
if [ "$got" = "$want" ]; then ok "c10 and c5 renamed: only c5..c9 lost, /home/zed listed"; else bad "c10 and c5 renamed: got"; echo "$got" | head -20; fi

# The entries held along the path are bounded: every directory on the walker's path
# keeps its arrays (~330 B an entry) until the walker leaves it, so a deep chain of wide
# directories is cut where those above hold more than --max-path-entries. A chain of
# 120 levels, each with 100 files and the next level (101 entries): with a limit of
# 5,000, levels 1..50 are listed (the root and 50 x 101: 5,051 > 5,000 above level 51) and level 51
# is one error line naming it; the same with 1 and 4 threads; the default lists it all.
w=$tmp/wide
/usr/bin/python3 - "$w" <<'PY'
import os, sys
p = sys.argv[1]
for lvl in range(1, 121):
    p = os.path.join(p, "l%03d" % lvl)
    os.makedirs(p)
    for i in range(100):
        open(os.path.join(p, "f%03d" % i), "w").close()
PY
for th in 1 4; do
  timeout -k 2 60 "$bin" collect --root "$w" --host W --threads $th --max-path-entries 5000 --out "$tmp/wide$th.jsonl" 2> "$tmp/wide$th.err"
  echo "rc $?" >> "$tmp/wide$th.rc"
  /usr/bin/python3 - "$tmp/wide$th.jsonl" "$w" > "$tmp/wide$th.got" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
files = [r for r in recs if r["type"] == "file"]
print("files", len(files), "deepest", max(r["path"].count("/l") for r in files))
for r in recs:
    if r["type"] == "error":
        print(r["path"][len(sys.argv[2]):].count("/l"), r["op"], r["error"])
PY
done
want="files 5000 deepest 50
51 readdir not descended: the directories above it hold 5051 entries, more than 5000 (--max-path-entries)"
if [ "$(cat "$tmp/wide1.got")" = "$want" ] && grep -q "rc 3" "$tmp/wide1.rc"; then ok "--max-path-entries 5000: cut at level 51 with one error line naming it"
else bad "--max-path-entries: got"; cat "$tmp/wide1.got" "$tmp/wide1.rc" "$tmp/wide1.err" | head; fi
cmp -s "$tmp/wide1.got" "$tmp/wide4.got" && ok "--max-path-entries: the same with 1 and 4 threads" || bad "--max-path-entries: 1 and 4 threads differ"
timeout -k 2 60 "$bin" collect --root "$w" --host W --out "$tmp/wide.jsonl" 2> /dev/null
n=$(grep -c '"type":"file"' "$tmp/wide.jsonl")
[ "$n" = 12000 ] && ok "default limit: all 12,000 files of the 120 levels" || bad "default limit: $n files"
exit $fail
