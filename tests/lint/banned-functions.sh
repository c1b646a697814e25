#!/usr/bin/env bash
# banned-functions: functions that invite overflows or hide errors (curl's list):
# sprintf strcpy strcat strtok atoi atol sscanf gets vsprintf. Use snprintf, sk_buf,
# explicit-length copies and checked parsers instead.
set -u
root=$1
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|sscanf|gets)[[:space:]]*\('
hits=$(grep -rnE "$pattern" "$root/src" "$root/include" "$root/tests/unit" "$root/tests/fuzz" \
         --include='*.c' --include='*.h' | grep -vE '(snprintf|vsnprintf)' || true)
if [ -n "$hits" ]; then
  echo "$hits"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "ok   no banned function in src/, include/, tests/"
echo "1 passed, 0 failed"
