#!/usr/bin/env bash
# The .deb: `cpack -G DEB` builds it; `dpkg-deb` shows the files, Depends (dpkg-shlibdeps) and
# conffiles it should hold; installing it on this machine creates the `treadmill` user and the
# `treadmill-remote` group (treadmill in it, once, also after a reinstall), enables the unit
# without starting it, and the installed treadmilld accepts the installed default config, also
# with its remote socket switched on (its group exists, the bridge's config and unit name the
# same socket and group); systemd-analyze verifies the installed unit; lintian finds no error;
# `dpkg --purge` (also in a trap) removes the files, /etc/treadmilld and /var/lib/treadmilld and
# keeps the user and the groups.
# Needs root (CI runs as root); exits 77 (skipped) without it. Usage: deb_test.sh BUILD_DIR
set -uo pipefail
build=$1
[ "$(id -u)" -eq 0 ] || { echo "deb: not root, skipped"; exit 77; }
command -v dpkg-deb >/dev/null && command -v cpack >/dev/null ||
  { echo "deb: dpkg-deb or cpack missing, skipped"; exit 77; }
if dpkg-query -W -f='${Status}' treadmilld 2>/dev/null | grep -q installed; then
  echo "FAIL: a treadmilld package is already installed; this test would replace it" >&2
  exit 1
fi
tmp=$(mktemp -d)
installed=0
cleanup() {
  [ "$installed" -eq 1 ] && dpkg_waiting --purge treadmilld >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
# dpkg, waiting up to 5 min while another dpkg or apt (another job on the machine) holds its lock.
dpkg_waiting() {
  local i
  for ((i = 0; i < 150; i++)); do
    DEBIAN_FRONTEND=noninteractive dpkg "$@" && return 0
    local rc=$?
    fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock >/dev/null 2>&1 || return "$rc"
    sleep 2
  done
  return 1
}

(cd "$build" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; echo "FAIL: cpack -G DEB" >&2; exit 1; }
deb=$(ls "$tmp"/out/treadmilld_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || { echo "FAIL: no .deb in $tmp/out" >&2; exit 1; }

# Contents: the files where Debian wants them, nothing under /usr/local, no test program.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
for f in /usr/sbin/treadmilld /usr/bin/treadmillctl /usr/bin/treadmill-sim \
         /usr/bin/treadmill-console /usr/bin/treadmill-mqtt \
         /lib/systemd/system/treadmilld.service /etc/treadmilld/treadmilld.yaml \
         /lib/systemd/system/treadmill-console.service /etc/treadmilld/console.yaml \
         /lib/systemd/system/treadmill-mqtt.service /etc/treadmilld/mqtt.yaml \
         /etc/polkit-1/rules.d/50-treadmilld.rules \
         /usr/share/doc/treadmilld/examples/99-treadmill-rs485.rules \
         /usr/share/doc/treadmilld/copyright /usr/share/doc/treadmilld/changelog.gz \
         /usr/share/doc/treadmilld/hardware.md /usr/share/doc/treadmilld/install.md \
         /usr/share/man/man8/treadmilld.8.gz /usr/share/man/man1/treadmillctl.1.gz \
         /usr/share/man/man1/treadmill-sim.1.gz /usr/share/man/man5/treadmill-workout.5.gz \
         /usr/share/bash-completion/completions/treadmillctl \
         /usr/share/treadmilld/programs/8x400m.yaml; do
  grep -qx "$f" "$tmp/contents" || fail "the .deb lacks $f"
done
grep -q '^/usr/local' "$tmp/contents" && fail "the .deb has files under /usr/local"
grep -qE '_tests$|/(soak|bench_[a-z_]+)$' "$tmp/contents" && fail "the .deb holds a test or benchmark program"

depends=$(dpkg-deb -f "$deb" Depends)
for d in libmodbus5 libyaml-cpp0.7 libstdc++6 libc6 adduser; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$tmp/conffiles"
grep -qx /etc/treadmilld/treadmilld.yaml "$tmp/conffiles" || fail "conffiles: $(cat "$tmp/conffiles")"

if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1
  grep -q '^E: ' "$tmp/lintian" && fail "lintian errors:
$(grep '^E: ' "$tmp/lintian")"
  echo "lintian: $(grep -c '^W: ' "$tmp/lintian") warnings"
else
  echo "deb: lintian is not installed; not run"
fi

user_before=$(getent passwd treadmill || true)
remote_before=$(getent group treadmill-remote || true)
installed=1
dpkg_waiting -i "$deb" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log" >&2; echo "FAIL: dpkg -i" >&2; exit 1; }

getent passwd treadmill >/dev/null || fail "no user treadmill after install"
getent group treadmill >/dev/null || fail "no group treadmill after install"
[ "$(stat -c %U:%G /var/lib/treadmilld 2>/dev/null)" = treadmill:treadmill ] ||
  fail "/var/lib/treadmilld is not treadmill's: $(stat -c %U:%G /var/lib/treadmilld 2>&1)"
[ -L /etc/systemd/system/multi-user.target.wants/treadmilld.service ] ||
  fail "the unit is not enabled"
for exe in /proc/[0-9]*/exe; do
  [ "$(readlink "$exe" 2>/dev/null)" = /usr/sbin/treadmilld ] && fail "the service was started"
done
/usr/sbin/treadmilld --check-config /etc/treadmilld/treadmilld.yaml >"$tmp/check" 2>&1 ||
  fail "installed treadmilld --check-config the installed config: $(cat "$tmp/check")"
/usr/bin/treadmillctl programs >/dev/null 2>&1 || fail "installed treadmillctl programs"

# The remote socket's group (api.remote_group): created, with the daemon's user in it (the daemon
# may only give a socket to its own groups), and the shipped files agree on socket and group.
getent group treadmill-remote >/dev/null || fail "no group treadmill-remote after install"
id -nG treadmill 2>/dev/null | tr ' ' '\n' | grep -qx treadmill-remote ||
  fail "treadmill is not in treadmill-remote: $(id -nG treadmill 2>&1)"
# The shipped config has the remote socket on, so the packaged bridge works as installed.
{ grep -q '^  remote_socket: /run/treadmilld/remote.sock$' /etc/treadmilld/treadmilld.yaml &&
  grep -q '^  remote_group: treadmill-remote$' /etc/treadmilld/treadmilld.yaml; } ||
  fail "the shipped treadmilld.yaml does not switch remote_socket/remote_group on as expected"
grep -q remote_group "$tmp/check" && fail "remote_group warned: $(cat "$tmp/check")"
grep -qx 'socket: /run/treadmilld/remote.sock' /etc/treadmilld/mqtt.yaml ||
  fail "mqtt.yaml does not use the daemon's remote socket"
groups=$(sed -n 's/^SupplementaryGroups=//p' /lib/systemd/system/treadmill-mqtt.service)
[ "$groups" = treadmill-remote ] || fail "the bridge's unit has SupplementaryGroups=$groups"
for g in $groups; do getent group "$g" >/dev/null || fail "the bridge's group $g does not exist"; done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/treadmilld.service >"$tmp/verify" 2>&1 ||
    fail "systemd-analyze verify the installed unit: $(cat "$tmp/verify")"
fi

# A technician's change to the conffile survives a reinstall.
echo "# local change" >>/etc/treadmilld/treadmilld.yaml
dpkg_waiting -i --force-confold "$deb" >"$tmp/dpkg2.log" 2>&1 ||
  fail "reinstall: $(cat "$tmp/dpkg2.log")"
grep -q '^# local change' /etc/treadmilld/treadmilld.yaml || fail "reinstall lost the local change"
members=$(getent group treadmill-remote | cut -d: -f4)
[ "$(tr , '\n' <<<"$members" | grep -cx treadmill)" -eq 1 ] ||
  fail "after a reinstall, treadmill-remote's members are '$members' (treadmill once expected)"

dpkg_waiting --purge treadmilld >"$tmp/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$tmp/purge.log")"
installed=0
for f in /usr/sbin/treadmilld /lib/systemd/system/treadmilld.service /etc/treadmilld \
         /var/lib/treadmilld /etc/systemd/system/multi-user.target.wants/treadmilld.service; do
  [ -e "$f" ] || [ -L "$f" ] && fail "left after purge: $f"
done
getent passwd treadmill >/dev/null || fail "purge removed the user treadmill (Debian keeps it)"
getent group treadmill-remote >/dev/null || fail "purge removed the group treadmill-remote"
[ -e /lib/systemd/system/treadmill-mqtt.service ] && fail "left after purge: the bridge's unit"
[ -n "$user_before" ] || echo "deb: note: the user treadmill was created by this test and stays"
[ -n "$remote_before" ] || ! getent group treadmill-remote >/dev/null ||
  echo "deb: note: the group treadmill-remote was created by this test and stays"

[ "$failed" -eq 0 ] && echo "deb: ok ($(wc -l <"$tmp/contents") entries)"
exit "$failed"
