"""The peer's control channel: JSON lines over a Unix stream socket, one reply line each."""

import asyncio
import json
import os

MAX_LINE = 64 * 1024


class Control:
    def __init__(self, bus, drive, incline):
        self.bus = bus
        self.drive = drive
        self.incline = incline
        self.boards = {1: drive, 2: incline}

    def handle(self, request):
        """One command object -> one reply object."""
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            return {"ok": False, "error": 'expected {"cmd": ...}'}
        handler = getattr(self, "cmd_" + request["cmd"], None)
        if handler is None:
            return {"ok": False, "error": f"unknown command {request['cmd']!r}"}
        try:
            reply = handler(request) or {}
        except (KeyError, TypeError, ValueError) as error:
            return {"ok": False, "error": f"bad arguments: {error}"}
        reply.setdefault("ok", True)
        return reply

    def cmd_key(self, request):
        present = request["present"]
        if not isinstance(present, bool):
            raise ValueError("present must be true or false")
        self.drive.set_key(present)
        self.incline.set_key(present)

    def cmd_silence(self, request):
        self.bus.silent_until = self.bus.clock() + float(request["seconds"])

    def cmd_drop(self, request):
        self.inject("drop", request, True)

    def cmd_exception(self, request):
        code = int(request["code"])
        if not 1 <= code <= 255:
            raise ValueError("code must be 1..255")
        self.inject("exception", request, code)

    def cmd_delay(self, request):
        self.inject("delay", request, float(request["ms"]))

    def cmd_gap(self, request):
        self.inject("gap", request, float(request["ms"]))

    def cmd_truncate(self, request):
        self.inject("truncate", request, int(request["bytes"]))

    def cmd_corrupt_crc(self, request):
        self.inject("corrupt_crc", request, True)

    def cmd_wrong_unit(self, request):
        self.bus.injections.add("wrong_unit", None, True, request.get("count", 1))

    def cmd_garbage(self, request):
        self.bus.injections.add("garbage", None, int(request["bytes"]), 1)

    def inject(self, kind, request, parameter):
        unit = self.unit(request, optional=True)
        self.bus.injections.add(kind, unit, parameter, request.get("count", 1))

    def cmd_fault(self, request):
        board, code = self.boards[self.unit(request)], int(request["code"])
        if board is self.drive:
            board.trip(code & 0xFF, coast=True)
        else:
            board.trip(code)

    def cmd_runaway(self, request):
        self.drive.runaway = bool(request["on"])

    def cmd_stall(self, request):
        what, on = request["what"], bool(request["on"])
        if what == "belt":
            self.drive.belt_stalled = on
        elif what == "incline":
            self.incline.stalled = on
        else:
            raise ValueError('what is "belt" or "incline"')

    def cmd_reboot(self, request):
        unit = self.unit(request)
        self.boards[unit].reboot(self.bus.clock())
        self.bus.unit_silent_until[unit] = self.bus.clock() + float(request.get("seconds", 1.0))

    def cmd_factory_reset(self, request):
        self.boards[self.unit(request)].factory_reset()

    def cmd_drive_dropout(self, request):
        """The drive's own state changes: it leaves RUN, its frequency command changes, or it
        shows its comm-loss warning for `ms`."""
        if self.unit(request) != 1:
            raise ValueError("unit must be 1 (the drive)")
        what = request.get("what", "run")
        if what == "run":
            self.drive.leave_run()
        elif what == "frequency":
            hz = float(request.get("hz", 0.0))
            if not 0.0 <= hz <= 600.0:
                raise ValueError("hz out of range")
            self.drive.lose_frequency_command(round(hz * 100))
        elif what == "comm_warning":
            ms = int(request.get("ms", 1000))
            if ms < 1:
                raise ValueError("ms must be at least 1")
            self.drive.hold_comm_warning(self.bus.clock() + ms / 1000.0)
        else:
            raise ValueError('what is "run", "frequency" or "comm_warning"')

    def cmd_clear(self, _request):
        self.bus.clear_injections()
        self.drive.set_key(True)
        self.incline.set_key(True)
        self.drive.runaway = self.drive.belt_stalled = self.incline.stalled = False
        self.drive.warning_held_until = None
        self.drive.drop_next_frequency_write = False

    def cmd_state(self, request):
        since = float(request.get("writes_since", -1.0))
        now = self.bus.clock()
        state = {
            "wall_s": self.bus.elapsed(),
            "workout_s": round(self.bus.workout_s, 4),
            "belt_kmh": round(self.drive.belt_kmh, 4),
            "odometer_m": round(self.incline.distance_m, 3),
            "key_present": self.drive.key_present,
            "runaway": self.drive.runaway,
            "belt_stalled": self.drive.belt_stalled,
            "silent": now < self.bus.silent_until,
            "rebooting": {str(u): now < t for u, t in self.bus.unit_silent_until.items()},
            "injections": self.bus.injections.describe(),
            "drive": self.drive.snapshot(),
            "incline": self.incline.snapshot(),
            "requests": {str(u): n for u, n in self.bus.requests.items()},
            "writes": [w for w in self.bus.writes if w["t"] > since],
        }
        return {"state": state}

    def unit(self, request, optional=False):
        """The request's unit (1 or 2); None (any unit) when optional and left out."""
        if optional and "unit" not in request:
            return None
        unit = int(request["unit"])
        if unit not in self.boards:
            raise ValueError(f"no unit {unit}")
        return unit

    async def serve_client(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if len(line) > MAX_LINE:
                    break
                if not line.strip():
                    continue
                try:
                    reply = self.handle(json.loads(line))
                except ValueError as error:
                    reply = {"ok": False, "error": f"bad JSON: {error}"}
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    async def start(self, path):
        if os.path.exists(path):
            os.unlink(path)
        return await asyncio.start_unix_server(self.serve_client, path=path, limit=MAX_LINE + 2)
