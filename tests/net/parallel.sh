#!/usr/bin/env bash
# hunt net reads one log with several readers at once (src/cli/net_par.c): the answer,
# the evidence line numbers and the messages must be those of one reader. Inputs of
# several 4 MiB chunks: a Squid log with bad lines and a line longer than a chunk, a
# Zeek log whose header changes the field order half-way, an IIS log whose #Fields and
# #Date change half-way, and the Squid log gzip-compressed.
# usage: parallel.sh SAKIMORI
set -u
bin=$1
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT
python3 - "$tmp" <<'PY'
import os, random, sys
d = sys.argv[1]
r = random.Random(5)
hosts = ["c2-%d.bad.example" % i for i in range(30)] + ["ok%d.example.org" % i for i in range(3000)]
with open(os.path.join(d, "access.log"), "w") as f:
    t = 1562716800.0
    for i in range(120000):
        t += r.random()
        h = r.choice(hosts)
        if i == 40000:
            f.write("1562750000.000 12 10.0.0.9 TCP_MISS/200 10 GET http://" + "x" * (5 << 20) + ".bad.example/ - HIER_DIRECT/1.2.3.4 -\n")
        if i % 9000 == 17:
            f.write("this is not a squid line\n")
        if h.startswith("c2"):
            f.write("%.3f %d 10.0.%d.%d TCP_MISS/200 %d GET http://%s/p - HIER_DIRECT/198.51.100.%d text/html\n" % (t, r.randrange(9999), r.randrange(4), r.randrange(256), r.randrange(99999), h, r.randrange(256)))
        else:
            f.write("%.3f %d 10.0.%d.%d TCP_TUNNEL/200 %d CONNECT %s:443 - HIER_DIRECT/203.0.113.%d -\n" % (t, r.randrange(9999), r.randrange(4), r.randrange(256), r.randrange(99999), h, r.randrange(256)))
def zhead(f, order):
    f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n")
    f.write("#fields\t" + "\t".join(order) + "\n")
    f.write("#types\t" + "\t".join({"ts": "time", "uid": "string", "id.orig_h": "addr", "id.orig_p": "port", "id.resp_h": "addr", "id.resp_p": "port", "host": "string", "uri": "string", "method": "string"}[x] for x in order) + "\n")
with open(os.path.join(d, "http.log"), "w") as f:
    a = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "method", "host", "uri"]
    b = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "uri", "host", "method"]
    t = 1562716800.0
    for part, order in enumerate((a, b)):
        zhead(f, order)
        for i in range(70000):
            t += r.random()
            v = {"ts": "%.6f" % t, "uid": "C%d" % i, "id.orig_h": "10.1.%d.%d" % (r.randrange(4), r.randrange(256)), "id.orig_p": str(r.randrange(1024, 65535)),
                 "id.resp_h": "203.0.113.%d" % r.randrange(256), "id.resp_p": "80", "method": "GET", "host": r.choice(hosts), "uri": "/x/%d" % i}
            f.write("\t".join(v[x] for x in order) + "\n")
        f.write("#close\t2019-07-10-00-00-00\n")
with open(os.path.join(d, "u_ex190710.log"), "w") as f:
    t = 0
    for part, fields in enumerate(("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status cs-host",
                                   "time c-ip cs-host cs-method cs-uri-stem sc-status s-ip s-port")):
        f.write("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2019-07-1%d 00:00:00\n#Fields: %s\n" % (part, fields))
        for i in range(60000):
            t += 1
            h = r.choice(hosts)
            v = {"date": "2019-07-10", "time": "%02d:%02d:%02d" % (t // 3600 % 24, t // 60 % 60, t % 60), "s-ip": "10.9.0.1", "cs-method": "GET",
                 "cs-uri-stem": "/p/%d" % i, "cs-uri-query": "-", "s-port": "80", "cs-username": "-", "c-ip": "10.2.%d.%d" % (r.randrange(4), r.randrange(256)),
                 "cs(User-Agent)": "Mozilla/5.0+(Windows)", "sc-status": "200", "cs-host": h}
            f.write(" ".join(v[x] for x in fields.split()) + "\n")
open(os.path.join(d, "ioc.txt"), "w").write("bad.example\n198.51.100.0/24\n")
PY
gzip -1 -k "$tmp/access.log"
fail=0
for log in access.log http.log u_ex190710.log access.log.gz; do
  "$bin" hunt net --threads 1 --beacons --min-contacts 3 --ioc "$tmp/ioc.txt" "$tmp/$log" > "$tmp/one.out" 2> "$tmp/one.err"; r1=$?
  "$bin" hunt net --threads 2 --beacons --min-contacts 3 --ioc "$tmp/ioc.txt" "$tmp/$log" > "$tmp/two.out" 2> "$tmp/two.err"; r2=$?
  n=$(wc -l < "$tmp/one.out")
  if [ "$r1" != "$r2" ] || ! cmp -s "$tmp/one.out" "$tmp/two.out" || ! cmp -s "$tmp/one.err" "$tmp/two.err"; then
    echo "FAIL: $log: one reader and two differ (exit $r1 and $r2)"; diff "$tmp/one.err" "$tmp/two.err" | head -5; diff "$tmp/one.out" "$tmp/two.out" | head -3 | cut -c1-300
    fail=1
  elif [ "$n" -lt 10 ]; then
    echo "FAIL: $log: only $n findings"; fail=1
  else
    echo "ok: $log: $n findings, $(wc -l < "$tmp/one.err") messages, the same with one reader and two"
  fi
done
grep -q "line 40006: longer than 65536 bytes" "$tmp/one.err" || { echo "FAIL: the long line is not reported as line 40006 (40,000 lines and 5 bad ones before it)"; grep longer "$tmp/one.err"; fail=1; }
# a log still being written is read as it was when opened, never followed: while the
# reader is inside a 300 MB log, lines naming another indicator are appended; they must
# not be read (the reader that followed the file found them)
printf 'bad.example\nlate.example\n' > "$tmp/ioc2.txt"
for t in 1 2; do
  python3 - "$tmp/access.log" "$tmp/growing.log" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
data = data[:data.rfind(b"\n") + 1]
with open(sys.argv[2], "wb") as f:
    while f.tell() < (300 << 20):
        f.write(data)
PY
  "$bin" hunt net --quiet --threads $t --ioc "$tmp/ioc2.txt" "$tmp/growing.log" > "$tmp/grow.out" 2> /dev/null &
  reader=$!
  python3 - "$reader" "$tmp/growing.log" <<'PY'
import os, sys, time
pid, path = sys.argv[1], os.path.realpath(sys.argv[2])
end = time.time() + 20
while time.time() < end:  # until the reader has the log open
    try:
        if any(os.path.realpath("/proc/%s/fd/%s" % (pid, fd)) == path for fd in os.listdir("/proc/%s/fd" % pid)):
            break
    except OSError:
        break
    time.sleep(0.001)
line = b"1562716800.000 10 10.9.9.9 TCP_TUNNEL/200 100 CONNECT late.example:443 - HIER_DIRECT/203.0.113.1 -\n"
with open(path, "ab") as f:
    f.write(line * 200000)
PY
  wait $reader
  if grep -q late.example "$tmp/grow.out"; then echo "FAIL: a growing log was followed past its size at open ($t readers)"; fail=1
  elif ! grep -q bad.example "$tmp/grow.out"; then echo "FAIL: the growing log gave no contact at all ($t readers)"; fail=1
  else echo "ok: a growing log read as it was when opened ($t readers)"; fi
  rm -f "$tmp/growing.log"
done
exit $fail
