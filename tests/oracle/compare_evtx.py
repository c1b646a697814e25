#!/usr/bin/python3
"""compare_evtx.py - sakimori's EVTX reading against python3-evtx's, record by record.

    compare_evtx.py ORACLE.jsonl[.zst] SAKIMORI.jsonl DIFFERENCES.txt [--show N]

ORACLE: evtx_oracle.py's output (python-evtx's XML per record). SAKIMORI: `sakimori evtx
dump` of the same files (event-model JSON lines), whose src.path... is matched by the
record's offset within its file (the dump is run file by file by run_evtx.sh, which
prefixes each line with the file's path relative to the root and a tab).

Both sides are normalised the same way before comparing (every rule is a difference
of rendering, not of content):
  - GUIDs: python-evtx writes them in lower case, Windows (and sakimori) in upper case;
  - TimeCreated: python-evtx prints "YYYY-MM-DD HH:MM:SS.ffffff" computed through a
    float (seen off by up to 2.4 us), sakimori the exact FILETIME ("...T...fffffffZ"):
    equal when within 10 microseconds;
  - hexadecimal integers: python-evtx pads HexInt32 to 8 and HexInt64 to 16 digits,
    Windows writes them unpadded (0x3e7): compared by value;
  - attributes python-evtx writes as "" for an absent optional value (Qualifiers="",
    ActivityID="") are absent in sakimori's event;
  - FILETIME and SYSTEMTIME values: python-evtx writes "YYYY-MM-DD HH:MM:SS[.ffffff]",
    Windows and sakimori ISO 8601 with a Z: compared as instants, within 10 us;
  - arrays: python-evtx writes a string array as "<string>a</string>\n<string>b..." in one
    element, sakimori as a JSON array (unnamed items join the "Data" array);
  - binary: python-evtx writes base64, Windows and sakimori upper-case hex;
  - control characters other than tab, CR, LF: XML cannot carry them; python-evtx drops
    or keeps them raw, sakimori keeps them (escaped in JSON): removed before comparing;
  - booleans: python-evtx writes True/False (Python's), Windows and sakimori true/false;
  - line ends: an XML parser turns CR LF into LF (XML 1.0 section 2.11), so both sides'
    values are compared with CR LF and CR as LF;
  - EventData values are compared as strings; GUID-looking values case-insensitively.
What differs beyond that is listed; differences known to be python-evtx's own
(reviewed, with a reason) are in DIFFERENCES.txt as "file<TAB>offset<TAB>field<TAB>reason"
and do not fail the comparison. Exit 0 when every record python-evtx reads is read by
sakimori with the same System and EventData values, 1 otherwise.
"""
import base64
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
STRINGS = re.compile(r"^(?:<string>.*?</string>\n)+$", re.S)
GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")


def open_text(path):
    if path.endswith(".zst"):
        data = subprocess.run(["zstd", "-dc", path], check=True, stdout=subprocess.PIPE).stdout
        return io.StringIO(data.decode("utf-8"))
    return open(path, encoding="utf-8")


def tag(e):
    return e.tag[len(NS):] if e.tag.startswith(NS) else e.tag


def fix_xml(x):
    # python-evtx leaves control characters raw in its XML (or drops them); XML 1.0
    # cannot carry them at all: they are removed here and from sakimori's values
    return CONTROL.sub("", x)


def oracle_fields(xml):
    root = ET.fromstring(fix_xml(xml))
    sysd, data = {}, []
    sys_e = root.find(NS + "System")
    for e in (sys_e if sys_e is not None else []):
        t = tag(e)
        if t == "Provider":
            for a, k in (("Name", "Provider_Name"), ("Guid", "Provider_Guid"), ("EventSourceName", "EventSourceName")):
                if e.get(a):
                    sysd[k] = e.get(a)
        elif t == "EventID":
            sysd["EventID"] = (e.text or "").strip()
            if e.get("Qualifiers"):
                sysd["Qualifiers"] = e.get("Qualifiers")
        elif t in ("Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Channel", "Computer"):
            sysd[t] = e.text or ""
        elif t == "TimeCreated":
            sysd["time"] = e.get("SystemTime") or ""
        elif t == "Correlation":
            for a in ("ActivityID", "RelatedActivityID"):
                if e.get(a):
                    sysd[a] = e.get(a)
        elif t == "Execution":
            for a in ("ProcessID", "ThreadID"):
                if e.get(a):
                    sysd[a] = e.get(a)
        elif t == "Security":
            if e.get("UserID"):
                sysd["UserID"] = e.get("UserID")
    ed = root.find(NS + "EventData")
    if ed is not None:
        for d in ed:
            if tag(d) == "Data":
                t = d.text or ""
                if STRINGS.match(t):  # python-evtx's rendering of a string array
                    items = re.findall(r"<string>(.*?)</string>\n", t, re.S)
                    if d.get("Name") is None:
                        data.extend((None, i) for i in items)
                    else:
                        data.append((d.get("Name"), items))
                    continue
                data.append((d.get("Name"), t))
            elif tag(d) == "Binary":
                try:  # python-evtx writes binary as base64, Windows as upper-case hex
                    data.append(("Binary", base64.b64decode(d.text or "").hex().upper()))
                except Exception:
                    data.append(("Binary", d.text or ""))
    return sysd, data


DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?$")
HEX = re.compile(r"^0x[0-9A-Fa-f]+$")


def norm(v):
    v = "" if v is None else str(v)
    if GUID.match(v):
        return v.lower().strip("{}")
    if HEX.match(v):  # python-evtx pads HexInt32/64 to 8/16 digits; Windows does not
        return hex(int(v, 16))
    if v in ("True", "False"):  # python-evtx writes Python's booleans; Windows true/false
        return v.lower()
    return CONTROL.sub("", v.replace("\r\n", "\n").replace("\r", "\n"))  # XML parsers normalise line ends


def time_us(s):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?", s or "")
    if not m:
        return None
    frac = (m.group(7) or "0")[:6].ljust(6, "0")
    import calendar
    secs = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)) + (0, 0, 0))
    return secs * 1000000 + int(frac)


def compare(o_sys, o_data, ev):
    diffs = []
    s = ev.get("System", {})
    for k, v in o_sys.items():
        if k == "time":
            a, b = time_us(v), time_us(ev.get("time"))
            if a is None or b is None or abs(a - b) > 10:
                diffs.append(("time", v, ev.get("time")))
            continue
        mine = s.get(k)
        if norm(v) != norm(mine):
            diffs.append((k, v, mine))
    ed = ev.get("EventData", {})
    named = [(n, v) for n, v in o_data if n is not None]
    unnamed = [v for n, v in o_data if n is None]
    for n, v in named:
        mine = ed.get(n)
        if isinstance(v, list) or isinstance(mine, list):
            if not (isinstance(v, list) and isinstance(mine, list) and [norm(x) for x in v] == [norm(x) for x in mine]):
                diffs.append(("EventData." + n, v, mine))
            continue
        if mine is None and v == "":
            continue  # NULL in sakimori, "" in python-evtx
        if DATETIME.match(v) and isinstance(mine, str) and DATETIME.match(mine):
            a, b = time_us(v), time_us(mine)
            if a is not None and b is not None and abs(a - b) <= 10:
                continue
        if norm(v) != norm(mine):
            diffs.append(("EventData." + n, v, mine))
    if unnamed:
        mine = ed.get("Data")
        if not isinstance(mine, list) or [norm(x) for x in unnamed] != [norm("" if x is None else x) for x in mine]:
            diffs.append(("EventData.Data", unnamed, mine))
    return diffs


def main():
    oracle_path, mine_path, known_path = sys.argv[1:4]
    show = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--show" else 10
    known = {}
    try:
        for line in open(known_path, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                f, off, field, why = line.rstrip("\n").split("\t", 3)
                known[(f, int(off), field)] = why
    except FileNotFoundError:
        pass
    mine = {}
    for line in open(mine_path, encoding="utf-8", errors="surrogateescape"):
        f, j = line.rstrip("\n").split("\t", 1)
        ev = json.loads(j)
        mine[(f, ev["src"]["offset"])] = ev
    records = matched = failed_oracle = 0
    bad = []
    known_hit = 0
    oracle_keys = set()
    for line in open_text(oracle_path):
        r = json.loads(line)
        if "records" in r:
            continue
        key = (r["file"], r["offset"])
        oracle_keys.add(key)
        records += 1
        if "error" in r:
            failed_oracle += 1
            continue
        ev = mine.get(key)
        if ev is None:
            bad.append((key, [("record", "read by python-evtx", "missing in sakimori")]))
            continue
        o_sys, o_data = oracle_fields(r["xml"])
        diffs = [d for d in compare(o_sys, o_data, ev) if (key[0], key[1], d[0]) not in known]
        known_hit += len(compare(o_sys, o_data, ev)) - len(diffs)
        if diffs:
            bad.append((key, diffs))
        else:
            matched += 1
    extra = [k for k in mine if k not in oracle_keys and mine[k].get("format") == "evtx"]
    print("records python-evtx read: %d (%d it could not render); sakimori agrees on %d; %d known differences (%s); "
          "%d records only sakimori read" % (records, failed_oracle, matched, known_hit, known_path, len(extra)))
    for key, diffs in bad[:show]:
        print("  %s @%d:" % key)
        for d in diffs[:6]:
            print("    %s: python-evtx %r, sakimori %r" % d)
    if bad:
        print("DIFFERENT: %d records" % len(bad))
    return 1 if bad or extra else 0


if __name__ == "__main__":
    sys.exit(main())
