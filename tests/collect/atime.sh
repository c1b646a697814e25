#!/usr/bin/env bash
# collect/atime: reading evidence leaves access times alone. A tree (its root, its
# directories and files, an EVTX log and a JSON-lines event log among them) gets access
# times of 2001, older than their modification times, so that relatime - the default
# mount option - would update them on any read; then `sakimori collect` (plain, and
# with --cache and --yara, twice so the cache is read too) and `sakimori evtx dump`
# read it, and no access time may have moved. A read with `cat` afterwards must move
# one (else this file system does not update access times and there is nothing to test).
#
# Then as an unprivileged user (setpriv, uid 65534) on a tree that user partly owns:
# O_NOATIME is allowed only to a file's owner (or CAP_FOWNER), so the files and
# directories of the user keep their access times, while those owned by root - which
# the kernel will not let the user open with O_NOATIME - follow relatime's rule (an
# access time older than the modification time or a day old is updated): the test
# requires that every access time that moved belongs to an entry the user does not own.
set -u
bin=$(readlink -f "$1") src=$2
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
py=/usr/bin/python3

# a tree with an EVTX log and a JSON-lines event log
build() { # dir
  local t=$1
  mkdir -p "$t/Windows/System32/winevt/Logs" "$t/Users/tanaka/AppData" "$t/var/log"
  "$py" "$src/tests/fixtures/evtx/make_evtx.py" "$tmp/evtx.$$" > /dev/null || { bad "make_evtx.py"; exit 1; }
  cp "$tmp/evtx.$$/log.evtx" "$t/Windows/System32/winevt/Logs/Security.evtx"
  rm -rf "$tmp/evtx.$$"
  cp "$src/tests/fixtures/evtx/winlogbeat.jsonl" "$t/var/log/winlogbeat.jsonl"
  printf 'MZ not really\n' > "$t/Windows/System32/tool.exe"
  printf 'Write-Host hi\r\n' > "$t/Users/tanaka/AppData/run.ps1"
  head -c 200000 /dev/urandom > "$t/Users/tanaka/AppData/blob.bin"
  printf 'notes\n' > "$t/Users/tanaka/notes.txt"
}
# Set (age) or list (atimes: "ATIME OWNER PATH") the access times of a tree. Not with
# find: listing a directory without O_NOATIME is itself a read that moves its access
# time; this walk opens every directory with O_NOATIME (run as root: always allowed).
walk() { # age|list dir
  "$py" - "$1" "$2" <<'PY'
import os, pwd, stat, sys
mode, top = sys.argv[1], sys.argv[2]
old = 978307200  # 2001-01-01T00:00:00Z
out = []
def visit(path):
    st = os.lstat(path)
    if mode == "age":
        os.utime(path, ns=(old * 10**9, st.st_mtime_ns), follow_symlinks=False)
        st = os.lstat(path)
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    out.append("%d %s %s" % (st.st_atime_ns, owner, path))
    if stat.S_ISDIR(st.st_mode):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOATIME)
        try:
            names = sorted(os.listdir(fd))
        finally:
            os.close(fd)
        for n in names:
            visit(os.path.join(path, n))
visit(top)
if mode == "list":
    print("\n".join(sorted(out, key=lambda l: l.split(" ", 2)[2])))
PY
}
age() { walk age "$1"; }
atimes() { walk list "$1"; }
cat > "$tmp/rules.yar" <<'EOF'
rule hi { strings: $a = "Write-Host" condition: $a }
EOF
touch -a -d 2001-01-01T00:00:00 "$tmp/rules.yar"

# ---- as root (or whoever runs the test: the files are its own) ----
t=$tmp/tree
build "$t"
age "$t"
atimes "$t" > "$tmp/before"
rb=$(stat -c %X "$tmp/rules.yar")
timeout -k 2 60 "$bin" collect --root "$t" --host A --out - > "$tmp/s1.jsonl" 2> "$tmp/e1" || bad "collect: $(cat "$tmp/e1")"
for i in 1 2; do
  timeout -k 2 60 "$bin" collect --root "$t" --host A --cache "$tmp/cache" --yara "$tmp/rules.yar" --out - > "$tmp/s2.jsonl" 2> "$tmp/e2" ||
    bad "collect --cache --yara: $(cat "$tmp/e2")"
done
grep -q '"cached":true' "$tmp/s2.jsonl" || bad "the second collect did not use the cache"
grep -q '"yara":\["hi"\]' "$tmp/s2.jsonl" || bad "no YARA match: the rules did not run"
timeout -k 2 60 "$bin" evtx dump "$t/Windows/System32/winevt/Logs/Security.evtx" > "$tmp/d1" 2> /dev/null || bad "evtx dump of the EVTX log"
timeout -k 2 60 "$bin" evtx dump "$t/var/log/winlogbeat.jsonl" > "$tmp/d2" 2> /dev/null
[ $? -le 3 ] || bad "evtx dump of the JSON-lines log" # 3: the fixture holds bad lines on purpose
[ -s "$tmp/d1" ] && [ -s "$tmp/d2" ] || bad "evtx dump printed no events"
atimes "$t" > "$tmp/after"
if diff "$tmp/before" "$tmp/after" > "$tmp/diff"; then
  ok "$(wc -l < "$tmp/before") entries (root, directories, files, EVTX, JSON lines): no access time moved"
else
  bad "access times moved:"; grep '^>' "$tmp/diff" | head
fi
[ "$(stat -c %X "$tmp/rules.yar")" = "$rb" ] && ok "the YARA rules file's access time did not move" || bad "the rules file's access time moved"
# the control: an ordinary read does move an access time here
cat "$t/Users/tanaka/notes.txt" > /dev/null
if [ "$(stat -c %X "$t/Users/tanaka/notes.txt")" = "$(awk -v p="$t/Users/tanaka/notes.txt" '$3 == p {print int($1 / 1e9)}' "$tmp/before")" ]; then
  echo "skip: this file system does not update access times on reads ($(findmnt -T "$t" -no OPTIONS 2> /dev/null)): nothing to test"
  exit 77
fi
ok "control: cat moves an access time on this file system"

# ---- as an unprivileged user, on files it owns and files it does not ----
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv > /dev/null; then
  echo "skip: the unprivileged part needs root and setpriv"
  exit $fail
fi
u=$tmp/user
build "$u"
chown -R 65534:65534 "$u"
# root keeps a directory and some files inside the user's tree, readable by all
chown root:root "$u/Windows/System32" "$u/Windows/System32/tool.exe" "$u/var/log/winlogbeat.jsonl" "$u/Users/tanaka/notes.txt"
chmod -R a+rX "$u"
age "$u"
atimes "$u" > "$tmp/ubefore"
as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
timeout -k 2 60 "${as_user[@]}" "$bin" collect --root "$u" --host U --out - > "$tmp/u1.jsonl" 2> "$tmp/ue1" || bad "collect as uid 65534: $(cat "$tmp/ue1")"
timeout -k 2 60 "${as_user[@]}" "$bin" evtx dump "$u/Windows/System32/winevt/Logs/Security.evtx" > /dev/null 2>&1 || bad "evtx dump as uid 65534"
timeout -k 2 60 "${as_user[@]}" "$bin" evtx dump "$u/var/log/winlogbeat.jsonl" > /dev/null 2>&1
[ $? -le 3 ] || bad "evtx dump of JSON lines as uid 65534"
atimes "$u" > "$tmp/uafter"
moved_own=$(join -1 3 -2 3 <(sort -k3 "$tmp/ubefore") <(sort -k3 "$tmp/uafter") | awk '$2 != $4 && $3 == "nobody"' | wc -l)
moved_root=$(join -1 3 -2 3 <(sort -k3 "$tmp/ubefore") <(sort -k3 "$tmp/uafter") | awk '$2 != $4 && $3 != "nobody"' | wc -l)
owned=$(awk '$2 == "nobody"' "$tmp/ubefore" | wc -l)
if [ "$moved_own" = 0 ]; then
  ok "uid 65534: none of its own $owned entries had its access time moved"
else
  bad "uid 65534: $moved_own of its own entries had their access times moved"
  join -1 3 -2 3 <(sort -k3 "$tmp/ubefore") <(sort -k3 "$tmp/uafter") | awk '$2 != $4 && $3 == "nobody"' | head
fi
echo "note uid 65534: $moved_root entries owned by root were read without O_NOATIME (refused by the kernel) and follow relatime"
exit $fail
