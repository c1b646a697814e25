#!/usr/bin/env bash
# Regenerate the committed PE oracle: what python3-pefile reads from every PE of the
# installed wine64 package and of the corkami corpus (../shared/data/pe/corkami).
# Run after a wine64 upgrade; review the diff. CI compares against these files without
# running pefile (tests/oracle/run.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${SK_SHARED_DATA:-$root/../shared/data}
wine=/usr/lib/x86_64-linux-gnu/wine
ver=$(dpkg-query -W -f='${Version}' wine64)
echo "$ver" > "$here/wine64.version"
/usr/bin/python3 "$here/pefile_oracle.py" "wine=$wine" > "$here/pefile-wine.jsonl"
/usr/bin/python3 "$here/pefile_oracle.py" "corkami=$data/pe/corkami/PE/bin" > "$here/pefile-corkami.jsonl"
wc -l "$here"/pefile-*.jsonl
