#!/usr/bin/env python3
"""Score `sakimori hunt net` findings against a simulated fleet's ground truth.

usage: score_net.py TRUTH_JSON FINDINGS_JSONL [--dhcp-logs DIR] [--ioc-file FILE]
                    [--beacons] [--case CASE_JSON] [--root DIR] [--tolerance S]
       score_net.py --self-test

Written from the simulator's output and the documented formats only (docs/simulate.md,
docs/formats/finding.md, evidence.md, time.md, the ISC dhcpd.leases(5) format, Squid's
native log format, Zeek's TSV), with none of sakimori's code: python3's standard
library alone.

Checks (one line each, PASS / FAIL / SKIP, details indented below; exit 0 only when
none fails, 1 otherwise, 2 on usage errors):

  findings     every line is a JSON object; ioc findings have a host, an
               attributes.indicator written exactly as a line of the IOC file, a time,
               a count no smaller than their evidence, and evidence references with a
               sha256 and a line (or offset); one finding per (host, indicator); with
               --beacons, beacon findings have a destination, a numeric score and
               distinct 1-based ranks.
  ioc-coverage (needs --ioc-file) every compromised host whose truth C2 destinations
               match an indicator (equal, or a subdomain of it; `*.x` matches
               subdomains only; an address matches itself, a CIDR its addresses) has an
               ioc finding naming that host (case-insensitive, first label, so short
               names and FQDNs compare equal) and that indicator - one pair per
               matching indicator. C2 channels the truth says never reached the logs
               (connections_logged 0 and no Zeek evidence) are skipped and listed.
  attribution  no ioc finding names a host that did not hold the evidence line's
               internal address at that line's time. The address history is rebuilt
               here from the ISC dhcpd.leases files and dhcpd syslog lines under
               --dhcp-logs, plus the truth's fixed addresses (compromised_hosts[].ip).
               Counts correct / misattributed / unattributed (named by an address
               the leases attribute) / unverifiable findings and references. Fails
               on any misattribution.
  evidence     every ioc evidence reference resolves to a file with its sha256, the
               line exists and parses, shows the indicator, and its time lies within
               the finding's [time, time_last] (tolerance allowed).
  beacons      (with --beacons) the true C2 series - distinct (host, destination)
               pairs of the truth's c2 lists, N of them - whose destination matches no
               indicator must all rank among the top 2N beacon candidates; reports the
               top 2N's precision (true series among them) and recall.

Address history (attribution):
  * dhcpd.leases: each `lease IP { starts; ends; hardware ethernet; client-hostname }`
    block is a binding [starts, ends) (UTC, or `epoch N`; `ends never` is open).
    A later binding of the address to another MAC ends any earlier one that was still
    running (the server would not give the address away while it was held).
    `host` declarations with `fixed-address` are fixed addresses.
  * syslog: DHCPACK on IP to MAC (name) gives the start of a binding. An ACK the
    leases confirm (same address and MAC, start within the tolerance) adds nothing; an
    unconfirmed one is a binding of the longest lease length seen on that server
    (default 86400 s), ended by the next binding to another MAC. DHCPRELEASE ends a
    binding. Times are local, without a year: the zone is the one case.json gives the
    source (matched by the path's last components), else inferred from the offset that
    pairs ACKs with lease starts, else case.json's default zone, else UTC (warned);
    the year is the one that puts the line inside the truth's timeline / the case
    window.
  * a reference's address is looked up over the line's own time span (Squid: time
    minus elapsed to time; Zeek: ts, plus duration in conn.log; firewall: local time
    +- duration) widened by the tolerance (case.json join_tolerance_s.dhcp_lease, else
    60 s): every binding overlapping it is a possible holder. When no binding covers
    the instant, the truth's fixed address decides; else a gap between two bindings of
    the same MAC with nobody else in between (a desktop renewing late) counts for that
    MAC's host ("across a lease gap"); else the reference is unverifiable.

What the simulator's logs look like (docs/simulate.md and the demo fleet), and what
that means for scoring:
  * the truth's compromised_hosts[].ip is the fixed address of servers and desktops
    (null for laptops); it is the only source of fixed addresses - case.json has
    subnets per site but no host addresses, and benign servers' addresses appear
    nowhere, so their references are unverifiable.
  * desktops renew a 24 h lease once a day at a varying time, so about half of their
    renewals leave a gap of hours with no lease at all; laptops get an 8-11 h lease
    per working day and their pool addresses pass to another laptop the next day.
  * dhcpd.leases holds one block per grant (starts, ends, cltt, binding state active,
    hardware ethernet, client-hostname), in UTC; every DHCPACK in the syslog has its
    block, so the syslog only confirms the leases.
  * Squid's first field is the end of the request (CONNECT tunnels last up to minutes:
    elapsed ms in the second field); Zeek's conn.log id.resp_h is the proxy, the C2
    name is in http.log's host; the firewall logs no web traffic, so ioc evidence there
    is inbound (spoofed sources to an AV server: the internal side is dstip).

Evidence files are found by the reference's path (as given, relative to the current
directory, to --root, to the fleet folder, to the findings file's folder, or by its
last components under those), then by sha256 among the files under those folders.
"""

import argparse
import calendar
import collections
import contextlib
import csv
import datetime
import fnmatch
import gzip
import hashlib
import io
import ipaddress
import json
import os
import re
import sys
import tempfile

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - python < 3.9
    ZoneInfo = None

DEFAULT_TOLERANCE = 60.0
DEFAULT_LEASE_S = 86400.0
MAX_DETAILS = 40
INF = float("inf")


class UsageError(Exception):
    pass


# ------------------------------------------------------------------ names, indicators


def parse_ip(s):
    if s is None:
        return None
    s = str(s).strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


def host_key(name):
    """Host names compare case-insensitively on their first label (short name or
    FQDN); an address compares whole."""
    if name is None:
        return None
    s = str(name).strip().lower().rstrip(".")
    ip = parse_ip(s)
    if ip is not None:
        return str(ip)
    return s.split(".", 1)[0]


def split_dest(d):
    """A destination as logged or as the truth gives it -> (host, port): lower case, no
    scheme, user, path or trailing dot; an address in canonical form."""
    s = str(d).strip().lower()
    if "://" in s:
        s = s.split("://", 1)[1]
    s = s.split("/", 1)[0]
    if "@" in s:
        s = s.rsplit("@", 1)[1]
    port = None
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        s = host
    elif s.count(":") == 1:
        host, p = s.split(":")
        if p.isdigit():
            port = int(p)
            s = host
        elif p == "":
            s = host
    ip = parse_ip(s)
    if ip is not None:
        return str(ip), port
    return s.rstrip("."), port


_DOMAIN_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")


class Indicator:
    """One line of an IOC file: kept as written, matched by kind."""

    def __init__(self, written, source="", lineno=0):
        self.written = written
        self.source = source
        self.lineno = lineno
        s = written.strip().lower()
        self.kind, self.value, self.port = "other", s, None
        if s.startswith("*.") and _DOMAIN_RE.match(s[2:].rstrip(".")):
            self.kind, self.value = "wildcard", s[2:].rstrip(".")
            return
        if "/" in s:
            try:
                self.kind, self.value = "net", ipaddress.ip_network(s, strict=False)
                return
            except ValueError:
                pass
        ip = parse_ip(s)
        if ip is not None:
            self.kind, self.value = "ip", str(ip)
            return
        h, p = split_dest(s)
        if p is not None and parse_ip(h) is not None and "://" not in s:
            self.kind, self.value, self.port = "ipport", h, p
            return
        if _DOMAIN_RE.match(s.rstrip(".")):
            self.kind, self.value = "domain", s.rstrip(".")

    def matches(self, dest):
        if dest is None:
            return False
        host, port = split_dest(dest)
        if not host:
            return False
        if self.kind == "domain":
            return parse_ip(host) is None and (host == self.value or host.endswith("." + self.value))
        if self.kind == "wildcard":
            return parse_ip(host) is None and host.endswith("." + self.value)
        if self.kind == "ip":
            return host == self.value
        if self.kind == "ipport":
            return host == self.value and (port is None or port == self.port)
        if self.kind == "net":
            ip = parse_ip(host)
            return ip is not None and ip.version == self.value.version and ip in self.value
        return str(dest).strip().lower() == self.value

    def __repr__(self):
        return "Indicator(%r)" % self.written


def load_iocs(paths):
    """Plain lists, one indicator a line; '#' starts a comment (a whole line, or after
    whitespace). Returns (indicators, warnings)."""
    out, seen, warnings = [], {}, []
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise UsageError("cannot read IOC file %s: %s" % (path, e.strerror or e))
        for n, raw in enumerate(lines, 1):
            s = raw.strip()
            if n == 1 and s.startswith("\ufeff"):
                s = s[1:].strip()
            if not s or s.startswith("#"):
                continue
            s = re.split(r"\s#", s, 1)[0].strip()
            if not s:
                continue
            if s in seen:
                warnings.append("%s:%d: %s repeats line %d" % (path, n, s, seen[s]))
                continue
            seen[s] = n
            ind = Indicator(s, path, n)
            if ind.kind == "other":
                warnings.append("%s:%d: %r is neither a name, an address nor a network: matched only when equal" % (path, n, s))
            out.append(ind)
    return out, warnings


# ------------------------------------------------------------------ time

_ISO_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$")


def parse_iso(s):
    """An ISO 8601 instant with a zone -> epoch seconds (float), or None."""
    if not isinstance(s, str):
        return None
    m = _ISO_RE.match(s.strip())
    if not m:
        return None
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    try:
        t = calendar.timegm((y, mo, d, h, mi, se, 0, 0, 0))
        datetime.datetime(y, mo, d, h, mi, se)
    except ValueError:
        return None
    if m.group(7):
        t += float("0" + m.group(7))
    z = m.group(8)
    if z != "Z":
        sign = 1 if z[0] == "+" else -1
        z = z[1:].replace(":", "")
        t -= sign * (int(z[:2]) * 3600 + int(z[2:]) * 60)
    return float(t)


def fmt_t(t):
    if t is None:
        return "?"
    if t in (INF, -INF):
        return "never" if t > 0 else "-inf"
    dt = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if t == int(t) else ".%03dZ" % int(round((t - int(t)) * 1000) % 1000))


def naive_to_utc(naive, zone):
    """Local wall time -> list of possible epoch instants (two in a DST fold).
    zone: None (UTC), an int offset in seconds east, or a tzinfo."""
    if zone is None:
        return [float(calendar.timegm(naive.timetuple()))]
    if isinstance(zone, (int, float)):
        return [float(calendar.timegm(naive.timetuple()) - zone)]
    a = naive.replace(tzinfo=zone, fold=0).timestamp()
    b = naive.replace(tzinfo=zone, fold=1).timestamp()
    return sorted({a, b})


def zone_from_name(name):
    """'UTC', '+09:00' or an IANA name -> zone for naive_to_utc, or raise ValueError."""
    if name is None:
        return None
    s = str(name).strip()
    if s.upper() in ("UTC", "Z", "GMT"):
        return None
    m = re.match(r"^([+-])(\d\d):?(\d\d)$", s)
    if m:
        v = int(m.group(2)) * 3600 + int(m.group(3)) * 60
        return v if m.group(1) == "+" else -v
    if ZoneInfo is None:
        raise ValueError("no zoneinfo module for zone %s" % s)
    try:
        return ZoneInfo(s)
    except Exception:
        raise ValueError("unknown time zone %s" % s)


# ------------------------------------------------------------------ file access


def open_bytes(path):
    f = open(path, "rb")
    head = f.read(2)
    f.seek(0)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f)
    return f


def read_text(path):
    with open_bytes(path) as f:
        return f.read().decode("utf-8", errors="replace")


def sha256_file(path, cache={}):
    key = os.path.realpath(path)
    if key not in cache:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        cache[key] = h.hexdigest()
    return cache[key]


def path_suffix_matches(path, pattern):
    """Does the path's tail match the glob pattern's components? Tries the pattern whole,
    then its last components down to two (a case copied elsewhere keeps the server's
    folder and the file name)."""
    pp = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
    fp = [p for p in os.path.abspath(path).replace("\\", "/").split("/") if p]
    for k in range(len(pp), min(len(pp), 2) - 1, -1):
        if k <= 0 or k > len(fp):
            continue
        if all(fnmatch.fnmatchcase(a, b) for a, b in zip(fp[-k:], pp[-k:])):
            return k
    return 0


# ------------------------------------------------------------------ case


class Case:
    def __init__(self, data=None, path=None):
        self.data = data or {}
        self.path = path
        self.sources = self.data.get("sources") or []
        self.site_zone = {}
        self.networks = []
        for r in self.data.get("regions") or []:
            for s in r.get("sites") or []:
                self.site_zone[s.get("name")] = s.get("timezone") or r.get("timezone") or self.data.get("timezone")
                for n in s.get("subnets") or []:
                    try:
                        self.networks.append(ipaddress.ip_network(n, strict=False))
                    except ValueError:
                        pass
        self.default_zone = self.data.get("timezone")
        self.tolerance = None
        jt = self.data.get("join_tolerance_s") or {}
        if isinstance(jt, dict) and isinstance(jt.get("dhcp_lease"), (int, float)):
            self.tolerance = float(jt["dhcp_lease"])
        w = self.data.get("window") or {}
        self.window = (parse_iso(w.get("start")), parse_iso(w.get("end")))

    def source_for(self, path, kinds):
        best, best_k = None, 0
        for s in self.sources:
            if s.get("kind") not in kinds or not s.get("path"):
                continue
            k = path_suffix_matches(path, s["path"])
            if k > best_k:
                best, best_k = s, k
        return best

    def zone_name_for(self, path, kinds):
        """(zone name, how) for a local-time source, or (None, None)."""
        s = self.source_for(path, kinds)
        if s is not None:
            if s.get("timezone"):
                return s["timezone"], "case source %s" % s.get("name")
            if s.get("site") and self.site_zone.get(s["site"]):
                return self.site_zone[s["site"]], "case site %s" % s["site"]
        return None, None

    def internal(self, ip):
        ip = parse_ip(ip)
        if ip is None:
            return False
        if self.networks:
            return any(ip.version == n.version and ip in n for n in self.networks)
        return ip.is_private


# ------------------------------------------------------------------ DHCP history


def norm_mac(m):
    if not m:
        return None
    parts = re.split(r"[:-]", m.strip().lower())
    if len(parts) == 6 and all(re.match(r"^[0-9a-f]{1,2}$", p) for p in parts):
        return ":".join(p.zfill(2) for p in parts)
    return m.strip().lower()


class Binding:
    __slots__ = ("ip", "start", "end", "mac", "name", "kind", "src", "server")

    def __init__(self, ip, start, end, mac, name, kind, src, server=None):
        self.ip, self.start, self.end, self.mac, self.name = ip, start, end, mac, name
        self.kind, self.src, self.server = kind, src, server

    def describe(self):
        src = self.src
        if src and os.path.sep in src:
            r = os.path.relpath(src)
            src = src if r.startswith("..") else r
        return "%s %s..%s (%s, %s)" % (self.name or ("MAC " + str(self.mac)), fmt_t(self.start), fmt_t(self.end),
                                       self.kind, src)


class Lookup:
    def __init__(self):
        self.exact = []    # bindings overlapping the span (with tolerance)
        self.static = []   # (name, source) fixed addresses
        self.bridged = []  # gap bindings
        self.conflict = False


class DhcpHistory:
    def __init__(self, tolerance=DEFAULT_TOLERANCE):
        self.tol = float(tolerance)
        self._leases, self._acks, self._releases = [], [], []
        self.static = collections.defaultdict(list)  # ip -> [(name, src)]
        self.by_ip = {}
        self.bridges = {}
        self.mac_names = {}
        self.stats = collections.Counter()
        self.final = False

    def add_lease(self, ip, start, end, mac, name, src="leases", server=None):
        self._leases.append(Binding(str(parse_ip(ip) or ip), start, end, norm_mac(mac), name, "lease", src, server))

    def add_ack(self, ip, t, mac, name, src="syslog", server=None):
        self._acks.append(Binding(str(parse_ip(ip) or ip), t, None, norm_mac(mac), name, "ack", src, server))

    def add_release(self, ip, t, mac, src="syslog"):
        self._releases.append((str(parse_ip(ip) or ip), t, norm_mac(mac), src))

    def add_static(self, ip, name, src="static"):
        ip = str(parse_ip(ip) or ip)
        if (name, src) not in self.static[ip]:
            self.static[ip].append((name, src))

    def finalize(self):
        tol = self.tol
        # names by MAC, for blocks or lines that give none
        for b in self._leases + self._acks:
            if b.mac and b.name:
                self.mac_names.setdefault(b.mac, b.name)
        lens = collections.defaultdict(float)
        for b in self._leases:
            if b.end is not None and b.end != INF and b.end > b.start:
                lens[b.server] = max(lens[b.server], b.end - b.start)
        any_len = max(lens.values()) if lens else DEFAULT_LEASE_S
        self.lease_len = lambda server: lens.get(server) or any_len
        per_ip = collections.defaultdict(list)
        starts = collections.defaultdict(list)  # (ip, mac) -> lease starts
        for b in self._leases:
            if b.end is None:
                b.end = b.start + self.lease_len(b.server)
            if b.end <= b.start:
                self.stats["empty lease blocks"] += 1
                continue
            per_ip[b.ip].append(b)
            starts[(b.ip, b.mac)].append(b)
            self.stats["lease blocks"] += 1
        for a in self._acks:
            confirmed = [b for b in starts.get((a.ip, a.mac), ()) if abs(b.start - a.start) <= tol]
            if confirmed:
                for b in confirmed:
                    if not b.name and a.name:
                        b.name = a.name
                self.stats["ACKs confirmed by a lease"] += 1
                continue
            a.end = a.start + self.lease_len(a.server)
            per_ip[a.ip].append(a)
            self.stats["ACKs without a lease (assumed %ds)" % int(self.lease_len(a.server))] += 1
        for ip, bs in per_ip.items():
            bs.sort(key=lambda b: (b.start, b.end))
            for b in bs:
                if not b.name and b.mac in self.mac_names:
                    b.name = self.mac_names[b.mac]
            # a later binding to another MAC ends any earlier one still running
            for i, b in enumerate(bs):
                for c in bs[i + 1:]:
                    if c.mac != b.mac and c.start > b.start:
                        if c.start < b.end:
                            b.end = c.start
                            self.stats["bindings ended by another MAC's"] += 1
                        break
        for ip, t, mac, src in self._releases:
            for b in per_ip.get(ip, ()):
                if b.mac == mac and b.start <= t < b.end:
                    b.end = t
                    self.stats["bindings ended by a release"] += 1
        for ip, bs in per_ip.items():
            bs = [b for b in bs if b.end > b.start]
            bs.sort(key=lambda b: (b.start, b.end))
            self.by_ip[ip] = bs
            # gaps between two bindings of one MAC with nobody else in between
            gaps = []
            cover_end = -INF
            for i, b in enumerate(bs):
                if i and b.start > cover_end:
                    prev = max(bs[:i], key=lambda x: x.end)
                    if prev.mac == b.mac and b.start - cover_end <= self.lease_len(b.server):
                        gaps.append(Binding(ip, cover_end, b.start, b.mac, b.name or prev.name, "gap", "between %s and %s" % (prev.kind, b.kind)))
                cover_end = max(cover_end, b.end)
            if gaps:
                self.bridges[ip] = gaps
        self.final = True
        return self

    def lookup(self, ip, t0, t1=None):
        if not self.final:
            self.finalize()
        if t1 is None:
            t1 = t0
        ip = str(parse_ip(ip) or ip)
        tol = self.tol
        r = Lookup()
        for b in self.by_ip.get(ip, ()):
            if b.start > t1 + tol:
                break
            if b.end >= t0 - tol:
                r.exact.append(b)
        r.static = list(self.static.get(ip, ()))
        for g in self.bridges.get(ip, ()):
            if g.start <= t1 and g.end >= t0:
                r.bridged.append(g)
        if r.exact and r.static:
            names = {host_key(b.name) for b in r.exact if b.name}
            if names and not names & {host_key(n) for n, _ in r.static}:
                r.conflict = True
        return r

    def counts(self):
        return dict(self.stats)


def binding_name(b, history):
    return b.name or history.mac_names.get(b.mac)


def classify(finding_host, ip, look, history):
    """-> (status, how, detail). status: correct, misattributed, unattributed,
    unverifiable."""
    hk = host_key(finding_host)
    ipk = str(parse_ip(ip) or ip)
    if not hk:
        return "unverifiable", "no host", "the finding names no host"

    def names(bs):
        known = {host_key(binding_name(b, history)): binding_name(b, history) for b in bs if binding_name(b, history)}
        unknown = any(not binding_name(b, history) for b in bs)
        return known, unknown

    def desc(bs):
        return "; ".join(b.describe() for b in bs[:4])

    if parse_ip(finding_host) is not None:
        if hk != ipk:
            return "misattributed", "by address", "finding names address %s, the line's is %s" % (finding_host, ipk)
        if look.exact:
            return "unattributed", "lease", "the leases give it to " + desc(look.exact)
        if look.static:
            return "unattributed", "static", "fixed address of " + ", ".join(n for n, _ in look.static)
        return "unverifiable", "by address", "named by its address; no lease"
    if look.exact:
        known, unknown = names(look.exact)
        if hk in known:
            return "correct", "lease", desc(look.exact)
        if unknown:
            return "unverifiable", "lease without name", desc(look.exact)
        return "misattributed", "lease", "held by " + desc(look.exact)
    if look.static:
        if hk in {host_key(n) for n, _ in look.static}:
            return "correct", "static", "fixed address"
        return "misattributed", "static", "fixed address of " + ", ".join("%s (%s)" % s for s in look.static)
    if look.bridged:
        known, _ = names(look.bridged)
        if hk in known:
            return "correct", "lease gap", desc(look.bridged)
        return "unverifiable", "lease gap", "in a gap of " + desc(look.bridged)
    return "unverifiable", "no lease", "no lease or fixed address known"


# ---- ISC dhcpd.leases

_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|#[^\n]*|[{};]|[^\s{};"#]+')


def _tokens(text):
    for m in _TOKEN_RE.finditer(text):
        t = m.group(0)
        if t.startswith("#"):
            continue
        yield t


def _statements(tokens):
    """Nested statements: ('words', [...]) or ('block', [...head words], [children])."""
    stack = [[]]
    heads = []
    cur = []
    for t in tokens:
        if t == ";":
            if cur:
                stack[-1].append(("stmt", cur))
            cur = []
        elif t == "{":
            heads.append(cur)
            cur = []
            stack.append([])
        elif t == "}":
            if cur:
                stack[-1].append(("stmt", cur))
            cur = []
            if len(stack) > 1:
                children = stack.pop()
                stack[-1].append(("block", heads.pop(), children))
        else:
            cur.append(t)
    while len(stack) > 1:  # unterminated block at the end of a file being written
        children = stack.pop()
        stack[-1].append(("block", heads.pop(), children))
    return stack[0]


def _lease_time(words):
    """starts/ends/cltt argument words -> epoch, INF for never, or None."""
    if not words:
        return None
    if words[0] == "never":
        return INF
    if words[0] == "epoch" and len(words) > 1:
        try:
            return float(int(words[1]))
        except ValueError:
            return None
    w = words[1:] if re.match(r"^\d$", words[0]) else words
    if len(w) >= 2:
        try:
            dt = datetime.datetime.strptime(w[0] + " " + w[1], "%Y/%m/%d %H:%M:%S")
        except ValueError:
            return None
        return float(calendar.timegm(dt.timetuple()))
    return None


def _unquote(s):
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return re.sub(r"\\(.)", r"\1", s[1:-1])
    return s


def parse_leases(text, history, src="dhcpd.leases", server=None):
    """Adds the file's lease blocks and fixed-address host declarations; returns
    counts."""
    n = collections.Counter()
    for st in _statements(_tokens(text)):
        if st[0] != "block" or not st[1]:
            continue
        head, children = st[1], st[2]
        if head[0] == "lease" and len(head) >= 2:
            ip = head[1]
            if parse_ip(ip) is None:
                continue
            f = {}
            for ch in children:
                if ch[0] != "stmt":
                    continue
                w = ch[1]
                if w[0] in ("starts", "ends", "cltt", "tstp", "tsfp", "atsfp"):
                    f[w[0]] = _lease_time(w[1:])
                elif w[:2] == ["hardware", "ethernet"] and len(w) > 2:
                    f["mac"] = w[2]
                elif w[0] == "client-hostname" and len(w) > 1:
                    f["name"] = _unquote(w[1])
                elif w[:2] == ["binding", "state"] and len(w) > 2:
                    f["state"] = w[2]
            if f.get("state") in ("abandoned", "backup", "reserved"):
                n["skipped (%s)" % f["state"]] += 1
                continue
            if f.get("starts") is None or f.get("starts") == INF or not f.get("mac"):
                n["skipped (no start or MAC)"] += 1
                continue
            history.add_lease(ip, f["starts"], f.get("ends"), f["mac"], f.get("name"), src, server)
            n["leases"] += 1
        elif head[0] == "host" and len(head) >= 2:
            name, addrs, deleted = _unquote(head[1]), [], False
            for ch in children:
                if ch[0] != "stmt":
                    continue
                w = ch[1]
                if w[0] == "deleted":
                    deleted = True
                elif w[0] == "fixed-address":
                    addrs += [a.strip(",") for a in w[1:]]
            if deleted:
                continue
            for a in addrs:
                for part in a.split(","):
                    if parse_ip(part):
                        history.add_static(part, name, src + " host " + name)
                        n["fixed addresses"] += 1
    return n


# ---- ISC dhcpd syslog

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_SYSLOG_RE = re.compile(r"^(?:<\d+>)?(?P<mon>[A-Za-z]{3}) +(?P<day>\d{1,2}) (?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d) "
                        r"(?P<host>\S+) (?P<prog>[^\s:\[]+)(?:\[\d+\])?: (?P<msg>.*)$")
_SYSLOG_ISO_RE = re.compile(r"^(?:<\d+>)?(?:1 )?(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) "
                            r"(?P<host>\S+) (?P<prog>[^\s:\[]+)(?:\[\d+\])?:? (?P<msg>.*)$")
_ACK_RE = re.compile(r"^DHCPACK on (?P<ip>\S+) to (?P<mac>[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5})(?: \((?P<name>[^)]*)\))? via ")
_RELEASE_RE = re.compile(r"^DHCPRELEASE of (?P<ip>\S+) from (?P<mac>[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5})"
                         r"(?: \((?P<name>[^)]*)\))? via \S+(?: \((?P<found>[^)]*)\))?")


def parse_syslog_lines(lines):
    """-> list of (naive local datetime parts or iso instant, event, ip, mac, name).
    Only DHCPACK (on) and DHCPRELEASE (found) lines matter."""
    out = []
    for line in lines:
        line = line.rstrip("\r\n")
        m = _SYSLOG_RE.match(line)
        iso = None
        if m:
            mon = _MONTHS.get(m.group("mon").lower())
            if mon is None:
                continue
            when = (mon, int(m.group("day")), int(m.group("h")), int(m.group("mi")), int(m.group("s")))
        else:
            m = _SYSLOG_ISO_RE.match(line)
            if not m:
                continue
            iso = m.group("iso")
            when = None
        msg = m.group("msg")
        a = _ACK_RE.match(msg)
        if a:
            out.append((when, iso, "ack", a.group("ip"), a.group("mac"), a.group("name")))
            continue
        r = _RELEASE_RE.match(msg)
        if r and (r.group("found") or "found") == "found":
            out.append((when, iso, "release", r.group("ip"), r.group("mac"), r.group("name")))
    return out


def infer_years(events, ref_lo, ref_hi):
    """Years for RFC 3164 (month, day, h, m, s) tuples: the one that puts each line inside
    [ref_lo, ref_hi] (2 days' slack), the closest to the previous line when several
    do; without a reference, the previous line's year, +1 when the month goes back."""
    years = []
    prev = None
    slack = 2 * 86400
    for ev in events:
        when = ev[0]
        if when is None:
            years.append(None)
            continue
        mon, day, h, mi, s = when
        cands = []
        if ref_lo is not None and ref_hi is not None:
            y0 = datetime.datetime.fromtimestamp(ref_lo, datetime.timezone.utc).year
            y1 = datetime.datetime.fromtimestamp(ref_hi, datetime.timezone.utc).year
            for y in range(y0 - 1, y1 + 2):
                try:
                    t = calendar.timegm((y, mon, day, h, mi, s, 0, 0, 0))
                    datetime.datetime(y, mon, day)
                except ValueError:
                    continue
                d = 0 if ref_lo - slack <= t <= ref_hi + slack else min(abs(t - ref_lo), abs(t - ref_hi))
                cands.append((d, abs(t - prev) if prev is not None else 0, y, t))
        if cands:
            cands.sort()
            _, _, y, t = cands[0]
        else:
            if prev is None:
                y = datetime.datetime.now(datetime.timezone.utc).year
            else:
                py = datetime.datetime.fromtimestamp(prev, datetime.timezone.utc)
                y = py.year + (1 if mon < py.month else 0)
            try:
                t = calendar.timegm((y, mon, day, h, mi, s, 0, 0, 0))
            except ValueError:
                t = prev
        years.append(y)
        prev = t
    return years


def infer_offset(events, years, history_leases):
    """The offset (seconds east) that pairs DHCPACK lines with lease starts of the same
    address and MAC, or None; with the share of ACKs it pairs."""
    starts = collections.defaultdict(list)
    for b in history_leases:
        starts[(b.ip, b.mac)].append(b.start)
    votes = collections.Counter()
    total = 0
    for ev, y in zip(events, years):
        if ev[2] != "ack" or ev[0] is None or y is None:
            continue
        total += 1
        mon, day, h, mi, s = ev[0]
        try:
            local = calendar.timegm((y, mon, day, h, mi, s, 0, 0, 0))
        except ValueError:
            continue
        key = (str(parse_ip(ev[3]) or ev[3]), norm_mac(ev[4]))
        best = None
        for st in starts.get(key, ()):
            d = local - st
            if abs(d) <= 15 * 3600 and (best is None or abs(d) < abs(best)):
                best = d
        if best is not None:
            votes[int(round(best / 60.0)) * 60] += 1
    if not votes:
        return None, 0.0, total
    off, n = votes.most_common(1)[0]
    return off, n / float(total or 1), total


def load_dhcp_dirs(dirs, case, history, ref_lo, ref_hi, notes):
    """Reads every leases file and dhcpd syslog under the folders into history; notes
    gets one line per file."""
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            for nm in sorted(names):
                files.append(os.path.join(root, nm))
    files.sort()
    leases_files, syslog_files = [], []
    for p in files:
        try:
            with open_bytes(p) as f:
                head = f.read(65536).decode("utf-8", errors="replace")
        except OSError:
            notes.append("unreadable: %s" % p)
            continue
        if re.search(r"(?m)^\s*lease\s+[0-9a-fA-F.:]+\s*\{", head) or "dhcpd.leases" in os.path.basename(p):
            leases_files.append(p)
        elif re.search(r"dhcpd(\[\d+\])?: DHCP", head):
            syslog_files.append(p)
        else:
            notes.append("ignored (neither dhcpd.leases nor dhcpd syslog): %s" % p)
    leases_by_dir = collections.defaultdict(list)
    for p in leases_files:
        before = len(history._leases)
        n = parse_leases(read_text(p), history, src=p, server=os.path.dirname(p))
        leases_by_dir[os.path.dirname(p)].extend(history._leases[before:])
        notes.append("leases %s: %s" % (p, ", ".join("%d %s" % (v, k) for k, v in sorted(n.items())) or "nothing"))
    if ref_lo is None and history._leases:
        ref_lo = min(b.start for b in history._leases)
        ref_hi = max(b.start for b in history._leases)
    for p in syslog_files:
        events = parse_syslog_lines(read_text(p).splitlines())
        years = infer_years(events, ref_lo, ref_hi)
        same_dir = leases_by_dir.get(os.path.dirname(p)) or history._leases
        inferred, share, total = infer_offset(events, years, same_dir)
        zname, how = case.zone_name_for(p, ("dhcpd-syslog", "syslog")) if case else (None, None)
        zone = None
        if zname:
            try:
                zone = zone_from_name(zname)
            except ValueError as e:
                notes.append("WARN %s: %s; trying the leases" % (p, e))
                zname = None
        if not zname:
            if inferred is not None and share >= 0.5:
                zone, zname, how = inferred, "%+03d:%02d" % (inferred // 3600 if inferred >= 0 else -((-inferred) // 3600), (abs(inferred) % 3600) // 60), \
                    "inferred: %.0f%% of %d ACKs pair with lease starts" % (share * 100, total)
            elif case and case.default_zone:
                zname, how = case.default_zone, "case default zone"
                zone = zone_from_name(zname)
            else:
                zname, how = "UTC", "assumed (no zone known, no leases to pair with)"
                notes.append("WARN %s: local time with no zone known: taken as UTC" % p)
        if inferred is not None and zone is not None and not isinstance(zone, (int, float)) and total:
            # cross-check a configured zone against the leases
            sample = next((ev for ev, y in zip(events, years) if ev[0] and ev[2] == "ack"), None)
            if sample:
                y = years[events.index(sample)]
                off = int(zone.utcoffset(datetime.datetime(y, *sample[0][:2], *sample[0][2:])).total_seconds())
                if share >= 0.5 and off != inferred:
                    notes.append("WARN %s: %s gives %+ds but %.0f%% of the ACKs pair with lease starts at %+ds" %
                                 (p, zname, off, share * 100, inferred))
        elif inferred is not None and isinstance(zone, (int, float)) and zone != inferred and share >= 0.5:
            notes.append("WARN %s: zone %s but ACKs pair with lease starts at %+ds" % (p, zname, inferred))
        acks = rel = 0
        for ev, y in zip(events, years):
            when, iso, kind, ip, mac, name = ev
            if iso is not None:
                t = parse_iso(iso) if re.search(r"(Z|[+-]\d\d:?\d\d)$", iso) else None
                if t is None:
                    try:
                        naive = datetime.datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")
                    except ValueError:
                        continue
                    t = naive_to_utc(naive, zone)[0]
            else:
                try:
                    naive = datetime.datetime(y, when[0], when[1], when[2], when[3], when[4])
                except (ValueError, TypeError):
                    continue
                t = naive_to_utc(naive, zone)[0]
            if kind == "ack":
                history.add_ack(ip, t, mac, name or None, src=p, server=os.path.dirname(p))
                acks += 1
            else:
                history.add_release(ip, t, mac, src=p)
                rel += 1
        notes.append("syslog %s: %d DHCPACK, %d DHCPRELEASE; zone %s (%s)" % (p, acks, rel, zname, how))
    return len(leases_files), len(syslog_files)


# ------------------------------------------------------------------ evidence lines

SRC_COLUMNS = ("srcip", "src_ip", "src", "source", "sourceip", "source_ip", "src_addr", "srcaddr", "client_ip")
DST_COLUMNS = ("dstip", "dst_ip", "dst", "destination", "destinationip", "destination_ip", "dst_addr", "dstaddr")
ZEEK_DEST_COLUMNS = ("host", "server_name", "query", "id.resp_h")
_SQUID_RE = re.compile(r"^\d+(\.\d+)?\s+-?\d+\s+\S+\s+\S+/\d+\s")


class Record:
    def __init__(self):
        self.fmt = None
        self.src = None         # the internal (client) address
        self.dests = []         # what the line says was contacted
        self.t0 = self.t1 = None
        self.time_note = None
        self.problem = None


def parse_evidence_line(text, fmt, ctx, zone, case):
    r = Record()
    r.fmt = fmt
    line = text.rstrip("\r\n")
    if fmt == "squid":
        f = line.split()
        if len(f) < 7:
            r.problem = "Squid line with %d fields" % len(f)
            return r
        try:
            t = float(f[0])
            el = max(0.0, float(f[1]) / 1000.0)
        except ValueError:
            r.problem = "Squid time/elapsed not numbers"
            return r
        r.t0, r.t1 = t - el, t
        r.src = f[2]
        r.dests = [f[6]]
        if len(f) > 8 and "/" in f[8]:
            peer = f[8].split("/", 1)[1]
            if peer and peer != "-":
                r.dests.append(peer)
    elif fmt == "zeek":
        fields, sep, unset = ctx
        if not fields:
            r.problem = "Zeek line before any #fields"
            return r
        vals = line.split(sep)
        if len(vals) != len(fields):
            r.problem = "Zeek line with %d columns, #fields names %d" % (len(vals), len(fields))
            return r
        row = dict(zip(fields, vals))
        if "id.orig_h" not in row:
            r.problem = "Zeek log without id.orig_h"
            return r
        r.src = row["id.orig_h"]
        try:
            r.t0 = r.t1 = float(row.get("ts"))
        except (TypeError, ValueError):
            r.problem = "Zeek ts not a number"
            return r
        dur = row.get("duration")
        if dur and dur not in (unset, "-", "(empty)"):
            try:
                r.t1 = r.t0 + float(dur)
            except ValueError:
                pass
        for c in ZEEK_DEST_COLUMNS:
            v = row.get(c)
            if v and v not in (unset, "-", "(empty)"):
                r.dests.append(v)
        if row.get("method") == "CONNECT" and row.get("uri") not in (None, unset, "-"):
            r.dests.append(row["uri"])
    elif fmt == "csv":
        header = ctx
        try:
            vals = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            r.problem = "CSV line does not parse"
            return r
        if len(vals) != len(header):
            r.problem = "CSV line with %d columns, header has %d" % (len(vals), len(header))
            return r
        row = dict(zip([h.strip().lower() for h in header], vals))
        sc = next((c for c in SRC_COLUMNS if c in row), None)
        dc = next((c for c in DST_COLUMNS if c in row), None)
        if sc is None:
            r.problem = "CSV header names no source column"
            return r
        src, dst = row[sc], row.get(dc) if dc else None
        if case.internal(src) or not (dst and case.internal(dst)):
            r.src = src
        else:
            r.src = dst  # inbound: the internal side is the destination
            r.time_note = "inbound: internal address is the destination"
        if dst:
            port = row.get("dstport") or row.get("dst_port")
            r.dests.append("%s:%s" % (dst, port) if port and port.isdigit() and parse_ip(dst) and parse_ip(dst).version == 4 else dst)
        r.dests.append(src)
        d, tm = row.get("date"), row.get("time")
        if d and tm:
            try:
                naive = datetime.datetime.strptime(d + " " + tm[:8], "%Y-%m-%d %H:%M:%S")
            except ValueError:
                naive = None
            if naive is not None and zone is not False:
                ts = naive_to_utc(naive, zone)
                try:
                    dur = float(row.get("duration") or 0)
                except ValueError:
                    dur = 0.0
                r.t0, r.t1 = ts[0] - dur, ts[-1] + dur
        if r.t0 is None:
            r.time_note = (r.time_note + "; " if r.time_note else "") + "no usable time (zone unknown)"
    else:
        r.problem = "unknown log format"
    if r.src is not None and parse_ip(r.src) is None:
        # Squid with log_fqdn on writes a name: keep it, it is compared as a host
        pass
    return r


class EvidenceStore:
    """Finds evidence files (by path, then by sha256) and reads the referenced lines."""

    def __init__(self, roots, case):
        self.roots = [r for r in roots if r and os.path.isdir(r)]
        self.case = case
        self._index = None
        self._resolved = {}
        self._files = {}

    def _sha_index(self):
        if self._index is None:
            self._index = {}
            for root in self.roots:
                for dp, _, names in os.walk(root):
                    for nm in names:
                        p = os.path.join(dp, nm)
                        try:
                            if os.path.isfile(p) and not os.path.islink(p):
                                self._index.setdefault(sha256_file(p), p)
                        except OSError:
                            pass
        return self._index

    def resolve(self, ref):
        """-> (path or None, problem or None)."""
        sha = ref.get("sha256")
        rp = ref.get("path")
        key = (sha, rp)
        if key in self._resolved:
            return self._resolved[key]
        cands = []
        if isinstance(rp, str) and rp:
            cands.append(rp)
            for root in self.roots:
                cands.append(os.path.join(root, rp))
            parts = [p for p in rp.replace("\\", "/").split("/") if p not in ("", ".", "..")]
            for k in range(len(parts) - 1, 0, -1):
                for root in self.roots:
                    cands.append(os.path.join(root, *parts[-k:]))
        seen = set()
        result = None
        first_existing = None
        for c in cands:
            if c in seen or not os.path.isfile(c):
                continue
            seen.add(c)
            if first_existing is None:
                first_existing = c
            if not sha:
                result = (c, "reference has no sha256")
                break
            try:
                if sha256_file(c) == str(sha).lower():
                    result = (c, None)
                    break
            except OSError:
                continue
        if result is None and sha:
            p = self._sha_index().get(str(sha).lower())
            if p:
                result = (p, None)
            elif first_existing:
                result = (None, "sha256 %s matches no file (%s has another digest)" % (sha, first_existing))
            else:
                result = (None, "no file found for path %r, sha256 %s" % (rp, sha))
        if result is None:
            result = (None, "reference has no path and no sha256")
        self._resolved[key] = result
        return result

    def read(self, path, wanted_lines, wanted_offsets=()):
        """-> ({line: (fmt, text, ctx)}, {offset: ...}, total lines). The format comes
        from the file's first line."""
        out, outo = {}, {}
        wanted = set(wanted_lines)
        total = 0
        fmt = None
        zeek_fields, zeek_sep, zeek_unset = None, "\t", "-"
        csv_header = None
        with open_bytes(path) as f:
            for n, raw in enumerate(f, 1):
                total = n
                if n == 1:
                    first = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    if first.startswith("#separator") or first.startswith("#fields"):
                        fmt = "zeek"
                    elif "," in first and any(c in [h.strip().lower() for h in next(csv.reader([first]))] for c in SRC_COLUMNS):
                        fmt = "csv"
                        csv_header = next(csv.reader([first]))
                    elif _SQUID_RE.match(first):
                        fmt = "squid"
                if fmt == "zeek" and raw.startswith(b"#"):
                    s = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    if s.startswith("#separator"):
                        v = s.split(" ", 1)[1] if " " in s else "\\x09"
                        zeek_sep = v.encode().decode("unicode_escape") if "\\x" in v else v
                    elif s.startswith("#fields"):
                        zeek_fields = s.split(zeek_sep)[1:]
                    elif s.startswith("#unset_field"):
                        zeek_unset = s.split(zeek_sep)[1] if zeek_sep in s else "-"
                if n in wanted:
                    text = raw.decode("utf-8", errors="replace")
                    lf = fmt
                    if lf is None and _SQUID_RE.match(text):
                        lf = "squid"
                    ctx = (list(zeek_fields) if zeek_fields else None, zeek_sep, zeek_unset) if lf == "zeek" else csv_header
                    out[n] = (lf, text, ctx)
        if wanted_offsets:
            with open_bytes(path) as f:
                data = f.read()
            for off in wanted_offsets:
                if 0 <= off < len(data):
                    end = data.find(b"\n", off)
                    text = data[off:end if end >= 0 else len(data)].decode("utf-8", errors="replace")
                    lf = fmt or ("squid" if _SQUID_RE.match(text) else None)
                    ctx = None
                    if lf == "zeek":
                        # fields in force at the offset: the last #fields before it
                        k = data.rfind(b"\n#fields", 0, off)
                        if k >= 0:
                            e = data.find(b"\n", k + 1)
                            ctx = (data[k + 1:e].decode().split(zeek_sep)[1:], zeek_sep, zeek_unset)
                    elif lf == "csv":
                        ctx = csv_header
                    outo[off] = (lf, text, ctx)
        return out, outo, total

    def zone_for(self, path):
        """Zone of a firewall CSV (local time): from case.json; False if unknown."""
        if not self.case:
            return False
        zname, _ = self.case.zone_name_for(path, ("firewall-csv",))
        zname = zname or self.case.default_zone
        if not zname:
            return False
        try:
            return zone_from_name(zname)
        except ValueError:
            return False


# ------------------------------------------------------------------ reporting


class Report:
    def __init__(self, out, max_details=MAX_DETAILS):
        self.out = out
        self.max_details = max_details
        self.passed = self.failed = self.skipped = 0

    def check(self, name, status, summary, details=()):
        if status == "PASS":
            self.passed += 1
        elif status == "FAIL":
            self.failed += 1
        else:
            self.skipped += 1
        print("%s %-13s %s" % (status, name, summary), file=self.out)
        details = list(details)
        for d in details[:self.max_details]:
            print("       - " + d, file=self.out)
        if len(details) > self.max_details:
            print("       - ... and %d more (--max-details)" % (len(details) - self.max_details), file=self.out)

    def note(self, text):
        print("       " + text, file=self.out)


class DeferredReport:
    """Collects checks to print later, in the order the report wants them."""

    def __init__(self):
        self.calls = []

    def check(self, *a, **k):
        self.calls.append((a, k))

    def replay(self, rep):
        for a, k in self.calls:
            rep.check(*a, **k)


# ------------------------------------------------------------------ scoring


def load_findings(path):
    out, problems = [], []
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        raise UsageError("cannot read findings %s: %s" % (path, e.strerror or e))
    with f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s:
                continue
            try:
                obj = json.loads(s)
            except ValueError as e:
                problems.append("line %d: not JSON (%s)" % (n, e))
                continue
            if not isinstance(obj, dict):
                problems.append("line %d: not a JSON object" % n)
                continue
            obj["_line"] = n
            out.append(obj)
    return out, problems


def show_path(p):
    r = os.path.relpath(p)
    return p if r.startswith("..") else r


def fid(f):
    return "%s (line %d)" % (f.get("finding_id", "?"), f.get("_line", 0))


def validate_findings(findings, iocs, want_beacons):
    problems = []
    written = {i.written for i in iocs}
    lower = {i.written.lower(): i.written for i in iocs}
    ioc, beacon = [], []
    for f in findings:
        eng = f.get("engine")
        if not isinstance(eng, str):
            problems.append("%s: no engine" % fid(f))
            continue
        if eng == "ioc":
            ioc.append(f)
        elif eng == "beacon":
            beacon.append(f)
    seen = {}
    for f in ioc:
        bad = []
        host = f.get("host")
        attrs = f.get("attributes") if isinstance(f.get("attributes"), dict) else None
        if not isinstance(host, str) or not host.strip():
            bad.append("no host")
        if attrs is None or not isinstance(attrs.get("indicator"), str) or not attrs["indicator"]:
            bad.append("no attributes.indicator")
        elif iocs and attrs["indicator"] not in written:
            near = lower.get(attrs["indicator"].strip().lower())
            bad.append("indicator %r is not a line of the IOC file%s" % (attrs["indicator"], " (the file writes %r)" % near if near else ""))
        t = parse_iso(f.get("time"))
        if t is None:
            bad.append("time %r is not an ISO instant with a zone" % (f.get("time"),))
        if "time_last" in f:
            tl = parse_iso(f.get("time_last"))
            if tl is None:
                bad.append("time_last %r unreadable" % (f.get("time_last"),))
            elif t is not None and tl < t:
                bad.append("time_last before time")
        ev = f.get("evidence")
        if not isinstance(ev, list) or not ev:
            bad.append("no evidence")
        else:
            for k, ref in enumerate(ev):
                if not isinstance(ref, dict):
                    bad.append("evidence[%d] not an object" % k)
                    continue
                if not re.match(r"^[0-9a-f]{64}$", str(ref.get("sha256", ""))):
                    bad.append("evidence[%d] sha256 %r" % (k, ref.get("sha256")))
                if not (isinstance(ref.get("line"), int) and ref["line"] >= 1) and not (isinstance(ref.get("offset"), int) and ref["offset"] >= 0):
                    bad.append("evidence[%d] has neither a 1-based line nor an offset" % k)
        c = f.get("count")
        if c is not None and (not isinstance(c, int) or c < 1):
            bad.append("count %r" % (c,))
        elif isinstance(c, int) and isinstance(ev, list) and len(ev) > c:
            bad.append("%d evidence references for count %d" % (len(ev), c))
        if bad:
            problems.append("%s host %s: %s" % (fid(f), host, "; ".join(bad)))
        if isinstance(host, str) and attrs and isinstance(attrs.get("indicator"), str):
            k = (host_key(host), attrs["indicator"])
            if k in seen:
                problems.append("%s: second finding for (%s, %s), first %s" % (fid(f), host, attrs["indicator"], fid(seen[k])))
            else:
                seen[k] = f
    if want_beacons:
        ranks = {}
        for f in beacon:
            bad = []
            a = f.get("attributes") if isinstance(f.get("attributes"), dict) else {}
            if not isinstance(f.get("host"), str) or not f["host"].strip():
                bad.append("no host")
            if not isinstance(a.get("destination"), str) or not a["destination"]:
                bad.append("no attributes.destination")
            sc = a.get("score")
            if isinstance(sc, bool) or not isinstance(sc, (int, float)):
                bad.append("score %r is not a number" % (sc,))
            rk = a.get("rank")
            if isinstance(rk, bool) or not isinstance(rk, int) or rk < 1:
                bad.append("rank %r is not a 1-based integer" % (rk,))
            elif rk in ranks:
                bad.append("rank %d also given to %s" % (rk, fid(ranks[rk])))
            else:
                ranks[rk] = f
            if bad:
                problems.append("beacon %s: %s" % (fid(f), "; ".join(bad)))
        if ranks and sorted(ranks) != list(range(1, len(ranks) + 1)):
            problems.append("beacon ranks are not 1..%d (gaps: first missing %d)" %
                            (len(ranks), next(i for i in range(1, len(ranks) + 2) if i not in ranks)))
    return ioc, beacon, problems


def truth_series(truth):
    """(host, destination) -> {'host','dest','logged','channels','victim'}"""
    series = collections.OrderedDict()
    for v in truth.get("compromised_hosts") or []:
        for c in v.get("c2") or []:
            d = c.get("destination")
            if not d:
                continue
            k = (host_key(v["host"]), split_dest(d)[0] if split_dest(d)[1] is None else "%s:%d" % split_dest(d))
            s = series.setdefault(k, {"host": v["host"], "dest": d, "logged": 0, "logged_known": True,
                                      "channels": 0, "victim": v})
            s["channels"] += 1
            cl = c.get("connections_logged")
            if isinstance(cl, int):
                s["logged"] += cl
            else:
                s["logged_known"] = False
    return series


def in_logs(s):
    v = s["victim"]
    return (not s["logged_known"]) or s["logged"] > 0 or "zeek" in (v.get("evidence") or [])


def check_coverage(rep, truth, iocs, ioc_findings, attributed=None):
    series = truth_series(truth)
    expected = collections.OrderedDict()  # (host key, indicator) -> info
    skipped = []
    for (hk, _), s in series.items():
        for ind in iocs:
            if not ind.matches(s["dest"]):
                continue
            if not in_logs(s):
                skipped.append("%s %s (%s: no connection in the logs per the truth)" % (s["host"], ind.written, s["dest"]))
                continue
            e = expected.setdefault((hk, ind.written), {"host": s["host"], "ind": ind, "dests": [], "logged": 0})
            e["dests"].append(s["dest"])
            e["logged"] += s["logged"]
    found = {}
    by_ind = collections.defaultdict(list)
    by_host = collections.defaultdict(list)
    for f in ioc_findings:
        a = f.get("attributes") or {}
        if isinstance(f.get("host"), str) and isinstance(a.get("indicator"), str):
            found.setdefault((host_key(f["host"]), a["indicator"]), f)
            by_ind[a["indicator"].strip().lower()].append(f["host"])
            by_host[host_key(f["host"])].append(a["indicator"])
    missed = []
    for k, e in expected.items():
        if k in found:
            continue
        hints = []
        theirs = (attributed or {}).get(k) or []
        if theirs:
            hints.append("by the address history, its traffic is in %d finding(s) naming %s" %
                         (len(theirs), ", ".join("%s (%s)" % (h, i) for i, h in theirs[:4]) + (" ..." if len(theirs) > 4 else "")))
        else:
            others = sorted(set(by_ind.get(e["ind"].written.lower(), [])))
            if others:
                hints.append("no finding for the indicator holds its addresses; %d other host(s) have one" % len(others))
        mine = sorted(set(by_host.get(k[0], [])))
        if mine:
            hints.append("the host has findings for: %s" % ", ".join(mine[:6]))
        missed.append("missed: %s %s (destination %s; %d connections logged)%s" %
                      (e["host"], e["ind"].written, ", ".join(sorted(set(e["dests"]))), e["logged"],
                       " - " + "; ".join(hints) if hints else ""))
    victims_with = len({k[0] for k in expected})
    summary = "%d/%d (victim, indicator) pairs found, over %d victims" % (len(expected) - len(missed), len(expected), victims_with)
    if skipped:
        summary += "; %d not in the logs, skipped" % len(skipped)
    if not expected:
        summary += " (no victim's C2 destination matches the IOC file)"
    rep.check("ioc-coverage", "FAIL" if missed else "PASS", summary, missed + ["skipped: " + s for s in skipped])
    return expected, missed


def check_attribution_and_evidence(rep, ioc_findings, store, history, have_dhcp, tolerance, iocs):
    """Reads every ioc evidence line once; classifies references and findings."""
    # gather what to read
    refs = []  # (finding, ref index, ref, path, problem)
    per_file = collections.defaultdict(lambda: (set(), set()))
    for f in ioc_findings:
        for k, ref in enumerate(f.get("evidence") or []):
            if not isinstance(ref, dict):
                continue
            path, problem = store.resolve(ref)
            refs.append((f, k, ref, path, problem))
            if path:
                if isinstance(ref.get("line"), int):
                    per_file[path][0].add(ref["line"])
                elif isinstance(ref.get("offset"), int):
                    per_file[path][1].add(ref["offset"])
    content, totals = {}, {}
    for path, (lines, offs) in per_file.items():
        try:
            bl, bo, total = store.read(path, lines, offs)
        except OSError as e:
            bl, bo, total = {}, {}, 0
            totals[path] = "unreadable: %s" % e
        content[path] = (bl, bo)
        totals.setdefault(path, total)
    ev_problems = []
    ref_status = collections.Counter()
    ref_how = collections.Counter()
    fstate = collections.OrderedDict()  # finding id -> list of (status, how, detail, where)
    misdetails, unattr_details, conflicts = [], [], 0
    attributed = collections.defaultdict(list)  # (holder key, indicator) -> [(finding id, host)]
    slack = tolerance + 2.0
    for f, k, ref, path, problem in refs:
        where = "%s:%s" % (show_path(path) if path else ref.get("path", "?"), ref.get("line", "@%s" % ref.get("offset")))
        st = fstate.setdefault(id(f), [])
        if problem and path is None:
            ev_problems.append("%s evidence[%d]: %s" % (fid(f), k, problem))
            st.append(("unverifiable", "no evidence", problem, where))
            continue
        if problem:
            ev_problems.append("%s evidence[%d]: %s" % (fid(f), k, problem))
        bl, bo = content.get(path, ({}, {}))
        got = bl.get(ref["line"]) if isinstance(ref.get("line"), int) else bo.get(ref.get("offset"))
        if got is None:
            total = totals.get(path)
            msg = "line %s beyond the file's %s lines" % (ref.get("line"), total) if isinstance(ref.get("line"), int) else "offset %s outside the file" % ref.get("offset")
            ev_problems.append("%s evidence[%d] %s: %s" % (fid(f), k, where, msg))
            st.append(("unverifiable", "no evidence", msg, where))
            continue
        fmt, text, ctx = got
        zone = store.zone_for(path) if fmt == "csv" else None
        rec = parse_evidence_line(text, fmt, ctx, zone, store.case or Case())
        if rec.problem or rec.src is None:
            msg = rec.problem or "no client address"
            ev_problems.append("%s evidence[%d] %s: %s: %r" % (fid(f), k, where, msg, text.strip()[:160]))
            st.append(("unverifiable", "no evidence", msg, where))
            continue
        ind_s = (f.get("attributes") or {}).get("indicator")
        if isinstance(ind_s, str):
            ind = next((i for i in iocs if i.written == ind_s), None) or Indicator(ind_s)
            if not any(ind.matches(d) for d in rec.dests):
                ev_problems.append("%s evidence[%d] %s: the line shows %s, not indicator %s" %
                                   (fid(f), k, where, ", ".join(rec.dests) or "no destination", ind_s))
        ft, fl = parse_iso(f.get("time")), parse_iso(f.get("time_last")) if f.get("time_last") else None
        if fl is None:
            fl = ft
        t0, t1 = rec.t0, rec.t1
        if t0 is None:
            t0, t1 = ft, fl  # no usable time on the line: the finding's span
        elif ft is not None and (t1 < ft - slack or t0 > fl + slack):
            ev_problems.append("%s evidence[%d] %s: line time %s..%s outside the finding's %s..%s" %
                               (fid(f), k, where, fmt_t(rec.t0), fmt_t(rec.t1), f.get("time"), f.get("time_last", f.get("time"))))
        if t0 is None:
            st.append(("unverifiable", "no time", "no time", where))
            continue
        look = history.lookup(rec.src, t0, t1)
        if look.conflict:
            conflicts += 1
        status, how, detail = classify(f.get("host", ""), rec.src, look, history)
        holders = {host_key(binding_name(b, history)) for b in look.exact if binding_name(b, history)} or \
            {host_key(n_) for n_, _ in look.static} or \
            {host_key(binding_name(b, history)) for b in look.bridged if binding_name(b, history)}
        for hk_ in holders:
            lst = attributed[(hk_, ind_s)]
            if not lst or lst[-1][0] != f.get("finding_id"):
                if all(x[0] != f.get("finding_id") for x in lst):
                    lst.append((f.get("finding_id"), f.get("host")))
        ref_status[status] += 1
        ref_how[(status, how)] += 1
        st.append((status, how, detail, where))
        if status == "misattributed":
            misdetails.append("%s names %s for %s: %s address %s at %s..%s: %s" %
                              (fid(f), f.get("host"), ind_s, where, rec.src, fmt_t(t0), fmt_t(t1), detail))
        elif status == "unattributed":
            unattr_details.append("%s names address %s (%s): %s" % (fid(f), f.get("host"), where, detail))
    # per finding: misattributed if any reference is; else unattributed if any; else
    # correct if one is and none is unverifiable-by-evidence; else unverifiable
    fcount = collections.Counter()
    fhow = collections.Counter()
    for f in ioc_findings:
        sts = fstate.get(id(f), [])
        ss = {s for s, _, _, _ in sts}
        if "misattributed" in ss:
            s = "misattributed"
        elif "unattributed" in ss:
            s = "unattributed"
        elif "correct" in ss:
            s = "correct"
            hows = {h for st_, h, _, _ in sts if st_ == "correct"}
            fhow["lease" if "lease" in hows else sorted(hows)[0]] += 1
        else:
            s = "unverifiable"
        fcount[s] += 1
    nref = sum(ref_status.values())
    summary = ("%d ioc findings: %d correct, %d misattributed, %d unattributed, %d unverifiable; references: %d correct "
               "(%d by lease, %d fixed address, %d across a lease gap), %d misattributed, %d unattributed, %d unverifiable" %
               (len(ioc_findings), fcount["correct"], fcount["misattributed"], fcount["unattributed"], fcount["unverifiable"],
                ref_status["correct"], ref_how[("correct", "lease")], ref_how[("correct", "static")],
                ref_how[("correct", "lease gap")], ref_status["misattributed"], ref_status["unattributed"],
                ref_status["unverifiable"] + sum(1 for v in fstate.values() for s in v if s[1] in ("no evidence", "no time"))))
    details = list(misdetails)
    if not have_dhcp:
        details.append("note: no --dhcp-logs: only the truth's fixed addresses are known")
    if conflicts:
        details.append("note: %d reference(s) where the truth's fixed address and a lease disagree (the lease was used)" % conflicts)
    if unattr_details:
        details.append("note: %d reference(s) named by an address the leases attribute, e.g. %s" % (len(unattr_details), unattr_details[0]))
    unv = collections.Counter(h for v in fstate.values() for s, h, _, _ in v if s == "unverifiable")
    if unv:
        details.append("note: unverifiable references by reason: " + ", ".join("%s %d" % kv for kv in sorted(unv.items())))
    rep.check("attribution", "FAIL" if fcount["misattributed"] else "PASS", summary, details)
    nev = len(refs)
    rep.check("evidence", "FAIL" if ev_problems else "PASS",
              "%d references in %d ioc findings, %d files: %d problem(s)" % (nev, len(ioc_findings), len(per_file), len(ev_problems)),
              ev_problems)
    return fcount, ev_problems, attributed


def check_beacons(rep, truth, iocs, beacon_findings):
    series = truth_series(truth)
    n = len(series)
    if n == 0:
        rep.check("beacons", "SKIP", "the truth has no C2 series")
        return
    top_n = 2 * n
    ranked = sorted((f for f in beacon_findings if isinstance((f.get("attributes") or {}).get("rank"), int)),
                    key=lambda f: f["attributes"]["rank"])
    top = [f for f in ranked if f["attributes"]["rank"] <= top_n]
    targets = collections.OrderedDict()
    for k, s in series.items():
        if any(i.matches(s["dest"]) for i in iocs):
            continue
        targets[k] = s
    skipped = [k for k, s in targets.items() if not in_logs(s)]
    for k in skipped:
        del targets[k]

    def cand_key(f):
        a = f.get("attributes") or {}
        h, p = split_dest(a.get("destination", ""))
        return host_key(f.get("host")), (h if p is None else "%s:%d" % (h, p))

    top_keys = [cand_key(f) for f in top]
    tp = sum(1 for k in top_keys if k in series)
    found_targets = [k for k in targets if k in top_keys]
    prec = tp / float(len(top)) if top else 0.0
    rec_t = len(found_targets) / float(len(targets)) if targets else 1.0
    rec_all = len({k for k in top_keys if k in series}) / float(n)
    missed = []
    rank_of = {}
    for f in ranked:
        rank_of.setdefault(cand_key(f), f["attributes"]["rank"])
    by_dest = collections.defaultdict(list)
    for f in ranked:
        by_dest[cand_key(f)[1]].append("%s@%d" % (f.get("host"), f["attributes"]["rank"]))
    for k, s in targets.items():
        if k in top_keys:
            continue
        r = rank_of.get(k)
        hint = "ranked %d" % r if r else "not a candidate"
        raw = [f for f in ranked if host_key(f.get("host")) == k[0] and split_dest(f["attributes"].get("destination", ""))[0] == split_dest(s["dest"])[0]]
        if raw and not r:
            hint += "; a candidate gives the destination as %r" % raw[0]["attributes"]["destination"]
        others = by_dest.get(k[1], [])
        if others:
            hint += "; candidates for %s: %s" % (k[1], ", ".join(others[:6]))
        missed.append("missed: %s %s (%d connections logged): %s" % (s["host"], s["dest"], s["logged"], hint))
    fps = ["top-%d false positive: rank %d %s %s" % (top_n, f["attributes"]["rank"], f.get("host"), f["attributes"].get("destination"))
           for f, k in zip(top, top_keys) if k not in series]
    summary = ("N=%d true C2 series (%d in no IOC list and in the logs); top 2N=%d of %d candidates: precision %.3f (%d/%d), "
               "recall of non-IOC series %.3f (%d/%d), recall of all series %.3f" %
               (n, len(targets), top_n, len(ranked), prec, tp, len(top), rec_t, len(found_targets), len(targets), rec_all))
    details = missed + ["skipped (not in the logs): %s %s" % (series[k]["host"], series[k]["dest"]) for k in skipped] + fps[:10]
    if not beacon_findings:
        details.insert(0, "no beacon findings in the input")
    rep.check("beacons", "FAIL" if len(found_targets) < len(targets) else "PASS", summary, details)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="score_net.py", description="Score `sakimori hunt net` findings against the simulator's truth.")
    p.add_argument("truth", nargs="?", metavar="TRUTH_JSON")
    p.add_argument("findings", nargs="?", metavar="FINDINGS_JSONL")
    p.add_argument("--dhcp-logs", action="append", default=[], metavar="DIR", help="folder of dhcpd.leases and dhcpd syslog files (repeatable)")
    p.add_argument("--ioc-file", action="append", default=[], metavar="FILE", help="plain indicator list (repeatable)")
    p.add_argument("--beacons", action="store_true", help="also score beacon candidates")
    p.add_argument("--case", metavar="CASE_JSON", help="case.json (default: next to the truth folder)")
    p.add_argument("--root", action="append", default=[], metavar="DIR", help="folder to find evidence files under (repeatable)")
    p.add_argument("--tolerance", type=float, metavar="S", help="DHCP lease join tolerance (default: case.json's, else 60)")
    p.add_argument("--max-details", type=int, default=MAX_DETAILS, metavar="N", help="detail lines per check (default %d)" % MAX_DETAILS)
    p.add_argument("--self-test", action="store_true", help="run the scorer's own unit checks")
    a = p.parse_args(argv)
    if a.self_test:
        return a
    if not a.truth or not a.findings:
        p.error("TRUTH_JSON and FINDINGS_JSONL are required")
    for path in [a.truth, a.findings] + a.ioc_file + ([a.case] if a.case else []):
        if not os.path.isfile(path):
            p.error("no such file: %s" % path)
    for d in a.dhcp_logs + a.root:
        if not os.path.isdir(d):
            p.error("no such folder: %s" % d)
    if a.tolerance is not None and a.tolerance < 0:
        p.error("--tolerance must not be negative")
    return a


def score(argv, out=None):
    out = out or sys.stdout
    try:
        a = parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if a.self_test:
        return self_test(out)
    try:
        try:
            with open(a.truth, encoding="utf-8") as f:
                truth = json.load(f)
        except (OSError, ValueError) as e:
            raise UsageError("cannot load truth %s: %s" % (a.truth, e))
        if not isinstance(truth, dict) or not isinstance(truth.get("compromised_hosts"), list):
            raise UsageError("%s: not a simulator truth (no compromised_hosts[])" % a.truth)
        fleet = os.path.dirname(os.path.dirname(os.path.abspath(a.truth)))
        case_path = a.case or os.path.join(fleet, "case.json")
        case = Case()
        if os.path.isfile(case_path):
            try:
                with open(case_path, encoding="utf-8") as f:
                    case = Case(json.load(f), case_path)
            except (OSError, ValueError) as e:
                if a.case:
                    raise UsageError("cannot load case %s: %s" % (a.case, e))
        iocs, ioc_warn = load_iocs(a.ioc_file)
        findings, parse_problems = load_findings(a.findings)
    except UsageError as e:
        print("score_net.py: %s" % e, file=sys.stderr)
        return 2
    rep = Report(out, a.max_details)
    tolerance = a.tolerance if a.tolerance is not None else (case.tolerance if case.tolerance is not None else DEFAULT_TOLERANCE)
    print("score_net: truth %s (seed %s, %d victims), %d findings, %d indicators, DHCP tolerance %gs%s" %
          (a.truth, truth.get("seed"), len(truth["compromised_hosts"]), len(findings), len(iocs), tolerance,
           ", case %s" % case.path if case.path else ", no case.json"), file=out)

    ioc_f, beacon_f, problems = validate_findings(findings, iocs, a.beacons)
    others = collections.Counter(f.get("engine") for f in findings if f.get("engine") not in ("ioc", "beacon"))
    rep.check("findings", "FAIL" if parse_problems or problems else "PASS",
              "%d findings: %d ioc, %d beacon%s; %d problem(s)" %
              (len(findings), len(ioc_f), len(beacon_f), "".join(", %d %s" % (v, k) for k, v in sorted(others.items(), key=str)),
               len(parse_problems) + len(problems)),
              parse_problems + problems + ["IOC file: " + w for w in ioc_warn])

    history = DhcpHistory(tolerance)
    notes = []
    lo = parse_iso((truth.get("timeline") or {}).get("start")) or case.window[0]
    hi = parse_iso((truth.get("timeline") or {}).get("end")) or case.window[1]
    nl = ns = 0
    if a.dhcp_logs:
        nl, ns = load_dhcp_dirs(a.dhcp_logs, case, history, lo, hi, notes)
    for v in truth["compromised_hosts"]:
        if v.get("ip") and parse_ip(v["ip"]):
            history.add_static(v["ip"], v["host"], "truth")
    history.finalize()
    print("       address history: %d leases file(s), %d syslog file(s); %s; %d fixed address(es) from the truth" %
          (nl, ns, ", ".join("%s %d" % (k, v) for k, v in sorted(history.counts().items())) or "no DHCP records",
           sum(len(v) for v in history.static.values())), file=out)
    for n_ in notes:
        if n_.startswith("WARN") or a.max_details > MAX_DETAILS:
            print("       " + n_, file=out)
    if a.dhcp_logs and not nl and not ns:
        rep.check("dhcp", "FAIL", "no dhcpd.leases or dhcpd syslog under %s" % ", ".join(a.dhcp_logs))

    roots = list(a.root) + [fleet, os.path.dirname(os.path.abspath(a.findings))]
    store = EvidenceStore(roots, case)
    later = DeferredReport()
    _, _, attributed = check_attribution_and_evidence(later, ioc_f, store, history, bool(a.dhcp_logs), tolerance, iocs)
    if iocs:
        check_coverage(rep, truth, iocs, ioc_f, attributed)
    else:
        rep.check("ioc-coverage", "SKIP", "no --ioc-file")
    later.replay(rep)

    if a.beacons:
        check_beacons(rep, truth, iocs, beacon_f)

    print("summary: %d passed, %d failed, %d skipped" % (rep.passed, rep.failed, rep.skipped), file=out)
    return 1 if rep.failed else 0


# ------------------------------------------------------------------ self-test


def self_test(out):
    results = []

    def ok(cond, what):
        results.append((bool(cond), what))

    T = lambda s: parse_iso(s)

    # -- names and indicators
    box = Indicator("box.com")
    ok(box.matches("app.box.com"), "subdomain matches")
    ok(box.matches("box.com"), "equal matches")
    ok(box.matches("APP.Box.Com."), "case and trailing dot")
    ok(box.matches("upload.app.box.com:443"), "deeper subdomain with port")
    ok(box.matches("https://app.box.com/folder/1"), "URL host")
    ok(not box.matches("xbox.com"), "suffix that is not a label boundary")
    ok(not box.matches("box.com.evil.net"), "indicator as a prefix")
    ok(not box.matches("box.co"), "shorter name")
    ok(not Indicator("app.box.com").matches("box.com"), "parent of the indicator")
    ok(not Indicator("app.box.com").matches("upload.box.com"), "sibling of the indicator")
    w = Indicator("*.box.com")
    ok(w.matches("app.box.com") and not w.matches("box.com"), "wildcard: subdomains only")
    ip = Indicator("203.0.113.7")
    ok(ip.matches("203.0.113.7") and ip.matches("203.0.113.7:443"), "address (and with a port)")
    ok(not ip.matches("203.0.113.70") and not ip.matches("x.203.0.113.7"), "address: no suffix matching")
    ok(Indicator("203.0.113.0/24").matches("203.0.113.9") and not Indicator("203.0.113.0/24").matches("203.0.114.9"), "CIDR")
    ok(Indicator("203.0.113.7:8443").matches("203.0.113.7:8443") and not Indicator("203.0.113.7:8443").matches("203.0.113.7:443"), "address:port")
    ok(Indicator("2001:db8::1").matches("[2001:db8::1]:443"), "IPv6 with a port")
    ok(host_key("TOKH-PC000042.corp.example.co.jp") == host_key("tokh-pc000042") == "tokh-pc000042", "FQDN and short name compare")
    ok(host_key("10.1.2.3") == "10.1.2.3" and host_key("10.1.2.3") != host_key("10.1.2.4"), "addresses compare whole")
    ok(split_dest("CDN-Sync89.org:443") == ("cdn-sync89.org", 443), "split_dest")
    with tempfile.TemporaryDirectory() as td:
        p = os.path.join(td, "ioc.txt")
        with open(p, "w") as f:
            f.write("# attacker infrastructure\n\nbox.com\n  pastebin.com   # paste site\ncdn-sync89.org\nbox.com\n")
        inds, warns = load_iocs([p])
        ok([i.written for i in inds] == ["box.com", "pastebin.com", "cdn-sync89.org"], "IOC file: comments, blanks, repeats")
        ok(len(warns) == 1, "IOC file: a repeat is warned")

    # -- time
    ok(T("2019-07-10T01:02:03Z") == calendar.timegm((2019, 7, 10, 1, 2, 3, 0, 0, 0)), "ISO Z")
    ok(abs(T("2019-07-10T10:02:03.5+09:00") - (calendar.timegm((2019, 7, 10, 1, 2, 3, 0, 0, 0)) + 0.5)) < 1e-6, "ISO offset and fraction")
    ok(T("2019-07-10T01:02:03") is None, "no zone is refused")

    # -- leases parser
    leases = """# The format of this file is documented in the dhcpd.leases(5) manual page.
authoring-byte-order little-endian;
lease 10.0.2.5 {
  starts 2 2019/07/09 00:00:00;
  ends 3 2019/07/10 00:00:00;
  binding state active;
  hardware ethernet 00:11:22:33:44:55;
  client-hostname "DESK-1";
}
lease 10.0.2.6 {
  starts epoch 1562630400; # Tue Jul 09 00:00:00 2019
  ends never;
  hardware ethernet 0:1:2:3:4:5;
  uid "\\001\\000";
  client-hostname "odd}name";
}
lease 10.0.2.7 {
  starts 2 2019/07/09 00:00:00;
  ends 3 2019/07/10 00:00:00;
  binding state abandoned;
}
host printer { dynamic; hardware ethernet 00:aa:bb:cc:dd:ee; fixed-address 10.0.9.9; }
"""
    h = DhcpHistory(60)
    n = parse_leases(leases, h, "test.leases")
    h.finalize()
    ok(n["leases"] == 2 and n["fixed addresses"] == 1, "leases: blocks and host declarations")
    ok([binding_name(b, h) for b in h.lookup("10.0.2.6", T("2019-08-01T00:00:00Z")).exact] == ["odd}name"], "leases: epoch, never, quoted brace")
    ok(h.lookup("10.0.2.6", 0).exact == [], "leases: not before its start")
    ok([s[0] for s in h.lookup("10.0.9.9", 0).static] == ["printer"], "leases: fixed-address")
    ok(h.lookup("10.0.2.7", T("2019-07-09T12:00:00Z")).exact == [], "leases: abandoned is no binding")

    def names(look):
        return sorted({binding_name(b, hh) for b in look.exact})

    def status(host, ip_, t):
        look = hh.lookup(ip_, T(t))
        return classify(host, ip_, look, hh)[0]

    # -- renewal, expiry, hand-over within minutes, ACK-only, release
    hh = DhcpHistory(60)
    # desktop A on .10: renewed before expiry (overlap), then renewed 3 h late (gap)
    hh.add_lease("10.0.1.10", T("2019-07-09T08:00:00Z"), T("2019-07-10T08:00:00Z"), "aa:aa:aa:aa:aa:01", "DESK-A", server="s")
    hh.add_lease("10.0.1.10", T("2019-07-10T07:30:00Z"), T("2019-07-11T07:30:00Z"), "aa:aa:aa:aa:aa:01", "DESK-A", server="s")
    hh.add_lease("10.0.1.10", T("2019-07-11T10:30:00Z"), T("2019-07-12T10:30:00Z"), "aa:aa:aa:aa:aa:01", "DESK-A", server="s")
    # laptops L1 then L2 on .20: L1 leaves 09:45:50, L2 arrives 09:48:00; L3 takes it
    # the next day while L2's lease is still running (L2's lease ended early, unlogged)
    hh.add_lease("10.0.2.20", T("2019-07-09T00:10:00Z"), T("2019-07-09T09:45:50Z"), "bb:bb:bb:bb:bb:01", "LAP-1", server="s")
    hh.add_lease("10.0.2.20", T("2019-07-09T09:48:00Z"), T("2019-07-10T09:48:00Z"), "bb:bb:bb:bb:bb:02", "LAP-2", server="s")
    hh.add_lease("10.0.2.20", T("2019-07-10T01:00:00Z"), T("2019-07-10T10:00:00Z"), "bb:bb:bb:bb:bb:03", "LAP-3", server="s")
    # .30: handed over within 30 s (both possible at the seam)
    hh.add_lease("10.0.2.30", T("2019-07-09T00:00:00Z"), T("2019-07-09T12:00:00Z"), "cc:cc:cc:cc:cc:01", "LAP-4", server="s")
    hh.add_lease("10.0.2.30", T("2019-07-09T12:00:30Z"), T("2019-07-09T20:00:00Z"), "cc:cc:cc:cc:cc:02", "LAP-5", server="s")
    # .40: syslog only: ACK to M1, ACK to M2 two hours later; ACK to M3 released
    hh.add_ack("10.0.2.40", T("2019-07-09T08:00:00Z"), "dd:dd:dd:dd:dd:01", "ACK-1", server="s")
    hh.add_ack("10.0.2.40", T("2019-07-09T10:00:00Z"), "dd:dd:dd:dd:dd:02", None, server="s")
    hh.add_ack("10.0.2.40", T("2019-07-09T09:00:00Z"), "dd:dd:dd:dd:dd:01", "ACK-1", server="s")  # renewal, out of order
    hh.add_ack("10.0.2.50", T("2019-07-09T08:00:00Z"), "ee:ee:ee:ee:ee:01", "ACK-3", server="s")
    hh.add_release("10.0.2.50", T("2019-07-09T09:00:00Z"), "ee:ee:ee:ee:ee:01")
    hh.add_lease("10.0.2.40", T("2019-07-01T00:00:00Z"), T("2019-07-01T01:00:00Z"), "dd:dd:dd:dd:dd:02", "ACK-2", server="s")  # names M2
    # an ACK the leases confirm adds nothing
    hh.add_ack("10.0.2.20", T("2019-07-09T00:10:20Z"), "bb:bb:bb:bb:bb:01", "LAP-1", server="s")
    hh.add_static("10.0.0.5", "SRV-1", "truth")
    hh.finalize()
    ok(names(hh.lookup("10.0.1.10", T("2019-07-10T07:59:00Z"))) == ["DESK-A"], "renewal: overlap keeps the holder")
    ok(status("DESK-A", "10.0.1.10", "2019-07-10T07:45:00Z") == "correct", "renewal: correct")
    ok(status("DESK-B", "10.0.1.10", "2019-07-10T07:45:00Z") == "misattributed", "renewal: another host is misattributed")
    ok(status("DESK-A", "10.0.1.10", "2019-07-11T07:30:50Z") == "correct", "expiry: inside the tolerance")
    lk = hh.lookup("10.0.1.10", T("2019-07-11T09:00:00Z"))
    ok(not lk.exact and [b.name for b in lk.bridged] == ["DESK-A"], "late renewal: a gap of the same MAC")
    ok(status("DESK-A", "10.0.1.10", "2019-07-11T09:00:00Z") == "correct", "late renewal: the holder across the gap")
    ok(status("DESK-B", "10.0.1.10", "2019-07-11T09:00:00Z") == "unverifiable", "late renewal: another host is unverifiable, not misattributed")
    ok(status("DESK-A", "10.0.1.10", "2019-07-12T10:32:00Z") == "unverifiable", "expiry: past the tolerance nobody holds it")
    ok(names(hh.lookup("10.0.2.20", T("2019-07-09T09:40:00Z"))) == ["LAP-1"], "hand-over: before")
    ok(names(hh.lookup("10.0.2.20", T("2019-07-09T09:46:40Z"))) == ["LAP-1"], "hand-over: just after the lease end (tolerance)")
    ok(names(hh.lookup("10.0.2.20", T("2019-07-09T09:47:10Z"))) == ["LAP-2"], "hand-over: just before the next start (tolerance)")
    ok(hh.lookup("10.0.2.20", T("2019-07-09T09:46:55Z")).exact == [], "hand-over: between the two, past both tolerances")
    ok(status("LAP-1", "10.0.2.20", "2019-07-09T09:50:00Z") == "misattributed", "hand-over: the previous holder minutes later")
    ok(status("LAP-2", "10.0.2.20", "2019-07-09T09:50:00Z") == "correct", "hand-over: the new holder")
    ok(names(hh.lookup("10.0.2.20", T("2019-07-10T02:00:00Z"))) == ["LAP-3"], "a later binding to another MAC ends a running lease")
    ok(status("LAP-2", "10.0.2.20", "2019-07-10T02:00:00Z") == "misattributed", "the ended lease's holder is misattributed")
    ok(names(hh.lookup("10.0.2.30", T("2019-07-09T12:00:10Z"))) == ["LAP-4", "LAP-5"], "seam of 30 s: both possible")
    ok(status("LAP-5", "10.0.2.30", "2019-07-09T12:00:10Z") == "correct", "seam of 30 s: either is correct")
    ok(names(hh.lookup("10.0.2.40", T("2019-07-09T09:30:00Z"))) == ["ACK-1"], "syslog only: the ACK's holder")
    ok(names(hh.lookup("10.0.2.40", T("2019-07-09T11:00:00Z"))) == ["ACK-2"], "syslog only: ended by the next ACK; name from the MAC")
    ok(status("ACK-1", "10.0.2.40", "2019-07-09T11:00:00Z") == "misattributed", "syslog only: the previous holder")
    ok(names(hh.lookup("10.0.2.50", T("2019-07-09T08:30:00Z"))) == ["ACK-3"] and
       hh.lookup("10.0.2.50", T("2019-07-09T09:30:00Z")).exact == [], "release ends the binding")
    ok(hh.counts().get("ACKs confirmed by a lease") == 1, "an ACK the leases confirm")
    ok(status("SRV-1", "10.0.0.5", "2019-07-09T11:00:00Z") == "correct" and
       status("SRV-2", "10.0.0.5", "2019-07-09T11:00:00Z") == "misattributed", "fixed address")
    ok(status("10.0.2.20", "10.0.2.20", "2019-07-09T09:50:00Z") == "unattributed", "named by address although leased")
    ok(status("10.0.3.3", "10.0.3.3", "2019-07-09T09:50:00Z") == "unverifiable", "named by address, no lease")
    ok(status("10.0.3.4", "10.0.3.3", "2019-07-09T09:50:00Z") == "misattributed", "named by another address")
    ok(status("lap-2.corp.example.co.jp", "10.0.2.20", "2019-07-09T09:50:00Z") == "correct", "FQDN of the holder")
    # a span (a long tunnel) crossing the hand-over: either holder
    ok(classify("LAP-1", "10.0.2.20", hh.lookup("10.0.2.20", T("2019-07-09T09:44:00Z"), T("2019-07-09T09:49:00Z")), hh)[0] == "correct",
       "a tunnel spanning the hand-over")

    # -- syslog: year and zone
    lines = ["Dec 31 23:59:30 DHCP01 dhcpd[7]: DHCPACK on 10.9.0.1 to 00:00:00:00:00:01 (YE-1) via eth0",
             "Jan  1 00:00:30 DHCP01 dhcpd[7]: DHCPACK on 10.9.0.2 to 00:00:00:00:00:02 (YE-2) via eth0",
             "Jan  1 00:01:00 DHCP01 dhcpd[7]: DHCPACK to 10.9.0.3 (00:00:00:00:00:03) via eth0",
             "Jan  1 00:02:00 DHCP01 dhcpd[7]: DHCPRELEASE of 10.9.0.1 from 00:00:00:00:00:01 (YE-1) via eth0 (found)"]
    evs = parse_syslog_lines(lines)
    ok([e[2] for e in evs] == ["ack", "ack", "release"], "syslog: ACK on, not the INFORM ACK; release")
    ys = infer_years(evs, T("2019-12-01T00:00:00Z"), T("2020-01-31T00:00:00Z"))
    ok(ys == [2019, 2020, 2020], "syslog: year across new year")
    ok(infer_years(evs, None, None)[1] == infer_years(evs, None, None)[0] + 1, "syslog: year rollover without a reference")
    with tempfile.TemporaryDirectory() as td:
        d = os.path.join(td, "DHCP01")
        os.makedirs(d)
        with open(os.path.join(d, "dhcpd.leases"), "w") as f:
            f.write("lease 10.9.1.1 {\n  starts 2 2019/07/09 00:00:00;\n  ends 2 2019/07/09 09:00:00;\n"
                    "  hardware ethernet 00:00:00:00:01:01;\n  client-hostname \"Z-1\";\n}\n")
        with open(os.path.join(d, "dhcpd.log"), "w") as f:
            f.write("Jul  9 09:00:00 DHCP01 dhcpd[7]: DHCPACK on 10.9.1.1 to 00:00:00:00:01:01 (Z-1) via eth0\n"
                    "Jul  9 18:30:00 DHCP01 dhcpd[7]: DHCPACK on 10.9.1.2 to 00:00:00:00:01:02 (Z-2) via eth0\n")
        hz = DhcpHistory(60)
        notes = []
        load_dhcp_dirs([td], None, hz, T("2019-07-01T00:00:00Z"), T("2019-07-31T00:00:00Z"), notes)
        hz.finalize()
        ok(hz.counts().get("ACKs confirmed by a lease") == 1, "syslog: zone inferred from the leases (+09:00)")
        ok(names_of(hz, "10.9.1.2", T("2019-07-09T09:30:10Z")) == ["Z-2"], "syslog: local time converted with the inferred zone")
        case = Case({"sources": [{"name": "d", "kind": "dhcpd-syslog", "path": "logs/dhcp/DHCP01/dhcpd.log", "timezone": "+08:00"}]})
        hz2 = DhcpHistory(60)
        notes2 = []
        load_dhcp_dirs([td], case, hz2, T("2019-07-01T00:00:00Z"), T("2019-07-31T00:00:00Z"), notes2)
        ok(any("pair with lease starts" in x for x in notes2), "syslog: a case zone the leases contradict is warned")

    # -- evidence lines
    c = Case({"regions": [{"name": "r", "domestic": True, "sites": [{"name": "s", "subnets": ["10.0.0.0/8"]}]}]})
    r = parse_evidence_line("1562749200.261  61143 10.5.1.60 TCP_TUNNEL/200 128430 CONNECT onedrive.live.com:443 - HIER_DIRECT/23.0.203.51 -\n",
                            "squid", None, None, c)
    ok(r.src == "10.5.1.60" and abs(r.t0 - (1562749200.261 - 61.143)) < 1e-6 and Indicator("live.com").matches(r.dests[0]), "Squid native")
    zf = ("ts uid id.orig_h id.orig_p id.resp_h id.resp_p method host uri".split(), "\t", "-")
    r = parse_evidence_line("1562749200.26\tC1\t10.5.1.60\t59944\t10.1.0.13\t8080\tCONNECT\tpastebin.com\tpastebin.com:443\n", "zeek", zf, None, c)
    ok(r.src == "10.5.1.60" and r.t0 == 1562749200.26 and Indicator("pastebin.com").matches(r.dests[0]), "Zeek http.log")
    hdr = "date,time,devname,logid,type,subtype,level,action,policyid,proto,srcip,srcport,srcintf,dstip,dstport,dstintf,service,duration,sentbyte,rcvdbyte".split(",")
    r = parse_evidence_line("2019-07-10,09:00:00,FW,1,traffic,forward,notice,accept,1,6,10.1.0.10,5000,internal,198.51.100.7,443,wan1,HTTPS,2,1,1\n",
                            "csv", hdr, 9 * 3600, c)
    ok(r.src == "10.1.0.10" and r.t0 == T("2019-07-10T00:00:00Z") - 2 and Indicator("198.51.100.7").matches(r.dests[0]), "firewall CSV, local time")
    r = parse_evidence_line("2019-07-10,09:00:00,FW,1,traffic,forward,notice,accept,1,6,198.51.100.7,5000,wan1,10.1.0.10,443,internal,HTTPS,0,1,1\n",
                            "csv", hdr, 9 * 3600, c)
    ok(r.src == "10.1.0.10", "firewall CSV, inbound: the internal side")

    # -- end to end on a tiny fleet
    with tempfile.TemporaryDirectory() as td:
        os.makedirs(os.path.join(td, "truth"))
        os.makedirs(os.path.join(td, "logs", "proxy", "PRX01"))
        os.makedirs(os.path.join(td, "logs", "dhcp", "DHCP01"))
        truth = {"seed": 0, "timeline": {"start": "2019-07-01T00:00:00.000Z", "end": "2019-07-31T00:00:00.000Z"},
                 "compromised_hosts": [
                     {"host": "LAP-1", "ip": None, "evidence": ["proxy"], "c2": [
                         {"destination": "app.box.com", "connections_logged": 2},
                         {"destination": "evil-cdn.org", "connections_logged": 1}]},
                     {"host": "SRV-1", "ip": "10.0.0.5", "evidence": ["proxy"], "c2": [
                         {"destination": "pastebin.com", "connections_logged": 1},
                         {"destination": "pastebin.com", "connections_logged": 1}]}]}
        with open(os.path.join(td, "truth", "truth.json"), "w") as f:
            json.dump(truth, f)
        with open(os.path.join(td, "ioc.txt"), "w") as f:
            f.write("# test\nbox.com\n")
        with open(os.path.join(td, "logs", "dhcp", "DHCP01", "dhcpd.leases"), "w") as f:
            f.write("lease 10.0.2.20 {\n  starts 2 2019/07/09 00:00:00;\n  ends 2 2019/07/09 09:00:00;\n"
                    "  hardware ethernet 00:00:00:00:00:01;\n  client-hostname \"LAP-1\";\n}\n"
                    "lease 10.0.2.20 {\n  starts 2 2019/07/09 09:05:00;\n  ends 2 2019/07/09 18:00:00;\n"
                    "  hardware ethernet 00:00:00:00:00:02;\n  client-hostname \"LAP-2\";\n}\n")
        t1 = T("2019-07-09T08:00:00Z")
        t2 = T("2019-07-09T10:00:00Z")
        proxy = os.path.join(td, "logs", "proxy", "PRX01", "access.log-20190709")
        with open(proxy, "w") as f:
            f.write("%.3f 100 10.0.2.20 TCP_TUNNEL/200 100 CONNECT app.box.com:443 - HIER_DIRECT/1.2.3.4 -\n" % t1)
            f.write("%.3f 100 10.0.2.20 TCP_TUNNEL/200 100 CONNECT app.box.com:443 - HIER_DIRECT/1.2.3.4 -\n" % t2)
            f.write("%.3f 100 10.0.0.5 TCP_TUNNEL/200 100 CONNECT pastebin.com:443 - HIER_DIRECT/1.2.3.5 -\n" % t2)
        sha = sha256_file(proxy)
        rel = os.path.relpath(proxy, td)

        def finding(host, ind, line, t, eng="ioc", attrs=None):
            a = attrs or {"indicator": ind}
            return {"finding_id": "f-%016x" % (line + 16 * len(host)), "engine": eng, "host": host,
                    "rule": {"id": "x", "title": "x"}, "severity": "high", "summary": "s",
                    "time": fmt_t(t), "count": 1, "attributes": a,
                    "evidence": [{"sha256": sha, "line": line, "path": rel}]}

        def run(fs, extra=()):
            fp = os.path.join(td, "findings.jsonl")
            with open(fp, "w") as f:
                for x in fs:
                    f.write(json.dumps(x) + "\n")
            buf = io.StringIO()
            code = score([os.path.join(td, "truth", "truth.json"), fp, "--ioc-file", os.path.join(td, "ioc.txt"),
                          "--dhcp-logs", os.path.join(td, "logs", "dhcp")] + list(extra), buf)
            return code, buf.getvalue()

        good = [finding("LAP-1", "box.com", 1, t1)]
        code, text = run(good)
        ok(code == 0, "e2e: a correct finding passes\n" + text)
        code, text = run([finding("lap-1.corp.example", "box.com", 1, t1), finding("LAP-1", "box.com", 2, t2)])
        ok(code == 1 and "misattributed" in text and "second finding" in text, "e2e: the hand-over and a duplicate are caught\n" + text)
        code, text = run([finding("LAP-2", "box.com", 1, t1)])
        ok(code == 1 and "missed: LAP-1 box.com" in text and "naming LAP-2" in text and "1 misattributed" in text,
           "e2e: the victim is missed, the hint names the finding that holds its traffic\n" + text)
        code, text = run([finding("LAP-2", "box.com", 2, t2)])
        ok(code == 1 and "missed: LAP-1 box.com" in text and "no finding for the indicator holds its addresses" in text
           and "0 misattributed" in text, "e2e: the victim is missed, another host's correct finding\n" + text)
        code, text = run([finding("LAP-1", "app.box.com", 1, t1)])
        ok(code == 1 and "not a line of the IOC file" in text, "e2e: an indicator not as written\n" + text)
        code, text = run([finding("LAP-1", "box.com", 3, t2)])
        ok(code == 1 and "not indicator box.com" in text, "e2e: evidence line that does not show the indicator\n" + text)
        code, text = run([finding("LAP-1", "box.com", 1, t1 + 3600)])
        ok(code == 1 and "outside the finding" in text, "e2e: evidence time outside the finding\n" + text)
        bad = finding("LAP-1", "box.com", 1, t1)
        bad["evidence"][0]["sha256"] = "0" * 64
        code, text = run([bad])
        ok(code == 1 and "matches no file" in text, "e2e: wrong sha256\n" + text)
        beac = [finding("LAP-1", None, 1, t1, "beacon", {"destination": "evil-cdn.org", "score": 9.5, "rank": 2}),
                finding("SRV-1", None, 3, t2, "beacon", {"destination": "pastebin.com", "score": 9.9, "rank": 1}),
                finding("LAP-2", None, 2, t2, "beacon", {"destination": "dropbox.com", "score": 1.0, "rank": 3})]
        code, text = run(good + beac, ["--beacons"])
        ok(code == 0 and "precision 0.667 (2/3)" in text and "recall of non-IOC series 1.000 (2/2)" in text, "e2e: beacons\n" + text)
        beac[0]["attributes"]["rank"] = 9
        code, text = run(good + beac, ["--beacons"])
        ok(code == 1 and "missed: LAP-1 evil-cdn.org" in text, "e2e: a beacon series out of the top 2N\n" + text)
        buf = io.StringIO()
        with contextlib.redirect_stderr(io.StringIO()):
            ok(score([os.path.join(td, "nope.json"), proxy], buf) == 2, "e2e: a missing file is a usage error")
            ok(score([], buf) == 2, "e2e: no arguments is a usage error")

    failed = [w for c_, w in results if not c_]
    for w in failed:
        print("FAIL self-test: " + w, file=out)
    print("self-test: %d passed, %d failed" % (len(results) - len(failed), len(failed)), file=out)
    return 1 if failed else 0


def names_of(h, ip_, t):
    return sorted({binding_name(b, h) for b in h.lookup(ip_, t).exact})


def main():
    return score(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
