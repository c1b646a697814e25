#!/usr/bin/env bash
# collect/catroot: signatures the way Windows sees them. A fake Windows root whose
# Windows\System32\CatRoot holds security catalogues made by tests/collect/make_catalog.py
# (written from the specifications, signed with a key made now) listing the Authenticode
# digests of some of its PE files (computed by the same script with python3-pefile's
# offsets, not by sakimori; osslsigncode, when present, confirms each catalogue holds
# its member and verifies):
#   plain.exe        member of test.cat (SHA-256)                   -> catalog, verified
#   notepad.exe      wine's, 490403 bytes: padded to 8 when hashed  -> catalog
#   tampered.exe     embedded signature broken, digest catalogued  -> catalog, embedded_status digest_mismatch
#   bigplain.exe     40 MiB + 3 bytes, member of old.cat (SHA-1)    -> catalog (read again with pread)
#   multilang.exe    member of unverified.cat (changed after signing) -> catalog, not_verified
#   chrome.exe       listed only by a .cat symlinked from outside the root -> unsigned
#   write.exe        in no catalogue                                -> unsigned
#   signed.exe       embedded signature                             -> digest_matches
# plus bad.cat (test.cat cut short): one error line, the walk goes on. Then the names in
# other case (WINDOWS\system32\catroot): the same; with the CatRoot removed:
# no_embedded_signature again, also through a cache written while catalogues were there.
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
gen=$root/tests/collect/make_catalog.py
"$py" -c 'import pefile, cryptography' 2> /dev/null || { echo "skip: python3-pefile or python3-cryptography missing (scripts/install-deps)"; exit 77; }
"$root/tests/fixtures/pe/build.sh" "$tmp/fx" > "$tmp/build.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then cat "$tmp/build.log"; exit 77; fi
[ $rc -eq 0 ] || { echo "FAIL building the fixtures"; cat "$tmp/build.log"; exit 1; }
wine=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
[ -f "$wine/notepad.exe" ] && [ -f "$wine/write.exe" ] || { echo "skip: wine64's PE files are missing (scripts/install-deps)"; exit 77; }

r=$tmp/root
guid='{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
cats=$r/Windows/System32/CatRoot/$guid
old=$r/Windows/System32/CatRoot/{127D0A1D-4EF2-11D1-8608-00C04FC295EE}
mkdir -p "$cats" "$old" "$r/Program Files/Tools" "$tmp/outside"
cp "$tmp/fx/plain.exe" "$tmp/fx/tampered.exe" "$wine/notepad.exe" "$r/Windows/System32/"
cp "$tmp/fx/chrome.exe" "$tmp/fx/multilang.exe" "$tmp/fx/signed.exe" "$wine/write.exe" "$r/Program Files/Tools/"
cp "$tmp/fx/plain.exe" "$r/Windows/System32/bigplain.exe"
head -c $((40 * 1024 * 1024 + 3)) /dev/zero | tr '\0' 'Z' >> "$r/Windows/System32/bigplain.exe"

sha() { "$py" "$gen" digest "$1" | cut -d' ' -f"$2"; }  # 1: SHA-1, 2: SHA-256
S32=$r/Windows/System32 TOOLS="$r/Program Files/Tools"
key=(--key "$tmp/signer.key" --cert "$tmp/signer.pem")
"$py" "$gen" make "$cats/test.cat" "${key[@]}" "$(sha "$S32/plain.exe" 2)" "$(sha "$S32/notepad.exe" 2)" \
  "$(sha "$S32/tampered.exe" 2)" flat:"$(sha256sum "$TOOLS/write.exe" | cut -d' ' -f1)" || { echo "FAIL make test.cat"; exit 1; }
"$py" "$gen" make "$old/old.cat" --alg sha1 "${key[@]}" "$(sha "$S32/bigplain.exe" 1)" || { echo "FAIL make old.cat"; exit 1; }
"$py" "$gen" make "$cats/unverified.cat" --tamper "${key[@]}" "$(sha "$TOOLS/multilang.exe" 2)" || { echo "FAIL make unverified.cat"; exit 1; }
"$py" "$gen" make "$tmp/outside/evil.cat" "${key[@]}" "$(sha "$TOOLS/chrome.exe" 2)" || { echo "FAIL make evil.cat"; exit 1; }
ln -s "$tmp/outside/evil.cat" "$cats/link.cat"       # a symlink is never followed
ln -s "$tmp/outside" "$r/Windows/System32/CatRoot/{00000000-0000-0000-0000-000000000000}"
head -c 1000 "$cats/test.cat" > "$cats/bad.cat"

if command -v osslsigncode > /dev/null; then
  for f in "$cats/test.cat:$S32/plain.exe" "$cats/test.cat:$S32/notepad.exe" "$old/old.cat:$S32/bigplain.exe"; do
    osslsigncode verify -catalog "${f%%:*}" -in "${f#*:}" -CAfile "$tmp/signer.pem" > "$tmp/ossl" 2>&1 ||
      { echo "FAIL osslsigncode does not find ${f#*:} in ${f%%:*}"; cat "$tmp/ossl"; exit 1; }
  done
  osslsigncode verify -catalog "$cats/unverified.cat" -in "$TOOLS/multilang.exe" -CAfile "$tmp/signer.pem" > "$tmp/ossl" 2>&1 &&
    { echo "FAIL osslsigncode verifies unverified.cat"; exit 1; }
  echo "ok   osslsigncode finds each member in its catalogue, and refuses the one changed after signing"
fi

"$bin" collect --root "$r" --windows-root C: --host CATS --out "$tmp/snap.jsonl" 2> "$tmp/err"
rc=$?
[ $rc -eq 3 ] || { echo "FAIL collect exited $rc (3: bad.cat could not be read)"; cat "$tmp/err"; exit 1; }
grep -q '^collect: 3 security catalogues read (6 members), 1 not readable$' "$tmp/err" ||
  { echo "FAIL the summary does not count the catalogues"; cat "$tmp/err"; exit 1; }
/usr/bin/python3 "$root/tests/schema/validate.py" "$root/docs" --instance snapshot "$tmp/snap.jsonl" > "$tmp/v" 2>&1 ||
  { echo "FAIL snapshot schema"; cat "$tmp/v"; exit 1; }
echo "ok   the snapshot validates against its schema"

# the names in other case, a second time; then without the CatRoot, through a cache
mv "$r/Windows" "$r/WINDOWS" && mv "$r/WINDOWS/System32" "$r/WINDOWS/system32" && mv "$r/WINDOWS/system32/CatRoot" "$r/WINDOWS/system32/catroot"
"$bin" collect --root "$r" --windows-root C: --host CATS --cache "$tmp/cache" --out "$tmp/case.jsonl" 2> /dev/null
"$bin" collect --root "$r" --windows-root C: --host CATS --cache "$tmp/cache" --out "$tmp/cached.jsonl" 2> /dev/null
rm -rf "$r/WINDOWS/system32/catroot"
"$bin" collect --root "$r" --windows-root C: --host CATS --cache "$tmp/cache" --out "$tmp/none.jsonl" 2> "$tmp/err2"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL collect without catalogues exited $rc"; cat "$tmp/err2"; exit 1; }

"$py" - "$tmp" "$guid" <<'PY'
import json, sys
tmp, guid = sys.argv[1], sys.argv[2]
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += bool(ok); failed += not ok
    print(("ok   " if ok else "FAIL ") + what)
def load(name):
    lines = [json.loads(l) for l in open(tmp + "/" + name)]
    files = {l["path"].rsplit("\\", 1)[1].lower(): l for l in lines if l["type"] == "file"}
    return lines, files
lines, files = load("snap.jsonl")
head = lines[0]
check(head.get("catalogs") == {"read": 3, "failed": 1, "members": 6, "algorithms": ["SHA1", "SHA256"]},
      "header: 3 catalogues read, 1 failed, 6 members, SHA1 and SHA256 (%s)" % head.get("catalogs"))
errors = [l for l in lines if l["type"] == "error"]
check(len(errors) == 1 and errors[0]["op"] == "parse" and errors[0]["path"] == "C:\\Windows\\System32\\CatRoot\\%s\\bad.cat" % guid
      and errors[0]["error"].startswith("security catalogue not read: byte ") and "past the end of the file" in errors[0]["error"],
      "one error line for bad.cat, op parse, naming the byte (%s)" % errors)
check(lines[1]["type"] == "error", "the catalogue's error line comes first, before the walk's lines")
check(lines[-1]["type"] == "end" and lines[-1]["complete"] and lines[-1]["errors"] == 1, "the walk went on: complete, 1 error")
check("bad.cat" in files and "test.cat" in files, "the catalogues themselves are listed as files")
cat = "C:\\Windows\\System32\\CatRoot\\%s\\" % guid
signer = "O=sakimori tests,CN=sakimori test catalogue signer"
def sig(fs, n):
    return fs[n].get("signature", {})
want = {
    "plain.exe": {"status": "catalog", "catalog": cat + "test.cat", "digest_algorithm": "SHA256", "signer_subject": signer,
                  "signer_issuer": signer, "catalog_signature": "verified"},
    "notepad.exe": {"status": "catalog", "catalog": cat + "test.cat", "digest_algorithm": "SHA256", "signer_subject": signer,
                    "signer_issuer": signer, "catalog_signature": "verified"},
    "bigplain.exe": {"status": "catalog", "catalog": "C:\\Windows\\System32\\CatRoot\\{127D0A1D-4EF2-11D1-8608-00C04FC295EE}\\old.cat",
                     "digest_algorithm": "SHA1", "signer_subject": signer, "signer_issuer": signer, "catalog_signature": "verified"},
    "multilang.exe": {"status": "catalog", "catalog": cat + "unverified.cat", "digest_algorithm": "SHA256", "signer_subject": signer,
                      "signer_issuer": signer, "catalog_signature": "not_verified"},
    "chrome.exe": {"status": "unsigned"},
    "write.exe": {"status": "unsigned"},
}
for n, w in want.items():
    check(sig(files, n) == w, "%s: %s" % (n, sig(files, n)))
t = sig(files, "tampered.exe")
check(t.get("status") == "catalog" and t.get("embedded_status") == "digest_mismatch" and t.get("catalog") == cat + "test.cat"
      and "changed after signing" in t.get("error", ""), "tampered.exe: catalog, its broken embedded signature kept (%s)" % t)
check(sig(files, "signed.exe").get("status") == "digest_matches", "signed.exe keeps digest_matches")
_, case = load("case.jsonl")
check(all(sig(case, n).get("status") == sig(files, n).get("status") for n in want) and
      sig(case, "plain.exe").get("catalog") == "C:\\WINDOWS\\system32\\catroot\\%s\\test.cat" % guid,
      "WINDOWS\\system32\\catroot: found whatever the case, the path as listed (%s)" % sig(case, "plain.exe").get("catalog"))
_, cached = load("cached.jsonl")
check(all(cached[n].get("cached") for n in want) and all(sig(cached, n) == sig(case, n) for n in want),
      "a rescan through the cache gives the same statuses")
nl, none = load("none.jsonl")
check(nl[0].get("catalogs") == {"read": 0, "failed": 0, "members": 0, "algorithms": []}, "without CatRoot: the header says none was read")
check(all(sig(none, n).get("status") == "no_embedded_signature" for n in want if n != "tampered.exe")
      and sig(none, "tampered.exe").get("status") == "digest_mismatch" and sig(none, "signed.exe").get("status") == "digest_matches",
      "without CatRoot: no_embedded_signature again, never unsigned (the cache written with catalogues not used)")
check(not any(none[n].get("cached") for n in want), "the cache's entries depend on the catalogues: files read again")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
