#!/usr/bin/env bash
# files/pe-identity: the identity rules of `hunt files` on real PE files - wine64's
# Windows binaries laid out as a Windows volume, copies of some under other names and
# in other folders, and the mingw-w64 fixtures (tests/fixtures/pe/build.sh: a program
# whose VERSIONINFO says PowerShell.EXE saved as chrome.exe, a signed and a tampered
# program, one with a Japanese string table) - collected, ingested, hunted. The rules
# must fire on exactly the files listed below, with these rules, and on nothing else
# (the in-box files at their homes above all).
set -u
bin=$1 root=$2
W=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
if [ ! -f "$W/cmd.exe" ]; then
  [ "${CI:-}" = true ] && { echo "FAIL: wine64's Windows binaries missing at $W (CI=true)"; exit 1; }
  echo "SKIP: wine64's Windows binaries missing at $W (scripts/install-deps)"; exit 77
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$root/tests/fixtures/pe/build.sh" "$t/fx" > "$t/build.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then cat "$t/build.log"; exit 77; fi
[ $rc -eq 0 ] || { echo "FAIL building the fixtures"; cat "$t/build.log"; exit 1; }
r=$t/root
mkdir -p "$r/Windows/System32/WindowsPowerShell/v1.0" "$r/Windows/System32/wbem" "$r/Users/sato/AppData/Local/Google/Chrome/Application" \
  "$r/Users/Public" "$r/Temp" "$r/Tools" "$r/Users/kato/AppData/Roaming/Browser" "$t/case"
for f in cmd notepad regsvr32 rundll32 cscript wscript mshta certutil msiexec reg sc net schtasks; do cp "$W/$f.exe" "$r/Windows/System32/"; done
cp "$W/wmic.exe" "$r/Windows/System32/wbem/"
cp "$W/powershell.exe" "$r/Windows/System32/WindowsPowerShell/v1.0/"
cp "$W/powershell.exe" "$r/Users/sato/AppData/Local/Google/Chrome/Application/chrome.exe"  # the report's trick
cp "$W/cmd.exe" "$r/Tools/update.exe"            # a shell under another name
cp "$W/certutil.exe" "$r/Tools/certutil.exe"     # a tool away from home, its own name
cp "$W/regsvr32.exe" "$r/Users/Public/svc.exe"   # identity REGSVR32.EXE, another name
cp "$W/regsvr32.exe" "$r/Temp/regsvr32.exe"      # identity and name, away from home
cp "$W/msiexec.exe" "$r/Tools/setup.exe"         # identity msiexec.exe, another name
cp "$W/notepad.exe" "$r/Tools/editor.exe"        # not a tool the list knows: nothing
cp "$t/fx/chrome.exe" "$r/Users/kato/AppData/Roaming/Browser/chrome.exe"  # says PowerShell.EXE, no such content at home
cp "$t/fx/tampered.exe" "$t/fx/signed.exe" "$t/fx/plain.exe" "$r/Tools/"
cp "$t/fx/multilang.exe" "$r/Tools/multilang.exe"  # says linectl.exe: renamed, but no tool
"$bin" collect --root "$r" --windows-root C: --host WINE-1 --site lab --out "$t/s.jsonl" 2> /dev/null || { echo "FAIL: collect"; exit 1; }
"$bin" ingest -q "$t/case" "$t/s.jsonl" || { echo "FAIL: ingest"; exit 1; }
"$bin" hunt files -q "$t/case" > "$t/f.jsonl"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: hunt files exited $rc (1: findings)"; exit 1; }
python3 "$root/tests/schema/validate.py" "$root/docs" --instance finding "$t/f.jsonl" 2> /dev/null | tail -1 | grep -q ", 0 failed" \
  || { echo "FAIL: the findings are not schema-valid"; exit 1; }
python3 - "$t/f.jsonl" <<'PY'
import json, sys
want = {
    "C:\\Users\\sato\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe": ("masquerade/system-content-renamed", "critical"),
    "C:\\Tools\\update.exe": ("masquerade/system-content-renamed", "critical"),
    "C:\\Tools\\certutil.exe": ("masquerade/outside-home", "medium"),
    "C:\\Users\\Public\\svc.exe": ("masquerade/system-binary-renamed", "critical"),
    "C:\\Temp\\regsvr32.exe": ("masquerade/outside-home", "medium"),
    "C:\\Tools\\setup.exe": ("masquerade/system-binary-renamed", "critical"),
    "C:\\Users\\kato\\AppData\\Roaming\\Browser\\chrome.exe": ("masquerade/tool-renamed", "high"),
    "C:\\Tools\\tampered.exe": ("stack/signature-mismatch", "high"),
    "C:\\Tools\\multilang.exe": ("masquerade/renamed", "low"),
}
got = {}
bad = 0
for l in open(sys.argv[1]):
    f = json.loads(l)
    p = f["attributes"]["path"]
    if f["host"] != "WINE-1" or f["engine"] not in ("masquerade", "stack", "hash", "yara"):
        print("FAIL: host or engine:", l.strip()); bad += 1
    if p in got:
        print("FAIL: two findings on", p, got[p], f["rule"]["id"]); bad += 1
    got[p] = (f["rule"]["id"], f["severity"])
    if not f.get("evidence") or "line" not in f["evidence"][0]:
        print("FAIL: no listing line as evidence:", p); bad += 1
for p, w in want.items():
    if got.get(p) != w:
        print("FAIL:", p, "expected", w, "got", got.get(p)); bad += 1
for p in got:
    if p not in want:
        print("FAIL: a finding where none belongs:", p, got[p]); bad += 1
print("files/pe-identity: %d findings, %d expected" % (len(got), len(want)))
print("1 passed, 0 failed" if not bad else "0 passed, 1 failed")
sys.exit(1 if bad else 0)
PY
