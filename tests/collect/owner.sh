#!/usr/bin/env bash
# collect/owner: on a Linux root the owner is the user name the collected system's own
# /etc/passwd gives the uid (an image's users, not this machine's): the first line for
# a uid wins, a uid it does not list has no owner, malformed lines are skipped, and a
# passwd that is a symlink (out of the root) is not followed.
set -u
bin=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: giving files other owners needs root"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/img
mkdir -p "$img/etc" "$img/home/alice"
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:4101:4101::/home/alice:/bin/sh\nalice2:x:4101:4101::/:/bin/sh\n# comment\nbroken line\nbob:x:notanumber:1::/:/bin/sh\n:x:4103:1::/:/bin/sh\n' > "$img/etc/passwd"
echo hi > "$img/home/alice/notes.txt"
chown 4101 "$img/home/alice/notes.txt"
touch "$img/home/orphan" "$img/home/nameless"
chown 4242 "$img/home/orphan"
chown 4103 "$img/home/nameless"
owners() { "$bin" collect --root "$1" --host IMG --out - 2> /dev/null | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("type") == "file": print(r["path"][len(sys.argv[1]):], r["uid"], r.get("owner"))' "$1"; }
owners "$img" > "$tmp/got"
cat > "$tmp/want" <<'W'
/etc/passwd 0 root
/home/alice/notes.txt 4101 alice
/home/nameless 4103 None
/home/orphan 4242 None
W
fail=0
if ! diff -u "$tmp/want" "$tmp/got"; then echo "FAIL owners from the image's passwd"; fail=1; fi
# a passwd that is a symlink to this machine's: not followed, no names at all
img2=$tmp/img2
mkdir -p "$img2/etc"
ln -s /etc/passwd "$img2/etc/passwd"
touch "$img2/file"
if owners "$img2" | grep -v ' None$' | grep -q .; then echo "FAIL a symlinked passwd was followed"; owners "$img2"; fail=1; fi
[ "$fail" = 0 ] && echo "ok   owners from the collected system's own passwd; a symlinked one not followed"
exit "$fail"
