#!/usr/bin/env bash
# collect/tree: a golden snapshot of a small hostile tree - names that are not UTF-8,
# a newline in a name, a path longer than PATH_MAX, hard links, a symlink loop, a
# symlink out of the root, a FIFO, an unreadable file and directory - with the volatile
# fields (times, inodes, ids, the temporary root) normalised. Run as an unprivileged
# user so that permissions bite (as root, through setpriv). GOLDEN_UPDATE=1 rewrites
# tests/collect/tree.expected (review the diff).
set -u
bin=$1 root=$2
expected=$root/tests/collect/tree.expected
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp" 2> /dev/null; rm -rf "$tmp"' EXIT
t=$tmp/tree
mkdir -p "$t/dir" "$t/locked"
printf 'plain text\n' > "$t/dir/readme.txt"
printf 'Write-Host hi\r\n' > "$t/dir/run.ps1"
printf 'odd' > "$t/dir/$(printf 'odd\xff\xfe.txt')"
printf 'nl' > "$t/dir/$(printf 'new\nline.bat')"
printf '日本' > "$t/dir/日本語.txt"
: > "$t/dir/empty.js"
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00' > "$t/dir/tiny.so"
printf 'MZ broken' > "$t/dir/broken.exe"
printf 'linked\n' > "$t/dir/first.cmd"
ln "$t/dir/first.cmd" "$t/dir/second.cmd"
ln -s . "$t/dir/loop"
ln -s / "$t/dir/escape"
ln -s nowhere "$t/dir/dangling"
mkfifo "$t/dir/fifo"
printf 'secret' > "$t/dir/unreadable.txt"
chmod 000 "$t/dir/unreadable.txt"
printf 'x' > "$t/locked/inside.txt"
chmod 000 "$t/locked"
# a path past PATH_MAX (4096): 45 levels of 99-character names
d=$t/deep
for i in $(seq 1 45); do d=$d/$(printf 'd%02d' "$i")$(printf 'x%.0s' $(seq 1 96)); done
mkdir -p "$d" 2> /dev/null || (cd "$t" && p=deep && for i in $(seq 1 45); do n=$(printf 'd%02d' "$i")$(printf 'x%.0s' $(seq 1 96)); mkdir -p "$p/$n" 2>/dev/null; done)
( cd "$t/deep" && for i in $(seq 1 45); do cd "$(printf 'd%02d' "$i")"x* || exit 1; done && printf 'deep' > bottom.txt )
chmod -R a+rX "$t/deep"
run=("$bin" collect --root "$t" --host TREE --out -)
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv > /dev/null || { echo "skip: running as root without setpriv"; exit 77; }
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}")
fi
"${run[@]}" > "$tmp/snap.jsonl" 2> "$tmp/err"
echo "rc=$?" >> "$tmp/err"
/usr/bin/python3 - "$tmp/snap.jsonl" "$t" > "$tmp/got" <<'PY'
import json, sys
root = sys.argv[2]
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    r = json.loads(line)
    for k in ("mtime", "ctime", "crtime", "inode", "uid", "gid", "started", "finished"):
        r.pop(k, None)
    if r["type"] == "snapshot":
        r["collector"]["options"] = ["..."]
        r["root"] = "ROOT"
        r["collector"]["version"] = "V"
    for k in ("path", "hardlink_of"):
        if k in r and r[k].startswith(root):
            r[k] = "ROOT" + r[k][len(root):]
    if r["type"] == "file" and len(r["path"]) > 200:
        r["path"] = r["path"][:40] + "...(%d bytes)..." % len(r["path"].encode("utf-8", "surrogatepass")) + r["path"][-20:]
    print(json.dumps(r, ensure_ascii=True, sort_keys=True))
PY
sed "s|$t|ROOT|g" "$tmp/err" >> "$tmp/got"
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then cp "$tmp/got" "$expected"; echo "updated $expected"; exit 0; fi
if diff -u "$expected" "$tmp/got"; then echo "ok   golden snapshot of the hostile tree"; else echo "FAIL golden snapshot differs"; exit 1; fi
