#!/usr/bin/env bash
# Golden CLI test runner. A case is a directory holding:
#   cmd           one shell command line; `sakimori` is the binary under test
#   stdin         (optional) fed to the command
#   expected.out  exact stdout
#   expected.err  exact stderr
#   expected.rc   exit code
# The command runs from the repository root, so cases can name docs/ and tests/ files.
# Set GOLDEN_UPDATE=1 to rewrite the expectations from the current output (then review
# the diff: an expectation copied from output is only as good as that review).
set -u
bin=$1 dir=$2 root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
ln -s "$bin" "$tmp/bin/sakimori"
stdin=/dev/null
[ -f "$dir/stdin" ] && stdin="$dir/stdin"
(cd "$root" && PATH="$tmp/bin:$PATH" TZ=UTC LC_ALL=C bash -c "$(cat "$dir/cmd")" \
   < "$stdin" > "$tmp/out" 2> "$tmp/err"; echo $? > "$tmp/rc")
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
  cp "$tmp/out" "$dir/expected.out"; cp "$tmp/err" "$dir/expected.err"; cp "$tmp/rc" "$dir/expected.rc"
  echo "updated $dir"; exit 0
fi
fail=0
for f in out err rc; do
  if ! diff -u "$dir/expected.$f" "$tmp/$f" > "$tmp/diff.$f"; then
    echo "FAIL $(basename "$dir"): $f differs"; cat "$tmp/diff.$f"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
