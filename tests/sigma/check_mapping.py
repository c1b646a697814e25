#!/usr/bin/env python3
"""Self-check of sakimori's Sigma log-source mapping (docs/sigma-logsources.md).

usage: check_mapping.py [--fields] MAPPING [RULES_DIR...]

Checks that MAPPING parses as plain YAML (no anchors, aliases, tags or duplicate keys),
has version 1, and that every entry is well formed: a unique lower-case id, known
members only, lists where lists are due, event ids that are integers 0-65535, a channel
wherever events are restricted, and rename targets inside `supplies` when it is given.

With RULES_DIR, every Sigma rule whose logsource states `product: windows` must be
served by at least one entry with `reader: evtx` (every key the rule states - product,
category, service - equal to the entry's); those that are not are printed with their
rule counts. With --fields, the rule fields that bound entries with `supplies` do not
supply are listed per entry (information only, never a failure).

Exit status: 0 when clean, 1 on any problem, 2 on usage errors.
"""

import os
import re
import sys
from collections import Counter, defaultdict

import yaml

READERS = ("evtx", "proxy", "webserver", "dns", "firewall", "zeek")
ENTRY_MEMBERS = ("id", "logsource", "reader", "events", "fields", "supplies", "note")
REQUIRED_MEMBERS = ("id", "logsource", "reader")
LOGSOURCE_KEYS = ("product", "category", "service")
EVENT_KEYS = ("channel", "provider", "event_id", "data")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Members of the event view's System part: present for every Windows source, never
# listed in `supplies` (docs/formats/event.md).
SYSTEM_MEMBERS = {
    "EventID", "Channel", "Provider_Name", "Provider_Guid", "EventSourceName",
    "Computer", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Version",
    "Qualifiers", "Execution_ProcessID", "Execution_ThreadID", "Security_UserID",
    "TimeCreated_SystemTime", "Correlation_ActivityID", "Correlation_RelatedActivityID",
}


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses what a small C loader should not have to handle."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(
                None, None, "merge key '<<' is not allowed", key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "duplicate key %r (first at line %d)" % (key, seen[key] + 1),
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_mapping(path, problems):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append("%s: cannot read: %s" % (path, e))
        return None
    try:
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.AliasEvent):
                problems.append("%s:%d: alias *%s is not allowed" % (path, ev.start_mark.line + 1, ev.anchor))
            elif getattr(ev, "anchor", None):
                problems.append("%s:%d: anchor &%s is not allowed" % (path, ev.start_mark.line + 1, ev.anchor))
            elif getattr(ev, "tag", None) is not None:
                imp = ev.implicit
                if not (any(imp) if isinstance(imp, tuple) else imp):
                    problems.append("%s:%d: explicit tag %s is not allowed" % (path, ev.start_mark.line + 1, ev.tag))
        docs = list(yaml.load_all(text, Loader=StrictLoader))
    except yaml.YAMLError as e:
        problems.append("%s: YAML: %s" % (path, str(e).replace("\n", " ")))
        return None
    if len(docs) != 1:
        problems.append("%s: expected one YAML document, found %d" % (path, len(docs)))
        return None
    return docs[0]


def is_str(v):
    return isinstance(v, str) and v != "" and v == v.strip()


def check_string_list(where, name, v, problems, casefold):
    if not isinstance(v, list):
        problems.append("%s: %s must be a list, not %s" % (where, name, type(v).__name__))
        return []
    if not v:
        problems.append("%s: %s is an empty list" % (where, name))
    seen = set()
    out = []
    for item in v:
        if not is_str(item):
            problems.append("%s: %s holds %r (want a non-empty string without surrounding blanks)" % (where, name, item))
            continue
        k = item.lower() if casefold else item
        if k in seen:
            problems.append("%s: %s lists %r twice" % (where, name, item))
        seen.add(k)
        out.append(item)
    return out


def check_entry(i, e, ids, problems):
    where = "sources[%d]" % i
    if not isinstance(e, dict):
        problems.append("%s: an entry must be a mapping" % where)
        return None
    if is_str(e.get("id")):
        where = "%s (%s)" % (where, e["id"])
    for k in e:
        if k not in ENTRY_MEMBERS:
            problems.append("%s: unknown member %r" % (where, k))
    for k in REQUIRED_MEMBERS:
        if k not in e:
            problems.append("%s: missing member %r" % (where, k))

    eid = e.get("id")
    if "id" in e:
        if not isinstance(eid, str) or not ID_RE.match(eid):
            problems.append("%s: id %r must be lower case [a-z0-9-] (no leading, trailing or double '-')" % (where, eid))
        elif eid in ids:
            problems.append("%s: id %r is not unique" % (where, eid))
        ids.add(eid)

    ls = e.get("logsource")
    if "logsource" in e:
        if not isinstance(ls, dict) or not ls:
            problems.append("%s: logsource must be a non-empty mapping" % where)
            ls = None
        else:
            for k, v in ls.items():
                if k not in LOGSOURCE_KEYS:
                    problems.append("%s: logsource has unknown key %r" % (where, k))
                elif not is_str(v):
                    problems.append("%s: logsource.%s must be a non-empty string, not %r" % (where, k, v))
                elif v != v.lower():
                    problems.append("%s: logsource.%s %r must be lower case" % (where, k, v))

    reader = e.get("reader")
    if "reader" in e and reader not in READERS:
        problems.append("%s: reader %r is not one of %s" % (where, reader, ", ".join(READERS)))

    ev = e.get("events")
    if "events" in e:
        if not isinstance(ev, dict) or not ev:
            problems.append("%s: events must be a non-empty mapping" % where)
        else:
            for k, v in ev.items():
                if k not in EVENT_KEYS:
                    problems.append("%s: events has unknown key %r" % (where, k))
                elif k == "event_id":
                    if not isinstance(v, list):
                        problems.append("%s: events.event_id must be a list, not %s" % (where, type(v).__name__))
                        continue
                    if not v:
                        problems.append("%s: events.event_id is an empty list" % where)
                    seen = set()
                    for n in v:
                        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 65535:
                            problems.append("%s: events.event_id holds %r (want an integer 0-65535)" % (where, n))
                        elif n in seen:
                            problems.append("%s: events.event_id lists %d twice" % (where, n))
                        else:
                            seen.add(n)
                elif k == "data":
                    if not isinstance(v, dict) or not v:
                        problems.append("%s: events.data must be a non-empty map of field -> values" % where)
                        continue
                    for fk, fv in v.items():
                        if not isinstance(fk, str) or not fk:
                            problems.append("%s: events.data has a key that is no field name: %r" % (where, fk))
                        check_string_list(where, "events.data." + str(fk), fv, problems, casefold=True)
                else:
                    check_string_list(where, "events." + k, v, problems, casefold=True)
            if ("provider" in ev or "event_id" in ev) and "channel" not in ev:
                problems.append("%s: events restricts provider or event_id without naming the channel" % where)
            if reader is not None and reader != "evtx":
                for k in ("provider", "event_id"):
                    if k in ev:
                        problems.append("%s: events.%s applies to reader evtx only" % (where, k))

    fields = e.get("fields")
    if "fields" in e:
        if not isinstance(fields, dict) or not fields:
            problems.append("%s: fields must be a non-empty mapping (rule field -> event field)" % where)
            fields = None
        else:
            for k, v in fields.items():
                if not is_str(k) or not is_str(v):
                    problems.append("%s: fields %r: %r must map a name to a name" % (where, k, v))
                elif k == v:
                    problems.append("%s: fields renames %r to itself" % (where, k))

    sup = e.get("supplies")
    if "supplies" in e:
        sup = check_string_list(where, "supplies", sup, problems, casefold=False)
        if isinstance(fields, dict):
            for k, v in fields.items():
                if is_str(v) and v not in sup:
                    problems.append("%s: rename %s -> %s: %r is not in supplies" % (where, k, v, v))
    else:
        sup = None

    if "note" in e and not is_str(e.get("note")):
        problems.append("%s: note must be a non-empty string" % where)

    return {
        "id": eid if isinstance(eid, str) else where,
        "logsource": ls if isinstance(ls, dict) else {},
        "reader": reader,
        "events": ev if isinstance(ev, dict) else None,
        "fields": fields if isinstance(fields, dict) else {},
        "supplies": set(sup) if sup is not None else None,
    }


def check_mapping(doc, problems):
    if not isinstance(doc, dict):
        problems.append("mapping: the document must be a mapping with version and sources")
        return []
    for k in doc:
        if k not in ("version", "sources"):
            problems.append("mapping: unknown top-level member %r" % k)
    v = doc.get("version")
    if isinstance(v, bool) or v != 1:
        problems.append("mapping: version must be 1, not %r" % (v,))
    srcs = doc.get("sources")
    if not isinstance(srcs, list) or not srcs:
        problems.append("mapping: sources must be a non-empty list")
        return []
    ids = set()
    entries = [check_entry(i, e, ids, problems) for i, e in enumerate(srcs)]
    entries = [x for x in entries if x is not None]
    seen = {}
    for x in entries:
        key = (tuple(sorted(x["logsource"].items())), x["reader"],
               repr(sorted((k, sorted(map(str, v)) if isinstance(v, list) else v)
                           for k, v in (x["events"] or {}).items())))
        if key in seen:
            problems.append("%s: same logsource, reader and events as %s" % (x["id"], seen[key]))
        else:
            seen[key] = x["id"]
    return entries


def rule_files(dirs):
    for d in dirs:
        if os.path.isfile(d):
            yield d
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for f in sorted(files):
                if f.endswith((".yml", ".yaml")):
                    yield os.path.join(root, f)


def detection_fields(det):
    """Field names a detection tests (modifiers stripped; keywords have none)."""
    out = set()

    def walk(x):
        if isinstance(x, dict):
            for k in x:
                if isinstance(k, str):
                    name = k.split("|")[0]
                    if name:
                        out.add(name)
        elif isinstance(x, list):
            for y in x:
                walk(y)

    if isinstance(det, dict):
        for name, sel in det.items():
            if name in ("condition", "timeframe"):
                continue
            walk(sel)
    return out


def binds(rule_ls, entry_ls):
    """A rule binds to an entry when every key the rule states equals the entry's."""
    return all(entry_ls.get(k) == v for k, v in rule_ls.items())


def check_rules(entries, dirs, show_fields, problems):
    evtx = [x for x in entries if x["reader"] == "evtx"]
    unserved = Counter()
    example = {}
    windows_rules = 0
    unreadable = []
    missing = defaultdict(Counter)   # entry id -> field -> rules
    for path in rule_files(dirs):
        try:
            with open(path, "rb") as f:
                docs = list(yaml.safe_load_all(f.read().decode("utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            unreadable.append("%s: %s" % (path, str(e).splitlines()[0]))
            continue
        for r in docs:
            if not isinstance(r, dict) or not isinstance(r.get("logsource"), dict):
                continue
            ls = {k: r["logsource"][k] for k in LOGSOURCE_KEYS
                  if r["logsource"].get(k) is not None}
            if ls.get("product") != "windows":
                continue
            windows_rules += 1
            bound = [x for x in evtx if binds(ls, x["logsource"])]
            key = tuple(ls.get(k) for k in LOGSOURCE_KEYS)
            if not bound:
                unserved[key] += 1
                example.setdefault(key, path)
                continue
            if show_fields:
                used = detection_fields(r.get("detection"))
                for x in bound:
                    if x["supplies"] is None:
                        continue
                    for fname in used:
                        target = x["fields"].get(fname, fname)
                        if target not in x["supplies"] and fname not in SYSTEM_MEMBERS:
                            missing[x["id"]][fname] += 1
    print("rules: %d with product windows" % windows_rules)
    if unreadable:
        print("note: %d rule files could not be read (not a mapping problem):" % len(unreadable))
        for u in unreadable[:20]:
            print("  " + u)
    for key, n in sorted(unserved.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        desc = ", ".join("%s: %s" % (k, v) for k, v in zip(LOGSOURCE_KEYS, key) if v is not None)
        problems.append("no evtx entry serves {%s}: %d rule(s), e.g. %s" % (desc, n, example[key]))
    if show_fields:
        for eid in sorted(missing):
            items = ", ".join("%s (%d)" % (f, n) for f, n in
                              sorted(missing[eid].items(), key=lambda kv: (-kv[1], kv[0])))
            print("not supplied by %s: %s" % (eid, items))


def main(argv):
    args = argv[1:]
    show_fields = False
    if args and args[0] == "--fields":
        show_fields = True
        args = args[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write("usage: check_mapping.py [--fields] MAPPING [RULES_DIR...]\n")
        return 2
    problems = []
    doc = load_mapping(args[0], problems)
    entries = check_mapping(doc, problems) if doc is not None else []
    if entries:
        print("mapping: %d entries (%d with reader evtx)" %
              (len(entries), sum(1 for x in entries if x["reader"] == "evtx")))
    if len(args) > 1:
        for d in args[1:]:
            if not os.path.exists(d):
                problems.append("%s: no such file or directory" % d)
        check_rules(entries, [d for d in args[1:] if os.path.exists(d)], show_fields, problems)
    for p in problems:
        print("problem: " + p)
    print("%d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
