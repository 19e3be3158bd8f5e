#!/usr/bin/env bash
# scripts/demo as a runner meets it, without its build step: the daemon on its embedded
# simulator and the console in front of it, 8 × 400 m squeezed into ~5 s. Checks that it says
# where the console listens and a 6-digit PIN, that the workout goes from rep to rep, that it
# exits 0, and that neither treadmilld nor treadmill-console is left running.
# Usage: demo_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
tmp=$(mktemp -d)
out=$tmp/demo.out
# Processes whose command line names the demo's socket (under $tmp: only this run's).
leftovers() { pgrep -f -- "$tmp/treadmill-demo" || true; }
cleanup() {
  for pid in $(leftovers); do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

TMPDIR=$tmp DEMO_NO_BUILD=1 BUILD_DIR=$build DEMO_SECONDS=5 timeout 120 "$src/scripts/demo" >"$out" 2>&1
code=$?
[ "$code" -eq 0 ] || fail "scripts/demo exited $code"
grep -Eq '^demo: console http://127\.0\.0\.1:[0-9]+/$' "$out" || fail "no 'demo: console http://127.0.0.1:PORT/' line"
grep -Eq '^demo: PIN [0-9]{6} ' "$out" || fail "no 'demo: PIN' line with 6 digits"
# treadmillctl watch's step lines: "step    4/17  run  rep 2/8".
reps=$(grep -Eo '^step +[0-9]+/[0-9]+ +run +rep [0-9]+/8' "$out" | grep -Eo 'rep [0-9]+' | sort -u | wc -l)
[ "$reps" -ge 2 ] || fail "the watch showed $reps different reps (want at least 2)"
steps=$(grep -Eo '^step +[0-9]+/[0-9]+' "$out" | sort -u | wc -l)
[ "$steps" -ge 3 ] || fail "the watch showed $steps different steps (want at least 3)"
grep -q '^demo: treadmilld stopped cleanly' "$out" || fail "no 'treadmilld stopped cleanly'"
left=$(leftovers)
[ -z "$left" ] || fail "processes left behind: $(ps -o pid=,args= -p "${left//$'\n'/,}")"
if [ "$failures" -ne 0 ]; then
  echo "--- scripts/demo's output (first and last 20 lines):"; head -n 20 "$out"; echo ...; tail -n 20 "$out"
  exit 1
fi
echo "demo: console URL, PIN, $steps steps and $reps reps seen, exit 0, nothing left running"
