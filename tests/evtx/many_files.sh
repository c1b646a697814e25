#!/usr/bin/env bash
# evtx/many-files: a hostile folder of 100,000 files - 99,990 that are no event
# log, ten small JSON logs among them, a symbolic-link loop and a FIFO - is searched in
# bounded time: the ten logs' events read, the rest counted in one line, the loop and
# the FIFO said, peak memory bounded.
set -u
bin=$(readlink -f "$1") root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/d"
python3 - "$tmp/d" "$root/tests/fixtures/evtx/nxlog.jsonl" <<'PY'
import os, sys
d, ev = sys.argv[1], open(sys.argv[2]).readline()
for i in range(100000):
    sub = os.path.join(d, "%03d" % (i % 100))
    if i < 100: os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%06d.log" % i), "w") as f:
        f.write(ev if i % 10000 == 0 else "not a log %d\n" % i)
PY
ln -s .. "$tmp/d/000/loop"
mkfifo "$tmp/d/001/fifo.evtx"
/usr/bin/time -f "%e %M" -o "$tmp/time" timeout 300 "$bin" evtx dump --quiet "$tmp/d" > "$tmp/out" 2> "$tmp/err"
rc=$?
read -r wall kib < <(tail -1 "$tmp/time")
fail=0
[ "$(wc -l < "$tmp/out")" = 10 ] || { echo "FAIL $(wc -l < "$tmp/out") events, want 10"; fail=1; }
grep -q "99990 files in the folders given are no event log" "$tmp/err" || { echo "FAIL no count of the other files"; fail=1; }
grep -q "loop: a symbolic link inside the folder: not followed" "$tmp/err" || { echo "FAIL loop not said"; fail=1; }
grep -q "fifo.evtx: not a regular file" "$tmp/err" || { echo "FAIL fifo not said"; fail=1; }
[ $rc = 3 ] || { echo "FAIL exit $rc, want 3 (the FIFO)"; fail=1; }
[ "$kib" -lt 262144 ] || { echo "FAIL peak $kib KiB"; fail=1; }
[ $fail = 0 ] && echo "ok   100,000 files: 10 events, the rest counted, loop and FIFO said, in $wall s and $((kib / 1024)) MiB"
exit $fail
