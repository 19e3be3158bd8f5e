#!/usr/bin/env bash
# scripts/check-bench-result passes a finite RESULT line and fails nan, inf, a missing RESULT
# line, a RESULT line that is not last, an empty one and a value that is not a number.
set -uo pipefail
check="$1/scripts/check-bench-result"
failures=0
expect() {  # expect PASS|FAIL TEXT
    local want=$1 text=$2 got=FAIL
    printf '%b' "$text" | "$check" >/dev/null 2>&1 && got=PASS
    if [ "$got" != "$want" ]; then
        echo "expected $want, got $got for: $text"
        failures=$((failures + 1))
    fi
}
expect PASS 'table\n\nRESULT a=1 b_2=-3.5e2\n'
expect PASS 'RESULT load_p99_us=12.0\n\n'
expect FAIL 'table\nRESULT a=nan\n'
expect FAIL 'table\nRESULT a=1 b=-inf\n'
expect FAIL 'table only\n'
expect FAIL ''
expect FAIL 'RESULT a=1\nmore output\n'
expect FAIL 'RESULT\n'
expect FAIL 'RESULT a=fast\n'
expect FAIL 'RESULT a=\n'
expect FAIL 'RESULT a\n'
[ "$failures" -eq 0 ] && echo "all cases as expected"
exit "$failures"
