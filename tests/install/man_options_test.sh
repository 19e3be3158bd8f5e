#!/usr/bin/env bash
# Every option that `PROGRAM --help` prints (and, for treadmillctl, every command) appears in
# the program's man page. Usage: man_options_test.sh PROGRAM MAN_PAGE
set -uo pipefail
program=$1 page=$2
name=$(basename "$program")
help=$("$program" --help) || { echo "FAIL: $name --help exited $?" >&2; exit 1; }
# The page as text a reader sees: font changes dropped, \- as -.
text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/-/g' "$page")

failed=0 count=0
options=$(grep -oE -- '(^|[^[:alnum:]-])--?[a-z][a-z0-9-]*' <<<"$help" | sed -E 's/^[^-]+//' | sort -u)
for opt in $options; do
  count=$((count + 1))
  grep -qE -- "(^|[^a-z0-9-])${opt}([^a-z0-9-]|$)" <<<"$text" ||
    { echo "FAIL: $name: option $opt is not in $(basename "$page")" >&2; failed=1; }
done
# treadmillctl lists its commands as "  NAME ARGS" under "commands:".
commands=$(sed -n '/^commands:/,$p' <<<"$help" | grep -E '^  [a-z]' | awk '{print $1}')
for command in $commands; do
  count=$((count + 1))
  grep -qE -- "^\.(B|BI|BR) ${command}( |$)" "$page" ||
    { echo "FAIL: $name: command $command has no entry in $(basename "$page")" >&2; failed=1; }
done
[ "$count" -gt 2 ] || { echo "FAIL: $name: only $count options found in --help" >&2; exit 1; }
[ "$failed" -eq 0 ] && echo "$name: $count options and commands in $(basename "$page")"
exit "$failed"
