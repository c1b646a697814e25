#!/usr/bin/env python3
"""Generate the Sigma network-log regression fixtures (tests/fixtures/sigma-net-regress).

An oracle written from the Sigma specification and the published rules, not from
sakimori's code: for every SigmaHQ rule of the network log sources (category proxy,
webserver, dns, firewall; product zeek) in ROOT/../shared/data/sigma (folders
rules/web, rules/network, rules-emerging-threats, rules-threat-hunting) it synthesises

  - one log line that satisfies the rule's detection (the condition evaluated by this
    script's own Sigma evaluator over the event the line is documented to give), and
  - near-miss lines that must not fire: a value of the selection mutated by one
    character (or an alternative value), and, when the condition has `not filter`,
    the filter triggered,

in the log format its log source names (docs/sigma-logsources.md, the network entries
of config/sigma-logsources.yml):

  webserver  IIS W3C extended log (with s-computername, and again without it, where
             the host is s-ip); for cs-user-agent values written in IIS's own '+' form
             also the line with that text (iis-raw-ua: the rule author's expectation,
             against the documented '+' decoding)
  proxy      W3C proxy log (#Fields with s-action, r-ip, rs(Content-Type)); Squid's
             native access.log where the rule needs only what Squid logs (CONNECT lines
             for rules on the host alone; an "undecided" line expected silent where
             Squid lacks a field the rule tests in a filter); Zeek http.log (TSV and
             JSON) through zeek-http-as-proxy
  dns        Zeek dns.log (TSV and JSON) through zeek-dns-as-dns
  firewall   Zeek conn.log (TSV and JSON) through zeek-conn-as-firewall; firewall CSV
             (FortiGate column names) for the rules that need the firewall's action
  zeek       the Zeek log of the rule's service, TSV with #fields/#types from Zeek's
             scripts and values escaped as Zeek's writer escapes them (backslashes
             doubled, \\xNN), and the same records as Zeek JSON lines

Positive lines put text around a value the rule looks for inside a field (contains,
endswith), flip the case of every fourth rule's values (Sigma matches without case),
and add matches for the condition's other conjuncts (`1 of selection_*`), for the
identifiers' last alternatives, for wildcards realised as other text (`?` as one other
character), and for a second identical request from one host (count 2). Near-misses
change one character of the literal the rule looks for (or take another usual value:
method, status, port), trigger the condition's negated filters, or change the case of
a value a case-sensitive regular expression matched.

Every line has its own client address (10.77.R.K: R the rule's index, K the variant;
100.77.R.K where the rule wants a client outside the private ranges) so that the finding's host tells which line fired; for web-server logs the host is
the server (s-computername web-R-K, or s-ip 10.78.R.K). Rules that cannot be satisfied
honestly are listed with the reason. expected.json maps every line to the rule ids
expected to fire on it and those expected not to.

Usage: sigma_regress_gen.py [ROOT] [--sigma DIR] [--out DIR]
Standard library and PyYAML only.
"""

import argparse
import hashlib
import ipaddress
import itertools
import json
import os
import re
import sys

import yaml

SCOPE_DIRS = ["rules/web", "rules/network", "rules-emerging-threats", "rules-threat-hunting"]
CATEGORIES = ("proxy", "webserver", "dns", "firewall")
SUPPORTED_MODS = {"contains", "startswith", "endswith", "all", "re", "i", "m", "s",
                  "cidr", "exists", "cased"}
MAX_COMBOS = 400

# ----------------------------------------------------------------------------- values


class _Star:
    def __repr__(self):
        return "*"


class _Qm:
    def __repr__(self):
        return "?"


STAR = _Star()
QM = _Qm()


def parse_wild(s):
    """A Sigma string value as tokens: characters, STAR, QM (spec: Escape Character)."""
    toks = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "*?\\":
            toks.append(s[i + 1])
            i += 2
            continue
        if c == "*":
            toks.append(STAR)
        elif c == "?":
            toks.append(QM)
        else:
            toks.append(c)
        i += 1
    return toks


def toks_regex(toks):
    out = []
    for t in toks:
        if t is STAR:
            out.append(".*")
        elif t is QM:
            out.append(".")
        else:
            out.append(re.escape(t))
    return "".join(out)


class Test:
    """One value test: kind pat (wildcard pattern, whole value), re, cidr, null, int,
    exists. `lits` are the literal runs (for mutation and placement)."""

    def __init__(self, kind, data, cased=False, src=None):
        self.kind = kind
        self.data = data
        self.cased = cased
        self.src = src
        self._rx = None
        if kind == "pat":
            flags = re.S | (0 if cased else re.I)
            self._rx = re.compile(toks_regex(data), flags)
        elif kind == "re":
            pat, flags = data
            self._rx = re.compile(pat, flags)
        elif kind == "cidr":
            self.net = ipaddress.ip_network(data, strict=False)

    def literals(self):
        if self.kind == "pat":
            runs, cur = [], []
            for t in self.data:
                if t is STAR or t is QM:
                    if cur:
                        runs.append("".join(cur))
                    cur = []
                else:
                    cur.append(t)
            if cur:
                runs.append("".join(cur))
            return runs
        if self.kind == "re":
            return [s for s in re.split(r"[\\\[\](){}.*+?|^$]", self.data[0]) if len(s) >= 2]
        if self.kind == "int":
            return [str(self.data)]
        return []

    def match_text(self, text):
        if self.kind == "pat":
            return self._rx.fullmatch(text) is not None
        if self.kind == "re":
            return self._rx.search(text) is not None
        if self.kind == "int":
            t = text.strip()
            if t == str(self.data):
                return True
            try:
                return int(t, 10) == self.data
            except ValueError:
                return False
        if self.kind == "cidr":
            try:
                return ipaddress.ip_address(text.strip()) in self.net
            except ValueError:
                return False
        raise AssertionError(self.kind)

    def describe(self):
        if self.kind == "pat":
            return "".join("*" if t is STAR else "?" if t is QM else t for t in self.data)
        if self.kind == "re":
            return "re:" + self.data[0]
        return "%s:%s" % (self.kind, self.data)


def make_test(value, mods, field):
    """A Test for one value under the modifiers (or raise Unsupported)."""
    cased = "cased" in mods
    if value is None:
        return Test("null", None)
    if "exists" in mods:
        return Test("exists", bool(value))
    if "re" in mods:
        flags = 0
        if "i" in mods:
            flags |= re.I
        if "m" in mods:
            flags |= re.M
        if "s" in mods:
            flags |= re.S
        try:
            return Test("re", (str(value), flags))
        except re.error as e:
            raise Unsupported("regex Python cannot compile: %s" % e)
    if "cidr" in mods:
        return Test("cidr", str(value))
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, int) and not ({"contains", "startswith", "endswith"} & set(mods)):
        return Test("int", value)
    if isinstance(value, float):
        value = repr(value)
    toks = parse_wild(str(value))
    if "contains" in mods:
        toks = [STAR] + toks + [STAR]
    elif "startswith" in mods:
        toks = toks + [STAR]
    elif "endswith" in mods:
        toks = [STAR] + toks
    return Test("pat", toks, cased=cased)


class Unsupported(Exception):
    pass


# -------------------------------------------------------------------------- detection


class FieldCond:
    def __init__(self, key, value):
        parts = key.split("|")
        self.field = parts[0]
        self.mods = parts[1:]
        bad = [m for m in self.mods if m not in SUPPORTED_MODS]
        if bad:
            raise Unsupported("modifier %s" % "|".join(bad))
        if not self.field:
            raise Unsupported("field-less modifier key %r" % key)
        vals = value if isinstance(value, list) else [value]
        if any(isinstance(v, (dict, list)) for v in vals):
            raise Unsupported("nested value under %s" % key)
        self.all = "all" in self.mods
        self.tests = [make_test(v, self.mods, self.field) for v in vals]

    def alternatives(self):
        if self.all:
            return [[(self.field, t) for t in self.tests]]
        return [[(self.field, t)] for t in self.tests]


class Ident:
    """kind map (AND of FieldConds), maplist (OR of maps), keywords (OR / all)."""

    def __init__(self, name, node):
        self.name = name
        if isinstance(node, dict):
            if set(node) == {"|all"}:
                self.kind = "keywords"
                self.all = True
                self.kw = [make_test(v, ["contains"], None) for v in node["|all"]]
            else:
                if any(k.startswith("|") for k in node):
                    raise Unsupported("keyword modifier other than |all")
                self.kind = "map"
                self.maps = [[FieldCond(k, v) for k, v in node.items()]]
        elif isinstance(node, list):
            if node and all(isinstance(x, dict) for x in node):
                self.kind = "maplist"
                self.maps = [[FieldCond(k, v) for k, v in m.items()] for m in node]
            elif all(not isinstance(x, (dict, list)) for x in node):
                self.kind = "keywords"
                self.all = False
                self.kw = [make_test(v, ["contains"], None) for v in node]
            else:
                raise Unsupported("search identifier mixing maps and values")
        else:
            self.kind = "keywords"
            self.all = False
            self.kw = [make_test(node, ["contains"], None)]

    def fields(self):
        if self.kind == "keywords":
            return []
        return sorted({fc.field for m in self.maps for fc in m})

    def alternatives(self):
        """Lists of requirements ((field, Test) pairs, field None for keywords)."""
        if self.kind == "keywords":
            if self.all:
                return [[(None, t) for t in self.kw]]
            return [[(None, t)] for t in self.kw]
        out = []
        for m in self.maps:
            per = [fc.alternatives() for fc in m]
            for combo in itertools.islice(itertools.product(*per), MAX_COMBOS):
                out.append([req for part in combo for req in part])
        return out


def tokenize_condition(cond):
    toks = re.findall(r"\(|\)|[^\s()]+", cond)
    return toks


def parse_condition(cond, idents):
    toks = tokenize_condition(cond)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        t = peek()
        pos[0] += 1
        return t

    def expand(pattern):
        if pattern == "them":
            names = [n for n in idents if not n.startswith("_")]
        else:
            rx = re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$")
            names = [n for n in idents if rx.match(n)]
        if not names:
            raise Unsupported("condition pattern %r matches no identifier" % pattern)
        return [("id", n) for n in names]

    def primary():
        t = take()
        if t is None:
            raise Unsupported("condition ends early")
        if t == "(":
            e = expr()
            if take() != ")":
                raise Unsupported("unbalanced parentheses")
            return e
        if t in ("1", "any", "all") and peek() == "of":
            take()
            items = expand(take())
            return ("and" if t == "all" else "or", items)
        if t in ("|", "near", "count"):
            raise Unsupported("aggregation or near in condition")
        if t not in idents:
            raise Unsupported("unknown identifier %r in condition" % t)
        return ("id", t)

    def notexpr():
        if peek() == "not":
            take()
            return ("not", notexpr())
        return primary()

    def andexpr():
        items = [notexpr()]
        while peek() == "and":
            take()
            items.append(notexpr())
        return items[0] if len(items) == 1 else ("and", items)

    def expr():
        items = [andexpr()]
        while peek() == "or":
            take()
            items.append(andexpr())
        return items[0] if len(items) == 1 else ("or", items)

    e = expr()
    if peek() is not None:
        raise Unsupported("unparsed condition text %r" % " ".join(toks[pos[0]:]))
    return e


def to_dnf(ast, neg=False):
    op = ast[0]
    if op == "id":
        return [[(ast[1], not neg)]]
    if op == "not":
        return to_dnf(ast[1], not neg)
    conj = (op == "and") != neg
    parts = [to_dnf(a, neg) for a in ast[1]]
    if conj:
        out = []
        for combo in itertools.islice(itertools.product(*parts), 256):
            out.append([lit for c in combo for lit in c])
        return out
    return [c for p in parts for c in p][:256]


class Rule:
    def __init__(self, path, rel, doc):
        self.path = path
        self.rel = rel
        self.doc = doc
        self.id = doc.get("id")
        self.title = doc.get("title")
        self.logsource = doc.get("logsource") or {}
        det = doc["detection"]
        cond = det.get("condition")
        self.idents = {}
        for k, v in det.items():
            if k in ("condition", "timeframe"):
                continue
            self.idents[k] = Ident(k, v)
        if isinstance(cond, list):
            asts = [parse_condition(c, self.idents) for c in cond]
            self.ast = asts[0] if len(asts) == 1 else ("or", asts)
        elif isinstance(cond, str):
            self.ast = parse_condition(cond, self.idents)
        else:
            raise Unsupported("no condition")
        self.dnf = to_dnf(self.ast)

    def fields(self):
        return sorted({f for i in self.idents.values() for f in i.fields()})


# ------------------------------------------------------------------------- evaluation

ABSENT = None


class Unknown:
    """A field the source does not supply (the mapping's supplies): neither present
    nor absent (docs/sigma.md, 'Fields a source cannot supply')."""


UNKNOWN = Unknown()


class Value:
    """A present field value, with alternative readings where the documentation leaves
    the representation open (a Zeek vector as items or joined, a derived field with
    or without a delimiter). A test holding under some readings only is ambiguous."""

    def __init__(self, alts):
        self.alts = alts  # each a str or a list of str

    @staticmethod
    def s(text):
        return Value([text])

    def texts(self):
        out = []
        for a in self.alts:
            if isinstance(a, list):
                out.extend(a)
            else:
                out.append(a)
        return out


class Ctx:
    def __init__(self):
        self.flags = set()


def eval_test(test, v, ctx):
    if v is UNKNOWN:
        ctx.flags.add("unknown")
        return None
    if test.kind == "null":
        return v is ABSENT
    if test.kind == "exists":
        return (v is not ABSENT) == test.data
    if v is ABSENT:
        return False
    results = set()
    for a in v.alts:
        if isinstance(a, list):
            results.add(any(test.match_text(x) for x in a))
        else:
            results.add(test.match_text(a))
    if len(results) == 1:
        return results.pop()
    ctx.flags.add("ambiguous")
    return None


def k_and(vals):
    vals = list(vals)
    if any(v is False for v in vals):
        return False
    if all(v is True for v in vals):
        return True
    return None


def k_or(vals):
    vals = list(vals)
    if any(v is True for v in vals):
        return True
    if all(v is False for v in vals):
        return False
    return None


def eval_keyword(test, event, ctx):
    res = []
    for v in event.values():
        if v is UNKNOWN:
            ctx.flags.add("unknown")
            res.append(None)
        elif v is not ABSENT:
            res.append(eval_test(test, _kw_value(v), ctx))
    return k_or(res) if res else False


def _kw_value(v):
    # A keyword is searched in every value; each reading of the value counts.
    return Value([list(v.texts())])


def eval_ident(ident, event, ctx):
    if ident.kind == "keywords":
        rs = [eval_keyword(t, event, ctx) for t in ident.kw]
        return k_and(rs) if ident.all else k_or(rs)
    out = []
    for m in ident.maps:
        parts = []
        for fc in m:
            v = event.get(fc.field, ABSENT)
            rs = [eval_test(t, v, ctx) for t in fc.tests]
            parts.append(k_and(rs) if fc.all else k_or(rs))
        out.append(k_and(parts))
    return k_or(out)


def eval_ast(ast, rule, event, ctx):
    op = ast[0]
    if op == "id":
        return eval_ident(rule.idents[ast[1]], event, ctx)
    if op == "not":
        r = eval_ast(ast[1], rule, event, ctx)
        return None if r is None else not r
    rs = [eval_ast(a, rule, event, ctx) for a in ast[1]]
    return k_and(rs) if op == "and" else k_or(rs)


def evaluate(rule, event):
    ctx = Ctx()
    r = eval_ast(rule.ast, rule, event, ctx)
    return r, ctx.flags


# ---------------------------------------------------------------------- regex values


class RxFail(Exception):
    pass


def rx_instances(pattern):
    """Short strings the (simple) regular expression matches: one per top-level
    alternative. Only the specification's metacharacters; anything else fails."""
    p = pattern
    if p.startswith("(?i)"):
        p = p[4:]
    pos = [0]

    def peek():
        return p[pos[0]] if pos[0] < len(p) else None

    def take():
        c = p[pos[0]]
        pos[0] += 1
        return c

    def parse_alt():
        alts = [parse_seq()]
        while peek() == "|":
            take()
            alts.append(parse_seq())
        return alts

    def parse_seq():
        seq = []
        while peek() is not None and peek() not in "|)":
            atom = parse_atom()
            q = peek()
            lo, hi = 1, 1
            if q in ("*", "+", "?"):
                take()
                lo = {"*": 0, "+": 1, "?": 0}[q]
            elif q == "{":
                m = re.match(r"\{(\d+)(,(\d*))?\}", p[pos[0]:])
                if not m:
                    raise RxFail("brace")
                pos[0] += m.end()
                lo = int(m.group(1))
            seq.append((atom, lo))
        return seq

    def parse_class():
        neg = False
        if peek() == "^":
            take()
            neg = True
        chars = []
        first = True
        while True:
            c = peek()
            if c is None:
                raise RxFail("class")
            if c == "]" and not first:
                take()
                break
            first = False
            c = take()
            if c == "\\":
                c = take()
                if c in "dws":
                    chars.extend({"d": "0", "w": "a", "s": " "}[c])
                    continue
            if peek() == "-" and pos[0] + 1 < len(p) and p[pos[0] + 1] != "]":
                take()
                hi = take()
                chars.extend(chr(x) for x in range(ord(c), ord(hi) + 1))
            else:
                chars.append(c)
        if neg:
            for cand in "xqz0":
                if cand not in chars:
                    return ("lit", cand)
            raise RxFail("negated class")
        for cand in chars:
            if cand.isalnum():
                return ("lit", cand)
        return ("lit", chars[0])

    def parse_atom():
        c = take()
        if c == "(":
            if p[pos[0]:pos[0] + 2] == "?:":
                pos[0] += 2
            elif peek() == "?":
                raise RxFail("group flag")
            alts = parse_alt()
            if peek() != ")":
                raise RxFail("paren")
            take()
            return ("alt", alts)
        if c == "[":
            return parse_class()
        if c == ".":
            return ("lit", "x")
        if c in "^$":
            return ("lit", "")
        if c == "\\":
            e = take()
            if e == "d":
                return ("lit", "0")
            if e == "w":
                return ("lit", "a")
            if e == "s":
                return ("lit", " ")
            if e.isalnum():
                raise RxFail("escape \\%s" % e)
            return ("lit", e)
        if c in "*+?{":
            raise RxFail("quantifier without atom")
        return ("lit", c)

    def inst_seq(seq):
        out = []
        for atom, lo in seq:
            s = inst_atom(atom)
            out.append(s * lo)
        return "".join(out)

    def inst_atom(atom):
        if atom[0] == "lit":
            return atom[1]
        return inst_seq(atom[1][0])

    top = parse_alt()
    if pos[0] != len(p):
        raise RxFail("trailing")
    return [inst_seq(s) for s in top]


# --------------------------------------------------------------------- synthesis


# How wildcards of a rule value are realised: `?` as this character, `*` between two
# literal parts as this text. The default is the text rule authors mostly mean (their
# `?` is usually the URL's); the wildcard variant uses other text, which the
# specification says must match too.
WILD = ["?", ""]


def synth_pats(tests):
    """A string every wildcard pattern in tests matches (fullmatch), built from their
    literal segments: the longest anchored start, the inner segments in order, the
    longest anchored end. A `?` is realised as the character '?' itself (it matches
    any one character, and rule authors mostly meant the URL's '?'); a `*` as nothing."""
    starts, ends, inners, exact = [], [], [], []
    for t in tests:
        segs = [[]]
        for x in t.data:
            if x is STAR:
                segs.append([])
            else:
                segs[-1].append(WILD[0] if x is QM else x)
        segs = ["".join(g) for g in segs]
        if len(segs) == 1:
            exact.append(segs[0])
            continue
        if segs[0]:
            starts.append(segs[0])
        inners.extend(g for g in segs[1:-1] if g)
        if segs[-1]:
            ends.append(segs[-1])
    if exact:
        return exact[0]
    start = max(starts, key=len) if starts else ""
    end = max(ends, key=len) if ends else ""
    parts = [start]
    for m in inners:
        prev = parts[-1]
        if WILD[1] and prev:
            parts.append(WILD[1])
        elif prev and prev.endswith("=") and m[:1].isalnum():
            parts.append("1&")
        parts.append(m)
    if end:
        if WILD[1] and parts[-1]:
            parts.append(WILD[1])
        parts.append(end)
    return "".join(parts)


def synth_slot(tests, fmt, slot):
    """A raw value for a slot from its tests, or raise Conflict."""
    nulls = [t for t in tests if t.kind == "null"]
    others = [t for t in tests if t.kind not in ("null", "exists")]
    ex = [t for t in tests if t.kind == "exists"]
    if nulls:
        if others or any(t.data for t in ex):
            raise Conflict("null and a value")
        return [ABSENT]
    if any(not t.data for t in ex):
        if others:
            raise Conflict("must not exist and a value")
        return [ABSENT]
    if not others:
        return [fmt.default_for(slot)]
    ints = [t for t in others if t.kind == "int"]
    cidrs = [t for t in others if t.kind == "cidr"]
    rxs = [t for t in others if t.kind == "re"]
    pats = [t for t in others if t.kind == "pat"]
    cands = []
    if ints:
        cands.append(str(ints[0].data))
    elif cidrs:
        net = cidrs[0].net
        host = net.network_address + (1 if net.num_addresses > 2 else 0)
        cands.append(str(host))
    else:
        rx_alts = [""]
        if rxs:
            try:
                rx_alts = rx_instances(rxs[0].data[0])
            except RxFail as e:
                raise Conflict("regex too complex for this generator (%s)" % e)
            if len(rxs) > 1:
                raise Conflict("several regexes on one field")
        base = synth_pats(pats) if pats else ""
        exact = any(not any(x is STAR for x in t.data) for t in pats)
        a_start = exact or any(t.data[:1] != [STAR] for t in pats) or any(
            r.data[0].lstrip("(?i)").startswith("^") for r in rxs)
        a_end = exact or any(t.data[-1:] != [STAR] for t in pats) or any(
            r.data[0].endswith("$") for r in rxs)
        for ra in rx_alts:
            core = base if (exact or not ra) else base + ra
            # a value the rule finds inside a field has text around it in a log:
            # the padded value first, so that contains/endswith are tested as such
            pre, suf = fmt.fill(slot, core)
            if (pre and not a_start) or (suf and not a_end):
                cands.append((pre if not a_start else "") + core + (suf if not a_end else ""))
            cands.append(core)
    out = []
    for c in cands:
        c = fmt.shape_slot(slot, c, tests)
        if c is not None and all(t.match_text(c) for t in others):
            out.append(c)
    if not out:
        raise Conflict("no value satisfies %s" % ", ".join(t.describe() for t in others))
    return out


class Conflict(Exception):
    pass


# ------------------------------------------------------------------------- formats

UA_DEFAULT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
UA_ALT = ["curl/8.4.0", "Wget/1.21.4"]
T0 = 1717200000  # 2024-06-01T00:00:00Z


def fmt_ts(n):
    import time
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(T0 + n))


def ip_ok(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


class Fmt:
    name = "?"
    file = "?"
    per_line_files = False
    supplies = None  # rule fields beyond which fields are UNKNOWN

    def __init__(self):
        self.lines = []  # dicts: values, meta

    # rule field -> slot, None when the format cannot carry it
    def slot_for(self, field):
        raise NotImplementedError

    def keyword_slots(self):
        return []

    def default_for(self, slot):
        return self.defaults.get(slot, ABSENT)

    fillers = {}

    def fill(self, slot, core):
        """Text before and after a value a rule looks for inside a field."""
        f = self.fillers.get(slot)
        if f is None:
            return "", ""
        if callable(f):
            return f(core)
        return f

    def alt_values(self, slot):
        return []

    def shape_slot(self, slot, value, tests):
        return value

    def encodable(self, slot, value):
        return True

    def typed(self, slot):
        return "str"

    def host_slot(self):
        raise NotImplementedError

    def accept(self, reqs):
        return True


PUBLIC_POOL = "100.77."


def identity_addr(vals, slot, r, k):
    """The line's own client address: 10.77.R.K, or 100.77.R.K when the rule needs a
    client outside the private ranges; kept as is when a rule requirement set it."""
    if slot in vals.get("_keep", ()):
        return
    cur = vals.get(slot)
    if isinstance(cur, str) and cur.startswith(PUBLIC_POOL):
        vals[slot] = "100.77.%d.%d" % (r, k)
    else:
        vals[slot] = "10.77.%d.%d" % (r, k)


def pad_ua(v):
    """A user agent built from a contains value has the value's blanks at its ends:
    give it a product before and a comment after, as user agents have."""
    if v is ABSENT or v == "":
        return v
    if v.startswith(" "):
        v = "Mozilla/5.0" + v
    if v.endswith(" "):
        v = v + "(compatible)"
    return v


def ua_ok(v):
    """cs(User-Agent) in a W3C log: '+' stands for a blank, so a '+' of the value
    itself cannot be written, nor an empty value."""
    return (v != "" and v != "-" and "+" not in v and not re.search(r"[\t\r\n]", v))


def host_fill(core):
    pre = "a1" if core.startswith((".", "-")) else "a1."
    suf = "example.com" if core.endswith(".") else ".lan"
    return pre, suf


def url_fill(core):
    first = re.split(r"[/?]", core, 1)[0]
    if first and re.fullmatch(r"[.A-Za-z0-9-]*\.[A-Za-z]{2,}", first):
        return "http://" + ("www" if core[:1] in ".-" else ""), "x1"
    return ("/app" if core.startswith("/") else "/app/"), "x1"


def uri_fill(core):
    return ("/app" if core.startswith("/") else "/app/"), "x1"


UA_FILL = ("Mozilla/5.0 (compatible; ", " 1.0")


def _w3c_plain_ok(v):
    return v != "" and v != "-" and not re.search(r"\s", v) and not v.startswith("#")


class IIS(Fmt):
    """IIS W3C extended log (the IIS default fields and cs-host, cs(Cookie),
    cs(Referer)); spaces in cs(User-Agent) written as '+' (docs/network.md)."""
    kind = "w3c"

    def __init__(self, named=True):
        super().__init__()
        self.named = named
        self.name = "iis" if named else "iis-noname"
        self.file = "webserver/u_ex240601.log" if named else "webserver-noname/u_ex240601.log"
        self.columns = (["date", "time", "s-sitename"] + (["s-computername"] if named else []) +
                        ["s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port",
                         "cs-username", "c-ip", "cs-version", "cs(User-Agent)", "cs(Cookie)",
                         "cs(Referer)", "cs-host", "sc-status", "sc-substatus",
                         "sc-win32-status", "sc-bytes", "cs-bytes", "time-taken"])
        self.alias = {"cs-user-agent": "cs(User-Agent)", "cs-referer": "cs(Referer)",
                      "cs-cookie": "cs(Cookie)", "src_ip": "c-ip", "dst_ip": "s-ip",
                      "dst_port": "s-port"}
        self.fillers = {"cs-uri-query": ("a=1&", "&b=2"), "cs-uri-stem": uri_fill,
                        "cs(User-Agent)": UA_FILL, "cs(Referer)": ("https://portal.corp.example", ""),
                        "cs(Cookie)": ("lang=en; ", ""), "cs-host": host_fill,
                        "cs-username": ("CORP\\", "")}
        self.defaults = {"s-sitename": "W3SVC1", "cs-method": "GET",
                         "cs-uri-stem": "/portal/default.aspx", "cs-uri-query": "page=1",
                         "s-port": "443", "cs-username": ABSENT, "cs-version": "HTTP/1.1",
                         "cs(User-Agent)": UA_DEFAULT, "cs(Cookie)": ABSENT,
                         "cs(Referer)": ABSENT, "cs-host": "portal.corp.example",
                         "sc-status": "200", "sc-substatus": "0", "sc-win32-status": "0",
                         "sc-bytes": "5120", "cs-bytes": "612", "time-taken": "31"}

    def slot_for(self, field):
        if field in ("date", "time"):
            return None
        if field in self.columns:
            return field
        return self.alias.get(field)

    def keyword_slots(self):
        return ["cs-uri-query", "cs(User-Agent)", "cs(Referer)", "cs-uri-stem"]

    def alt_values(self, slot):
        return {"cs-method": ["GET", "POST", "HEAD", "PUT"],
                "sc-status": ["200", "404", "302", "500", "401"],
                "cs(User-Agent)": [ABSENT, UA_DEFAULT] + UA_ALT,
                "cs(Referer)": [ABSENT, "https://portal.corp.example/home.aspx"],
                "cs(Cookie)": [ABSENT, "ASP.NET_SessionId=k2j3h4"],
                "cs-username": [ABSENT, "CORP\\svc-web", "anonymous"],
                "cs-uri-query": [ABSENT, "page=1"],
                "c-ip": [PUBLIC_POOL + "0.0"]}.get(slot, [])

    def shape_slot(self, slot, v, tests):
        if slot == "cs(User-Agent)":
            return pad_ua(v)
        return v

    def encodable(self, slot, v):
        if v is ABSENT:
            return True
        if slot == "cs(User-Agent)":
            return ua_ok(v)
        if slot in ("sc-status", "sc-substatus", "sc-win32-status", "s-port", "sc-bytes",
                    "cs-bytes", "time-taken"):
            return v.isdigit()
        if slot in ("c-ip", "s-ip"):
            return ip_ok(v)
        return _w3c_plain_ok(v)

    def typed(self, slot):
        if slot in ("sc-status", "sc-substatus", "sc-win32-status", "s-port", "sc-bytes",
                    "cs-bytes", "time-taken"):
            return "int"
        if slot in ("c-ip", "s-ip"):
            return "addr"
        return "str"

    def host_slot(self):
        return "s-computername" if self.named else "s-ip"

    def set_identity(self, vals, r, k):
        identity_addr(vals, "c-ip", r, k)
        vals["s-ip"] = "10.78.%d.%d" % (r, k)
        if self.named:
            vals["s-computername"] = "web-%03d-%02d" % (r, k)

    def expected_host(self, vals):
        return vals["s-computername"] if self.named else vals["s-ip"]

    def render(self, vals, n):
        d, t = fmt_ts(n).split(" ")
        rec = {"date": d, "time": t}
        out = []
        for c in self.columns:
            if c in ("date", "time"):
                out.append(rec[c])
                continue
            v = vals.get(c, ABSENT)
            rec[c] = v
            if v is ABSENT:
                out.append("-")
            elif c == "cs(User-Agent)":
                out.append(v.replace(" ", "+"))
            else:
                out.append(v)
        return rec, " ".join(out)

    def model(self, rec):
        ev = {}
        for c in self.columns:
            v = rec.get(c, ABSENT)
            ev[c] = ABSENT if v is ABSENT else Value.s(v)
        for a, c in self.alias.items():
            ev[a] = ev[c]
        return ev

    def header(self):
        return ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
                "#Date: " + fmt_ts(0), "#Fields: " + " ".join(self.columns)]

    def footer(self):
        return []


class IISRawUA(IIS):
    """The IIS log read as its text says: a rule whose cs-user-agent values are IIS's
    own '+' form (the blanks of the user agent written as '+') expects to match the
    line IIS writes for that user agent. Only lines that use such a value; the
    expectation is the rule author's, not the documented reading (see the report)."""

    def __init__(self):
        super().__init__(True)
        self.name = "iis-raw-ua"

    def shape_slot(self, slot, v, tests):
        return v

    def encodable(self, slot, v):
        if slot == "cs(User-Agent)" and v is not ABSENT:
            return v != "" and v != "-" and not re.search(r"\s", v)
        return super().encodable(slot, v)

    def accept(self, reqs):
        return any(slot == "cs(User-Agent)" and any("+" in x for x in t.literals())
                   for slot, t, f in reqs)

    def render(self, vals, n):
        v = dict(vals)
        ua = v.get("cs(User-Agent)")
        rec, line = super().render({**v, "cs(User-Agent)": ABSENT}, n)
        parts = line.split(" ")
        i = self.columns.index("cs(User-Agent)")
        parts[i] = "-" if ua is ABSENT else ua
        rec["cs(User-Agent)"] = ua
        return rec, " ".join(parts)


def split_url(u):
    """(scheme, host, path, query) of a logged URL; scheme and host empty for a path."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", u)
    if m:
        scheme, host, rest = m.group(1), m.group(2), m.group(3)
    else:
        scheme, host, rest = "", "", u
    if "?" in rest:
        path, q = rest.split("?", 1)
    else:
        path, q = rest, None
    return scheme, host, path, q


def url_derived(u):
    """The taxonomy's derived proxy fields of a URL, with the readings the
    documentation leaves open as alternatives."""
    scheme, host, path, q = split_url(u)
    ev = {}
    stems = [path] if not scheme else [path, "%s://%s%s" % (scheme, host, path)]
    ev["c-uri-stem"] = Value(stems)
    if q is None or q == "":
        ev["c-uri-query"] = ABSENT
    else:
        ev["c-uri-query"] = Value([q, "?" + q])
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.endswith("."):
        ev["c-uri-extension"] = Value.s(last.rsplit(".", 1)[1])
    else:
        ev["c-uri-extension"] = ABSENT
    return ev, host


class URLSlots:
    """Virtual slots url, host, query, ext composed into one logged URL."""

    def compose_url(self, vals, form):
        u = vals.get("url")
        host = vals.get("host") or "www.example.com"
        q = vals.get("query")
        ext = vals.get("ext")
        if u is ABSENT or u is None:
            u = "/download/setup." + ext if ext else "/index.html"
        elif ext:
            s, h, p, qq = split_url(u)
            p = p + ("" if p.endswith("/") else "/") + "setup." + ext
            u = ("%s://%s%s" % (s, h, p) if s else p) + ("?" + qq if qq is not None else "")
        if q:
            u = u + ("&" if "?" in u else "?") + q
        s, h, p, qq = split_url(u)
        if s:
            return u, h
        if not u.startswith("/"):
            # a value starting inside the URL: a host name and its path, or a path
            first = re.split(r"[/?]", u, 1)[0]
            if re.fullmatch(r"[.A-Za-z0-9-]*\.[A-Za-z]{2,}", first) and (
                    "/" in u or "?" in u or first == u):
                hp = first if first[0].isalnum() else "www" + (
                    "" if first.startswith(".") else "x") + first
                rest = u[len(first):]
                if not rest.startswith("/"):
                    rest = "/" + rest
                if form == "full":
                    return "http://%s%s" % (hp, rest), hp
                return "/" + u, host
            u = "/" + u
        if form == "full":
            return "http://%s%s" % (host, u), host
        return u, host


class W3CProxy(Fmt, URLSlots):
    """A W3C extended log written by a forward proxy (s-action, r-ip/r-port the server
    it fetched from, rs(Content-Type)); cs-uri is the URL as logged (absolute, or the
    path form), cs-host the Host."""
    kind = "w3c"
    name = "w3c-proxy"
    file = "proxy-w3c/proxy_w3c.log"

    def __init__(self):
        super().__init__()
        self.columns = ["date", "time", "time-taken", "c-ip", "cs-username", "s-action",
                        "sc-status", "cs-method", "cs-uri", "cs-host", "r-ip", "r-port",
                        "rs(Content-Type)", "cs(User-Agent)", "cs(Referer)", "cs(Cookie)",
                        "sc-bytes", "cs-bytes"]
        self.alias = {"c-useragent": "cs(User-Agent)", "cs-referer": "cs(Referer)",
                      "cs-referrer": "cs(Referer)", "cs-cookie": "cs(Cookie)",
                      "src_ip": "c-ip", "dst_ip": "r-ip", "dst_port": "r-port"}
        self.fillers = {"url": url_fill, "host": host_fill, "cs(User-Agent)": UA_FILL,
                        "cs(Referer)": ("https://www.example.com", ""),
                        "cs(Cookie)": ("lang=en; ", ""), "query": ("a=1&", "&b=2"),
                        "cs-uri-stem": uri_fill, "cs-uri-query": ("a=1&", "&b=2")}
        self.defaults = {"time-taken": "84", "cs-username": ABSENT, "s-action": "TCP_MISS",
                         "sc-status": "200", "cs-method": "GET", "url": ABSENT,
                         "host": "www.example.com", "r-ip": "203.0.113.80", "r-port": "80",
                         "rs(Content-Type)": "text/html", "cs(User-Agent)": UA_DEFAULT,
                         "cs(Referer)": ABSENT, "cs(Cookie)": ABSENT, "sc-bytes": "4312",
                         "cs-bytes": "388", "query": ABSENT, "ext": ABSENT}

    def slot_for(self, field):
        v = {"c-uri": "url", "cs-uri": "url", "c-uri-stem": "url", "cs-host": "host",
             "r-dns": "host", "c-uri-query": "query", "c-uri-extension": "ext"}.get(field)
        if v:
            return v
        if field in self.alias:
            return self.alias[field]
        if field in self.columns and field not in ("date", "time", "cs-uri"):
            return field
        return None

    def keyword_slots(self):
        return ["url", "cs(User-Agent)", "cs(Referer)"]

    def alt_values(self, slot):
        return {"cs-method": ["GET", "POST", "HEAD", "PUT", "CONNECT"],
                "sc-status": ["200", "404", "302", "500", "403"],
                "cs(User-Agent)": [UA_DEFAULT] + UA_ALT,
                "cs(Referer)": [ABSENT, "https://www.example.com/start"],
                "cs(Cookie)": [ABSENT, "session=4b1c9e"],
                "host": ["www.example.com", "static.example.io"],
                "r-ip": ["203.0.113.80", "10.20.30.40"],
                "c-ip": [PUBLIC_POOL + "0.0"]}.get(slot, [])

    def shape_slot(self, slot, v, tests):
        if slot == "host" and v is not ABSENT:
            return shape_host(v)
        if slot == "cs(User-Agent)":
            return pad_ua(v)
        return v

    def encodable(self, slot, v):
        if v is ABSENT:
            return True
        if slot == "cs(User-Agent)":
            return ua_ok(v)
        if slot in ("sc-status", "time-taken", "r-port", "sc-bytes", "cs-bytes"):
            return v.isdigit()
        if slot in ("c-ip", "r-ip"):
            return ip_ok(v)
        if slot == "ext":
            return re.fullmatch(r"[A-Za-z0-9]+", v) is not None
        return _w3c_plain_ok(v)

    def typed(self, slot):
        if slot in ("sc-status", "r-port", "sc-bytes", "cs-bytes", "time-taken"):
            return "int"
        if slot in ("c-ip", "r-ip"):
            return "addr"
        return "str"

    def host_slot(self):
        return "c-ip"

    def set_identity(self, vals, r, k):
        identity_addr(vals, "c-ip", r, k)

    def expected_host(self, vals):
        return vals["c-ip"]

    def render(self, vals, n):
        url, host = self.compose_url(vals, vals.get("_form", "full"))
        if url is None or not _w3c_plain_ok(url) or not _w3c_plain_ok(host):
            return None, None
        d, t = fmt_ts(n).split(" ")
        rec = {"date": d, "time": t, "cs-uri": url, "cs-host": host}
        out = []
        for c in self.columns:
            if c not in rec:
                rec[c] = vals.get(c, ABSENT)
            v = rec[c]
            if v is ABSENT:
                out.append("-")
            elif c == "cs(User-Agent)":
                out.append(v.replace(" ", "+"))
            else:
                out.append(v)
        return rec, " ".join(out)

    def model(self, rec):
        ev = {}
        for c in self.columns:
            v = rec.get(c, ABSENT)
            ev[c] = ABSENT if v is ABSENT else Value.s(v)
        for a, c in self.alias.items():
            ev[a] = ev[c]
        u = rec["cs-uri"]
        ev["c-uri"] = Value.s(u)
        d, _ = url_derived(u)
        ev.update(d)
        ev["cs-host"] = Value.s(rec["cs-host"].lower())
        ev["r-dns"] = ev["cs-host"]
        return ev

    def header(self):
        return ["#Software: SGOS 7.3.10.1", "#Version: 1.0", "#Date: " + fmt_ts(0),
                "#Fields: " + " ".join(self.columns)]

    def footer(self):
        return []


class W3CProxyStem(W3CProxy):
    """The same proxy log with the URL in cs-uri-stem and cs-uri-query (the rules
    that name those W3C columns in a proxy rule)."""
    name = "w3c-proxy-stem"
    file = "proxy-w3c/proxy_w3c_stem.log"

    def __init__(self):
        super().__init__()
        self.columns = ["date", "time", "time-taken", "c-ip", "cs-username", "s-action",
                        "sc-status", "cs-method", "cs-host", "cs-uri-stem", "cs-uri-query",
                        "r-ip", "r-port", "rs(Content-Type)", "cs(User-Agent)",
                        "cs(Referer)", "cs(Cookie)", "sc-bytes", "cs-bytes"]
        self.defaults.update({"cs-uri-stem": "/index.html", "cs-uri-query": ABSENT})

    def slot_for(self, field):
        if field in ("cs-uri-stem", "cs-uri-query"):
            return field
        if field in ("c-uri", "cs-uri", "c-uri-stem", "c-uri-query", "c-uri-extension"):
            return None  # composed from the two columns: not generated here
        return super().slot_for(field)

    def keyword_slots(self):
        return ["cs-uri-query", "cs(User-Agent)"]

    def render(self, vals, n):
        host = vals.get("host") or "www.example.com"
        stem = vals.get("cs-uri-stem") or "/index.html"
        if not stem.startswith("/"):
            return None, None
        d, t = fmt_ts(n).split(" ")
        rec = {"date": d, "time": t, "cs-host": host}
        out = []
        for c in self.columns:
            if c not in rec:
                rec[c] = vals.get(c, ABSENT)
            v = rec[c]
            if v is ABSENT:
                out.append("-")
            elif c == "cs(User-Agent)":
                out.append(v.replace(" ", "+"))
            else:
                if not _w3c_plain_ok(v) and c != "cs(User-Agent)":
                    return None, None
                out.append(v)
        return rec, " ".join(out)

    def model(self, rec):
        ev = {}
        for c in self.columns:
            v = rec.get(c, ABSENT)
            ev[c] = ABSENT if v is ABSENT else Value.s(v)
        for a, c in self.alias.items():
            ev[a] = ev[c]
        u = rec["cs-uri-stem"] + ("?" + rec["cs-uri-query"] if rec.get("cs-uri-query") not in (ABSENT, None) else "")
        ev["c-uri"] = Value.s(u)
        ev["cs-uri"] = Value.s(u)
        d, _ = url_derived(u)
        ev.update(d)
        ev["cs-host"] = Value.s(rec["cs-host"].lower())
        ev["r-dns"] = ev["cs-host"]
        return ev


def shape_host(v):
    """A host name of DNS-sized labels (a regex may ask for a long run of any
    characters: dots count as characters)."""
    if v is ABSENT:
        return v
    labels = v.split(".")
    out = []
    for lab in labels:
        while len(lab) > 60:
            out.append(lab[:60])
            lab = lab[60:]
        out.append(lab)
    return ".".join(out)


class Squid(Fmt, URLSlots):
    """Squid's native access.log: time elapsed client code/status bytes method URL
    ident hierarchy/peer type. Supplies only what the proxy-squid entry lists."""
    kind = "squid"
    name = "squid"
    file = "squid/access.log"
    supplies = {"c-uri", "cs-uri", "c-uri-stem", "c-uri-query", "c-uri-extension", "cs-host",
                "r-dns", "cs-method", "cs-username", "sc-status", "sc-bytes", "src_ip",
                "dst_ip", "dst_port"}

    def __init__(self):
        super().__init__()
        self.fillers = {"url": url_fill, "host": host_fill, "query": ("a=1&", "&b=2")}
        self.defaults = {"elapsed": "118", "code": "TCP_MISS", "sc-status": "200",
                         "sc-bytes": "5123", "cs-method": "GET", "url": ABSENT,
                         "host": "www.example.com", "cs-username": ABSENT,
                         "peer": "203.0.113.80", "type": "text/html", "query": ABSENT,
                         "ext": ABSENT}

    def slot_for(self, field):
        if field not in self.supplies:
            return "UNSUPPLIED"
        return {"c-uri": "url", "cs-uri": "url", "c-uri-stem": "url", "cs-host": "host",
                "r-dns": "host", "c-uri-query": "query", "c-uri-extension": "ext",
                "cs-method": "cs-method", "cs-username": "cs-username",
                "sc-status": "sc-status", "sc-bytes": "sc-bytes", "src_ip": "client",
                "dst_ip": "peer", "dst_port": None}.get(field)

    def keyword_slots(self):
        return []

    def alt_values(self, slot):
        return {"cs-method": ["GET", "POST", "HEAD", "PUT"],
                "sc-status": ["200", "404", "302", "500", "403"],
                "peer": ["203.0.113.80", "10.20.30.40"],
                "host": ["www.example.com", "static.example.io"],
                "client": [PUBLIC_POOL + "0.0"]}.get(slot, [])

    def shape_slot(self, slot, v, tests):
        if slot == "host" and v is not ABSENT:
            return shape_host(v)
        return v

    def encodable(self, slot, v):
        if v is ABSENT:
            return slot not in ("cs-method", "sc-status", "sc-bytes", "client", "peer")
        if slot in ("sc-status", "sc-bytes"):
            return v.isdigit()
        if slot in ("client", "peer"):
            return ip_ok(v)
        if slot == "ext":
            return re.fullmatch(r"[A-Za-z0-9]+", v) is not None
        return _w3c_plain_ok(v)

    def typed(self, slot):
        if slot in ("sc-status", "sc-bytes"):
            return "int"
        if slot in ("client", "peer"):
            return "addr"
        return "str"

    def host_slot(self):
        return "client"

    def set_identity(self, vals, r, k):
        identity_addr(vals, "client", r, k)

    def expected_host(self, vals):
        return vals["client"]

    def render(self, vals, n):
        url, host = self.compose_url(vals, "full")
        if url is None or not url.lower().startswith("http") or not _w3c_plain_ok(url):
            return None, None
        ident = vals.get("cs-username")
        rec = {"url": url, "client": vals["client"], "cs-method": vals["cs-method"],
               "sc-status": vals["sc-status"], "sc-bytes": vals["sc-bytes"],
               "cs-username": ident, "peer": vals["peer"]}
        line = "%d.%03d %6s %s %s/%s %s %s %s %s HIER_DIRECT/%s %s" % (
            T0 + n, 431, vals["elapsed"], vals["client"], vals["code"], vals["sc-status"],
            vals["sc-bytes"], vals["cs-method"], url, "-" if ident is ABSENT else ident,
            vals["peer"], vals["type"])
        return rec, line

    def model(self, rec):
        ev = {}
        u = rec["url"]
        ev["c-uri"] = Value.s(u)
        ev["cs-uri"] = Value.s(u)
        d, host = url_derived(u)
        ev.update(d)
        h = host.lower().split(":")[0]
        ev["cs-host"] = Value.s(h)
        ev["r-dns"] = Value.s(h)
        ev["cs-method"] = Value.s(rec["cs-method"])
        ev["sc-status"] = Value.s(rec["sc-status"])
        ev["sc-bytes"] = Value.s(rec["sc-bytes"])
        ev["cs-username"] = ABSENT if rec["cs-username"] is ABSENT else Value.s(rec["cs-username"])
        ev["src_ip"] = Value.s(rec["client"])
        ev["dst_ip"] = Value.s(rec["peer"])
        ev["dst_port"] = ABSENT
        return ev

    def header(self):
        return []

    def footer(self):
        return []


# Zeek TSV logs: columns and types from Zeek's scripts (base/protocols/*/main.zeek,
# base/files/x509/main.zeek; http with policy/protocols/http/header-names).
ZEEK_LOGS = {
    "conn": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
             ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"),
             ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"),
             ("resp_bytes", "count"), ("conn_state", "string"), ("local_orig", "bool"),
             ("local_resp", "bool"), ("missed_bytes", "count"), ("history", "string"),
             ("orig_pkts", "count"), ("orig_ip_bytes", "count"), ("resp_pkts", "count"),
             ("resp_ip_bytes", "count"), ("tunnel_parents", "set[string]")],
    "dns": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
            ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"),
            ("trans_id", "count"), ("rtt", "interval"), ("query", "string"),
            ("qclass", "count"), ("qclass_name", "string"), ("qtype", "count"),
            ("qtype_name", "string"), ("rcode", "count"), ("rcode_name", "string"),
            ("AA", "bool"), ("TC", "bool"), ("RD", "bool"), ("RA", "bool"), ("Z", "count"),
            ("answers", "vector[string]"), ("TTLs", "vector[interval]"), ("rejected", "bool")],
    "http": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
             ("id.resp_h", "addr"), ("id.resp_p", "port"), ("trans_depth", "count"),
             ("method", "string"), ("host", "string"), ("uri", "string"),
             ("referrer", "string"), ("version", "string"), ("user_agent", "string"),
             ("origin", "string"), ("request_body_len", "count"),
             ("response_body_len", "count"), ("status_code", "count"),
             ("status_msg", "string"), ("info_code", "count"), ("info_msg", "string"),
             ("tags", "set[enum]"), ("username", "string"), ("password", "string"),
             ("proxied", "set[string]"), ("orig_fuids", "vector[string]"),
             ("orig_filenames", "vector[string]"), ("orig_mime_types", "vector[string]"),
             ("resp_fuids", "vector[string]"), ("resp_filenames", "vector[string]"),
             ("resp_mime_types", "vector[string]"), ("client_header_names", "vector[string]"),
             ("server_header_names", "vector[string]")],
    "dce_rpc": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"),
                ("id.orig_p", "port"), ("id.resp_h", "addr"), ("id.resp_p", "port"),
                ("rtt", "interval"), ("named_pipe", "string"), ("endpoint", "string"),
                ("operation", "string")],
    "smb_files": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"),
                  ("id.orig_p", "port"), ("id.resp_h", "addr"), ("id.resp_p", "port"),
                  ("fuid", "string"), ("action", "enum"), ("path", "string"),
                  ("name", "string"), ("size", "count"), ("prev_name", "string"),
                  ("times.modified", "time"), ("times.accessed", "time"),
                  ("times.created", "time"), ("times.changed", "time")],
    "kerberos": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"),
                 ("id.orig_p", "port"), ("id.resp_h", "addr"), ("id.resp_p", "port"),
                 ("request_type", "string"), ("client", "string"), ("service", "string"),
                 ("success", "bool"), ("error_msg", "string"), ("from", "time"),
                 ("till", "time"), ("cipher", "string"), ("forwardable", "bool"),
                 ("renewable", "bool"), ("client_cert_subject", "string"),
                 ("client_cert_fuid", "string"), ("server_cert_subject", "string"),
                 ("server_cert_fuid", "string")],
    "rdp": [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
            ("id.resp_h", "addr"), ("id.resp_p", "port"), ("cookie", "string"),
            ("result", "string"), ("security_protocol", "string"),
            ("client_channels", "vector[string]"), ("keyboard_layout", "string"),
            ("client_build", "string"), ("client_name", "string"),
            ("client_dig_product_id", "string"), ("desktop_width", "count"),
            ("desktop_height", "count"), ("requested_color_depth", "string"),
            ("cert_type", "string"), ("cert_count", "count"), ("cert_permanent", "bool"),
            ("encryption_level", "string"), ("encryption_method", "string")],
    "x509": [("ts", "time"), ("fingerprint", "string"), ("certificate.version", "count"),
             ("certificate.serial", "string"), ("certificate.subject", "string"),
             ("certificate.issuer", "string"), ("certificate.not_valid_before", "time"),
             ("certificate.not_valid_after", "time"), ("certificate.key_alg", "string"),
             ("certificate.sig_alg", "string"), ("certificate.key_type", "string"),
             ("certificate.key_length", "count"), ("certificate.exponent", "string"),
             ("certificate.curve", "string"), ("san.dns", "vector[string]"),
             ("san.uri", "vector[string]"), ("san.email", "vector[string]"),
             ("san.ip", "vector[addr]"), ("basic_constraints.ca", "bool"),
             ("basic_constraints.path_len", "count"), ("host_cert", "bool"),
             ("client_cert", "bool")],
}

ZEEK_DEFAULTS = {
    "conn": {"id.orig_p": "49731", "id.resp_h": "203.0.113.80", "id.resp_p": "443",
             "proto": "tcp", "service": "ssl", "duration": "1.204311", "orig_bytes": "812",
             "resp_bytes": "5230", "conn_state": "SF", "local_orig": "T", "local_resp": "F",
             "missed_bytes": "0", "history": "ShADadFf", "orig_pkts": "9",
             "orig_ip_bytes": "1292", "resp_pkts": "8", "resp_ip_bytes": "5650",
             "tunnel_parents": ""},
    "dns": {"id.orig_p": "53211", "id.resp_h": "10.1.0.53", "id.resp_p": "53", "proto": "udp",
            "trans_id": "41213", "rtt": "0.012201", "query": "www.example.com", "qclass": "1",
            "qclass_name": "C_INTERNET", "qtype": "1", "qtype_name": "A", "rcode": "0",
            "rcode_name": "NOERROR", "AA": "F", "TC": "F", "RD": "T", "RA": "T", "Z": "0",
            "answers": "93.184.216.34", "TTLs": "300.000000", "rejected": "F"},
    "http": {"id.orig_p": "49812", "id.resp_h": "203.0.113.80", "id.resp_p": "80",
             "trans_depth": "1", "method": "GET", "host": "www.example.com",
             "uri": "/index.html", "referrer": ABSENT, "version": "1.1",
             "user_agent": UA_DEFAULT, "origin": ABSENT, "request_body_len": "0",
             "response_body_len": "4312", "status_code": "200", "status_msg": "OK",
             "info_code": ABSENT, "info_msg": ABSENT, "tags": "", "username": ABSENT,
             "password": ABSENT, "proxied": ABSENT, "orig_fuids": ABSENT,
             "orig_filenames": ABSENT, "orig_mime_types": ABSENT,
             "resp_fuids": "FqL2kA3Cw0c4dvlu7i", "resp_filenames": ABSENT,
             "resp_mime_types": "text/html",
             "client_header_names": "HOST,USER-AGENT,ACCEPT,CONNECTION",
             "server_header_names": ABSENT},
    "dce_rpc": {"id.orig_p": "49902", "id.resp_h": "10.1.0.10", "id.resp_p": "445",
                "rtt": "0.000412", "named_pipe": "\\pipe\\lsass", "endpoint": "lsarpc",
                "operation": "LsarLookupSids3"},
    "smb_files": {"id.orig_p": "49903", "id.resp_h": "10.1.0.12", "id.resp_p": "445",
                  "fuid": "FkS0Wc1bJ9iTz3Hb2", "action": "SMB::FILE_OPEN",
                  "path": "\\\\FS01\\share", "name": "reports\\q2.xlsx", "size": "48213",
                  "prev_name": ABSENT, "times.modified": "1717100000.000000",
                  "times.accessed": "1717100000.000000", "times.created": "1717000000.000000",
                  "times.changed": "1717100000.000000"},
    "kerberos": {"id.orig_p": "49904", "id.resp_h": "10.1.0.10", "id.resp_p": "88",
                 "request_type": "AS", "client": "alice/CORP.EXAMPLE",
                 "service": "krbtgt/CORP.EXAMPLE", "success": "T", "error_msg": ABSENT,
                 "from": ABSENT, "till": "1717286400.000000",
                 "cipher": "aes256-cts-hmac-sha1-96", "forwardable": "T", "renewable": "T",
                 "client_cert_subject": ABSENT, "client_cert_fuid": ABSENT,
                 "server_cert_subject": ABSENT, "server_cert_fuid": ABSENT},
    "rdp": {"id.orig_p": "49905", "id.resp_h": "10.1.0.30", "id.resp_p": "3389",
            "cookie": "alice", "result": "Success", "security_protocol": "HYBRID",
            "client_channels": "rdpdr,rdpsnd,cliprdr", "keyboard_layout": "English - United States",
            "client_build": "RDP 10.0", "client_name": "WS-0142",
            "client_dig_product_id": ABSENT, "desktop_width": "1920",
            "desktop_height": "1080", "requested_color_depth": "32bit", "cert_type": ABSENT,
            "cert_count": "0", "cert_permanent": ABSENT, "encryption_level": ABSENT,
            "encryption_method": ABSENT},
    "x509": {"fingerprint": "3f1c8e0e2a9b5c4d7e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
             "certificate.version": "3", "certificate.serial": "0A1B2C3D4E5F",
             "certificate.subject": "CN=www.example.com,O=Example Corp,C=US",
             "certificate.issuer": "CN=Example Issuing CA,O=Example Corp,C=US",
             "certificate.not_valid_before": "1704067200.000000",
             "certificate.not_valid_after": "1735689600.000000",
             "certificate.key_alg": "rsaEncryption",
             "certificate.sig_alg": "sha256WithRSAEncryption", "certificate.key_type": "rsa",
             "certificate.key_length": "2048", "certificate.exponent": "65537",
             "certificate.curve": ABSENT, "san.dns": "www.example.com", "san.uri": ABSENT,
             "san.email": ABSENT, "san.ip": ABSENT, "basic_constraints.ca": ABSENT,
             "basic_constraints.path_len": ABSENT, "host_cert": "T", "client_cert": "F"},
}

ZEEK_ALTS = {
    "method": ["GET", "POST", "PUT", "HEAD"],
    "status_code": ["200", "404", "302", "500"],
    "user_agent": [UA_DEFAULT] + UA_ALT,
    "request_body_len": ["0", "1342"],
    "qtype_name": ["A", "AAAA", "TXT", "NS", "MX"],
    "Z": ["0", "1"],
    "id.resp_p": ["443", "80", "53", "137", "8443"],
    "id.resp_h": ["203.0.113.80", "10.1.0.20"],
    "answers": ["93.184.216.34", ABSENT],
    "rejected": ["F", "T"],
    "client_header_names": ["HOST,USER-AGENT,ACCEPT,CONNECTION",
                            "HOST,AUTHORIZATION,CONTENT-TYPE,CONTENT-LENGTH"],
    "request_type": ["AS", "TGS"],
    "cipher": ["aes256-cts-hmac-sha1-96", "rc4-hmac"],
    "id.orig_h": [PUBLIC_POOL + "0.0"],
    "host": ["www.example.com", "static.example.io"],
}
QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
          "SRV": 33, "ANY": 255}

# The entries of config/sigma-logsources.yml that bind a rule to a Zeek log: renames.
ZEEK_BINDINGS = {
    ("dns", "dns"): {"answer": "answers", "record_type": "qtype_name",
                     "response_code": "rcode_name", "src_ip": "id.orig_h",
                     "dst_ip": "id.resp_h"},
    ("http", "proxy"): {"c-uri": "uri", "cs-uri": "uri", "c-useragent": "user_agent",
                        "cs-host": "host", "r-dns": "host", "cs-method": "method",
                        "sc-status": "status_code", "cs-referrer": "referrer",
                        "cs-username": "username", "cs-bytes": "request_body_len",
                        "sc-bytes": "response_body_len", "src_ip": "id.orig_h",
                        "dst_ip": "id.resp_h", "dst_port": "id.resp_p"},
    ("conn", "firewall"): {"src_ip": "id.orig_h", "src_port": "id.orig_p",
                           "dst_ip": "id.resp_h", "dst_port": "id.resp_p",
                           "protocol": "proto"},
    ("http", "zeek"): {"c-uri": "uri", "c-useragent": "user_agent"},
}


def zeek_escape(v, typ):
    """A value as Zeek's ASCII writer writes it: non-printable bytes as \\xNN and every
    backslash doubled (ODesc::FirstEscapeLoc / util::get_escaped_string), the reserved
    '-' and '(empty)' with their first byte escaped."""
    if v == "":
        return "(empty)"
    out = []
    for ch in v:
        o = ord(ch)
        if ch == "\t" or ch == "\n" or o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(ch)
    s = "".join(out)
    if s in ("-", "(empty)"):
        s = "\\x%02x" % ord(s[0]) + s[1:]
    return s


def zeek_unescape(s):
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)


class Zeek(Fmt):
    kind = "zeek"

    def __init__(self, path, binding):
        super().__init__()
        self.path = path
        self.binding = binding
        self.name = "zeek-%s@%s" % (path, binding)
        self.file = "zeek/%s.log" % path
        self.cols = ZEEK_LOGS[path]
        self.types = dict(self.cols)
        self.columns = [c for c, _ in self.cols]
        self.renames = ZEEK_BINDINGS.get((path, binding), {})
        self.defaults = dict(ZEEK_DEFAULTS[path])
        self.per_line_files = "id.orig_h" not in self.types
        self.fillers = {"uri": uri_fill, "user_agent": UA_FILL, "host": host_fill,
                        "query": host_fill, "answers": ("TXT 48 ", " x"),
                        "resp_mime_types": ("application/x-", ""), "name": ("users\\bob\\", ""),
                        "path": ("\\\\FS01\\", ""), "operation": ("", "Ex"),
                        "client_header_names": ("HOST,", ",ACCEPT"),
                        "referrer": ("https://www.example.com", "")}

    def slot_for(self, field):
        if field in self.renames:
            return self.renames[field]
        if field in ("ts", "uid"):
            return None
        if field in self.types:
            return field
        return None

    def keyword_slots(self):
        return {"http": ["uri", "user_agent"], "smb_files": ["name"],
                "dns": ["query"], "dce_rpc": ["operation"]}.get(self.path, [])

    def alt_values(self, slot):
        return ZEEK_ALTS.get(slot, [])

    def shape_slot(self, slot, v, tests):
        if slot == "uri" and v is not ABSENT and not v.startswith("/"):
            return "/" + v
        if slot in ("query", "host") and v is not ABSENT:
            return shape_host(v)
        return v

    def encodable(self, slot, v):
        if v is ABSENT:
            return True
        typ = self.types.get(slot, "string")
        if typ in ("count", "port"):
            return v.isdigit()
        if typ == "addr":
            return ip_ok(v)
        if typ == "bool":
            return v in ("T", "F")
        if typ in ("time", "interval"):
            return re.fullmatch(r"\d+(\.\d+)?", v) is not None
        if typ.startswith(("set", "vector")):
            return "\t" not in v and "\n" not in v
        return "\n" not in v

    def typed(self, slot):
        typ = self.types.get(slot, "string")
        if typ in ("count", "port"):
            return "int"
        if typ == "addr":
            return "addr"
        if typ == "bool":
            return "bool"
        return "str"

    def host_slot(self):
        return "id.orig_h" if "id.orig_h" in self.types else None

    def set_identity(self, vals, r, k):
        if "id.orig_h" in self.types:
            identity_addr(vals, "id.orig_h", r, k)
        if "uid" in self.types:
            vals["uid"] = "C" + hashlib.sha1(("%d.%d" % (r, k)).encode()).hexdigest()[:17]
        if self.path == "dns" and vals.get("qtype_name") not in (None, ABSENT):
            qn = vals["qtype_name"].upper()
            if qn in QTYPES:
                vals["qtype"] = str(QTYPES[qn])
        if self.path == "x509":
            vals["fingerprint"] = hashlib.sha256(("%d.%d" % (r, k)).encode()).hexdigest()

    def expected_host(self, vals):
        return vals.get("id.orig_h")

    def render(self, vals, n):
        rec = {}
        out = []
        for c, typ in self.cols:
            if c == "ts":
                v = "%d.%06d" % (T0 + n, 387600)
            else:
                v = vals.get(c, ABSENT)
            rec[c] = v
            if v is ABSENT:
                out.append("-")
            else:
                if not self.encodable(c, v):
                    return None, None
                out.append(zeek_escape(v, typ))
        return rec, "\t".join(out)

    def model(self, rec):
        ev = {}
        for c, typ in self.cols:
            v = rec.get(c, ABSENT)
            if v is ABSENT:
                ev[c] = ABSENT
            elif typ.startswith(("set", "vector")):
                items = v.split(",") if v != "" else []
                ev[c] = Value([items, v])
            else:
                ev[c] = Value.s(v)
        for f, c in self.renames.items():
            ev[f] = ev.get(c, ABSENT)
        return ev

    def header(self):
        return ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
                "#unset_field\t-", "#path\t" + self.path, "#open\t2024-06-01-00-00-00",
                "#fields\t" + "\t".join(self.columns),
                "#types\t" + "\t".join(t for _, t in self.cols)]

    def footer(self):
        return ["#close\t2024-06-01-23-59-59"]


class ZeekJSON(Zeek):
    """The same Zeek log written as JSON lines (LogAscii::use_json): one object a
    record, dotted column names, unset fields left out, counts and ports as numbers,
    booleans true/false, containers as arrays; no _path (the file is named after the
    log, as Zeek names it)."""
    kind = "zeek-json"

    def __init__(self, path, binding):
        super().__init__(path, binding)
        self.name = "zeek-json-%s@%s" % (path, binding)
        self.file = "zeek-json/%s.log" % path

    def render(self, vals, n):
        rec, line = Zeek.render(self, vals, n)
        if rec is None:
            return None, None
        obj = {}
        for c, typ in self.cols:
            v = rec[c]
            if v is ABSENT:
                continue
            if typ.startswith(("set", "vector")):
                obj[c] = v.split(",") if v != "" else []
            elif typ in ("count", "port"):
                obj[c] = int(v)
            elif typ in ("time", "interval"):
                obj[c] = float(v)
            elif typ == "bool":
                obj[c] = (v == "T")
            else:
                obj[c] = v
        return rec, json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    def model(self, rec):
        ev = Zeek.model(self, rec)
        for c, typ in self.cols:
            if typ == "bool" and ev[c] is not ABSENT:
                # how a JSON boolean reads as text is not documented: both readings
                t = rec[c] == "T"
                ev[c] = Value(["true" if t else "false", rec[c]])
        for f, c in self.renames.items():
            ev[f] = ev.get(c, ABSENT)
        return ev

    def header(self):
        return []

    def footer(self):
        return []


class SquidConnect(Squid):
    """Squid's native log of an HTTPS request through the proxy: CONNECT host:port,
    no URL (docs/network.md: 'a CONNECT names host:port and has no URL'); only for
    rules that test the host, not the URL."""
    name = "squid-connect"
    file = "squid/access.log"

    def __init__(self):
        super().__init__()
        self.defaults.update({"cs-method": "CONNECT", "code": "TCP_TUNNEL", "type": "-"})

    def slot_for(self, field):
        if field in ("c-uri", "cs-uri", "c-uri-stem", "c-uri-query", "c-uri-extension",
                     "dst_port"):
            return None
        return super().slot_for(field)

    def encodable(self, slot, v):
        if slot == "cs-method":
            return v == "CONNECT"
        return super().encodable(slot, v)

    def alt_values(self, slot):
        if slot == "cs-method":
            return []
        return super().alt_values(slot)

    def render(self, vals, n):
        host = vals.get("host") or "www.example.com"
        if not _w3c_plain_ok(host) or vals["cs-method"] != "CONNECT":
            return None, None
        ident = vals.get("cs-username")
        rec = {"url": host + ":443", "host": host, "client": vals["client"],
               "cs-method": "CONNECT", "sc-status": vals["sc-status"],
               "sc-bytes": vals["sc-bytes"], "cs-username": ident, "peer": vals["peer"]}
        line = "%d.%03d %6s %s %s/%s %s CONNECT %s:443 %s HIER_DIRECT/%s -" % (
            T0 + n, 431, vals["elapsed"], vals["client"], vals["code"], vals["sc-status"],
            vals["sc-bytes"], host, "-" if ident is ABSENT else ident, vals["peer"])
        return rec, line

    def model(self, rec):
        ev = {}
        h = rec["host"].lower()
        ev["cs-host"] = Value.s(h)
        ev["r-dns"] = Value.s(h)
        ev["cs-method"] = Value.s("CONNECT")
        ev["sc-status"] = Value.s(rec["sc-status"])
        ev["sc-bytes"] = Value.s(rec["sc-bytes"])
        ev["cs-username"] = ABSENT if rec["cs-username"] is ABSENT else Value.s(rec["cs-username"])
        ev["src_ip"] = Value.s(rec["client"])
        ev["dst_ip"] = Value.s(rec["peer"])
        ev["dst_port"] = Value.s("443")
        # the URL fields: not generated for (rules naming them are not given this format)
        return ev


class FwCSV(Fmt):
    """Firewall CSV with FortiGate's column names (docs/network.md, the built-in map);
    the log's own columns are fields, action as the firewall wrote it."""
    kind = "fwcsv"
    name = "fwcsv"
    file = "fwcsv/traffic.csv"

    def __init__(self):
        super().__init__()
        self.columns = ["date", "time", "srcip", "srcport", "dstip", "dstport", "proto",
                        "action", "sentbyte", "rcvdbyte", "policyid"]
        self.alias = {"src_ip": "srcip", "src_port": "srcport", "dst_ip": "dstip",
                      "dst_port": "dstport"}
        self.defaults = {"srcport": "50112", "dstip": "203.0.113.80", "dstport": "443",
                         "proto": "6", "action": "accept", "sentbyte": "812",
                         "rcvdbyte": "5230", "policyid": "12"}

    def slot_for(self, field):
        if field in self.alias:
            return self.alias[field]
        if field in self.columns and field not in ("date", "time"):
            return field
        return None

    def alt_values(self, slot):
        return {"action": ["accept", "deny", "close"],
                "dstport": ["443", "22", "8443", "53"],
                "srcip": [PUBLIC_POOL + "0.0"]}.get(slot, [])

    def encodable(self, slot, v):
        if v is ABSENT:
            return slot not in ("srcip", "dstip")
        if slot in ("srcport", "dstport", "sentbyte", "rcvdbyte", "policyid", "proto"):
            return v.isdigit()
        if slot in ("srcip", "dstip"):
            return ip_ok(v)
        return "," not in v and '"' not in v and "\n" not in v and v != ""

    def typed(self, slot):
        if slot in ("srcport", "dstport", "sentbyte", "rcvdbyte", "policyid"):
            return "int"
        if slot in ("srcip", "dstip"):
            return "addr"
        return "str"

    def host_slot(self):
        return "srcip"

    def set_identity(self, vals, r, k):
        identity_addr(vals, "srcip", r, k)

    def expected_host(self, vals):
        return vals["srcip"]

    def render(self, vals, n):
        d, t = fmt_ts(n).split(" ")
        rec = {"date": d, "time": t}
        out = []
        for c in self.columns:
            if c not in rec:
                rec[c] = vals.get(c, ABSENT)
            v = rec[c]
            out.append("" if v is ABSENT else v)
        return rec, ",".join(out)

    def model(self, rec):
        ev = {}
        for c in self.columns:
            v = rec.get(c, ABSENT)
            ev[c] = ABSENT if v in (ABSENT, "") else Value.s(v)
        for a, c in self.alias.items():
            ev[a] = ev[c]
        return ev

    def header(self):
        return [",".join(self.columns)]

    def footer(self):
        return []


# -------------------------------------------------------------------------- generator


class Attempt:
    def __init__(self, fmt, rule):
        self.fmt = fmt
        self.rule = rule


def requirement_combos(rule, conj, fmt):
    """For the positive literals of a conjunct: lists of (slot, Test, field) chosen
    from the idents' alternatives, keyword tests placed in the format's slots."""
    per = []
    for name, pos in conj:
        if not pos:
            continue
        alts = []
        for alt in rule.idents[name].alternatives():
            expanded = [[]]
            ok = True
            for field, test in alt:
                if field is None:
                    slots = [s for s in fmt.keyword_slots()]
                    if not slots:
                        ok = False
                        break
                    expanded = [e + [(s, test, None)] for e in expanded for s in slots]
                else:
                    slot = fmt.slot_for(field)
                    if slot is None:
                        ok = False
                        break
                    if slot == "UNSUPPLIED":
                        continue
                    expanded = [e + [(slot, test, field)] for e in expanded]
                if len(expanded) > MAX_COMBOS:
                    expanded = expanded[:MAX_COMBOS]
            if ok:
                alts.extend(expanded)
        # representable first: a quick check of each requirement alone
        good = [a for a in alts if _alone_ok(a, fmt)]
        if not good:
            return None, "no alternative of %s can be carried by %s" % (name, fmt.name)
        per.append(good[:MAX_COMBOS])
    return per, None


def _alone_ok(alt, fmt):
    for slot, test, field in alt:
        if test.kind in ("null", "exists"):
            continue
        try:
            vals = synth_slot([test], fmt, slot)
        except Conflict:
            return False
        if not any(fmt.encodable(slot, v) for v in vals):
            return False
    return True


def build_values(fmt, reqs, r, k, base=None):
    """Slot values satisfying the requirements, or raise Conflict."""
    vals = dict(fmt.defaults) if base is None else dict(base)
    by_slot = {}
    kw_slots = {}
    for slot, test, field in reqs:
        by_slot.setdefault(slot, []).append(test)
        if field is None:
            kw_slots.setdefault(slot, []).append(test)
    choice = {}
    for slot, tests in by_slot.items():
        field_tests = [t for t in tests if t not in kw_slots.get(slot, [])]
        kws = kw_slots.get(slot, [])
        if field_tests:
            cands = synth_slot(field_tests, fmt, slot)
        else:
            cands = [vals.get(slot, ABSENT)]
            if cands[0] is ABSENT:
                cands = [""]
        cands2 = []
        for c in cands:
            if kws:
                if c is ABSENT:
                    raise Conflict("keyword in an absent slot")
                c = _append_kw(c, kws, slot)
                if c is None:
                    continue
            if fmt.encodable(slot, c):
                cands2.append(c)
        if not cands2:
            raise Conflict("slot %s cannot carry the value" % slot)
        choice[slot] = cands2[0]
    vals.update(choice)
    vals["_keep"] = frozenset(s for s in by_slot if s == fmt.host_slot())
    fmt.set_identity(vals, r, k)
    flippable = {s for s, ts in by_slot.items()
                 if all((t.kind == "pat" and not t.cased) or t.kind == "int" for t in ts)}
    return vals, set(by_slot), flippable


def _append_kw(c, kws, slot):
    for t in kws:
        lit = synth_pats([t])
        if t.match_text(c):
            continue
        if c == "":
            c = lit
        elif slot in ("cs-uri-query", "query"):
            c = c + "&" + lit
        elif slot in ("url", "uri", "cs-uri-stem"):
            c = c + ("&" if "?" in c else "?") + lit
        else:
            c = c + " " + lit if slot in ("cs(User-Agent)", "user_agent") else c + lit
    return c


def render_model(fmt, vals, n):
    rec, line = fmt.render(vals, n)
    if rec is None:
        return None, None, None
    return rec, line, fmt.model(rec)


def effective_event(fmt, ev):
    """Fields the rule may name but the source does not supply are UNKNOWN."""
    if fmt.supplies is None:
        return ev
    return _UnknownDefault(ev)


class _UnknownDefault(dict):
    def get(self, k, default=None):
        if k in self:
            return dict.get(self, k)
        return UNKNOWN

    def values(self):
        return list(dict.values(self)) + [UNKNOWN]


def flip_case(vals, slots, fmt):
    out = dict(vals)
    for s in slots:
        v = out.get(s)
        if isinstance(v, str) and fmt.typed(s) == "str" and s not in ("ext",):
            out[s] = v.swapcase()
    return out


ENUM_SLOTS = {"cs-method", "method", "sc-status", "status_code", "qtype_name",
              "request_type", "cipher", "action", "Z", "rejected", "proto"}


class Gen:
    def __init__(self, rules, fmts):
        self.rules = rules
        self.fmts = fmts
        self.n = 0  # time counter

    def tick(self):
        self.n += 7
        return self.n

    def try_positive(self, rule, fmt, r, k, want="true", flip=False, only=None,
                     reverse=False):
        """Slot values for a line on which the rule's condition is `want` (true, or
        undecided through unsupplied fields only): the conjuncts of the condition's
        disjunctive form tried simplest first (or only the conjunct `only`), each
        identifier's alternatives in the rule's order (reversed: the last first)."""
        errors = []
        order = sorted(range(len(rule.dnf)), key=lambda i: sum(1 for _, p in rule.dnf[i] if p))
        if only is not None:
            order = [only]
        for ci in order:
            conj = rule.dnf[ci]
            per, err = requirement_combos(rule, conj, fmt)
            if per is None:
                errors.append(err)
                continue
            if reverse:
                per = [list(reversed(x)) for x in per]
            for combo in itertools.islice(itertools.product(*per), MAX_COMBOS):
                reqs = [x for part in combo for x in part]
                if not fmt.accept(reqs):
                    continue
                try:
                    vals, slots, flippable = build_values(fmt, reqs, r, k)
                except Conflict as e:
                    errors.append(str(e))
                    continue
                if fmt.name.startswith("w3c-proxy") and fmt.name == "w3c-proxy":
                    forms = ["full", "path"]
                else:
                    forms = [None]
                for form in forms:
                    v2 = dict(vals)
                    if form:
                        v2["_form"] = form
                    res = None
                    if flip and flippable:
                        res = self._finish_positive(rule, fmt, conj, v2, slots, want,
                                                    flippable, r, k)
                        if res:
                            res["case_flipped"] = sorted(flippable)
                    if not res:
                        res = self._finish_positive(rule, fmt, conj, v2, slots, want, (), r, k)
                    if res:
                        res["conj_index"] = ci
                        return res, None
                errors.append("condition not met with %s" % ", ".join(
                    "%s=%s" % (s, t.describe()) for s, t, _ in reqs))
        return None, (errors[0] if errors else "unsatisfiable")

    def _finish_positive(self, rule, fmt, conj, vals, slots, want, flip, r, k):
        negs = [name for name, pos in conj if not pos]
        vv = flip_case(vals, flip, fmt) if flip else vals
        rec, line, ev = render_model(fmt, vv, 0)
        if ev is None:
            return None
        ev = effective_event(fmt, ev)
        res, flags = evaluate(rule, ev)
        if self._wanted(res, flags, want, rule, fmt, ev):
            return {"vals": vv, "slots": slots, "conj": conj}
        # a negated identifier holding on the defaults: other default values
        return self._repair(rule, fmt, conj, vals, slots, negs, want, flip, r, k)

    def _wanted(self, r, flags, want, rule, fmt, ev):
        if want == "true":
            return r is True and not flags
        # undecided: None only because of unsupplied fields, and true if they were absent
        if r is not None or flags != {"unknown"}:
            return False
        ev2 = dict(ev)
        r2, f2 = evaluate(rule, ev2)
        return r2 is True and not f2

    def _repair(self, rule, fmt, conj, vals, slots, negs, want, flip, r, k):
        fields = set()
        for name in negs:
            for f in rule.idents[name].fields():
                s = fmt.slot_for(f)
                if s and s != "UNSUPPLIED" and s not in slots:
                    fields.add(s)
        options = [(s, a) for s in sorted(fields) for a in fmt.alt_values(s)]
        for size in (1, 2):
            for combo in itertools.combinations(options, size):
                if len({s for s, _ in combo}) < size:
                    continue
                v = dict(vals)
                for s, a in combo:
                    v[s] = a
                fmt.set_identity(v, r, k)
                vv = flip_case(v, flip, fmt) if flip else v
                rec, line, ev = render_model(fmt, vv, 0)
                if ev is None:
                    continue
                ev = effective_event(fmt, ev)
                res, flags = evaluate(rule, ev)
                if self._wanted(res, flags, want, rule, fmt, ev):
                    return {"vals": vv, "slots": slots, "conj": conj,
                            "repaired": {s: a for s, a in combo}}
        return None

    def regex_case(self, rule, fmt, pos, r, k):
        """The positive line with the value a case-sensitive `re` test matched in
        another case: a near-miss (spec: regular expressions are case-sensitive by
        default); with i or (?i) a match."""
        conj = pos["conj"]
        for name, p in conj:
            if not p:
                continue
            ident = rule.idents[name]
            if ident.kind == "keywords":
                continue
            for m in ident.maps:
                for fc in m:
                    for t in fc.tests:
                        if t.kind != "re":
                            continue
                        s = fmt.slot_for(fc.field)
                        cur = pos["vals"].get(s)
                        if not s or s == "UNSUPPLIED" or not isinstance(cur, str):
                            continue
                        if cur.swapcase() == cur:
                            continue
                        v = dict(pos["vals"])
                        v[s] = cur.swapcase()
                        fmt.set_identity(v, r, k)
                        rec, line, ev = render_model(fmt, v, 0)
                        if ev is None or not fmt.encodable(s, v[s]):
                            continue
                        res, flags = evaluate(rule, effective_event(fmt, ev))
                        insens = bool(t.data[1] & re.I) or t.data[0].startswith("(?i)")
                        if res is False and not flags and not insens:
                            return {"vals": v, "kind": "near-miss",
                                    "how": "case of %s changed: %r -> %r; the regex %r is "
                                           "case-sensitive" % (s, cur, v[s], t.data[0])}
                        if res is True and not flags and insens:
                            return {"vals": v, "kind": "match",
                                    "how": "case of %s changed: %r -> %r; the regex %r "
                                           "ignores case" % (s, cur, v[s], t.data[0])}
        return None

    # near-misses ---------------------------------------------------------------

    def mutations(self, rule, fmt, pos, r, k):
        """One-character (or alternative-value) changes of a selection's slot that
        make the condition false."""
        vals = dict(pos["vals"])
        slots = pos["slots"]
        conj = pos["conj"]
        lits = {}
        for name, p in conj:
            if not p:
                continue
            for alt in rule.idents[name].alternatives()[:50]:
                for field, test in alt:
                    s = fmt.slot_for(field) if field else None
                    if field is None:
                        for s2 in fmt.keyword_slots():
                            lits.setdefault(s2, []).extend(test.literals())
                    elif s and s != "UNSUPPLIED":
                        lits.setdefault(s, []).extend(test.literals())
        order = sorted(slots, key=lambda s: (-max([len(x) for x in lits.get(s, [""])] or [0]), s))
        for s in order:
            cur = vals.get(s)
            for cand in self._mut_candidates(fmt, s, cur, lits.get(s, [])):
                v = dict(vals)
                v[s] = cand
                fmt.set_identity(v, r, k)
                rec, line, ev = render_model(fmt, v, 0)
                if ev is None or not fmt.encodable(s, cand):
                    continue
                ev = effective_event(fmt, ev)
                res, flags = evaluate(rule, ev)
                if res is False and not flags:
                    return {"vals": v, "changed": s, "from": cur, "to": cand}
        return None

    def _mut_candidates(self, fmt, slot, cur, lits):
        """Near values first: one character changed inside the literal the rule
        looks for (string slots), the next numbers or addresses (typed slots), then
        the slot's usual other values, the absent value last."""
        alts = [a for a in fmt.alt_values(slot) if a != cur and a is not ABSENT]
        last = [ABSENT] if ABSENT in fmt.alt_values(slot) and cur is not ABSENT else []
        if cur is ABSENT or cur is None:
            return alts
        enum = slot in ENUM_SLOTS
        out = self._mut_near(fmt, slot, cur, lits)
        return (alts + out if enum else out + alts) + last

    def _mut_near(self, fmt, slot, cur, lits):
        out = []
        typ = fmt.typed(slot)
        if typ == "int":
            try:
                n = int(cur)
                out.extend(str(x) for x in (n + 1, n + 100, n - 1) if x >= 0)
            except ValueError:
                pass
            return out
        if typ == "addr":
            try:
                a = ipaddress.ip_address(cur)
                out.extend(str(a + d) for d in (1, 2, 256))
                out.extend(["203.0.113.99", "10.200.0.9"])
            except (ValueError, ipaddress.AddressValueError):
                pass
            return out
        if typ == "bool":
            return out + [x for x in ("T", "F") if x != cur]
        positions = []
        low = cur.lower()
        for lit in sorted(set(lits), key=lambda x: (-len(x), x)):
            i = low.find(lit.lower())
            if i >= 0 and lit:
                mid = i + len(lit) // 2
                for j in sorted(range(i, i + len(lit)), key=lambda j: abs(j - mid)):
                    if j not in positions:
                        positions.append(j)
        mid = len(cur) // 2
        for j in sorted(range(len(cur)), key=lambda j: abs(j - mid)):
            if j not in positions:
                positions.append(j)
        for j in positions[:64]:
            c = cur[j]
            if c.isalpha():
                rep = "q" if c.lower() != "q" else "z"
                if not c.isascii():
                    rep = "q"
                rep = rep.upper() if c.isupper() else rep
            elif c.isdigit():
                rep = str((int(c) + 1) % 10)
            else:
                rep = "q"
            out.append(cur[:j] + rep + cur[j + 1:])
        return out

    def filter_triggers(self, rule, fmt, pos, r, k):
        """The positive line with one negated identifier of its conjunct made true."""
        conj = pos["conj"]
        out = []
        for name, p in conj:
            if p:
                continue
            base_reqs = None
            ident = rule.idents[name]
            found = None
            for alt in ident.alternatives()[:MAX_COMBOS]:
                reqs = []
                ok = True
                for field, test in alt:
                    if field is None:
                        slots = fmt.keyword_slots()
                        if not slots:
                            ok = False
                            break
                        reqs.append((slots[0], test, None))
                        continue
                    s = fmt.slot_for(field)
                    if s is None or s == "UNSUPPLIED":
                        ok = False
                        break
                    reqs.append((s, test, field))
                if not ok:
                    continue
                # keep the positive line's constrained values, add the filter's tests
                try:
                    v = self._merge(fmt, pos, reqs, r, k)
                except Conflict:
                    continue
                if v is None:
                    continue
                rec, line, ev = render_model(fmt, v, 0)
                if ev is None:
                    continue
                ev = effective_event(fmt, ev)
                res, flags = evaluate(rule, ev)
                if res is not False or flags:
                    continue
                c2 = Ctx()
                if eval_ident(ident, ev, c2) is not True:
                    continue
                # every positive identifier of the conjunct still holds
                if not all(eval_ident(rule.idents[nm], ev, Ctx()) is True for nm, pp in conj if pp):
                    continue
                found = {"vals": v, "filter": name,
                         "tests": ["%s=%s" % (f or "keyword", t.describe()) for f, t in alt]}
                break
            if found:
                out.append(found)
            if len(out) >= 2:
                break
        return out

    def _merge(self, fmt, pos, reqs, r, k):
        vals = dict(pos["vals"])
        for slot, test, field in reqs:
            cur = vals.get(slot, ABSENT)
            if test.kind == "null":
                vals[slot] = ABSENT
                continue
            if cur is not ABSENT and test.kind != "exists" and test.match_text(cur):
                continue
            if slot in pos["slots"] and cur is not ABSENT and test.kind == "pat":
                # add to the existing value where it still satisfies the selection
                lit = synth_pats([test])
                for cand in (cur + lit, lit + cur, cur + "/" + lit):
                    cand = fmt.shape_slot(slot, cand, [test])
                    if test.match_text(cand) and fmt.encodable(slot, cand):
                        vals[slot] = cand
                        break
                else:
                    return None
                continue
            cands = synth_slot([test], fmt, slot)
            cands = [c for c in cands if fmt.encodable(slot, c)]
            if not cands:
                return None
            vals[slot] = cands[0]
        fmt.set_identity(vals, r, k)
        return vals


# ------------------------------------------------------------------------------ main


def load_rules(sigma):
    out = []
    for d in SCOPE_DIRS:
        base = os.path.join(sigma, d)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for fn in sorted(filenames):
                if not fn.endswith((".yml", ".yaml")):
                    continue
                p = os.path.join(dirpath, fn)
                rel = os.path.relpath(p, sigma)
                with open(p, "rb") as f:
                    raw = f.read()
                try:
                    docs = list(yaml.safe_load_all(raw))
                except yaml.YAMLError:
                    continue
                for doc in docs:
                    if not isinstance(doc, dict) or "detection" not in doc:
                        continue
                    ls = doc.get("logsource") or {}
                    if ls.get("category") in CATEGORIES or ls.get("product") == "zeek":
                        out.append((p, rel, doc, hashlib.sha256(raw).hexdigest()))
    return out


def formats_for(ls, fields):
    cat, prod, svc = ls.get("category"), ls.get("product"), ls.get("service")
    if prod == "zeek":
        if svc in ZEEK_LOGS:
            return [("zeek-%s@zeek" % svc, True), ("zeek-json-%s@zeek" % svc, False)]
        return []
    if cat == "webserver":
        return [("iis", True), ("iis-noname", False), ("iis-raw-ua", False)]
    if cat == "proxy":
        out = [("w3c-proxy", True)]
        if {"cs-uri-stem", "cs-uri-query"} & set(fields):
            out.append(("w3c-proxy-stem", True))
        out += [("squid", False)]
        if not {"c-uri", "cs-uri", "c-uri-stem", "c-uri-query", "c-uri-extension",
                "cs-uri-stem", "cs-uri-query", "dst_port"} & set(fields):
            out.append(("squid-connect", False))
        out += [("zeek-http@proxy", False), ("zeek-json-http@proxy", False)]
        return out
    if cat == "dns":
        return [("zeek-dns@dns", True), ("zeek-json-dns@dns", False)]
    if cat == "firewall":
        return [("zeek-conn@firewall", True), ("zeek-json-conn@firewall", False),
                ("fwcsv", False)]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default=os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
    ap.add_argument("--sigma", help="Sigma repository (default ROOT/../shared/data/sigma)")
    ap.add_argument("--out", help="output folder (default ROOT/tests/fixtures/sigma-net-regress)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    sigma = os.path.abspath(args.sigma or os.path.join(root, "..", "shared", "data", "sigma"))
    out = os.path.abspath(args.out or os.path.join(root, "tests", "fixtures", "sigma-net-regress"))
    if not os.path.isdir(sigma):
        print("sigma_regress_gen: %s: no Sigma rules" % sigma, file=sys.stderr)
        return 2

    fmts = {"iis": IIS(True), "iis-noname": IIS(False), "iis-raw-ua": IISRawUA(),
            "w3c-proxy": W3CProxy(),
            "w3c-proxy-stem": W3CProxyStem(), "squid": Squid(), "fwcsv": FwCSV()}
    for (path, binding) in [("dns", "dns"), ("http", "proxy"), ("conn", "firewall")]:
        fmts["zeek-%s@%s" % (path, binding)] = Zeek(path, binding)
    for path in ZEEK_LOGS:
        fmts["zeek-%s@zeek" % path] = Zeek(path, "zeek")
    for (path, binding) in [("dns", "dns"), ("http", "proxy"), ("conn", "firewall")] + [
            (p2, "zeek") for p2 in ZEEK_LOGS]:
        fmts["zeek-json-%s@%s" % (path, binding)] = ZeekJSON(path, binding)
    fmts["squid-connect"] = SquidConnect()

    entries = load_rules(sigma)
    gen = Gen(None, fmts)
    files = {}  # file -> {"fmt":..., "lines": [...]}, per-line files keyed apart
    skipped = []
    covered = []
    rule_index = 0
    per_line_count = {}
    for path, rel, doc, sha in entries:
        r = rule_index
        rule_index += 1
        rid = doc.get("id")
        try:
            rule = Rule(path, rel, doc)
        except Unsupported as e:
            skipped.append({"rule_id": rid, "rule": rel, "title": doc.get("title"),
                            "reason": "unsupported: %s" % e})
            continue
        flist = formats_for(rule.logsource, rule.fields())
        flip = (r % 4 == 1)
        variants = []
        reasons = []
        for fi, (fname, primary) in enumerate(flist):
            fmt = fmts[fname]
            # the line's own address 10.77.R.K: K = 30 x format + the variant
            kbase = 30 * fi
            if fname == "iis-raw-ua":
                if not any(fmt.accept(alt_r) for alt_r in _ua_reqs(rule, fmt)):
                    continue
                for ci in range(len(rule.dnf)):
                    p5, _ = gen.try_positive(rule, fmt, r, kbase + 1 + ci, "true", False, only=ci)
                    if p5:
                        variants.append((fmt, "match", p5, {
                            "variant": "conjunct %d, the user agent as IIS writes it" % ci,
                            "note": "the rule's cs-user-agent value is IIS's text (blanks "
                                    "written '+'); expected to match that text",
                            "against_documented_reading": "docs/network.md reads every '+' "
                                    "of cs(User-Agent) as a blank"}))
                continue
            pos, err = gen.try_positive(rule, fmt, r, kbase + 1, "true", flip)
            if pos is None:
                reasons.append("%s: %s" % (fname, err))
                if fname == "squid":
                    und, _ = gen.try_positive(rule, fmt, r, kbase + 4, "undecided")
                    if und:
                        variants.append((fmt, "undecided", und, {
                            "note": "Squid's native log supplies no " + ", ".join(
                                sorted(f for f in rule.fields() if fmt.slot_for(f) == "UNSUPPLIED")) +
                            ": the rule is undecided on it (true if the field were absent)"}))
                continue
            variants.append((fmt, "match", pos, {"case_flipped": pos.get("case_flipped"),
                                                 "repaired": pos.get("repaired")}))
            if primary and r % 10 == 3:
                # the same request again from the same host: one finding, count 2
                variants.append((fmt, "match", pos, {"repeat": True, "case_flipped":
                                                     pos.get("case_flipped")}))
            # more matches: the other conjuncts of the condition (`1 of selection_*`,
            # `a or b`), and the identifiers' last alternatives (the list's last value)
            seen = {_sig(fmt, pos["vals"])}
            extra = []
            for ci in range(len(rule.dnf)):
                if len(extra) >= 3:
                    break
                if ci == pos["conj_index"]:
                    continue
                p2, _ = gen.try_positive(rule, fmt, r, kbase + 5 + len(extra), "true",
                                         False, only=ci)
                if p2 and _sig(fmt, p2["vals"]) not in seen:
                    seen.add(_sig(fmt, p2["vals"]))
                    extra.append(p2)
            p3, _ = gen.try_positive(rule, fmt, r, kbase + 9, "true", False,
                                     only=pos["conj_index"], reverse=True)
            if p3 and _sig(fmt, p3["vals"]) not in seen:
                extra.append(p3)
            for p2 in extra:
                variants.append((fmt, "match", p2, {"variant": "conjunct %d%s" % (
                    p2["conj_index"], ", last alternatives" if p2 is p3 else "")}))
            # wildcards realised as other text than the rule author's: `?` as one
            # other character, `*` between literals as more text (spec: String Wildcard)
            if any(_has_wild(rule, fmt, pos["conj"])):
                WILD[:] = ["Q", "x9"]
                try:
                    p4, _ = gen.try_positive(rule, fmt, r, kbase + 10, "true", False,
                                             only=pos["conj_index"])
                finally:
                    WILD[:] = ["?", ""]
                if p4 and _sig(fmt, p4["vals"]) not in seen:
                    seen.add(_sig(fmt, p4["vals"]))
                    variants.append((fmt, "match", p4, {
                        "variant": "wildcards realised as other text (? as Q, * as x9)"}))
            # regular expressions are case-sensitive unless i/(?i) (spec: General, re)
            rc = gen.regex_case(rule, fmt, pos, r, kbase + 11)
            if rc:
                variants.append((fmt, rc["kind"], rc, {"how": rc["how"]}))
            mut = gen.mutations(rule, fmt, pos, r, kbase + 2)
            if mut:
                variants.append((fmt, "near-miss", mut, {
                    "how": "mutated %s: %r -> %r" % (mut["changed"], mut["from"], mut["to"])}))
            for j, ft in enumerate(gen.filter_triggers(rule, fmt, pos, r, kbase + 3)):
                ft["vals"] = dict(ft["vals"])
                fmt.set_identity(ft["vals"], r, kbase + 3 + 5 * j)
                variants.append((fmt, "filter", ft, {
                    "how": "filter %s triggered (%s)" % (ft["filter"], "; ".join(ft["tests"]))}))
        if not any(kind == "match" for _, kind, _, _ in variants):
            skipped.append({"rule_id": rid, "rule": rel, "title": rule.title,
                            "reason": _reason(reasons, rule, fmts, flist),
                            "detail": reasons})
            if not variants:
                continue
        else:
            covered.append(rid)
        for fmt, kind, v, meta in variants:
            vals = v["vals"]
            n = gen.tick()
            rec, line = fmt.render(vals, n)
            assert line is not None, (rid, fmt.name, kind)
            # the line as written, read back as documented, must give the outcome
            res, flags = evaluate(rule, effective_event(fmt, fmt.model(rec)))
            want = {"match": (True, set()), "undecided": (None, {"unknown"})}.get(
                kind, (False, set()))
            assert (res, flags) == want, (rid, fmt.name, kind, res, flags, line)
            key = fmt.file
            if fmt.per_line_files:
                # a log without addresses (x509): one line a file, named as rotated
                # Zeek logs are (the kind of a JSON log comes from the name)
                hour = per_line_count.setdefault(fmt.file, [0])
                key = fmt.file.replace(".log", ".2024-06-01-%02d.log" % hour[0])
                hour[0] += 1
            ent = files.setdefault(key, {"fmt": fmt, "lines": [], "rules": set()})
            ent["rules"].add((rel, sha))
            ent.setdefault("rule_fmts", {}).setdefault(rid, (rule, fmt))
            item = {"text": line, "rule_id": rid, "rule": rel, "title": rule.title,
                    "format": fmt.name, "kind": kind, "host": fmt.expected_host(vals),
                    "_rec": rec, "_fmt": fmt}
            item.update({k2: v2 for k2, v2 in meta.items() if v2 not in (None, False)})
            if kind == "match":
                item["expect_fire"] = [rid]
                item["expect_silent"] = []
            else:
                item["expect_fire"] = []
                item["expect_silent"] = [rid]
            ent["lines"].append(item)
            if not fmt.per_line_files and not meta.get("repeat"):
                hosts = ent.setdefault("hosts", set())
                assert item["host"] not in hosts, ("host used twice", key, item["host"])
                hosts.add(item["host"])

    # write
    if os.path.isdir(out):
        # the previous generation's logs go (README.md stays)
        for dirpath, dirnames, filenames in os.walk(out, topdown=False):
            for fn in filenames:
                if not (dirpath == out and fn == "README.md"):
                    os.unlink(os.path.join(dirpath, fn))
            for d in dirnames:
                os.rmdir(os.path.join(dirpath, d))
    logs = []
    for key in sorted(files):
        ent = files[key]
        fmt = ent["fmt"]
        lines = list(fmt.header())
        out_lines = []
        for item in ent["lines"]:
            lines.append(item.pop("text"))
            item["line"] = len(lines)
            # the other rules run on this log that the oracle, too, finds on the line
            # (findings of them are information, never checked)
            rec, lfmt = item.pop("_rec"), item.pop("_fmt")
            also = []
            for orid, (orule, ofmt) in sorted(ent.get("rule_fmts", {}).items()):
                if orid == item["rule_id"]:
                    continue
                mfmt = ofmt if lfmt.kind in ("zeek", "zeek-json") else lfmt
                res, flags = evaluate(orule, effective_event(mfmt, mfmt.model(rec)))
                if res is True and not flags:
                    also.append(orid)
            if also:
                item["also_fire"] = also
            out_lines.append(item)
        lines += fmt.footer()
        p = os.path.join(out, key)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = ("\n".join(lines) + "\n").encode("utf-8")
        with open(p, "wb") as f:
            f.write(data)
        logs.append({"path": key, "format": fmt.name.split("@")[0],
                     "sha256": hashlib.sha256(data).hexdigest(),
                     "host_per_line": not fmt.per_line_files,
                     "rules": [{"path": rel, "sha256": sha} for rel, sha in sorted(ent["rules"])],
                     "lines": out_lines})
    reasons = {}
    for s in skipped:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    expected = {
        "generator": "tests/net/sigma_regress_gen.py",
        "sigma_root": "../shared/data/sigma",
        "scope": SCOPE_DIRS,
        "rules_found": len(entries),
        "rules_covered": len(set(covered)),
        "rules_skipped": len([s for s in skipped]),
        "skip_reasons": reasons,
        "skipped": skipped,
        "logs": logs,
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        f.write(_dump_expected(expected))
    nlines = sum(len(l["lines"]) for l in logs)
    print("sigma_regress_gen: %d rules in scope, %d covered, %d skipped; %d lines in %d logs -> %s"
          % (len(entries), len(set(covered)), len(skipped), nlines, len(logs), out))
    for k, v in sorted(reasons.items(), key=lambda x: -x[1]):
        print("  %3d  %s" % (v, k))
    return 0


def _ua_reqs(rule, fmt):
    for ident in rule.idents.values():
        if ident.kind == "keywords":
            continue
        for m in ident.maps:
            for fc in m:
                if fmt.slot_for(fc.field) == "cs(User-Agent)":
                    yield [("cs(User-Agent)", t, fc.field) for t in fc.tests]


def _has_wild(rule, fmt, conj):
    """Whether the positive identifiers of the conjunct have a wildcard inside a value
    (a `?`, or a `*` between literal parts)."""
    for name, p in conj:
        if not p:
            continue
        ident = rule.idents[name]
        tests = ident.kw if ident.kind == "keywords" else [
            t for m in ident.maps for fc in m for t in fc.tests]
        for t in tests:
            if t.kind != "pat":
                continue
            d = t.data
            inner = d[1:-1] if len(d) > 2 else []
            if any(x is QM for x in d) or any(x is STAR for x in inner):
                yield True


def _sig(fmt, vals):
    """A line's content without the line's own identity (addresses, names)."""
    hs = {"c-ip", "s-ip", "s-computername", "client", "srcip", "id.orig_h", "uid",
          "fingerprint", "_keep"}
    return tuple(sorted((k, v) for k, v in vals.items() if k not in hs and not isinstance(v, frozenset)))


def _dump_expected(expected):
    """expected.json with one line item (and one skipped rule) a line: readable diffs."""
    def one(o):
        return json.dumps(o, ensure_ascii=False, sort_keys=True)
    out = ["{"]
    keys = list(expected)
    for i, k in enumerate(keys):
        v = expected[k]
        end = "," if i < len(keys) - 1 else ""
        if k == "logs":
            out.append(' "logs": [')
            for j, log in enumerate(v):
                out.append("  {")
                lk = list(log)
                for m, kk in enumerate(lk):
                    e2 = "," if m < len(lk) - 1 else ""
                    if kk == "lines":
                        out.append('   "lines": [')
                        out.extend("    " + one(x) + ("," if n < len(log[kk]) - 1 else "")
                                   for n, x in enumerate(log[kk]))
                        out.append("   ]" + e2)
                    else:
                        out.append("   %s: %s%s" % (json.dumps(kk), one(log[kk]), e2))
                out.append("  }" + ("," if j < len(v) - 1 else ""))
            out.append(" ]" + end)
        elif k == "skipped":
            out.append(' "skipped": [')
            out.extend("  " + one(x) + ("," if n < len(v) - 1 else "") for n, x in enumerate(v))
            out.append(" ]" + end)
        else:
            out.append(" %s: %s%s" % (json.dumps(k), one(v), end))
    out.append("}")
    return "\n".join(out) + "\n"


def _reason(reasons, rule, fmts, flist):
    """One short reason class for a rule no format could satisfy."""
    for f in rule.fields():
        if all(fmts[fn].slot_for(f) in (None, "UNSUPPLIED") for fn, _ in flist):
            return "field %s is carried by none of the formats (%s)" % (
                f, ", ".join(fn for fn, _ in flist))
    txt = " ".join(reasons)
    if "regex" in txt:
        return "regular expression too complex for the generator"
    if "cannot be carried" in txt or "cannot carry" in txt:
        return "values not representable in the log format"
    return "condition not satisfiable by the generator"


if __name__ == "__main__":
    sys.exit(main())
