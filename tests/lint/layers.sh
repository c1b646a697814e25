#!/usr/bin/env bash
# layers: includes point downward (cli -> analysis -> rules -> formats -> core), and the
# simulator (src/sim) uses only core and format writers, never a reader, rule engine or
# analysis module, so its ground truth cannot come from the code it is meant to test.
set -u
root=$1
fail=0 pass=0
check() { # dir, forbidden include regex, why
  local dir=$root/src/$1
  [ -d "$dir" ] || { pass=$((pass + 1)); echo "ok   src/$1 (absent)"; return; }
  local bad
  bad=$(grep -rnE "#include [<\"]($2)" "$dir" --include='*.c' --include='*.h' || true)
  if [ -n "$bad" ]; then fail=$((fail + 1)); echo "FAIL src/$1: $3"; echo "$bad"
  else pass=$((pass + 1)); echo "ok   src/$1"; fi
}
check core 'sakimori/(case|evtx|sigma|ioc|analysis|report|snapshot_reader)' 'core includes a higher layer'
check formats '(analysis|rules|report)/' 'formats includes rules, analysis or report'
check sim '(analysis|rules)/|sakimori/(case|evtx|sigma|ioc|verdict|hunt|analysis)\.h|formats/.*_read' 'the simulator must not use readers, rules or analysis'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
