#!/usr/bin/env bash
# --help prints the usage to stdout and exits 0 for treadmilld, treadmillctl and treadmill-sim;
# treadmilld --check-config FILE exits 0 on a good config, 1 with FILE:LINE:COL errors on a bad
# one, 1 on a missing file, and 2 on a usage error.
# Usage: cli_test.sh TREADMILLD TREADMILLCTL TREADMILL_SIM SOURCE_DIR
set -uo pipefail
daemon=$1 ctl=$2 sim=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

for bin in "$daemon" "$ctl" "$sim"; do
  "$bin" --help >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ "$rc" -eq 0 ] || fail "$bin --help exited $rc"
  grep -q '^usage: ' "$tmp/out" || fail "$bin --help printed no usage on stdout"
  [ ! -s "$tmp/err" ] || fail "$bin --help wrote to stderr: $(cat "$tmp/err")"
done

# The shipped default config is valid.
"$daemon" --check-config "$src/systemd/treadmilld.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 0 ] || fail "default config: exit $rc: $(cat "$tmp/err")"
grep -q ': ok$' "$tmp/out" || fail "default config: no 'ok' line"

# Errors are located at line:col (1-based) and every one is listed.
printf 'bus:\n  transport: rtu\n  baud: fast\nmotor: {unit: 0}\n' >"$tmp/bad.yaml"
"$daemon" --check-config "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "bad config: exit $rc, want 1"
grep -q "^$tmp/bad.yaml:3:9: error: " "$tmp/err" || fail "bad config: no 3:9 error: $(cat "$tmp/err")"
grep -q "^$tmp/bad.yaml:4:15: error: " "$tmp/err" || fail "bad config: no 4:15 error: $(cat "$tmp/err")"
grep -q ': ok$' "$tmp/out" && fail "bad config said ok"

"$daemon" --check-config "$tmp/absent.yaml" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "absent config: exit $rc, want 1"
[ -s "$tmp/err" ] || fail "absent config: no message"

# Usage errors: exit 2, a message on stderr.
for args in "--check-config" "--check-config $tmp/bad.yaml --socket /x" \
            "--check-config $tmp/bad.yaml --probe" "--scan 1-3" "--probe --scan 9-3" \
            "--probe --scan 0-3" "--bogus x"; do
  # shellcheck disable=SC2086
  "$daemon" $args >/dev/null 2>"$tmp/err"; rc=$?
  [ "$rc" -eq 2 ] || fail "'$args': exit $rc, want 2"
  grep -q '^treadmilld: ' "$tmp/err" || fail "'$args': no message"
done

[ "$failed" -eq 0 ] && echo "cli: ok"
exit "$failed"
