#!/usr/bin/env python3
"""Compares gpsbabel's unicsv reading of a FIT file with what the record says: one point per
sample, the same UTC second, the same speed (m/s, gpsbabel prints 2 decimals), and an altitude
that never falls (it is synthesised from distance x incline). Usage: check_gpsbabel.py CSV JSON"""
import csv
import datetime
import json
import sys


def main(csv_path, json_path):
    expected = json.load(open(json_path))
    samples = expected["samples"]
    rows = list(csv.DictReader(open(csv_path)))
    errors = []
    if len(rows) != len(samples):
        errors.append(f"{len(rows)} points, expected {len(samples)}")
    previous_altitude = -1.0
    for row, (unix_s, speed, _distance) in zip(rows, samples):
        when = datetime.datetime.strptime(row["Date"] + " " + row["Time"], "%Y/%m/%d %H:%M:%S")
        got_s = int(when.replace(tzinfo=datetime.timezone.utc).timestamp())
        if got_s != unix_s:
            errors.append(f"point {row['No']}: time {got_s}, expected {unix_s}")
        if abs(float(row["Speed"]) - speed) > 0.006:
            errors.append(f"point {row['No']}: speed {row['Speed']}, expected {speed:.3f}")
        altitude = float(row["Altitude"])
        if altitude < previous_altitude:
            errors.append(f"point {row['No']}: altitude falls to {altitude}")
        previous_altitude = altitude
    for e in errors[:10]:
        print(f"check_gpsbabel: {csv_path}: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"check_gpsbabel: {len(rows)} points match")


if __name__ == "__main__":
    main(*sys.argv[1:])
