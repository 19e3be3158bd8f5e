#!/usr/bin/env bash
# treadmilld --probe against the real simulator, over Modbus TCP and over RTU on a pty pair:
# it reports both boards, their settings against the config, faults and the safety key; --scan
# finds units 1 and 2 and only them; a unit that is absent fails the probe; it refuses while a
# daemon's control socket answers or another process has the serial device open; and through
# all of it the simulator's write log stays empty and no read hits an address outside the map.
# Usage: probe_test.sh TREADMILLD TREADMILL_SIM
set -uo pipefail
daemon=$1 sim=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
sim_state() { echo '{"cmd":"state"}' | socat -t 2 - "UNIX-CONNECT:$1"; }
sim_command() { echo "$2" | socat -t 2 - "UNIX-CONNECT:$1" >/dev/null; }
# The number of writes in the simulator's record.
writes() { sim_state "$1" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["state"]["writes"]))'; }
wait_for() {  # wait_for FILE PATTERN: up to 10 s for PATTERN in FILE
  local i
  for ((i = 0; i < 200; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
probe() {  # probe NAME ARGS...: runs the probe, output in $tmp/NAME.out/.err, sets $rc
  local name=$1; shift
  "$daemon" --probe "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; rc=$?
}
expect() {  # expect NAME PATTERN: the probe's output NAME holds PATTERN
  grep -qE -- "$2" "$tmp/$1.out" || fail "$1: no '$2' in: $(cat "$tmp/$1.out" "$tmp/$1.err")"
}

# --- Modbus TCP ---
"$sim" --tcp 127.0.0.1:0 --control "$tmp/tcp.sock" >"$tmp/sim-tcp.log" 2>&1 &
pids+=($!)
wait_for "$tmp/sim-tcp.log" 'serving Modbus TCP' || { cat "$tmp/sim-tcp.log" >&2; exit 1; }
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/sim-tcp.log" | head -1 | cut -d: -f2)
common="api: {socket: $tmp/api.sock}
profile: $tmp/no-profile.yaml"
printf 'bus: {transport: tcp, host: 127.0.0.1, port: %s}\n%s\n' "$port" "$common" >"$tmp/tcp.yaml"

probe tcp --config "$tmp/tcp.yaml"
[ "$rc" -eq 0 ] || fail "tcp: exit $rc: $(cat "$tmp/tcp.err")"
expect tcp '^unit 1: motor drive'
expect tcp '^unit 2: incline board'
expect tcp 'Pr.00-20 frequency source = 1: ok'
expect tcp 'Pr.01-00 maximum frequency = 60.00 Hz: the belt.s top speed 20.0 km/h: ok'
expect tcp 'Pr.09-03 comm-loss time-out = 0.0 s: differs: the daemon writes 0.5 s'
expect tcp 'fault 0 \(none\), warning 0'
expect tcp 'incline limits 0.0 % .. 15.0 %: ok'
expect tcp '^safety key: present'
expect tcp '^result: motor drive \(unit 1\) answers, incline board \(unit 2\) answers$'

# The key pulled: the drive trips EF, the incline board's bit8 clears.
sim_command "$tmp/tcp.sock" '{"cmd":"key","present":false}'
probe key --config "$tmp/tcp.yaml"
expect key 'fault 6 \(external fault \(EF\)\)'
expect key '^safety key: PULLED'
sim_command "$tmp/tcp.sock" '{"cmd":"key","present":true}'

probe scan --config "$tmp/tcp.yaml" --scan 1-5
[ "$rc" -eq 0 ] || fail "scan: exit $rc"
expect scan '^unit 1 answers: motor drive$'
expect scan '^unit 2 answers: incline board$'
expect scan '^2 unit\(s\) answered$'

# A configured unit that does not answer fails the probe.
printf 'bus: {transport: tcp, host: 127.0.0.1, port: %s, response_timeout: 100 ms}\nmotor: {unit: 7}\n%s\n' \
  "$port" "$common" >"$tmp/absent.yaml"
probe absent --config "$tmp/absent.yaml"
[ "$rc" -eq 1 ] || fail "absent unit: exit $rc, want 1"
expect absent 'motor drive \(unit 7\) DOES NOT ANSWER'

# A daemon's control socket answers: refused, nothing read.
socat "UNIX-LISTEN:$tmp/api.sock,fork" /dev/null &
pids+=($!)
for ((i = 0; i < 100; i++)); do [ -S "$tmp/api.sock" ] && break; sleep 0.05; done
probe held --config "$tmp/tcp.yaml"
[ "$rc" -eq 1 ] || fail "held: exit $rc, want 1"
grep -q 'refused: a daemon answers on' "$tmp/held.err" || fail "held: $(cat "$tmp/held.err")"
[ -s "$tmp/held.out" ] && fail "held: the probe reported: $(cat "$tmp/held.out")"
kill "${pids[-1]}"; rm -f "$tmp/api.sock"

# No register of the map's outside was asked for, none was written.
cat "$tmp"/*.out | grep -q 'exception 2' && fail "a read outside the register map (exception 02)"
[ "$(writes "$tmp/tcp.sock")" = 0 ] || fail "tcp: the simulator logged writes: $(sim_state "$tmp/tcp.sock")"

# Settings the daemon would refuse (Pr.01-00 below limits.max_speed, an incline board narrower
# than the limits) fail the probe; a source other than RS-485 is named. Written by mbpoll, an
# independent client: the probe's reads add no write to the record.
mbpoll -0 -m tcp -p "$port" -a 1 -r 20 -1 127.0.0.1 0 >/dev/null || fail "mbpoll Pr.00-20"
mbpoll -0 -m tcp -p "$port" -a 1 -r 256 -1 127.0.0.1 5000 >/dev/null || fail "mbpoll Pr.01-00"
mbpoll -0 -m tcp -p "$port" -a 2 -r 16 -1 127.0.0.1 100 >/dev/null || fail "mbpoll 0x0010"
probe refuse --config "$tmp/tcp.yaml"
[ "$rc" -eq 1 ] || fail "refused settings: exit $rc, want 1"
expect refuse 'Pr.00-20 frequency source = 0: REQUIRED 1 \(RS-485\)'
expect refuse 'Pr.01-00 maximum frequency = 50.00 Hz: the belt.s top speed 16.7 km/h is BELOW limits.max_speed 20.0 km/h'
expect refuse 'incline limits 0.0 % .. 10.0 %: NARROWER than limits 0.0 % .. 15.0 %'
expect refuse '; 2 setting\(s\) the daemon would refuse; see above$'
[ "$(writes "$tmp/tcp.sock")" = 3 ] || fail "tcp: writes other than mbpoll's three: $(sim_state "$tmp/tcp.sock")"

# --- Modbus RTU on a pty pair (8N1: see TOOLCHAIN.md) ---
socat -d -d "pty,raw,echo=0,link=$tmp/ttyA" "pty,raw,echo=0,link=$tmp/ttyB" 2>"$tmp/socat.log" &
pids+=($!)
for ((i = 0; i < 100; i++)); do [ -e "$tmp/ttyA" ] && [ -e "$tmp/ttyB" ] && break; sleep 0.05; done
"$sim" --rtu "$tmp/ttyB" --parity none --control "$tmp/rtu.sock" >"$tmp/sim-rtu.log" 2>&1 &
pids+=($!)
wait_for "$tmp/sim-rtu.log" 'serving Modbus RTU' || { cat "$tmp/sim-rtu.log" >&2; exit 1; }
printf 'bus: {transport: rtu, device: %s, parity: none}\n%s\n' \
  "$tmp/ttyA" "$common" >"$tmp/rtu.yaml"
probe rtu --config "$tmp/rtu.yaml"
[ "$rc" -eq 0 ] || fail "rtu: exit $rc: $(cat "$tmp/rtu.err" "$tmp/rtu.out")"
expect rtu "^bus rtu:$tmp/ttyA@19200,8N1"
expect rtu '^result: motor drive \(unit 1\) answers, incline board \(unit 2\) answers$'
probe rtuscan --config "$tmp/rtu.yaml" --scan 1-3
expect rtuscan '^2 unit\(s\) answered$'

# Another treadmilld has the device open: refused. (A stand-in named treadmilld: sleep.)
cp "$(command -v sleep)" "$tmp/treadmilld"
(exec 3<>"$tmp/ttyA"; exec "$tmp/treadmilld" 30) &
pids+=($!)
for ((i = 0; i < 100; i++)); do
  [ "$(cat /proc/"${pids[-1]}"/comm 2>/dev/null)" = treadmilld ] && break; sleep 0.05
done
probe rtuheld --config "$tmp/rtu.yaml"
[ "$rc" -eq 1 ] || fail "rtu held: exit $rc, want 1"
grep -q "refused: treadmilld (pid ${pids[-1]}) has $tmp/ttyA open" "$tmp/rtuheld.err" ||
  fail "rtu held: $(cat "$tmp/rtuheld.err")"
[ "$(writes "$tmp/rtu.sock")" = 0 ] || fail "rtu: the simulator logged writes: $(sim_state "$tmp/rtu.sock")"

# The embedded simulator is not something to probe.
printf 'bus: {transport: sim}\n%s\n' "$common" >"$tmp/sim.yaml"
probe simbus --config "$tmp/sim.yaml"
[ "$rc" -eq 2 ] || fail "sim bus: exit $rc, want 2"

[ "$failed" -eq 0 ] && echo "probe: ok"
exit "$failed"
