"""The bus side of the peer: pymodbus 3.0 contexts for units 1 and 2, the response manipulator
that turns refused values into exception 03 (pymodbus would answer 04), injected faults
(silence, dropped requests, forced exceptions) and the record of received writes."""

import collections
import time

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext
from pymodbus.exceptions import NoSuchSlaveException
from pymodbus.pdu import ExceptionResponse

from peer_registers import ILLEGAL_ADDRESS, ILLEGAL_FUNCTION
from peer_wire import Injections

READ_HOLDING, WRITE_SINGLE, WRITE_MULTIPLE = 3, 6, 16
WRITE_LOG_LENGTH = 50000  # the state report keeps the last writes only


class Bus:
    """Both boards on one bus, plus what the control channel injects."""

    def __init__(self, boards, rtu=False, wire_char_s=None, clock=time.monotonic):
        self.boards = boards  # {unit: board}
        self.rtu = rtu
        self.wire_char_s = wire_char_s  # emulated character time (RTU), None: replies at once
        self.frame_gap_s = 0.010  # RTU: a silence this long ends a partial request
        self.clock = clock
        self.started = clock()
        self.workout_s = 0.0  # simulated time (wall clock x --time-scale)
        self.pending_exception = None  # set while a request executes, used by the manipulator
        self.silent_until = 0.0
        self.unit_silent_until = {}  # unit -> wall clock (a rebooting board)
        self.injections = Injections()
        self.writes = collections.deque(maxlen=WRITE_LOG_LENGTH)
        self.requests = collections.Counter()

    def elapsed(self):
        return round(self.clock() - self.started, 4)

    def accept(self, unit):
        """Whether a request for `unit` is heard and answered; feeds the dead-man when it is."""
        self.pending_exception = None
        now = self.clock()
        if unit not in self.boards or now < self.silent_until:
            return False
        if now < self.unit_silent_until.get(unit, 0.0):
            return False
        if self.injections.take("drop", unit) is not None:
            return False
        self.requests[unit] += 1
        self.boards[unit].request_seen(now)
        return True

    def record_write(self, unit, function, address, values, exception):
        entry = {"t": self.elapsed(), "unit": unit, "fc": function, "address": address}
        entry["values"] = list(values) if values is not None else None
        entry["exception"] = exception or 0
        self.writes.append(entry)

    def clear_injections(self):
        self.silent_until = 0.0
        self.unit_silent_until.clear()
        self.injections.clear()

    def manipulate(self, response):
        """pymodbus's response_manipulator: replaces the reply by the pending exception."""
        code, self.pending_exception = self.pending_exception, None
        if code is None:
            return response, False
        replaced = ExceptionResponse(response.function_code & 0x7F, code)
        replaced.transaction_id = response.transaction_id
        replaced.unit_id = response.unit_id
        return replaced, False


class UnitContext(ModbusSlaveContext):
    """One board as a pymodbus slave context; zero-based PDU addresses as on the wire."""

    def __init__(self, bus, unit):
        super().__init__(zero_mode=True)
        self.bus = bus
        self.unit = unit
        self.board = bus.boards[unit]
        self.echo = None

    def validate(self, fc_as_hex, address, count=1):
        forced = self.bus.injections.take("exception", self.unit)
        if forced is not None:
            self.bus.pending_exception = forced
            return False
        if fc_as_hex not in (READ_HOLDING, WRITE_SINGLE, WRITE_MULTIPLE):
            self.bus.pending_exception = ILLEGAL_FUNCTION
            return False
        if fc_as_hex == READ_HOLDING:
            return self.board.readable(address, count)
        if not self.board.writable(address, count):
            self.bus.record_write(self.unit, fc_as_hex, address, None, ILLEGAL_ADDRESS)
            return False
        return True

    def getValues(self, fc_as_hex, address, count=1):
        if fc_as_hex == WRITE_SINGLE and self.echo is not None:
            values, self.echo = self.echo, None
            return values  # FC06 echoes what was written, even for write-only registers
        return self.board.read(address, count)

    def setValues(self, fc_as_hex, address, values):
        values = [int(v) & 0xFFFF for v in values]
        self.echo = values
        code = self.board.write(address, values, self.bus.clock())
        self.bus.record_write(self.unit, fc_as_hex, address, values, code)
        if code:
            self.bus.pending_exception = code


class PeerServerContext(ModbusServerContext):
    """Units 1 and 2; a request the bus does not hear raises NoSuchSlave (no reply at all)."""

    def __init__(self, bus):
        slaves = {unit: UnitContext(bus, unit) for unit in bus.boards}
        super().__init__(slaves=slaves, single=False)
        self.bus = bus

    def __getitem__(self, unit):
        if not self.bus.accept(unit):
            raise NoSuchSlaveException(f"unit {unit} not answering")
        return super().__getitem__(unit)
