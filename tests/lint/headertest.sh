#!/usr/bin/env bash
# headertest: compile every public header alone, as the first and only include of a
# translation unit, with -std=c11 -pedantic -Werror (libgit2's tests/headertest); and
# sakimori.h, the umbrella, includes every one of them.
set -u
cc=$1 inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for h in "$inc"/sakimori/*.h; do
  name=sakimori/$(basename "$h")
  printf '#include <%s>\nint sk_headertest_dummy;\n' "$name" > "$tmp/t.c"
  if "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o" 2> "$tmp/err"; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name"; cat "$tmp/err"
  fi
done
# the umbrella header names every header
for h in "$inc"/sakimori/*.h; do
  b=$(basename "$h")
  [ "$b" = sakimori.h ] && continue
  if grep -q "^#include \"$b\"" "$inc/sakimori/sakimori.h"; then pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL sakimori/sakimori.h does not include $b"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
