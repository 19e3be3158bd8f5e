"""What happens to a reply on its way out: emulated wire time (RTU), and the injected wire
faults of the control channel (delay, gap, truncate, corrupt CRC, garbage, wrong unit)."""

import asyncio
import os
import time

from pymodbus.server.async_io import ModbusConnectedRequestHandler, ModbusSingleRequestHandler
from pymodbus.utilities import computeCRC


class Injections:
    """Counted one-shot faults: kind -> unit (None: any unit) -> [parameter, count]."""

    def __init__(self):
        self.table = {}

    def add(self, kind, unit, parameter, count):
        self.table.setdefault(kind, {})[unit] = [parameter, int(count)]

    def take(self, kind, unit):
        """The parameter of a pending `kind` for `unit` (or for any unit), consuming one."""
        entries = self.table.get(kind, {})
        key = unit if unit in entries else None
        entry = entries.get(key)
        if not entry or entry[1] <= 0:
            return None
        entry[1] -= 1
        if entry[1] <= 0:
            del entries[key]
        return entry[0]

    def clear(self):
        self.table.clear()

    def describe(self):
        """{kind: {unit or "any": [parameter, count]}} for the state report."""
        return {
            kind: {("any" if unit is None else str(unit)): e for unit, e in entries.items()}
            for kind, entries in self.table.items()
            if entries
        }


def char_time_s(baud, parity, stopbits):
    """One character on the wire: start + 8 data + parity + stop bits."""
    return (1 + 8 + (0 if parity == "N" else 1) + stopbits) / baud


def rtu_frame(unit, pdu):
    frame = bytes([unit]) + pdu
    crc = computeCRC(frame)
    return frame + crc.to_bytes(2, "big")


def tamper(injections, data, rtu):
    """Applies the reply faults to one encoded reply: [(extra delay s, bytes), ...]."""
    unit = data[0] if rtu else data[6]
    delay = (injections.take("delay", unit) or 0) / 1000.0
    other = 2 if unit == 1 else 1
    if injections.take("wrong_unit", unit) is not None:
        data = rtu_frame(other, data[1:-2]) if rtu else data[:6] + bytes([other]) + data[7:]
    if rtu and injections.take("corrupt_crc", unit) is not None:
        data = data[:-1] + bytes([data[-1] ^ 0xFF])
    cut = injections.take("truncate", unit)
    if cut:
        data = data[: max(len(data) - int(cut), 1)]
    garbage = injections.take("garbage", unit)
    if garbage:
        data += os.urandom(int(garbage))
    gap = injections.take("gap", unit)
    if gap and len(data) > 1:
        half = len(data) // 2
        return [(delay, data[:half]), (delay + gap / 1000.0, data[half:])]
    return [(delay, data)]


class TamperingSender:
    """Mixin of the request handlers: replies leave after wire time and injected faults."""

    received_bytes = 0

    def data_received(self, data):
        self.received_bytes += len(data)
        super().data_received(data)

    def _send_(self, data, *addr):
        peer = self.server.peer
        if not data:
            return
        rtu = peer.wire_char_s is not None or peer.rtu
        wire = 0.0
        if peer.wire_char_s is not None:
            request = min(self.received_bytes, 256)
            wire = (request + len(data) + 3.5) * peer.wire_char_s
        self.received_bytes = 0
        loop = asyncio.get_running_loop()
        for delay, chunk in tamper(peer.injections, bytes(data), rtu):
            if wire + delay <= 0:
                self.transport.write(chunk)
            else:
                loop.call_later(wire + delay, self._write_later, chunk)

    def _write_later(self, chunk):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(chunk)


class PeerTcpHandler(TamperingSender, ModbusConnectedRequestHandler):
    pass


RESYNC = object()  # queued before data that follows an inter-frame silence


class PeerSerialHandler(TamperingSender, ModbusSingleRequestHandler):
    """RTU: a silence longer than the frame gap ends any partial frame (pymodbus's framer would
    otherwise keep leading garbage in its buffer until a CRC check happens to fail)."""

    last_received = 0.0

    def data_received(self, data):
        now = time.monotonic()
        if now - self.last_received > self.server.peer.frame_gap_s:
            self.received_bytes = 0
            self.receive_queue.put_nowait(RESYNC)
        self.last_received = now
        super().data_received(data)

    async def _recv_(self):
        while True:
            item = await self.receive_queue.get()
            if item is not RESYNC:
                return item
            self.framer.resetFrame()
