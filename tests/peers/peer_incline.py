"""Unit 2 of the peer: the incline board (lift, roller speed sensor, safety-key input)."""

import random

from peer_registers import ILLEGAL_VALUE, R, RW, W, CommWatch, RegisterBoard, int16

FAULT_COMM, FAULT_STALL = 1, 2
STALL_TRIP_S = 2.0  # driven without moving for this long (simulated time) -> fault 2
NOMINAL_CIRCUMFERENCE = 2000  # the real roller, 0.1 mm

# Parameters: address -> (power-on value, lowest, highest), as int16 where signed.
PARAMETERS = {
    0x0010: (150, -300, 450),  # maximum incline, 0.1 %
    0x0011: (0, 0, 1000),  # comm-loss time-out, 0.1 s
    0x0012: (3, 0, 3),  # comm-loss treatment (2 refused)
    0x0013: (0, -300, 450),  # minimum incline, 0.1 %
    0x0014: (2000, 100, 20000),  # roller circumference, 0.1 mm
}
SIGNED = {0x0001, 0x0010, 0x0013}
PARAMETER_NAMES = {
    0x0010: "max_incline",
    0x0011: "comm_loss_timeout",
    0x0012: "comm_loss_treatment",
    0x0013: "min_incline",
    0x0014: "roller_circumference",
}


class InclineBoard(RegisterBoard):
    ACCESS = {0x0000: RW, 0x0001: RW, 0x0002: W}
    ACCESS.update({a: RW for a in PARAMETERS})
    ACCESS.update({a: R for a in range(0x0100, 0x0108)})

    def __init__(self, now, rate_pct_per_s=0.6, seed=1):
        self.rate = rate_pct_per_s * 10.0  # tenths of % per second
        self.params = {a: v[0] for a, v in PARAMETERS.items()}
        self.position = 0.0  # tenths of %
        self.calibrated = True
        self.key_present = True
        self.stalled = False  # the lift does not move when driven
        self.belt_kmh = 0.0
        self.random = random.Random(seed)
        self.comm = CommWatch(now)
        self.power_on()

    def power_on(self):
        """State after power-on or a reboot: parameters and position kept, odometer from 0."""
        self.command = 0
        self.target = round(self.position)
        self.mode = "idle"  # idle | move | calibrate
        self.direction_up = False
        self.moving = False
        self.fault = 0
        self.stall_s = 0.0
        self.distance_m = 0.0  # as measured by the roller sensor

    def reboot(self, now):
        self.power_on()
        self.comm = CommWatch(now)

    def factory_reset(self):
        self.params = {a: v[0] for a, v in PARAMETERS.items()}

    # ---- registers -------------------------------------------------------------------------
    def read_readable(self, address):
        if address in self.params:
            return self.params[address]
        odometer = int(self.distance_m * 100) & 0xFFFFFFFF
        return {
            0x0000: lambda: self.command,
            0x0001: lambda: self.target,
            0x0100: self.status_word,
            0x0101: lambda: round(self.position),
            0x0102: self.raw_position,
            0x0103: lambda: self.fault,
            0x0104: lambda: (150 if self.direction_up else 80) if self.moving else 0,
            0x0105: self.roller_speed,
            0x0106: lambda: odometer >> 16,
            0x0107: lambda: odometer & 0xFFFF,
        }[address]()

    def check_values(self, proposal):
        """Range checks on the proposal merged over the current values (03 when out of range)."""
        signed = {a: (int16(v) if a in SIGNED else v) for a, v in proposal.items()}
        merged = dict(self.params)
        merged.update({a: v for a, v in signed.items() if a in PARAMETERS})
        for address, value in signed.items():
            if address in PARAMETERS:
                _, low, high = PARAMETERS[address]
                if not low <= value <= high:
                    return ILLEGAL_VALUE
        if merged[0x0012] == 2 or merged[0x0013] > merged[0x0010]:
            return ILLEGAL_VALUE
        if signed.get(0x0000, 0) > 3:
            return ILLEGAL_VALUE
        if 0x0001 in signed and not merged[0x0013] <= signed[0x0001] <= merged[0x0010]:
            return ILLEGAL_VALUE
        return None

    def apply_values(self, proposal, now):
        for address, value in proposal.items():
            if address in PARAMETERS:
                self.params[address] = int16(value) if address in SIGNED else value
        if 0x0001 in proposal:
            self.target = int16(proposal[0x0001])
        if 0x0000 in proposal:
            self.apply_command(proposal[0x0000])
        elif 0x0001 in proposal and self.command == 2:
            self.apply_command(2)  # a new target while the command is "move to target"
        if 0x0002 in proposal and proposal[0x0002] & 0x2:
            self.reset_fault()

    def apply_command(self, value):
        self.command = value
        if value == 1:
            self.halt()
        elif value in (2, 3) and not self.fault and self.key_present:
            self.mode = "move" if value == 2 else "calibrate"
            self.start_motion()

    def goal(self):
        goal = self.params[0x0013] if self.mode == "calibrate" else self.target
        return max(self.params[0x0013], min(self.params[0x0010], goal))

    def start_motion(self):
        """The lift motor starts at once (status reports it before the next tick)."""
        distance = self.goal() - self.position
        self.moving = abs(distance) > 0.5
        self.direction_up = distance > 0

    def halt(self):
        self.mode = "idle"
        self.moving = False

    # ---- faults, key, comm loss ------------------------------------------------------------
    def trip(self, code):
        if not self.fault:
            self.fault = code
        self.halt()

    def reset_fault(self):
        """One reset: clears the fault when its cause is gone. Never restarts the lift."""
        if self.fault == FAULT_COMM and self.comm.lost:
            return
        self.fault = 0

    def set_key(self, present):
        self.key_present = present
        if not present:
            self.halt()
            self.command = 1  # the board stops the lift

    def request_seen(self, now):
        self.comm.request_seen(now)

    def check_comm(self, now):
        treatment = self.params[0x0012]
        if treatment == 3 or not self.comm.expired(now, self.params[0x0011] * 0.1):
            return
        if treatment == 1:
            self.trip(FAULT_COMM)

    # ---- physics ---------------------------------------------------------------------------
    def step(self, dt, belt_kmh):
        """Advances the lift and the roller sensor by dt seconds of simulated time."""
        self.belt_kmh = belt_kmh
        circumference = self.params[0x0014] / NOMINAL_CIRCUMFERENCE
        self.distance_m += belt_kmh / 3.6 * dt * circumference
        if self.mode == "idle" or self.fault or not self.key_present:
            self.halt()
            return
        if self.stalled and abs(self.goal() - self.position) > 0.5:
            self.stall_s += dt
            if self.stall_s >= STALL_TRIP_S:
                self.trip(FAULT_STALL)
            return
        self.stall_s = 0.0
        self.move_towards(self.goal(), self.rate * dt)

    def move_towards(self, goal, travel):
        distance = goal - self.position
        self.direction_up = distance > 0
        if abs(distance) <= travel:
            self.position = float(goal)
            self.moving = False
            if self.mode == "calibrate":
                self.calibrated = True
                self.command = 0
            self.mode = "idle"
            return
        self.moving = True
        self.position += travel if distance > 0 else -travel

    # ---- telemetry -------------------------------------------------------------------------
    def status_word(self):
        position = round(self.position)
        bits = [
            self.moving,
            self.moving and self.direction_up,
            abs(position - self.target) <= 2,
            self.calibrated,
            position <= self.params[0x0013],
            position >= self.params[0x0010],
            self.comm.lost and self.params[0x0012] != 3,
            self.fault != 0,
            self.key_present,
        ]
        return sum(1 << i for i, on in enumerate(bits) if on)

    def raw_position(self):
        raw = round(200 + 4 * self.position) + self.random.randint(-1, 1)
        return max(0, min(1023, raw))

    def roller_speed(self):
        measured = self.belt_kmh * self.params[0x0014] / NOMINAL_CIRCUMFERENCE
        return max(0, min(0xFFFF, round(measured * 100)))

    def snapshot(self):
        return {
            "command": self.command,
            "fault": self.fault,
            "status": self.status_word(),
            "target": self.target,
            "actual_pct": round(self.position) / 10.0,
            "moving": self.moving,
            "stalled": self.stalled,
            "roller_speed": self.roller_speed(),
            "odometer": int(self.distance_m * 100) & 0xFFFFFFFF,
            "comm_lost": self.comm.lost,
            "params": {name: self.params[a] for a, name in PARAMETER_NAMES.items()},
        }
