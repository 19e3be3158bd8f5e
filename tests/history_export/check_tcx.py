#!/usr/bin/env python3
"""Reads a TCX file with Python's XML parser and compares it with what the record says: sport,
lap count, each lap's distance, one trackpoint per sample with its time, distance and speed.
Usage: check_tcx.py TCX JSON"""
import datetime
import json
import sys
import xml.etree.ElementTree as ET

NS = {"tc": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2",
      "ax": "http://www.garmin.com/xmlschemas/ActivityExtension/v2"}


def unix_s(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def main(tcx_path, json_path):
    expected = json.load(open(json_path))
    activity = ET.parse(tcx_path).getroot().find("tc:Activities/tc:Activity", NS)
    errors = []
    sport = "Other" if expected["walk"] else "Running"
    if activity.get("Sport") != sport:
        errors.append(f"Sport {activity.get('Sport')}, expected {sport}")
    laps = activity.findall("tc:Lap", NS)
    if len(laps) != len(expected["laps_m"]):
        errors.append(f"{len(laps)} laps, expected {len(expected['laps_m'])}")
    for i, (lap, metres) in enumerate(zip(laps, expected["laps_m"])):
        got = float(lap.find("tc:DistanceMeters", NS).text)
        if abs(got - metres) > 0.01:
            errors.append(f"lap {i}: {got} m, expected {metres}")
    points = activity.findall("tc:Lap/tc:Track/tc:Trackpoint", NS)
    if len(points) != len(expected["samples"]):
        errors.append(f"{len(points)} trackpoints, expected {len(expected['samples'])}")
    for point, (when, speed, distance) in zip(points, expected["samples"]):
        if unix_s(point.find("tc:Time", NS).text) != when:
            errors.append(f"trackpoint at {point.find('tc:Time', NS).text}, expected {when}")
        if abs(float(point.find("tc:DistanceMeters", NS).text) - distance) > 0.001:
            errors.append(f"trackpoint distance at {when}")
        if abs(float(point.find("tc:Extensions/ax:TPX/ax:Speed", NS).text) - speed) > 0.001:
            errors.append(f"trackpoint speed at {when}")
    for e in errors[:10]:
        print(f"check_tcx: {tcx_path}: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"check_tcx: {tcx_path}: {len(laps)} laps, {len(points)} trackpoints match")


if __name__ == "__main__":
    main(*sys.argv[1:])
