#!/usr/bin/env bash
# evtx/inputs: the inputs responders have - a folder (searched recursively, logs told by
# content, a symbolic link, a loop, a FIFO and a file that is no log inside it), a quoted
# glob, "-" for standard input, gzip and zstd files (concatenated gzip members too), a
# corrupt and a truncated stream, and a compression bomb cut off at --max-decompressed.
# Each compressed or piped input must give the same events as the plain file, but for
# src.sha256 (the stored bytes' digest, computed here with sha256sum) and src.decoded.
set -u
bin=$(readlink -f "$1") root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
/usr/bin/python3 "$root/tests/fixtures/evtx/make_evtx.py" "$tmp/f" >/dev/null || { echo "FAIL make_evtx.py"; exit 1; }
cd "$tmp"
log=f/log.evtx json=$root/tests/fixtures/evtx/nxlog.jsonl
"$bin" evtx dump --quiet "$log" > plain.jsonl 2>/dev/null
n=$(wc -l < plain.jsonl)
[ "$n" -gt 0 ] || bad "log.evtx gave no events"
# the same events, but for sha256 (to be $2) and decoded (to be $3)
same_but() { # got, sha, decoded
  python3 - "$1" plain.jsonl "$2" "$3" <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
sha, dec = sys.argv[3], sys.argv[4]
if len(got) != len(want): sys.exit("%d events, want %d" % (len(got), len(want)))
for g, w in zip(got, want):
    if g["src"].get("sha256") != sha: sys.exit("sha256 %s, want %s" % (g["src"].get("sha256"), sha))
    if g["src"].get("decoded") != dec: sys.exit("decoded %r, want %r" % (g["src"].get("decoded"), dec))
    g["src"].pop("decoded"); g["src"]["sha256"] = w["src"]["sha256"]; g["src"]["path"] = w["src"]["path"]
    if g != w: sys.exit("differs:\n%s\n%s" % (g, w))
PY
}
# gzip, zstd, standard input, standard input holding zstd
gzip -c "$log" > log.evtx.gz; zstd -q -c "$log" > log.evtx.zst
for f in log.evtx.gz log.evtx.zst; do
  dec=gzip; [ "${f##*.}" = zst ] && dec=zstd
  "$bin" evtx dump --quiet "$f" > got.jsonl 2> err.txt; rc=$?
  msg=$(same_but got.jsonl "$(sha256sum "$f" | cut -c1-64)" $dec 2>&1) && [ $rc = 0 ] && ok "$f: the same $n events, sha256 of the stored file, decoded $dec" || bad "$f: rc=$rc $msg $(cat err.txt)"
done
"$bin" evtx dump --quiet - < "$log" > got.jsonl 2> err.txt; rc=$?
msg=$(same_but got.jsonl "$(sha256sum < "$log" | cut -c1-64)" stdin 2>&1) && [ $rc = 0 ] && ok "- (a file on stdin): the same events, decoded stdin" || bad "stdin: rc=$rc $msg"
cat log.evtx.zst | "$bin" evtx dump --quiet - > got.jsonl 2> err.txt; rc=$?
msg=$(same_but got.jsonl "$(sha256sum log.evtx.zst | cut -c1-64)" zstd 2>&1) && [ $rc = 0 ] && ok "- (zstd through a pipe): the same events, sha256 of the piped bytes" || bad "zstd pipe: rc=$rc $msg"
# JSON lines gzipped in two members (cat a.gz b.gz is a valid gzip file)
head -2 "$json" | gzip -c > two.gz; tail -n +3 "$json" | gzip -c >> two.gz
"$bin" evtx dump --quiet two.gz > got.jsonl 2> err.txt; rc=$?
[ $rc = 0 ] && [ "$(wc -l < got.jsonl)" = "$(grep -c . "$json")" ] && grep -q '"decoded":"gzip"' got.jsonl && ok "two gzip members: every line read" || bad "two members: rc=$rc $(wc -l < got.jsonl) $(cat err.txt)"
# a truncated and a corrupt stream: what came before is read, the damage said, exit 3
head -c $(( $(stat -c %s log.evtx.gz) / 2 )) log.evtx.gz > trunc.gz
"$bin" evtx dump --quiet trunc.gz > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "trunc.gz: the gzip stream is truncated" err.txt && ok "truncated gzip: said, exit 3 ($(wc -l < got.jsonl) events before the cut)" || bad "truncated gzip: rc=$rc $(cat err.txt)"
python3 -c "
import sys; d=bytearray(open('log.evtx.zst','rb').read()); d[len(d)//2]^=0xff; d[len(d)//2+1]^=0xff; open('bad.zst','wb').write(d)"
"$bin" evtx dump --quiet bad.zst > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "bad.zst: corrupt zstd data near stored offset" err.txt && ok "corrupt zstd: said with the offset, exit 3" || bad "corrupt zstd: rc=$rc $(cat err.txt)"
# a truncated zstd stream (review of issue #11: it was not said, half a log could vanish)
python3 -c "
import sys
for i in range(60000): sys.stdout.write('{\"EventID\":4688,\"EventTime\":\"2026-06-03 20:02:19\",\"Hostname\":\"h\",\"RecordNumber\":%d,\"CommandLine\":\"cmd %d\"}\n' % (i, i * 7919))" | zstd -q -c > z.json.zst
head -c $(( $(stat -c %s z.json.zst) / 2 )) z.json.zst > zt.json.zst
"$bin" evtx dump --quiet zt.json.zst > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "zt.json.zst: the zstd stream is truncated (no end of frame)" err.txt && ok "truncated zstd: said, exit 3 ($(wc -l < got.jsonl) events before the cut)" || bad "truncated zstd: rc=$rc $(cat err.txt)"
# a record whose elements fill the per-record arena (was a crash: a NULL node written to)
python3 -c "import sys;k='k'*1000;sys.stdout.write('{\"winlog\":{\"event_id\":1,\"user_data\":{\"'+k+'\":[{}'+',null'*300000+']}},\"@timestamp\":\"2024-01-01T00:00:00Z\"}\n')" > arena.json
timeout 60 "$bin" evtx dump --quiet arena.json > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "arena.json:1: event too large" err.txt && ok "a record that fills the arena: refused, said, exit 3" || bad "arena: rc=$rc $(head -c 300 err.txt)"
# XML of a value past the line's cap: refused, not a well-formed line with the value gone
python3 -c "import sys;a='&'*int(12.6*(1<<20));b='b'*(2<<20);sys.stdout.write('{\"winlog\":{\"event_id\":1,\"channel\":\"Security\",\"event_data\":{\"A\":\"'+a+'\",\"B\":\"'+b+'\",\"C\":\"tail\"}},\"@timestamp\":\"2024-01-01T00:00:00Z\"}\n')" > amp.json
"$bin" evtx dump --quiet --format xml amp.json > got.xml 2> err.txt; rc=$?
[ $rc = 3 ] && [ ! -s got.xml ] && grep -q "amp.json:1: too large to write" err.txt && ok "XML past the cap: refused and said, no line with a value missing" || bad "xml cap: rc=$rc $(wc -c < got.xml) $(cat err.txt)"
# a 10 GB sparse file that only begins like gzip: refused at once, not hashed first
printf '\037\213' > sparse.gz; truncate -s 10G sparse.gz
start=$(date +%s%N)
timeout 20 "$bin" evtx dump --quiet sparse.gz > /dev/null 2> err.txt; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 3 ] && [ $ms -lt 2000 ] && grep -q "sparse.gz: corrupt gzip data near stored offset 4 .*: nothing decompressed" err.txt &&
  ok "10 GB sparse file beginning like gzip: refused in $ms ms" || bad "sparse gzip: rc=$rc $ms ms $(cat err.txt)"
rm -f sparse.gz
# a bomb: 64 MiB of one repeated JSON line compressed to almost nothing, cut at 8 MiB
python3 -c "
import sys
l=open('$json').readline()
sys.stdout.write(l*(64*1024*1024//len(l)))" | zstd -q -19 -c > bomb.zst
"$bin" evtx dump --quiet --max-decompressed 8 bomb.zst > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "bomb.zst: decompressed past 8388608 bytes" err.txt && [ "$(wc -l < got.jsonl)" -gt 1000 ] && ok "compression bomb ($(stat -c %s bomb.zst) bytes): cut at 8 MiB, the first $(wc -l < got.jsonl) events read, exit 3" || bad "bomb: rc=$rc $(cat err.txt)"
# a folder: logs found by content in name order, the rest skipped and said
mkdir -p dir/sub/deeper dir/empty
cp "$log" dir/b.evtx; cp "$json" dir/sub/a.log; gzip -c "$log" > dir/sub/deeper/c.gz
echo "not a log" > dir/readme.txt; ln -s "$tmp/$log" dir/link.evtx; ln -s .. dir/sub/loop; mkfifo dir/fifo.evtx
timeout 20 "$bin" evtx dump dir > got.jsonl 2> err.txt; rc=$?
want=$(( n * 2 + $(grep -c . "$json") ))
[ "$(wc -l < got.jsonl)" = $want ] && ok "folder: $want events from dir/b.evtx, dir/sub/a.log, dir/sub/deeper/c.gz" || bad "folder: $(wc -l < got.jsonl) events, want $want; $(cat err.txt)"
order=$(grep -o '^evtx: [^:]*' err.txt | tr '\n' ' ')
[ "$order" = "evtx: dir/b.evtx evtx: dir/sub/a.log evtx: dir/sub/deeper/c.gz " ] && ok "folder: read in name order" || bad "folder order: $order"
grep -q "dir/link.evtx: a symbolic link inside the folder: not followed" err.txt && grep -q "dir/sub/loop: a symbolic link inside the folder: not followed" err.txt && ok "folder: links (one a loop) said, not followed" || bad "links: $(cat err.txt)"
grep -q "dir/fifo.evtx: not a regular file (a FIFO, socket or device): skipped" err.txt && ok "folder: the FIFO skipped without blocking" || bad "fifo: $(cat err.txt)"
grep -q "1 file in the folders given is no event log (not EVTX, JSON, gzip or zstd): skipped" err.txt && ok "folder: the text file counted as no log" || bad "not a log: $(cat err.txt)"
[ $rc = 3 ] && ok "folder with a FIFO: exit 3" || bad "folder rc=$rc"
"$bin" evtx dump dir/empty > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "dir/empty: no event log in this folder" err.txt && ok "an empty folder: said, exit 3" || bad "empty folder: rc=$rc $(cat err.txt)"
# a glob the shell did not expand
"$bin" evtx dump --quiet 'dir/*.evtx' > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && [ "$(wc -l < got.jsonl)" = $(( n * 2 )) ] && grep -q "dir/fifo.evtx: not a regular file (a FIFO)" err.txt &&
  ok "quoted glob dir/*.evtx: b.evtx and the link (matched names are as if given: followed), the FIFO refused" || bad "glob: rc=$rc $(wc -l < got.jsonl) $(cat err.txt)"
"$bin" evtx dump --quiet 'nomatch/*.evtx' > got.jsonl 2> err.txt; rc=$?
[ $rc = 3 ] && grep -q "nomatch/\*.evtx: no file matches" err.txt && ok "a glob matching nothing: said, exit 3" || bad "nomatch: rc=$rc $(cat err.txt)"
# many files: 2000 small logs in one folder, every event read
mkdir many; head -1 "$json" > one.jsonl
for i in $(seq 1 2000); do cp one.jsonl many/$i.json; done
"$bin" evtx dump --quiet many > got.jsonl 2> err.txt; rc=$?
[ $rc = 0 ] && [ "$(wc -l < got.jsonl)" = 2000 ] && ok "2000 files in a folder: 2000 events" || bad "many: rc=$rc $(wc -l < got.jsonl)"
exit $fail
