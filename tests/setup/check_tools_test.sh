#!/usr/bin/env bash
# scripts/check-tools (what scripts/setup runs on every call): passes on this machine, and names
# the missing tool and the module that does not import when they are missing.
set -uo pipefail
check="$1/scripts/check-tools"
failures=0
expect() {  # expect NAME EXIT PATTERN -- command...
  local name=$1 code=$2 pattern=$3
  shift 4
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -ne "$code" ] || ! grep -qF -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $got (want $code), output:"; echo "$out"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
expect "all present" 0 "6 Python modules and 2 Node packages checked" -- "$check"
# No tool on the PATH: each one named (bash itself is found by its full path).
expect "a tool missing" 1 "setup: error: tool 'socat' is not on the PATH" -- \
  env PATH=/nonexistent /bin/bash "$check"
# A python3 without serial_asyncio (python3-serial-asyncio not installed).
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
cat >"$fake/python3" <<'PY'
#!/bin/sh
case "$2" in "import serial_asyncio") exit 1 ;; esac
exec /usr/bin/python3 "$@"
PY
chmod +x "$fake/python3"
expect "a module missing" 1 "cannot import module 'serial_asyncio'" -- \
  env TREADMILL_PYTHON="$fake/python3" "$check"
# A checkout without node_modules (npm ci not run): the Node package named.
mkdir -p "$fake/checkout/scripts"
cp "$check" "$fake/checkout/scripts/check-tools"
expect "a Node package missing" 1 "node cannot import '@garmin/fitsdk'" -- \
  "$fake/checkout/scripts/check-tools"
expect "the browser tests' driver missing" 1 "node cannot import 'playwright-core'" -- \
  "$fake/checkout/scripts/check-tools"
[ "$failures" -eq 0 ]
