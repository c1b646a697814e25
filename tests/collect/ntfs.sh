#!/usr/bin/env bash
# collect/ntfs: a real NTFS volume (mkntfs, mounted read-only with ntfs-3g, as an image
# is examined): Windows paths under --windows-root, the creation time from
# system.ntfs_crtime to the 100 ns, the owner SID from the security descriptor, the
# masquerade found by its VERSIONINFO. Skips where FUSE mounts are not allowed.
set -u
bin=$1 root=$2
for t in mkntfs ntfs-3g; do command -v $t > /dev/null || { echo "skip: $t missing (scripts/install-deps)"; exit 77; }; done
[ -e /dev/fuse ] || { echo "skip: no /dev/fuse here"; exit 77; }
tmp=$(mktemp -d)
mnt=$tmp/mnt
mkdir -p "$mnt"
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$tmp"; }
trap cleanup EXIT
"$root/tests/fixtures/pe/build.sh" "$tmp/fx" > /dev/null 2>&1 || { echo "skip: PE fixtures cannot be built here"; exit 77; }
truncate -s 64M "$tmp/ntfs.img"
mkntfs -q -F -f "$tmp/ntfs.img" > /dev/null 2>&1 || { echo "FAIL mkntfs"; exit 1; }
ntfs-3g "$tmp/ntfs.img" "$mnt" 2> "$tmp/mount.err" || { echo "skip: ntfs-3g cannot mount here: $(head -1 "$tmp/mount.err")"; exit 77; }
d="$mnt/Users/tanaka/AppData/Local/Google/Chrome/Application"
mkdir -p "$d" "$mnt/Windows/System32"
cp "$tmp/fx/chrome.exe" "$d/chrome.exe"
cp "$tmp/fx/plain.exe" "$mnt/Windows/System32/plain.exe"
# creation time 2019-03-18T02:47:48.1234567Z as a FILETIME
/usr/bin/python3 -c '
import os, struct, sys
ft = (1552877268 + 11644473600) * 10**7 + 1234567
os.setxattr(sys.argv[1], "system.ntfs_crtime", struct.pack("<Q", ft))' "$d/chrome.exe"
umount "$mnt"
ntfs-3g -o ro "$tmp/ntfs.img" "$mnt" || { echo "FAIL remount read-only"; exit 1; }
"$bin" collect --root "$mnt" --windows-root C: --host NTFS-PC01 --out "$tmp/snap.jsonl" 2> "$tmp/err" ||
  { echo "FAIL collect"; cat "$tmp/err"; exit 1; }
/usr/bin/python3 - "$tmp/snap.jsonl" <<'PY'
import json, re, sys
files = {r["path"]: r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "file"}
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok; failed += not ok
    print(("ok   " if ok else "FAIL ") + what)
c = files.get("C:\\Users\\tanaka\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe")
check(c is not None, "the masquerade under its Windows path (%s)" % sorted(files))
if c:
    check(c["OriginalFilename"] == "PowerShell.EXE", "VERSIONINFO: PowerShell.EXE")
    check(c.get("crtime") == "2019-03-18T02:47:48.1234567Z", "creation time from system.ntfs_crtime (%s)" % c.get("crtime"))
    check(re.fullmatch(r"S-1-5(-[0-9]+)+", c.get("owner", "")) is not None, "owner SID from the security descriptor (%s)" % c.get("owner"))
check("C:\\Windows\\System32\\plain.exe" in files, "System32 listed")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
