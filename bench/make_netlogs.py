#!/usr/bin/env python3
"""Inputs for bench/net.sh: a Squid native access.log and a Zeek http.log of a given size,
and indicator lists of N entries (domains, URLs and /24 networks) of which a small share
occurs in the logs.

usage: make_netlogs.py OUT_DIR MiB N_INDICATORS...

Writes OUT_DIR/access.log, OUT_DIR/http.log (each about MiB mebibytes) and
OUT_DIR/ioc-N.txt for each N. Deterministic (fixed seeds). Host names are already in
the normalised form (lower case, no trailing dot, ASCII), URLs use the default port and
no percent-encoding, so that a field-extract + hash-lookup script and sakimori must find
the same contacts.
"""
import os
import random
import sys

WORDS = ["cdn", "api", "mail", "static", "img", "edge", "auth", "portal", "data", "sync", "news", "shop", "media",
         "cloud", "update", "files", "docs", "login", "app", "web"]
TLDS = ["com", "net", "org", "jp", "co.jp", "io", "info", "de", "cn", "xyz"]


def domain(r, i):
    return "%s%d.%s%d.%s" % (r.choice(WORDS), i % 97, r.choice(WORDS), i, r.choice(TLDS))


def main():
    out, mib, ns = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
    os.makedirs(out, exist_ok=True)
    r = random.Random(13)
    # destinations the fleet visits: 200,000 benign names, 2,000 listed ones
    benign = [domain(r, i) for i in range(200000)]
    listed = ["c2-%s" % domain(r, 10 ** 6 + i) for i in range(2000)]
    listed_urls = ["http://%s/gate/%d.php" % (d, i) for i, d in enumerate(listed[:500])]
    listed_nets = ["198.%d.%d.0/24" % (18 + i // 256 % 2, i % 256) for i in range(300)]
    clients = ["10.%d.%d.%d" % (1 + i // 65536, i // 256 % 256, i % 256) for i in range(20000)]
    target = mib * 1048576

    def pick(rr):
        u = rr.random()
        if u < 0.0005:
            return rr.choice(listed), True
        return benign[int(rr.random() ** 2 * len(benign))], False

    # Squid native
    rr = random.Random(17)
    ts = 1562716800.0
    size = 0
    with open(os.path.join(out, "access.log"), "w") as f:
        buf = []
        while size < target:
            ts += rr.random() * 0.01
            c = rr.choice(clients)
            host, bad = pick(rr)
            u = rr.random()
            if u < 0.0003 * 4:
                dst = "198.%d.%d.%d" % (18 + rr.randrange(2), rr.randrange(256), rr.randrange(256))
            else:
                dst = "%d.%d.%d.%d" % (20 + rr.randrange(180), rr.randrange(256), rr.randrange(256), 1 + rr.randrange(254))
            if u < 0.7:
                line = "%.3f %6d %s TCP_TUNNEL/200 %d CONNECT %s:443 - HIER_DIRECT/%s -\n" % (
                    ts, rr.randrange(100, 90000), c, rr.randrange(200, 90000), host, dst)
            else:
                if bad and rr.random() < 0.5:
                    url = listed_urls[rr.randrange(len(listed_urls))]
                else:
                    url = "http://%s/%s/%d.html" % (host, rr.choice(WORDS), rr.randrange(100000))
                line = "%.3f %6d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/%s text/html\n" % (
                    ts, rr.randrange(100, 90000), c, rr.randrange(200, 90000), url, dst)
            buf.append(line)
            size += len(line)
            if len(buf) >= 100000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    # Zeek http
    rr = random.Random(19)
    ts = 1562716800.0
    size = 0
    head = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n#open\t2019-07-10-00-00-00\n"
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\t"
            "user_agent\torigin\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tinfo_code\tinfo_msg\ttags\t"
            "username\tpassword\tproxied\torig_fuids\torig_filenames\torig_mime_types\tresp_fuids\tresp_filenames\tresp_mime_types\n"
            "#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tstring\tstring\tcount\t"
            "count\tcount\tstring\tcount\tstring\tset[enum]\tstring\tstring\tset[string]\tvector[string]\tvector[string]\t"
            "vector[string]\tvector[string]\tvector[string]\tvector[string]\n")
    with open(os.path.join(out, "http.log"), "w") as f:
        f.write(head)
        buf = []
        n = 0
        while size < target:
            ts += rr.random() * 0.01
            n += 1
            c = rr.choice(clients)
            host, bad = pick(rr)
            if bad and rr.random() < 0.5:
                u = listed_urls[rr.randrange(len(listed_urls))]
                host = u[7:u.index("/", 7)]
                uri = u[u.index("/", 7):]
            else:
                uri = "/%s/%d.html" % (rr.choice(WORDS), rr.randrange(100000))
            dst = "%d.%d.%d.%d" % (20 + rr.randrange(180), rr.randrange(256), rr.randrange(256), 1 + rr.randrange(254))
            line = ("%.6f\tC%015x\t%s\t%d\t%s\t80\t1\tGET\t%s\t%s\t-\t1.1\tMozilla/5.0 (Windows NT 10.0; Win64; x64)\t-\t0\t%d\t200\tOK"
                    "\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\t-\t-\t-\n") % (ts, n, c, rr.randrange(1024, 65535), dst, host, uri, rr.randrange(100, 90000))
            buf.append(line)
            size += len(line)
            if len(buf) >= 100000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    # indicator lists: the listed names, URLs and networks, the rest names that never occur
    for n in ns:
        ri = random.Random(23 + n)
        with open(os.path.join(out, "ioc-%d.txt" % n), "w") as f:
            f.write("# bench indicators: %d entries\n" % n)
            have = listed + listed_urls + listed_nets
            for x in have[:n]:
                f.write(x + "\n")
            for i in range(max(0, n - len(have))):
                k = ri.random()
                if k < 0.8:
                    f.write("x%d.%s\n" % (i, domain(ri, i)))
                elif k < 0.95:
                    f.write("http://y%d.%s/p/%d\n" % (i, domain(ri, i), i))
                else:
                    f.write("%d.%d.%d.0/24\n" % (200 + i % 20, i // 256 % 256, i % 256))


if __name__ == "__main__":
    main()
