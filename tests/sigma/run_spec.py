#!/usr/bin/python3
"""run_spec.py - the Sigma specification oracle: cases written from the specification's
text (tests/sigma/spec/*.yml, see tests/sigma/spec/README.md), run against sakimori.

    run_spec.py SAKIMORI CASE_DIR [--only NAME]   run every case (or those whose name
                                                  contains NAME)
    run_spec.py --lint CASE_DIR                   check the case files without sakimori

For each case: the rules are written to a temporary folder (`rules.yml` when `rules:` is
one text, else one file per key of `rules:`), the events to `events.jsonl` in the Rust
evtx crate's JSON shape, the placeholders (if any) to `placeholders.yml`, then

    SAKIMORI hunt events --sigma RULES --format jsonl [--placeholders FILE] events.jsonl

stdout: one JSON finding per line (`rule.id`, `evidence[0].record_id`; a correlation
result has `attributes.correlation` with its `group`). stderr: one line per refused
rule naming the rule file. Exit code 0 nothing detected, 1 something detected.

Compared: per rule id the set of record ids with a finding (`expect`), a record reported
twice for a rule, findings of rule ids the case does not list, correlation results per
group (`expect_correlations`), refusals (`expect_error`), the exit code. Rule ids listed
under `unchecked` (with the reason the specification leaves their findings open) are
not compared. One line per
failing case, a summary "N cases, M failed"; exit 1 on any failure, 77 when SAKIMORI is
not an executable file.

--lint: every case file parses; every case has name, spec, rules, events and expect,
expect_correlations or expect_error; every rule file parses (unless it is expected to be
refused), every document of a rule file that is not expected to be refused is valid
against the specification's JSON Schemas (detection, correlation or filter); ids named in
expectations are defined by the case's rules and every rule's id is expected; record ids
exist; a file expected to be refused is invalid YAML, invalid against the schema, or
names the specification's sentence that forbids it (`invalid_by`).
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR_CANDIDATES = [
    os.path.join(HERE, "..", "..", "..", "shared", "data", "sigma", "specification", "json-schema"),
    "/work/shared/data/sigma/specification/json-schema",
]
DEFAULT_CHANNEL = "Security"
DEFAULT_PROVIDER = "Microsoft-Windows-Security-Auditing"
DEFAULT_COMPUTER = "HOST1"
BASE_TIME = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
SYSTEM_KEYS = ("EventID", "Channel", "Provider_Name", "Computer", "TimeCreated")
TIMEOUT = 120


# ---------------------------------------------------------------------------- cases

def load_case_files(case_dir):
    """[(path, topic, [case...])] in file name order; raises on a file that is not YAML."""
    out = []
    for name in sorted(os.listdir(case_dir)):
        if not name.endswith(".yml"):
            continue
        path = os.path.join(case_dir, name)
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        out.append((path, doc))
    return out


def rule_files(case):
    """{file name: text}"""
    rules = case.get("rules")
    if isinstance(rules, str):
        return {"rules.yml": rules}
    if isinstance(rules, dict):
        return {str(k): v for k, v in rules.items()}
    return {}


def time_text(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(v)


def expand_events(events):
    """The case's events with `_repeat: N` unrolled: [(record id, event map)]."""
    out = []
    for ev in events or []:
        ev = dict(ev)
        n = ev.pop("_repeat", 1)
        for _ in range(int(n)):
            out.append((len(out) + 1, dict(ev)))
    return out


def event_json(rid, ev):
    system = {
        "Provider": {"#attributes": {"Name": ev.get("Provider_Name", DEFAULT_PROVIDER)}},
    }
    if "EventID" in ev:
        system["EventID"] = ev["EventID"]
    system["EventRecordID"] = rid
    if "TimeCreated" in ev:
        t = time_text(ev["TimeCreated"])
    else:
        t = (BASE_TIME + datetime.timedelta(seconds=rid)).strftime("%Y-%m-%dT%H:%M:%SZ")
    system["TimeCreated"] = {"#attributes": {"SystemTime": t}}
    system["Channel"] = ev.get("Channel", DEFAULT_CHANNEL)
    system["Computer"] = ev.get("Computer", DEFAULT_COMPUTER)
    data = {}
    for k, v in ev.items():
        if k in SYSTEM_KEYS:
            continue
        if isinstance(v, (datetime.date, datetime.datetime)):
            v = time_text(v) if isinstance(v, datetime.datetime) else v.isoformat()
        data[k] = v
    return {"Event": {"System": system, "EventData": data}}


# --------------------------------------------------------------------------- running

def group_key(group):
    if not isinstance(group, dict):
        return json.dumps(group, sort_keys=True)
    return json.dumps({str(k): (None if v is None else str(v)) for k, v in group.items()},
                      sort_keys=True)


def run_case(sakimori, case, tmp):
    """[problem text]; empty when the case passes."""
    problems = []
    files = rule_files(case)
    rdir = os.path.join(tmp, "rules")
    os.makedirs(rdir)
    for name, text in files.items():
        with open(os.path.join(rdir, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    sigma = os.path.join(rdir, "rules.yml") if isinstance(case.get("rules"), str) else rdir
    evpath = os.path.join(tmp, "events.jsonl")
    with open(evpath, "w", encoding="utf-8", newline="\n") as f:
        for rid, ev in expand_events(case.get("events")):
            f.write(json.dumps(event_json(rid, ev), ensure_ascii=False) + "\n")
    cmd = [sakimori, "hunt", "events", "--sigma", sigma, "--format", "jsonl"]
    if case.get("placeholders") is not None:
        ppath = os.path.join(tmp, "placeholders.yml")
        with open(ppath, "w", encoding="utf-8") as f:
            yaml.safe_dump(case["placeholders"], f, allow_unicode=True)
        cmd += ["--placeholders", ppath]
    cmd.append(evpath)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return ["timed out after %d s" % TIMEOUT]
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1):
        first = err.strip().splitlines()[:3]
        return ["exit code %d: %s" % (p.returncode, " | ".join(first))]

    detections = {}     # rule id -> [record id]
    correlations = {}   # rule id -> {group key: count}
    for n, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            rid = str(obj["rule"]["id"])
            attrs = obj.get("attributes") or {}
            corr = attrs.get("correlation") if isinstance(attrs, dict) else None
            if corr is not None:
                g = group_key(corr.get("group", {}) if isinstance(corr, dict) else {})
                correlations.setdefault(rid, {}).setdefault(g, 0)
                correlations[rid][g] += 1
            else:
                detections.setdefault(rid, []).append(int(str(obj["evidence"][0]["record_id"])))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            problems.append("stdout line %d is not a finding (%s): %.120s" % (n, e, line))
    found_any = bool(detections) or bool(correlations)
    if p.returncode != (1 if found_any else 0):
        problems.append("exit code %d with %s" % (p.returncode,
                        "findings" if found_any else "no findings"))

    expect = case.get("expect") or {}
    expect_corr = case.get("expect_correlations") or {}
    for rule_id, want in expect.items():
        rule_id = str(rule_id)
        got = detections.get(rule_id, [])
        dup = sorted({r for r in got if got.count(r) > 1})
        if dup:
            problems.append("%s: records %s reported more than once" % (rule_id, dup))
        want_s, got_s = set(want or []), set(got)
        if want_s != got_s:
            missing, extra = sorted(want_s - got_s), sorted(got_s - want_s)
            problems.append("%s: expected records %s, got %s (missing %s, extra %s)"
                            % (rule_id, sorted(want_s), sorted(got_s), missing, extra))
        if rule_id in correlations and rule_id not in expect_corr:
            problems.append("%s: unexpected correlation results %s" % (rule_id, correlations[rule_id]))
    for rule_id, want in expect_corr.items():
        rule_id = str(rule_id)
        got = correlations.get(rule_id, {})
        total_got = sum(got.values())
        total_want = 0
        for entry in want or []:
            cnt = int(entry.get("count_results", 1))
            total_want += cnt
            if "group" in entry:
                g = group_key(entry["group"])
                if got.get(g, 0) != cnt:
                    problems.append("%s: group %s: expected %d correlation results, got %d (all: %s)"
                                    % (rule_id, g, cnt, got.get(g, 0), got or "none"))
        if total_got != total_want:
            problems.append("%s: expected %d correlation results in all, got %d (%s)"
                            % (rule_id, total_want, total_got, got or "none"))
        if rule_id in detections and rule_id not in expect:
            problems.append("%s: unexpected plain findings for records %s"
                            % (rule_id, sorted(detections[rule_id])))
    unchecked = {str(k) for k in (case.get("unchecked") or {})}
    for rule_id in sorted(set(detections) | set(correlations)):
        if rule_id not in expect and rule_id not in expect_corr and rule_id not in unchecked:
            problems.append("%s: findings from a rule the case does not expect: records %s, "
                            "correlations %s" % (rule_id, sorted(detections.get(rule_id, [])),
                                                 correlations.get(rule_id, {})))

    lines = err.splitlines()
    for key, want in (case.get("expect_error") or {}).items():
        key = str(key)
        subs = want if isinstance(want, list) else [want]
        subs = [str(s).lower() for s in subs]
        named = [l for l in lines if key in l]
        if not named:
            problems.append("%s: no refusal on stderr naming it (stderr: %.200s)"
                            % (key, " | ".join(lines[:4]) or "empty"))
        elif not any(s in l.lower() for l in named for s in subs):
            problems.append("%s: refused, but no message contains any of %s: %.200s"
                            % (key, subs, " | ".join(named)))
    if case.get("expect_loaded"):
        for name in files:
            named = [l for l in lines if name in l]
            if named:
                problems.append("%s: expected to load, stderr names it: %.200s"
                                % (name, " | ".join(named)))
    return problems


def run(sakimori, case_dir, only):
    if not (os.path.isfile(sakimori) and os.access(sakimori, os.X_OK)):
        print("run_spec: %s: not an executable file, skipped" % sakimori)
        return 77
    n = failed = 0
    for path, doc in load_case_files(case_dir):
        for case in doc.get("cases") or []:
            name = str(case.get("name"))
            if only and only not in name:
                continue
            n += 1
            with tempfile.TemporaryDirectory(prefix="sigma-spec-") as tmp:
                try:
                    problems = run_case(sakimori, case, tmp)
                except OSError as e:
                    problems = ["could not run: %s" % e]
            if problems:
                failed += 1
                print("FAIL %s [%s]: %s" % (name, os.path.basename(path), "; ".join(problems)))
    print("%d cases, %d failed" % (n, failed))
    return 1 if failed else 0


# ------------------------------------------------------------------------------ lint

def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def load_schemas():
    import jsonschema
    for d in SCHEMA_DIR_CANDIDATES:
        d = os.path.normpath(d)
        if os.path.isdir(d):
            break
    else:
        raise SystemExit("run_spec: the specification's json-schema folder was not found")
    out = {}
    for kind, name in (("detection", "sigma-detection-rule-schema.json"),
                       ("correlation", "sigma-correlation-rules-schema.json"),
                       ("filter", "sigma-filters-schema.json")):
        with open(os.path.join(d, name), encoding="utf-8") as f:
            schema = json.load(f)
        out[kind] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return out


def doc_kind(doc):
    if isinstance(doc, dict):
        if "correlation" in doc:
            return "correlation"
        if "filter" in doc:
            return "filter"
    return "detection"


def is_uuid(s):
    try:
        uuid.UUID(str(s))
        return re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", str(s))
    except ValueError:
        return False


def lint_case(case, schemas):
    errs = []
    for key in ("name", "spec", "rules", "events"):
        if key not in case:
            errs.append("missing %s" % key)
    if not any(k in case for k in ("expect", "expect_correlations", "expect_error")):
        errs.append("no expect, expect_correlations or expect_error")
    known = {"name", "spec", "rules", "events", "expect", "expect_correlations",
             "expect_error", "placeholders", "invalid_by", "schema_exempt", "expect_loaded",
             "unchecked"}
    for k in case:
        if k not in known:
            errs.append("unknown key %s" % k)
    if not isinstance(case.get("spec"), str) or not case.get("spec", "").strip():
        errs.append("spec must be a non-empty text")
    files = rule_files(case)
    if not files:
        errs.append("rules must be a text or a map file name -> text")
    for name, text in files.items():
        if not isinstance(text, str):
            errs.append("rules[%s] is not a text" % name)
    expect_error = {str(k): v for k, v in (case.get("expect_error") or {}).items()}
    invalid_by = {str(k): v for k, v in (case.get("invalid_by") or {}).items()}
    for k in expect_error:
        if k not in files:
            errs.append("expect_error names %s, which is not one of the case's rule files" % k)
    for k in invalid_by:
        if k not in expect_error:
            errs.append("invalid_by names %s, which is not expected to be refused" % k)

    detection_ids, corr_ids, filter_ids, names, all_ids = set(), set(), set(), set(), set()
    corr_all = set()   # correlations, also those of files expected to be refused
    refs = []   # (file, referenced rule id or name)
    for fname, text in files.items():
        if not isinstance(text, str):
            continue
        try:
            docs = [d for d in yaml.safe_load_all(text)]
        except yaml.YAMLError as e:
            if fname not in expect_error:
                errs.append("%s does not parse: %s" % (fname, str(e).replace("\n", " ")))
            continue
        schema_bad = []
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                schema_bad.append("document %d is not a map" % (i + 1))
                continue
            kind = doc_kind(doc)
            v = schemas[kind]
            es = sorted(v.iter_errors(jsonable(doc)), key=lambda e: list(e.path))
            for e in es:
                schema_bad.append("document %d (%s): %s at %s" % (
                    i + 1, kind, e.message[:160], "/".join(str(p) for p in e.absolute_path)))
            rid = doc.get("id")
            if rid is not None:
                rid = str(rid)
                if kind == "correlation":
                    corr_all.add(rid)
                if rid in all_ids:
                    errs.append("%s: id %s defined twice" % (fname, rid))
                all_ids.add(rid)
                if not is_uuid(rid):
                    errs.append("%s: id %s is not a lower-case UUID" % (fname, rid))
                if fname not in expect_error:
                    {"detection": detection_ids, "correlation": corr_ids,
                     "filter": filter_ids}[kind].add(rid)
            if doc.get("name") is not None:
                names.add(str(doc["name"]))
            if fname not in expect_error:
                if kind == "correlation":
                    for r in (doc.get("correlation") or {}).get("rules") or []:
                        refs.append((fname, str(r)))
                if kind == "filter":
                    for r in (doc.get("filter") or {}).get("rules") or []:
                        refs.append((fname, str(r)))
        if fname in expect_error:
            if not schema_bad and not invalid_by.get(fname):
                errs.append("%s is expected to be refused but is valid YAML and valid against "
                            "the schema: say which sentence forbids it in invalid_by" % fname)
        elif schema_bad and not case.get("schema_exempt"):
            errs.extend("%s: %s" % (fname, s) for s in schema_bad)
        elif not schema_bad and case.get("schema_exempt"):
            errs.append("schema_exempt given but %s is valid against the schema" % fname)
    for fname, r in refs:
        if r not in all_ids and r not in names:
            errs.append("%s refers to %s, which no rule of the case defines" % (fname, r))

    events = case.get("events")
    nev = 0
    if not isinstance(events, list):
        errs.append("events must be a list")
    else:
        for i, ev in enumerate(events, 1):
            if not isinstance(ev, dict):
                errs.append("event %d is not a map" % i)
                continue
            if "_repeat" in ev and (not isinstance(ev["_repeat"], int) or ev["_repeat"] < 1):
                errs.append("event %d: _repeat must be a positive integer" % i)
            for k, val in ev.items():
                if isinstance(val, (dict, list)):
                    errs.append("event %d: field %s is not a scalar" % (i, k))
            if "TimeCreated" in ev:
                t = time_text(ev["TimeCreated"])
                if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", t):
                    errs.append("event %d: TimeCreated %s is not YYYY-MM-DDTHH:MM:SSZ" % (i, t))
        nev = len(expand_events([e for e in events if isinstance(e, dict)]))

    expect = case.get("expect") or {}
    if not isinstance(expect, dict):
        errs.append("expect must be a map")
        expect = {}
    for rid, recs in expect.items():
        rid = str(rid)
        if rid not in detection_ids and rid not in all_ids:
            errs.append("expect names %s, which no rule of the case defines" % rid)
        if rid in corr_ids:
            errs.append("expect names correlation %s: use expect_correlations" % rid)
        if not isinstance(recs, list):
            errs.append("expect[%s] must be a list of record ids" % rid)
            continue
        for r in recs:
            if not isinstance(r, int) or not 1 <= r <= nev:
                errs.append("expect[%s]: record %s does not exist (%d events)" % (rid, r, nev))
    ec = case.get("expect_correlations") or {}
    for rid, entries in ec.items():
        rid = str(rid)
        if rid not in corr_all:
            errs.append("expect_correlations names %s, which is not a correlation of the case" % rid)
        if not isinstance(entries, list):
            errs.append("expect_correlations[%s] must be a list" % rid)
            continue
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("count_results", 1), int):
                errs.append("expect_correlations[%s]: bad entry %s" % (rid, e))
            elif "group" in e and not isinstance(e["group"], dict):
                errs.append("expect_correlations[%s]: group must be a map" % rid)
    unchecked = {str(k): v for k, v in (case.get("unchecked") or {}).items()}
    for rid, why in unchecked.items():
        if rid not in all_ids:
            errs.append("unchecked names %s, which no rule of the case defines" % rid)
        if not isinstance(why, str) or not why.strip():
            errs.append("unchecked[%s] needs the reason" % rid)
        if rid in expect or rid in ec:
            errs.append("unchecked %s is also expected" % rid)
    for rid in sorted(detection_ids | corr_ids):
        if rid not in expect and rid not in ec and rid not in unchecked:
            errs.append("rule %s has no expectation (list it, [] for none)" % rid)
    ph = case.get("placeholders")
    if ph is not None:
        if not isinstance(ph, dict) or not all(isinstance(v, list) for v in ph.values()):
            errs.append("placeholders must map a name to a list of values")
    for k, v in expect_error.items():
        if not isinstance(v, (str, list)):
            errs.append("expect_error[%s] must be a text or a list of texts" % k)
    return errs


def lint(case_dir):
    schemas = load_schemas()
    total = bad = 0
    names = set()
    per_topic = []
    for name in sorted(os.listdir(case_dir)):
        if not name.endswith(".yml"):
            continue
        path = os.path.join(case_dir, name)
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except yaml.YAMLError as e:
            print("LINT %s: does not parse: %s" % (name, e))
            bad += 1
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("topic"), str) \
                or not isinstance(doc.get("cases"), list):
            print("LINT %s: needs topic (text) and cases (list)" % name)
            bad += 1
            continue
        per_topic.append((doc["topic"], len(doc["cases"])))
        for i, case in enumerate(doc["cases"], 1):
            total += 1
            if not isinstance(case, dict):
                print("LINT %s case %d: not a map" % (name, i))
                bad += 1
                continue
            cname = str(case.get("name", "#%d" % i))
            errs = lint_case(case, schemas)
            if cname in names:
                errs.append("name used twice")
            names.add(cname)
            if errs:
                bad += 1
                for e in errs:
                    print("LINT %s: %s: %s" % (name, cname, e))
    for topic, n in per_topic:
        print("%-28s %3d cases" % (topic, n))
    print("%d cases, %d with lint errors" % (total, bad))
    return 1 if bad else 0


def main(argv):
    args = argv[1:]
    if args and args[0] == "--lint":
        if len(args) != 2:
            print(__doc__)
            return 2
        return lint(args[1])
    only = None
    if "--only" in args:
        i = args.index("--only")
        if i + 1 >= len(args):
            print(__doc__)
            return 2
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    return run(args[0], args[1], only)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
