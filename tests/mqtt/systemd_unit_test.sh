#!/usr/bin/env bash
# systemd/treadmill-mqtt.service passes systemd-analyze verify (pointed at the built binary,
# its man page found) and keeps an exposure score of at most 2.0 (it was 1.3 when written).
# Usage: systemd_unit_test.sh TREADMILL_MQTT_BIN SOURCE_DIR
set -uo pipefail
bin=$1 src=$2
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man1"
cp "$src/man/treadmill-mqtt.1" "$tmp/man/man1/"
sed "s|^ExecStart=@TREADMILL_BINDIR@/treadmill-mqtt|ExecStart=$bin|; s|@TREADMILL_DOCDIR@|/usr/share/doc/treadmilld|" \
  "$src/systemd/treadmill-mqtt.service.in" \
  >"$tmp/treadmill-mqtt.service"
grep -q "^ExecStart=$bin " "$tmp/treadmill-mqtt.service" || { echo "FAIL: ExecStart" >&2; exit 1; }
MANPATH=$tmp/man systemd-analyze verify "$tmp/treadmill-mqtt.service" >"$tmp/verify" 2>&1 ||
  { echo "FAIL: systemd-analyze verify: $(cat "$tmp/verify")" >&2; exit 1; }
score=$(systemd-analyze security --offline=true "$tmp/treadmill-mqtt.service" 2>&1 |
        sed -n 's/.*Overall exposure level for treadmill-mqtt.service: \([0-9.]*\).*/\1/p')
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' ||
  { echo "FAIL: exposure '$score', want <= 2.0" >&2; exit 1; }
echo "treadmill-mqtt.service: verify ok, exposure $score"
