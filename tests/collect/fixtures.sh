#!/usr/bin/env bash
# collect/fixtures: PE fixtures built now with mingw-w64 and osslsigncode
# (tests/fixtures/pe/build.sh), collected, and checked field by field:
#   chrome.exe      VERSIONINFO OriginalFilename PowerShell.EXE under a browser's name
#   multilang.exe   two string tables, English and Japanese, both reported
#   signed.exe      digest_matches, signer named
#   tampered.exe    one byte changed after signing: digest_mismatch
#   plain.exe       no_embedded_signature (never "unsigned")
#   big.exe         a 40 MiB signed PE (read again for its signature): digest_matches;
#                   bigtampered.exe, one overlay byte changed: digest_mismatch
# Digests are checked against `openssl dgst`, the snapshot against its schema, a .zst
# snapshot against the zstd tool.
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/tests/fixtures/pe/build.sh" "$tmp/fx" > "$tmp/build.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then cat "$tmp/build.log"; exit 77; fi
[ $rc -eq 0 ] || { echo "FAIL building the fixtures"; cat "$tmp/build.log"; exit 1; }
rm -f "$tmp/fx/"*.key
"$bin" collect --root "$tmp/fx" --host FIXTURES --out "$tmp/snap.jsonl" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL collect exited $rc"; cat "$tmp/err"; exit 1; }
for f in "$tmp"/fx/*; do openssl dgst -sha256 -r "$f"; done > "$tmp/dgst"
# the same snapshot written zstd-compressed (.zst), read back with the zstd tool
"$bin" collect --root "$tmp/fx" --host FIXTURES --out "$tmp/snap.jsonl.zst" 2> /dev/null || { echo "FAIL collect to .zst"; exit 1; }
strip() { tail -n +2 | sed -E 's/"finished":"[^"]*"//'; } # the header names the output file
if zstd -qdc "$tmp/snap.jsonl.zst" | strip | cmp -s - <(strip < "$tmp/snap.jsonl"); then
  echo "ok   a .zst snapshot decompresses (zstd) to the same lines"
else
  echo "FAIL the .zst snapshot differs"; exit 1
fi
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
lines = [json.loads(l) for l in open(tmp + "/snap.jsonl")]
files = {l["path"].rsplit("/", 1)[1]: l for l in lines if l["type"] == "file"}
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok; failed += not ok
    print(("ok   " if ok else "FAIL ") + what)
check(lines[0]["type"] == "snapshot" and lines[-1]["type"] == "end" and lines[-1]["complete"], "header first, complete end last")
c = files["chrome.exe"]
check(c["kind"] == "pe" and c["OriginalFilename"] == "PowerShell.EXE", "chrome.exe says it is PowerShell.EXE")
check(c["FileDescription"] == "Windows PowerShell" and c["pe"]["fixed_file_version"] == "10.0.17763.1", "chrome.exe: description, fixed version")
check(c["ProductName"] == "Microsoft\u00ae Windows\u00ae Operating System", "chrome.exe: Latin-1 (R) decoded")
m = files["multilang.exe"]["pe"]["version_info"]
langs = {t["lang"]: t["strings"] for t in m}
check(set(langs) == {"040904b0", "041104b0"}, "multilang.exe: both tables (%s)" % sorted(langs))
check(langs.get("041104b0", {}).get("CompanyName") == "例示プラントシステムズ", "multilang.exe: Japanese strings")
check(files["multilang.exe"]["CompanyName"] == "Example Plant Systems", "multilang.exe: the English table at the top level")
s = files["signed.exe"]["signature"]
check(s["status"] == "digest_matches" and "CN=sakimori test signer" in s["signer_subject"] and s["digest_algorithm"] == "SHA256",
      "signed.exe: digest_matches, signer named (%s)" % s)
t = files["tampered.exe"]["signature"]
check(t["status"] == "digest_mismatch", "tampered.exe: digest_mismatch (%s)" % t)
check(files["plain.exe"]["signature"]["status"] == "no_embedded_signature", "plain.exe: no_embedded_signature")
b = files["big.exe"]
check(b["signature"]["status"] == "digest_matches" and b["pe"]["overlay"]["size"] > 40 * 1024 * 1024 - 4096,
      "big.exe (40 MiB): digest_matches, overlay reported (%s)" % b["signature"])
check(files["bigtampered.exe"]["signature"]["status"] == "digest_mismatch", "bigtampered.exe: digest_mismatch")
check(all(f["pe"]["machine"] == "AMD64" and f["pe"]["imphash"] for n, f in files.items() if n.endswith(".exe")), "machine and imphash on every .exe")
dg = {}
for l in open(tmp + "/dgst"):
    h, p = l.rstrip("\n").split(" ", 1)
    dg[p.lstrip("*").rsplit("/", 1)[1]] = h
check(all(files[n]["sha256"] == h for n, h in dg.items()), "SHA-256 of every file equals openssl dgst")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
rc=$?
[ $rc -eq 0 ] || exit 1
/usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance snapshot "$tmp/snap.jsonl" > "$tmp/v" 2>&1 ||
  { echo "FAIL snapshot schema"; cat "$tmp/v"; exit 1; }
tail -1 "$tmp/v"
