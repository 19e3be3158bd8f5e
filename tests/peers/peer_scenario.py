"""--scenario FILE: control commands at wall times from start, a YAML list of
{at: "5 s", do: {cmd: key, present: false}} (the same format as treadmill-sim's)."""

import re

import yaml

UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)\s*$")


class ScenarioError(Exception):
    pass


def parse_duration(text):
    """ "500 ms", "5 s", "1 min" -> seconds."""
    match = DURATION.match(str(text))
    if not match:
        raise ScenarioError(f"bad duration {text!r} (a number and ms, s or min)")
    return float(match.group(1)) * UNITS[match.group(2)]


def load_scenario(path):
    """[(seconds, command dict)] sorted by time; ScenarioError when the file is bad."""
    try:
        with open(path, encoding="utf-8") as f:
            steps = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        raise ScenarioError(f"{path}: {error}") from error
    if not isinstance(steps, list):
        raise ScenarioError(f"{path}: expected a list of {{at, do}}")
    timeline = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or set(step) != {"at", "do"}:
            raise ScenarioError(f"{path}: step {index + 1} needs exactly 'at' and 'do'")
        if not isinstance(step["do"], dict) or not isinstance(step["do"].get("cmd"), str):
            raise ScenarioError(f"{path}: step {index + 1}: 'do' needs a 'cmd'")
        timeline.append((parse_duration(step["at"]), step["do"]))
    return sorted(timeline, key=lambda entry: entry[0])


def schedule(loop, timeline, control, elapsed_s):
    """Runs each command on the event loop at its time from start, `elapsed_s` having passed
    already (a failing command is reported on stdout)."""
    for at, command in timeline:
        loop.call_later(max(0.0, at - elapsed_s), run_step, control, command)


def run_step(control, command):
    reply = control.handle(command)
    if not reply.get("ok"):
        print(f"board_peer: scenario step {command} failed: {reply.get('error')}", flush=True)
