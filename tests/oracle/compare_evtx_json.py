#!/usr/bin/python3
"""compare_evtx_json.py - sakimori's events against the .json renderings beside the
SigmaHQ regression EVTX files (made by another EVTX parser, the Rust `evtx` crate's
evtx_dump: "#attributes", JSON numbers, GUIDs without braces), field by field.

    compare_evtx_json.py DATA_ROOT SAKIMORI.jsonl [KNOWN.txt]

SAKIMORI.jsonl: lines "path<TAB>event" as run_evtx.sh writes them. For every .evtx with
a .json beside it, the n-th JSON document is compared with sakimori's n-th event:
System (Provider Name/Guid, EventID and Qualifiers, Version, Level, Task, Opcode,
Keywords, TimeCreated, EventRecordID, Correlation, Execution, Channel, Computer,
Security) and every EventData member. Renderings normalised: numbers as text, GUID
braces and case, hexadecimal by value, times to the microsecond (the .json has 6
digits), booleans' case, and surrounding white space (the .json's parser trims text
values: Sysmon's `"C:\\Windows\\system32\\cmd.exe" ` loses its trailing space there).
Differences reviewed and found to be the .json's own are listed in KNOWN.txt
("file<TAB>record N Field<TAB>reason") and skipped. Exit 1 on any other difference.
"""
import json
import os
import re
import sys

GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")
HEX = re.compile(r"^0x[0-9A-Fa-f]+$")
TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$")


def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    v = str(v)
    if GUID.match(v):
        return v.strip("{}").upper()
    if HEX.match(v):
        return hex(int(v, 16))
    m = TIME.match(v)
    if m:
        return m.group(1) + "." + (m.group(2) or "").ljust(6, "0")[:6] + "Z"
    if v in ("True", "False"):
        return v.lower()
    return v.strip()  # the .json's parser trims text (cmd.exe's command line ends in a space)


def docs(path):
    text = open(path, encoding="utf-8").read()
    dec = json.JSONDecoder()
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        o, i = dec.raw_decode(text, i)
        yield o


def attrs(e):
    return (e or {}).get("#attributes", {}) if isinstance(e, dict) else {}


def expected(doc):
    ev = doc.get("Event", {})
    s = ev.get("System", {})
    out = {}
    p = attrs(s.get("Provider"))
    out["Provider_Name"] = p.get("Name")
    out["Provider_Guid"] = p.get("Guid")
    out["EventSourceName"] = p.get("EventSourceName")
    eid = s.get("EventID")
    if isinstance(eid, dict):
        out["Qualifiers"] = attrs(eid).get("Qualifiers")
        eid = eid.get("#text")
    out["EventID"] = eid
    for k in ("Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Channel", "Computer"):
        out[k] = s.get(k)
    out["time"] = attrs(s.get("TimeCreated")).get("SystemTime")
    c = attrs(s.get("Correlation"))
    out["ActivityID"], out["RelatedActivityID"] = c.get("ActivityID"), c.get("RelatedActivityID")
    x = attrs(s.get("Execution"))
    out["ProcessID"], out["ThreadID"] = x.get("ProcessID"), x.get("ThreadID")
    out["UserID"] = attrs(s.get("Security")).get("UserID")
    ed = ev.get("EventData")
    data = {}
    if isinstance(ed, dict):
        for k, v in ed.items():
            if k == "#attributes":
                continue
            data[k] = v
    return out, data


def main():
    root, mine_path = sys.argv[1], sys.argv[2]
    known = set()
    if len(sys.argv) > 3:
        for line in open(sys.argv[3], encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                f, what, _why = line.rstrip("\n").split("\t", 2)
                known.add((f, what))
    mine = {}
    for line in open(mine_path, encoding="utf-8", errors="surrogateescape"):
        f, j = line.rstrip("\n").split("\t", 1)
        mine.setdefault(f, []).append(json.loads(j))
    files = compared = 0
    bad = []
    for f, events in sorted(mine.items()):
        jp = os.path.join(root, f[:-5] + ".json")
        if not os.path.exists(jp):
            continue
        files += 1
        want = list(docs(jp))
        if len(want) != len(events):
            bad.append((f, "records", len(want), len(events)))
            continue
        for n, (doc, ev) in enumerate(zip(want, events)):
            sysw, dataw = expected(doc)
            s = dict(ev["System"], time=ev["time"])
            for k, v in sysw.items():
                if v is None and s.get(k) is None:
                    continue
                if norm(v) != norm(s.get(k)):
                    bad.append((f, "record %d System.%s" % (n, k), v, s.get(k)))
            ed = ev.get("EventData", {})
            for k, v in dataw.items():
                mv = ed.get(k)
                if (v is None or v == "") and (mv is None or mv == ""):
                    continue
                if norm(v) != norm(mv):
                    bad.append((f, "record %d EventData.%s" % (n, k), v, mv))
            extra = [k for k in ed if k not in dataw and k != "Data"]
            if extra:
                bad.append((f, "record %d EventData" % n, "no " + ",".join(extra), "present"))
            compared += 1
    skipped = [b for b in bad if (b[0], b[1]) in known]
    bad = [b for b in bad if (b[0], b[1]) not in known]
    print("regression .json renderings: %d files, %d records agree field by field, %d differences, %d known (the .json's own)" % (files, compared - len({(b[0], b[1].split()[1]) for b in bad if b[1].startswith('record')}), len(bad), len(skipped)))
    for b in bad[:20]:
        print("  %s: %s: .json %r, sakimori %r" % b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
