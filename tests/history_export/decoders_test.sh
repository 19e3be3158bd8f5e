#!/usr/bin/env bash
# The exported files read by independent decoders: gpsbabel (FIT CRC, records, timestamps,
# speeds), Garmin's @garmin/fitsdk (integrity, no errors, distance, duration, laps), xmllint
# (TCX well formed and valid against tcx-subset.xsd) and Python's XML parser (TCX laps and
# trackpoints). Each checker is shown to reject a broken file too. Usage: decoders_test.sh WRITE_EXPORT_FIXTURES SOURCE_DIR
set -euo pipefail
writer=$1
src=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for tool in gpsbabel xmllint node python3; do
  command -v "$tool" >/dev/null || { echo "decoders_test: '$tool' missing (run scripts/setup)" >&2; exit 1; }
done
# check_fitsdk.mjs finds the package in the checkout's node_modules (npm ci in scripts/setup).
[ -d "$src/node_modules/@garmin/fitsdk" ] ||
  { echo "decoders_test: @garmin/fitsdk missing (run scripts/setup, which runs npm ci)" >&2; exit 1; }

"$writer" "$dir"
gpsbabel_csv() { gpsbabel -t -i garmin_fit,allpoints -f "$1" -o unicsv,utc=0 -F "$2"; }

for name in interval walk; do
  gpsbabel_csv "$dir/$name.fit" "$dir/$name.gpsbabel.csv"
  python3 "$here/check_gpsbabel.py" "$dir/$name.gpsbabel.csv" "$dir/expected-$name.json"
  node "$here/check_fitsdk.mjs" "$dir/$name.fit" "$dir/expected-$name.json"
  xmllint --noout "$dir/$name.tcx"
  xmllint --noout --schema "$here/tcx-subset.xsd" "$dir/$name.tcx"
  python3 "$here/check_tcx.py" "$dir/$name.tcx" "$dir/expected-$name.json"
done

# The checkers bite: one flipped byte in the records, laps in the wrong order, a lap's
# children out of the schema's order.
cp "$dir/interval.fit" "$dir/broken.fit"
printf '\x55' | dd of="$dir/broken.fit" bs=1 seek=3000 conv=notrunc status=none
if gpsbabel_csv "$dir/broken.fit" "$dir/broken.csv" 2>/dev/null; then
  echo "decoders_test: gpsbabel accepted a file with a wrong CRC" >&2; exit 1
fi
if node "$here/check_fitsdk.mjs" "$dir/broken.fit" "$dir/expected-interval.json" 2>/dev/null; then
  echo "decoders_test: the fitsdk check accepted a file with a wrong CRC" >&2; exit 1
fi
if node "$here/check_fitsdk.mjs" "$dir/walk.fit" "$dir/expected-interval.json" 2>/dev/null; then
  echo "decoders_test: the fitsdk check accepted another session's file" >&2; exit 1
fi
sed 's|<Calories>\([0-9]*\)</Calories>|<Calories_>\1</Calories_>|' "$dir/interval.tcx" |
  awk '/<Calories_>/ {held=$0; next} {print} /<Intensity>/ && held {print held; held=""}' |
  sed 's|Calories_>|Calories>|g' >"$dir/misordered.tcx"
if xmllint --noout --schema "$here/tcx-subset.xsd" "$dir/misordered.tcx" 2>/dev/null; then
  echo "decoders_test: the schema accepted Calories after Intensity" >&2; exit 1
fi
if python3 "$here/check_tcx.py" "$dir/walk.tcx" "$dir/expected-interval.json" 2>/dev/null; then
  echo "decoders_test: the TCX check accepted another session's file" >&2; exit 1
fi
echo "decoders_test: gpsbabel, @garmin/fitsdk, xmllint and the TCX check accept every file and reject broken ones"
