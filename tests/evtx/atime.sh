#!/usr/bin/env bash
# evtx/atime: `sakimori evtx dump` leaves its inputs' access times as they were (issue
# #10: the kind probe opened without O_NOATIME). An .evtx and a .jsonl get an access
# time in 2001, older than their modification time, so that even relatime would update
# it on a read; a control file read with cat shows whether this file system updates
# access times at all (skip if not: noatime). Run as the files' owner (O_NOATIME needs
# the owner or CAP_FOWNER; the files are created here, so they are ours).
set -u
bin=$(readlink -f "$1") root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$root/tests/fixtures/evtx/make_evtx.py" "$tmp/f" > /dev/null || { echo "FAIL make_evtx.py"; exit 1; }
cp "$root/tests/fixtures/evtx/nxlog.jsonl" "$tmp/f/"
cp "$tmp/f/log.evtx" "$tmp/f/control.evtx"
old=200101010000
touch -a -t $old "$tmp/f/log.evtx" "$tmp/f/nxlog.jsonl" "$tmp/f/control.evtx"
before() { stat -c %X "$1"; }
a_log=$(before "$tmp/f/log.evtx") a_json=$(before "$tmp/f/nxlog.jsonl") a_ctl=$(before "$tmp/f/control.evtx")
cat "$tmp/f/control.evtx" > /dev/null
if [ "$(stat -c %X "$tmp/f/control.evtx")" = "$a_ctl" ]; then
  echo "skip this file system does not update access times on read (noatime): nothing to check"; exit 77
fi
fail=0
(cd "$tmp/f" && timeout -k 2 30 "$bin" evtx dump --quiet --coverage cov.jsonl log.evtx nxlog.jsonl > /dev/null) || { echo "FAIL evtx dump"; fail=1; }
(cd "$tmp/f" && timeout -k 2 30 "$bin" evtx dump --quiet --carve --format xml log.evtx > /dev/null) || { echo "FAIL evtx dump --format xml"; fail=1; }
for p in "log.evtx:$a_log" "nxlog.jsonl:$a_json"; do
  f=${p%%:*} want=${p#*:}
  got=$(stat -c %X "$tmp/f/$f")
  if [ "$got" = "$want" ]; then echo "ok   $f: access time unchanged ($(date -u -d @"$got" +%FT%TZ))"
  else echo "FAIL $f: access time changed from $want to $got"; fail=1; fi
done
exit $fail
