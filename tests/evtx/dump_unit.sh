#!/usr/bin/env bash
# evtx/dump-unit: tests/evtx/test_dump.c over the fixture generator's log.evtx (files
# truncated and grown while they are read, NULL-safe frees, terminal escapes).
set -u
test_bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$root/tests/fixtures/evtx/make_evtx.py" "$tmp/f" > /dev/null || { echo "FAIL make_evtx.py"; exit 1; }
timeout -k 2 60 "$test_bin" "$tmp/f/log.evtx" "$tmp"
