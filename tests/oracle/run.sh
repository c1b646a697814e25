#!/usr/bin/env bash
# oracle/pe: sakimori collect over every PE of the wine64 package and of the corkami
# corpus; sections, imphash and VERSIONINFO strings must agree with python3-pefile's
# reading (the committed oracle, tests/oracle/pefile-*.jsonl, made by regen.sh) and
# SHA-256 with the oracle's. Corkami's files must parse without crash or hang (the
# collector's exit and its end line say so).
set -u
bin=$1 root=$2
here=$root/tests/oracle
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wine=/usr/lib/x86_64-linux-gnu/wine
data=${SK_SHARED_DATA:-$root/../shared/data}
corkami=$data/pe/corkami/PE/bin
[ -d "$corkami" ] && corkami=$(readlink -f "$corkami")
want=$(cat "$here/wine64.version")
have=$(dpkg-query -W -f='${Version}' wine64 2>/dev/null || echo none)
if [ "$have" != "$want" ]; then
  echo "the oracle is for wine64 $want, this machine has $have: run tests/oracle/regen.sh and review"
  [ "$have" = none ] && [ "${CI:-}" != true ] && exit 77
  exit 1
fi
args=(wine="$wine" "$tmp/wine.jsonl")
"$bin" collect --root "$wine" --host ORACLE --out "$tmp/wine.jsonl" 2> "$tmp/err" || { echo "FAIL collect wine"; cat "$tmp/err"; exit 1; }
oracle=("$here/pefile-wine.jsonl")
if [ -d "$corkami" ]; then
  timeout 300 "$bin" collect --root "$corkami" --host ORACLE --out "$tmp/corkami.jsonl" 2> "$tmp/err"
  rc=$?
  # corkami holds files the collector reports as errors? none expected: every file is readable
  [ $rc -eq 0 ] || { echo "FAIL collect corkami exited $rc"; cat "$tmp/err"; exit 1; }
  tail -1 "$tmp/corkami.jsonl" | grep -q '"complete":true' || { echo "FAIL corkami snapshot incomplete"; exit 1; }
  args+=(corkami="$corkami" "$tmp/corkami.jsonl")
  oracle+=("$here/pefile-corkami.jsonl")
else
  if [ "${CI:-}" = true ]; then echo "FAIL corkami corpus missing at $corkami (CI=true)"; exit 1; fi
  echo "skip corkami: $corkami is missing (see ../shared/data/README)"
fi
cat "${oracle[@]}" > "$tmp/oracle.jsonl"
/usr/bin/python3 "$here/compare_pe.py" "$tmp/oracle.jsonl" "${args[@]}"
