#!/usr/bin/env bash
# cmake --install of the build tree into a DESTDIR under the prefix /usr/local: every file where
# it belongs, the unit generated with the prefix's paths (and passing systemd-analyze verify
# once pointed at the DESTDIR), the installed daemon accepting the installed default config,
# the man pages formatting without a warning, the bash completion loading.
# Usage: destdir_test.sh BUILD_DIR
set -uo pipefail
build=$1
prefix=/usr/local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

DESTDIR=$root cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; echo "FAIL: cmake --install" >&2; exit 1; }

for f in sbin/treadmilld bin/treadmillctl bin/treadmill-sim bin/treadmill-console bin/treadmill-mqtt; do
  [ -x "$root$prefix/$f" ] || fail "$prefix/$f is not installed (or not executable)"
done
for f in lib/systemd/system/treadmilld.service lib/systemd/system/treadmill-console.service \
         lib/systemd/system/treadmill-mqtt.service \
         share/man/man8/treadmilld.8.gz share/man/man1/treadmillctl.1.gz \
         share/man/man1/treadmill-sim.1.gz share/man/man5/treadmill-workout.5.gz \
         share/bash-completion/completions/treadmillctl \
         share/doc/treadmilld/examples/99-treadmill-rs485.rules \
         share/doc/treadmilld/examples/prometheus.yml \
         share/doc/treadmilld/examples/grafana-dashboard.json \
         share/doc/treadmilld/systemd.md share/doc/treadmilld/hardware.md \
         share/doc/treadmilld/install.md \
         share/treadmilld/programs/8x400m.yaml share/treadmilld/programs/bruce.yaml; do
  [ -f "$root$prefix/$f" ] || fail "$prefix/$f is not installed"
done
for f in /etc/treadmilld/treadmilld.yaml /etc/polkit-1/rules.d/50-treadmilld.rules; do
  [ -f "$root$f" ] || fail "$f is not installed"
done
# Every file of the manifest is under the DESTDIR, none of them beside the prefix and /etc.
while read -r f; do
  case $f in
    "$prefix"/* | /etc/*) [ -e "$root$f" ] || fail "in the manifest, not installed: $f" ;;
    *) fail "installed outside the prefix and /etc: $f" ;;
  esac
done <"$build/install_manifest.txt"

unit=$root$prefix/lib/systemd/system/treadmilld.service
grep -qx "ExecStart=$prefix/sbin/treadmilld --config /etc/treadmilld/treadmilld.yaml" "$unit" ||
  fail "unit: ExecStart is not at the prefix: $(grep ExecStart "$unit")"
grep -q "file://$prefix/share/doc/treadmilld/systemd.md" "$unit" || fail "unit: Documentation path"
grep -qE '@[A-Z_]+@' "$unit" && fail "unit: a placeholder is left: $(grep -E '@[A-Z_]+@' "$unit")"
# An installed unit, pointed at the DESTDIR's binary: systemd-analyze verify passes (it runs
# man(1) on Documentation=man: entries, found in the DESTDIR) and the exposure score recorded in
# docs/systemd.md is no worse than 2.0 ("OK").
verify_unit() {
  local name=$1 unit=$root$prefix/lib/systemd/system/$1.service
  command -v systemd-analyze >/dev/null || return 0
  sed "s|^ExecStart=$prefix|ExecStart=$root$prefix|" "$unit" >"$tmp/$name.service"
  MANPATH=$root$prefix/share/man systemd-analyze verify "$tmp/$name.service" >"$tmp/verify.log" 2>&1 ||
    fail "systemd-analyze verify $name: $(cat "$tmp/verify.log")"
  local score
  score=$(systemd-analyze security --offline=true "$tmp/$name.service" 2>&1 |
          sed -n "s/.*Overall exposure level for $name.service: \\([0-9.]*\\).*/\\1/p")
  awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' ||
    fail "systemd-analyze security --offline=true $name: exposure '$score', want <= 2.0"
}
verify_unit treadmilld

# The console's and the bridge's units: at the prefix, no placeholder left, verified, scored.
for name in treadmill-console treadmill-mqtt; do
  unit=$root$prefix/lib/systemd/system/$name.service
  grep -q "^ExecStart=$prefix/bin/$name --config /etc/treadmilld/" "$unit" ||
    fail "$name unit: ExecStart is not at the prefix: $(grep ExecStart "$unit")"
  grep -qE '@[A-Z_]+@' "$unit" && fail "$name unit: a placeholder is left"
  verify_unit "$name"
done

"$root$prefix/sbin/treadmilld" --check-config "$root/etc/treadmilld/treadmilld.yaml" \
  >"$tmp/out" 2>"$tmp/err" || fail "installed treadmilld --check-config: $(cat "$tmp/err")"

for page in "$root$prefix"/share/man/man*/*.gz; do
  gzip -t "$page" || fail "$page is not a valid gzip"
  zcat "$page" | grep -q '@VERSION@' && fail "$page: @VERSION@ left"
  if command -v groff >/dev/null; then
    warnings=$(zcat "$page" | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$warnings" ] || fail "$page: groff: $warnings"
  fi
done

bash -c "source '$root$prefix/share/bash-completion/completions/treadmillctl' &&
         complete -p treadmillctl" >"$tmp/complete" 2>&1 || fail "completion: $(cat "$tmp/complete")"
# The completion offers the commands after the program name.
out=$(bash -c "source '$root$prefix/share/bash-completion/completions/treadmillctl'
               COMP_WORDS=(treadmillctl st); COMP_CWORD=1; _treadmillctl; echo \${COMPREPLY[*]}")
[ "$out" = "start stop status" ] || fail "completion of 'st': '$out'"

[ "$failed" -eq 0 ] && echo "destdir install: ok ($(wc -l <"$build/install_manifest.txt") files)"
exit "$failed"
