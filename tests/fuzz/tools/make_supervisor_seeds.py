#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz_supervisor (corpus/fuzz_supervisor/seed_*).

FuzzedDataProvider takes integers from the END of the input, one byte per 8 bits of range,
most significant first; this script lists the values in the order the harness consumes them
and writes the bytes reversed. Keep it in step with fuzz_supervisor.cpp's event switch."""
import os
import sys


class Seed:
    def __init__(self):
        self.tail = []

    def int_range(self, lo, hi, v):
        r, n = hi - lo, 0
        while n < 8 and (r >> (8 * n)) > 0:
            n += 1
        x = v - lo
        self.tail += [(x >> (8 * (n - 1 - i))) & 0xFF for i in range(n)]

    def boolean(self, b):
        self.int_range(0, 255, 1 if b else 0)

    def real(self, lo, hi, v):
        p = (v - lo) / (hi - lo)
        self.int_range(0, 2**64 - 1, min(2**64 - 1, int(p * (2**64 - 1))))

    def request(self, lo, hi, v):
        self.int_range(0, 7, 1)
        self.real(lo, hi, v)

    # --- events of the harness ---
    def wait_ms(self, ms):
        self.int_range(0, 12, 0); self.int_range(1, 1300, ms)

    def periods(self, n):
        self.int_range(0, 12, 1); self.int_range(1, 80, n)

    def key(self, present):
        self.int_range(0, 12, 2); self.boolean(present)

    def fail(self, call, kind, count):
        self.int_range(0, 12, 3); self.int_range(0, 3, 0)
        self.int_range(0, 6, call); self.int_range(0, 5, kind)
        if kind == 3:
            self.int_range(1, 11, 6)
        self.boolean(count > 0)
        if count > 0:
            self.int_range(1, 6, count)

    def bus(self, op):  # 1 clear, 2 kill, 3 revive
        self.int_range(0, 12, 3); self.int_range(0, 3, op)

    def drive_fault(self, code):
        self.int_range(0, 12, 4); self.int_range(0, 2, 0); self.int_range(0, 255, code)

    def incline_fault(self, code):
        self.int_range(0, 12, 4); self.int_range(0, 2, 1); self.int_range(0, 20, code)

    def belt(self, what, on):  # 0 runaway 1 stall 2 incline stall 3 reverse
        self.int_range(0, 12, 5); self.int_range(0, 4, what); self.boolean(on)

    def roller(self, kmh):
        self.int_range(0, 12, 5); self.int_range(0, 4, 4); self.real(0.0, 30.0, kmh)

    def api(self, n):
        self.int_range(0, 12, 6); self.int_range(0, 10, n)

    def start(self, steps):
        self.api(0)
        self.int_range(1, 4, len(steps))
        for extent, speed, incline in steps:
            self.boolean(True)
            self.real(1.0, 60.0, extent)
            self.int_range(0, 5, 1); self.int_range(0, 5, 1)  # not open, not manual
            self.request(0.0, 25.0, speed); self.boolean(True)
            self.request(-5.0, 20.0, incline); self.boolean(True)

    def api_request(self, lo, hi, v):
        self.int_range(0, 31, 3)  # a finite value
        self.request(lo, hi, v)

    def speed(self, kmh):
        self.api(5); self.api_request(-5.0, 30.0, kmh)

    def incline(self, pct):
        self.api(7); self.api_request(-10.0, 30.0, pct)

    def data(self):
        return bytes(reversed(self.tail))


def scenarios():
    program = [(20.0, 10.0, 4.0), (40.0, 24.0, 18.0), (20.0, 6.0, -3.0)]
    s = Seed(); s.start(program); s.periods(80); s.periods(80); s.speed(19.5)
    s.periods(40); s.incline(14.0); s.periods(60); s.api(3); s.periods(80)
    yield "run_and_stop", s
    s = Seed(); s.start(program); s.periods(80); s.key(False); s.periods(10); s.key(True)
    s.api(9); s.periods(30); s.start(program); s.periods(80)
    yield "key_out_reset", s
    s = Seed(); s.start(program); s.periods(80); s.bus(2); s.periods(10); s.bus(3)
    s.api(9); s.periods(50); s.start(program); s.periods(60)
    yield "dead_bus", s
    s = Seed(); s.start(program); s.periods(60); s.fail(0, 0, 2); s.periods(5)
    s.fail(3, 1, 3); s.periods(10); s.fail(1, 3, 1); s.periods(20)
    yield "link_failures", s
    s = Seed(); s.start(program); s.periods(60); s.drive_fault(7); s.periods(10)
    s.drive_fault(0); s.api(9); s.periods(30); s.start(program); s.periods(40)
    s.incline_fault(3); s.periods(20)
    yield "board_faults", s
    s = Seed(); s.start(program); s.periods(60); s.belt(0, True); s.periods(40)
    s.belt(0, False); s.api(9); s.periods(80); s.start(program); s.periods(40)
    s.roller(25.0); s.periods(5); s.belt(1, True); s.periods(70)
    yield "roller_disagrees", s
    s = Seed(); s.start(program); s.periods(60); s.api(1); s.periods(40); s.api(2)
    s.periods(40); s.api(4); s.periods(30); s.wait_ms(700); s.speed(100.0); s.periods(80)
    s.api(8); s.periods(20); s.api(9); s.periods(40)
    yield "pause_skip_estop", s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "corpus", "fuzz_supervisor")
    for name, seed in scenarios():
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(seed.data())


if __name__ == "__main__":
    main()
