#!/usr/bin/env bash
# collect/cache-yara: the incremental cache and YARA rules.
#  - a first run with --cache and --yara matches the rule on the files holding the
#    marker and fills the cache;
#  - a rescan of the unchanged tree reads nothing again ("cached": true on every file)
#    and says the same (digests, identity, matches);
#  - a changed file is read again, with its new digest; the others stay cached;
#  - the same through the metadata read-ahead (a directory of 40 files, a hard link);
#  - other rules invalidate the cache; a broken rules file is a one-line error naming
#    the file and line.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/tree
mkdir -p "$t/a"
printf 'nothing here\n' > "$t/a/clean.txt"
printf 'xx EVIL-MARKER xx\n' > "$t/a/marked.ps1"
printf 'EVIL-MARKER too\n' > "$t/a/also.txt"
printf '\x7fELF\x02\x01\x01' > "$t/a/lib.so"
# a directory large enough for the metadata read-ahead (lines of cache hits made there)
mkdir -p "$t/many"
for i in $(seq 1 40); do printf 'file %d\n' "$i" > "$t/many/f$i.txt"; done
ln "$t/many/f1.txt" "$t/many/link-to-f1.txt"
cat > "$tmp/rules.yar" <<'YAR'
rule marker { strings: $a = "EVIL-MARKER" condition: $a }
rule elf_magic { condition: uint32(0) == 0x464c457f }
YAR
c() { "$bin" collect --root "$t" --host Y --cache "$tmp/cache" --out "$tmp/$1" "${@:2}" 2> "$tmp/$1.err"; }
c run1.jsonl --yara "$tmp/rules.yar" || { echo "FAIL run 1"; cat "$tmp/run1.jsonl.err"; exit 1; }
c run2.jsonl --yara "$tmp/rules.yar" || { echo "FAIL run 2"; exit 1; }
printf 'changed\n' >> "$t/a/clean.txt"
c run3.jsonl --yara "$tmp/rules.yar" || { echo "FAIL run 3"; exit 1; }
printf 'rule other { condition: false }\n' > "$tmp/rules2.yar"
c run4.jsonl --yara "$tmp/rules2.yar" || { echo "FAIL run 4"; exit 1; }
printf 'rule broken {\n  strings: $a = "x"\n  condition: $b\n}\n' > "$tmp/bad.yar"
"$bin" collect --root "$t" --host Y --yara "$tmp/bad.yar" --out "$tmp/run5.jsonl" 2> "$tmp/run5.err"
echo "rc=$?" >> "$tmp/run5.err"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
links = {}
def load(n):
    d = {}
    for r in map(json.loads, open(tmp + "/" + n)):
        if r["type"] != "file": continue
        name = r["path"].rsplit("/", 1)[1]
        if "hardlink_of" in r: links[n] = r  # a later name of an inode: no content of its own
        else: d[name] = r
    return d
r1, r2, r3, r4 = (load("run%d.jsonl" % i) for i in (1, 2, 3, 4))
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok; failed += not ok
    print(("ok   " if ok else "FAIL ") + what)
check(r1["marked.ps1"]["yara"] == ["marker"] and r1["also.txt"]["yara"] == ["marker"] and r1["clean.txt"]["yara"] == [],
      "YARA: the marker rule on the two files holding it, nothing on the clean one")
check(r1["lib.so"]["yara"] == ["elf_magic"], "YARA: a condition on the header")
check(not any(r.get("cached") for r in r1.values()), "first run: nothing from the cache")
check(all(r.get("cached") for r in r2.values()), "rescan: every file from the cache")
strip = lambda r: {k: v for k, v in r.items() if k != "cached"}
check(all(strip(r2[k]) == strip(r1[k]) for k in r1), "rescan: the same lines")
check(len(r1) == 44 and links.get("run2.jsonl", {}).get("hardlink_of", "").endswith("/f1.txt"),
      "rescan: 44 files and the hard link (%d)" % len(r1))
check(not r3["clean.txt"].get("cached") and r3["clean.txt"]["sha256"] != r1["clean.txt"]["sha256"], "a changed file is read again")
check(all(r3[k].get("cached") for k in r3 if k != "clean.txt"), "the unchanged files stay cached")
check(not any(r.get("cached") for r in r4.values()) and all(r["yara"] == [] for r in r4.values()), "other rules: the cache is not used")
err = open(tmp + "/run5.err").read()
import re
check(re.search(r"bad\.yar:[0-9]+: undefined string", err) is not None and "rc=3" in err and err.count("\n") == 2, "a broken rule: one line naming file and line, exit 3 (%r)" % err)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
