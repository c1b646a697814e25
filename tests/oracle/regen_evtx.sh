#!/usr/bin/env bash
# Regenerate the committed EVTX oracle: what python3-evtx (the library of Debian's
# evtx_dump.py) reads from every EVTX file of ../shared/data/evtx/attack-samples and
# ../shared/data/sigma/regression_data (evtx_oracle.py), zstd-compressed. Run when the
# data or python3-evtx changes; review the record counts. CI compares against these
# files without running python-evtx (tests/oracle/run_evtx.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${SK_SHARED_DATA:-$root/../shared/data}
dpkg-query -W -f='${Version}\n' python3-evtx > "$here/python3-evtx.version"
for set in attack-samples:evtx/attack-samples regression:sigma/regression_data; do
  name=${set%%:*} dir=${set#*:}
  (cd "$data" && find "$dir" -name '*.evtx' -print0 | sort -z | xargs -0 /usr/bin/python3 "$here/evtx_oracle.py" .) \
    | zstd -19 -q -f -o "$here/evtx-$name.jsonl.zst"
  echo "$name: $(zstd -dc "$here/evtx-$name.jsonl.zst" | grep -c '"xml"') records"
done
