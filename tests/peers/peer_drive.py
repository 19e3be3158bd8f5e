"""Unit 1 of the peer: the motor drive (reference Delta MS300 / VFD-E style map) and the belt."""

import math

from peer_registers import ILLEGAL_VALUE, R, RW, W, CommWatch, RegisterBoard

STOP, RUN_FORWARD = 0x0001, 0x0012
FAULT_EF, FAULT_COMM = 6, 49
WARNING_COMM = 1

RUNAWAY_KMH_PER_S, RUNAWAY_TOP_KMH = 1.0, 30.0
PARAMETER_NAMES = {
    0x0014: "frequency_source",
    0x0015: "run_source",
    0x0017: "reverse_disable",
    0x0100: "max_frequency",
    0x010C: "accel_time",
    0x010D: "decel_time",
    0x0902: "comm_loss_treatment",
    0x0903: "comm_loss_timeout",
}
# Delta's factory values where they differ from the power-on state of the spec.
FACTORY = {0x0014: 0, 0x0015: 0, 0x0017: 0}

# Parameters: address -> (power-on value, lowest, highest).
PARAMETERS = {
    0x0014: (1, 0, 9),  # Pr.00-20 frequency source (1 = RS-485)
    0x0015: (2, 0, 5),  # Pr.00-21 run source (2 = RS-485)
    0x0017: (1, 0, 2),  # Pr.00-23 0 both, 1 reverse disabled, 2 forward disabled
    0x0100: (6000, 100, 59900),  # Pr.01-00 max output frequency, 0.01 Hz
    0x010C: (100, 0, 6000),  # Pr.01-12 accel time, 0.1 s
    0x010D: (100, 0, 6000),  # Pr.01-13 decel time, 0.1 s
    0x0902: (3, 0, 3),  # Pr.09-02 comm-loss treatment
    0x0903: (0, 0, 1000),  # Pr.09-03 comm-loss time-out, 0.1 s
}


class MotorDrive(RegisterBoard):
    ACCESS = {a: RW for a in PARAMETERS}
    ACCESS.update({0x2000: RW, 0x2001: RW, 0x2002: W})
    ACCESS.update({a: R for a in range(0x2100, 0x2107)})

    def __init__(self, now, max_frequency_hz=60.0, speed_at_max_kmh=20.0, coast_tau_s=1.5):
        self.scale = (max_frequency_hz, speed_at_max_kmh)
        self.coast_tau_s = coast_tau_s
        self.follow_tau_s = 0.15
        self.params = {a: v[0] for a, v in PARAMETERS.items()}
        self.runaway = False  # the belt speeds up whatever the drive outputs
        self.belt_stalled = False  # the belt does not move whatever the drive outputs
        self.belt_kmh = 0.0
        self.load_incline_pct = 0.0
        self.comm = CommWatch(now)
        self.power_on()

    def power_on(self):
        """Run state after power-on or a reboot (parameters kept: EEPROM)."""
        self.command = 0
        self.frequency_command = 0
        self.ef_bit = False
        self.base_block = False
        self.key_present = True
        self.fault = 0
        self.warning = 0
        self.running = False  # run latch: set only by a RUN write while healthy
        self.start_lockout = False  # after leave_run: RUN needs a STOP first
        self.drop_next_frequency_write = False  # lose_frequency_command: the brown-out's write
        self.reverse = False
        self.coasting = False  # output off after a coasting fault
        self.output_frequency = 0.0  # 0.01 Hz counts
        self.warning_held_until = None  # drive_dropout comm_warning: shown until then (wall)

    def reboot(self, now):
        self.power_on()
        self.comm = CommWatch(now)

    def factory_reset(self):
        self.params = {a: FACTORY.get(a, v[0]) for a, v in PARAMETERS.items()}

    # ---- the drive's own state changing by itself (drive_dropout) ----------------------------
    def leave_run(self):
        """Leaves RUN with no fault (ramps down per Pr.01-13), as after a self-cleared fault."""
        self.running = False
        self.command = STOP
        self.start_lockout = True  # RUN is taken again only after a STOP

    def lose_frequency_command(self, counts):
        """The frequency command changes (a brown-out of the control board); the brown-out lasts
        through the next frequency write, acknowledged and lost, so the next poll sees it."""
        self.frequency_command = counts
        self.drop_next_frequency_write = True

    def hold_comm_warning(self, until):
        """Shows warning 1 until `until` (wall clock), whatever the requests."""
        self.warning = WARNING_COMM
        self.warning_held_until = until

    # ---- registers -------------------------------------------------------------------------
    def read_readable(self, address):
        if address in self.params:
            return self.params[address]
        return {
            0x2000: lambda: self.command,
            0x2001: lambda: self.frequency_command,
            0x2100: lambda: (self.warning << 8) | self.fault,
            0x2101: self.status_word,
            0x2102: lambda: self.frequency_command,
            0x2103: lambda: round(self.output_frequency),
            0x2104: self.output_current,
            0x2105: self.dc_bus_voltage,
            0x2106: self.output_voltage,
        }[address]()

    def check_values(self, proposal):
        """Range checks on the proposal merged over the current values (03 when out of range)."""
        merged = dict(self.params)
        merged.update({a: v for a, v in proposal.items() if a in PARAMETERS})
        for address, value in proposal.items():
            if address in PARAMETERS:
                _, low, high = PARAMETERS[address]
                if not low <= value <= high:
                    return ILLEGAL_VALUE
        if 0x2000 in proposal and not self.command_allowed(proposal[0x2000], merged[0x0017]):
            return ILLEGAL_VALUE
        frequency = proposal.get(0x2001, self.frequency_command)
        if 0x2001 in proposal and frequency > merged[0x0100]:
            return ILLEGAL_VALUE
        return None

    @staticmethod
    def command_allowed(value, direction_lock):
        """Bits 5-0 only; REV / change-direction refused while reverse is disabled."""
        if value & ~0x003F:
            return False
        direction = (value >> 4) & 0x3
        if direction_lock == 1 and direction in (2, 3):
            return False
        return not (direction_lock == 2 and direction == 1)

    def apply_values(self, proposal, now):
        for address, value in sorted(proposal.items()):
            if address in PARAMETERS:
                self.params[address] = value
            elif address == 0x2001 and self.drop_next_frequency_write:
                self.drop_next_frequency_write = False
            elif address == 0x2001:
                self.frequency_command = value
        if self.frequency_command > self.params[0x0100]:
            self.frequency_command = self.params[0x0100]
        if 0x2000 in proposal:
            self.apply_command(proposal[0x2000])
        if 0x2002 in proposal:
            self.apply_control(proposal[0x2002])

    def apply_command(self, value):
        if self.params[0x0015] != 2:
            return  # run commands are not taken from RS-485
        run_bits, direction = value & 0x3, (value >> 4) & 0x3
        if run_bits == 1:
            self.running = False
            self.start_lockout = False
            self.command = value
        elif run_bits in (2, 3):
            if self.fault or self.start_lockout:
                return  # a faulted or locked-out drive ignores RUN; 0x2000 stays STOP
            self.running = True
            self.command = value
        else:
            self.command = value
        if direction == 1:
            self.reverse = False
        elif direction == 2:
            self.reverse = True
        elif direction == 3:
            self.reverse = not self.reverse

    def apply_control(self, value):
        self.ef_bit = bool(value & 0x1)
        self.base_block = bool(value & 0x4)
        self.check_external_fault()
        if value & 0x2:
            self.reset_fault()

    # ---- faults ----------------------------------------------------------------------------
    def trip(self, code, coast):
        """A fault stops the output: coast or ramp; 0x2000 becomes STOP. The first code stays."""
        if not self.fault:
            self.fault = code
        self.running = False
        self.command = STOP
        if coast:
            self.coasting = True
            self.output_frequency = 0.0

    def ef_cause(self):
        return self.ef_bit or not self.key_present

    def check_external_fault(self):
        if self.ef_cause():
            self.trip(FAULT_EF, coast=True)

    def reset_fault(self):
        """One reset: clears the fault when its cause is gone. Never restarts the motor."""
        if not self.fault:
            return
        if self.fault == FAULT_EF and self.ef_cause():
            return
        if self.fault == FAULT_COMM and self.comm.lost:
            return
        self.fault = 0
        self.coasting = False
        if not self.comm.lost:
            self.warning = 0

    def set_key(self, present):
        self.key_present = present
        self.check_external_fault()

    def request_seen(self, now):
        if self.comm.request_seen(now) and self.warning == WARNING_COMM:
            if self.warning_held_until is None:
                self.warning = 0

    def check_comm(self, now):
        if self.warning_held_until is not None and now >= self.warning_held_until:
            self.warning_held_until = None
            if not self.comm.lost:
                self.warning = 0
        treatment = self.params[0x0902]
        if treatment == 3 or not self.comm.expired(now, self.params[0x0903] * 0.1):
            return
        self.warning = WARNING_COMM
        if treatment in (1, 2):
            self.trip(FAULT_COMM, coast=treatment == 2)

    # ---- physics ---------------------------------------------------------------------------
    def step(self, dt, incline_pct):
        """Advances the drive and the belt by dt seconds of simulated time."""
        self.load_incline_pct = incline_pct
        self.check_external_fault()
        self.step_output(dt)
        self.step_belt(dt)

    def output_on(self):
        return not (self.coasting or self.base_block)

    def target_frequency(self):
        if not (self.running and self.output_on()):
            return 0.0
        if self.params[0x0014] != 1:
            return 0.0  # frequency not taken from RS-485
        return float(min(self.frequency_command, self.params[0x0100]))

    def step_output(self, dt):
        if not self.output_on():
            self.output_frequency = 0.0
            return
        target, f = self.target_frequency(), self.output_frequency
        ramp = self.params[0x010C] if target > f else self.params[0x010D]
        rate = self.params[0x0100] / (ramp * 0.1) if ramp else math.inf
        delta = min(abs(target - f), rate * dt)
        self.output_frequency = f + delta if target > f else f - delta

    def speed_for(self, frequency_counts):
        max_hz, speed_at_max = self.scale
        return speed_at_max * (frequency_counts / 100.0) / max_hz

    def step_belt(self, dt):
        if self.belt_stalled:
            self.belt_kmh = 0.0
            return
        if self.runaway:
            self.belt_kmh = min(RUNAWAY_TOP_KMH, self.belt_kmh + RUNAWAY_KMH_PER_S * dt)
            return
        if self.output_on() and self.output_frequency > 0:
            target, tau = self.speed_for(self.output_frequency), self.follow_tau_s
        else:
            target, tau = 0.0, self.coast_tau_s  # output off or at 0 Hz: the belt freewheels
        self.belt_kmh = target + (self.belt_kmh - target) * math.exp(-dt / tau)
        if self.belt_kmh < 0.005 and target == 0.0:
            self.belt_kmh = 0.0

    # ---- telemetry -------------------------------------------------------------------------
    def status_word(self):
        moving = self.output_frequency > 0.5
        if self.running:
            run = 0b11 if moving else 0b10
        else:
            run = 0b01 if moving else 0b00
        word = run | (0b11 << 3 if self.reverse else 0)
        if self.params[0x0015] == 2:
            word |= 1 << 10
        return word

    def output_current(self):
        if self.output_frequency <= 0.5:
            return 0
        speed = self.speed_for(self.output_frequency)
        amps = 1.0 + 0.3 * speed + 0.08 * max(self.load_incline_pct, 0.0)
        return round(amps * (200 if self.belt_stalled else 100))

    def dc_bus_voltage(self):
        decelerating = not self.running and self.output_frequency > 0.5
        return 3110 + (120 if decelerating else 0)

    def output_voltage(self):
        return round(2200 * self.output_frequency / max(self.params[0x0100], 1))

    def snapshot(self):
        return {
            "command": self.command,
            "fault": self.fault,
            "warning": self.warning,
            "status": self.status_word(),
            "frequency_command": self.frequency_command,
            "output_hz": round(self.output_frequency) / 100.0,
            "output_active": self.output_on(),
            "running": self.running,
            "reverse": self.reverse,
            "comm_lost": self.comm.lost,
            "params": {name: self.params[a] for a, name in PARAMETER_NAMES.items()},
        }
