#!/usr/bin/env bash
# evtx/regression-json (real data): SigmaHQ's regression cases hold each log twice, as
# EVTX and as another parser's JSON (the Rust evtx crate's {"Event":{...}} shape,
# pretty-printed, sometimes several records a file). Both are read by sakimori and must
# give the same events, record by record: System identical, EventData identical but
# for what that parser changes (GUIDs written without braces, trailing blanks of a
# value trimmed), the time equal to the microsecond it keeps. Upstream's JSON is not
# always of the very same record (a case differs in a path's letter case): at most 1%
# of the EventData values may differ, and the first few are shown. Skips when
# ../shared/data is missing; fails then with CI=true.
set -u
bin=$(readlink -f "$1") root=$2
data=${SK_SHARED_DATA:-$root/../shared/data}/sigma/regression_data
if [ ! -d "$data" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: $data is missing (CI=true)"; exit 1; fi
  echo "skipped: $data is missing"; exit 77
fi
exec python3 - "$bin" "$data" <<'PY'
import json, subprocess, sys, glob, os, re
bin, data = sys.argv[1], sys.argv[2]
guid = re.compile(r'^\{([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}$')
def dump(p):
    r = subprocess.run([bin, 'evtx', 'dump', '--quiet', p], capture_output=True, text=True)
    if r.returncode != 0: sys.exit("FAIL %s: exit %d: %s" % (p, r.returncode, r.stderr[:300]))
    return [json.loads(l) for l in r.stdout.splitlines()]
def crate_form(v):  # what the other parser writes for a value sakimori keeps as Windows renders it
    if isinstance(v, str):
        m = guid.match(v)
        return m.group(1) if m else v.rstrip()
    if isinstance(v, list): return [crate_form(x) for x in v]
    return v
files = records = values = differ = 0
shown = []
for js in sorted(glob.glob(data + '/**/*.json', recursive=True)):
    ev = js[:-5] + '.evtx'
    if not os.path.exists(ev): continue
    files += 1
    a = {x['System'].get('EventRecordID'): x for x in dump(ev)}
    b = dump(js)
    if not b: sys.exit("FAIL %s: no event" % js)
    for y in b:
        records += 1
        if y['format'] != 'evtx-json': sys.exit("FAIL %s: format %s" % (js, y['format']))
        x = a.get(y['System'].get('EventRecordID'))
        if x is None: sys.exit("FAIL %s: record %s is not in the EVTX" % (js, y['System'].get('EventRecordID')))
        if x['System'] != y['System']: sys.exit("FAIL %s: System differs:\n%s\n%s" % (js, x['System'], y['System']))
        if x['time'][:26] != y['time'][:26]: sys.exit("FAIL %s: time %s, EVTX %s" % (js, y['time'], x['time']))
        for part in ('EventData', 'UserData'):
            xs, ys = x.get(part), y.get(part)
            if part == 'EventData' and xs is not None and ys is not None:
                if set(xs) != set(ys): sys.exit("FAIL %s: EventData names differ: %s" % (js, set(xs) ^ set(ys)))
                for k in xs:  # upstream's JSON is not always of the very same record: values may differ, rarely
                    values += 1
                    if crate_form(xs[k]) != crate_form(ys[k]):
                        differ += 1
                        if len(shown) < 5: shown.append("%s: %s %r / %r" % (os.path.basename(js), k, str(xs[k])[:60], str(ys[k])[:60]))
            elif xs != ys: sys.exit("FAIL %s: %s differs:\n%s\n%s" % (js, part, xs, ys))
if files < 50: sys.exit("FAIL only %d cases with both forms" % files)
for l in shown: print("note %s" % l)
if differ * 100 > values: sys.exit("FAIL %d of %d EventData values differ" % (differ, values))
print("ok   %d regression cases, %d records: the evtx crate's JSON reads to the same events as the EVTX (%d of %d EventData values differ in upstream's data)" % (files, records, differ, values))
PY
