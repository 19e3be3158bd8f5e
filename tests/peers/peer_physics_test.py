#!/usr/bin/python3
"""The peer's behaviour over time, against spec/register-map.md: ramps, status bits, roller
speed and odometer, the incline's travel, the comm-loss dead-men and their treatments, fault
reset, the safety key and bus silence. Physics runs scaled; dead-men run on the wall clock."""

import socket
import time
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_testlib import PeerProcess, RawTcpClient, wait_for

DRIVE, INCLINE = 1, 2
STOP, RUN = 0x0001, 0x0012


class Physics(unittest.TestCase):
    TIME_SCALE = 20.0

    def setUp(self):
        self.peer = PeerProcess(time_scale=self.TIME_SCALE)
        self.bus = self.peer.client

    def tearDown(self):
        self.peer.close()

    def drive(self):
        """(fault, warning, status, frequency echo, output frequency) of the telemetry block."""
        block = self.bus.read(DRIVE, 0x2100, 7)
        return block[0] & 0xFF, block[0] >> 8, block[1], block[2], block[3]

    def poll_until(self, predicate, timeout=10.0):
        """Keeps the bus busy (the dead-men fed) until predicate() holds."""
        return wait_for(predicate, timeout=timeout, interval=0.02)

    def test_run_ramp_status_and_roller(self):
        self.bus.write_many(DRIVE, 0x2000, [RUN, 3000])  # 30 Hz = 10 km/h at 60 Hz -> 20 km/h
        self.assertTrue(self.poll_until(lambda: self.drive()[2] & 0x3 == 0x3))  # running
        self.assertEqual(self.drive()[2] & (1 << 10), 1 << 10)  # run command from comm
        self.assertTrue(self.poll_until(lambda: self.drive()[4] == 3000))
        # 10 km/h at the roller, allowing the spec's "small slip under load" (2 %)
        self.assertTrue(self.poll_until(lambda: 980 <= self.bus.read(INCLINE, 0x0105)[0] <= 1000))
        self.bus.write(DRIVE, 0x2000, STOP)
        self.assertTrue(self.poll_until(lambda: self.drive()[2] & 0x3 == 0x1))  # decelerating
        self.assertTrue(self.poll_until(lambda: self.drive()[2] & 0x3 == 0x0))
        self.assertEqual(self.drive()[4], 0)

    def test_roller_circumference_calibrates_the_sensor(self):
        # The board turns roller revolutions into speed with the configured circumference: a
        # configured 220.0 mm on the real 200.0 mm roller reads 10 % high.
        self.bus.write(INCLINE, 0x0014, 2200)
        self.bus.write_many(DRIVE, 0x2000, [RUN, 3000])
        self.assertTrue(self.poll_until(lambda: self.drive()[4] == 3000))
        self.assertTrue(self.poll_until(lambda: 1078 <= self.bus.read(INCLINE, 0x0105)[0] <= 1100))

    def test_odometer_is_uint32_high_word_first(self):
        self.peer.close()
        self.peer = PeerProcess(time_scale=200.0)
        self.bus = self.peer.client
        self.bus.write_many(DRIVE, 0x2000, [RUN, 6000])  # 20 km/h
        self.assertTrue(self.poll_until(lambda: self.bus.read(INCLINE, 0x0106)[0] >= 1, 15))
        high, low = self.bus.read(INCLINE, 0x0106, 2)
        odometer_m = ((high << 16) | low) / 100.0
        self.assertAlmostEqual(odometer_m, self.peer.state()["odometer_m"], delta=50)
        self.assertGreater(odometer_m, 655.35)

    def test_incline_travels_to_target(self):
        self.bus.write_many(INCLINE, 0x0000, [2, 30])  # 3.0 % at 0.6 %/s = 5 s simulated
        status = self.bus.read(INCLINE, 0x0100)[0]
        self.assertEqual(status & 0x3, 0x3)  # moving, up
        self.assertFalse(status & 0x4)
        start = time.monotonic()
        self.assertTrue(self.poll_until(lambda: self.bus.read(INCLINE, 0x0100)[0] & 0x4))
        self.assertGreaterEqual(self.bus.read(INCLINE, 0x0101)[0], 28)  # at target: +-0.2 %
        self.assertTrue(self.poll_until(lambda: self.bus.read(INCLINE, 0x0100)[0] & 0x5 == 0x4))
        elapsed = (time.monotonic() - start) * self.TIME_SCALE
        self.assertGreater(elapsed, 4.0)
        self.assertEqual(self.bus.read(INCLINE, 0x0101)[0], 30)
        self.bus.write(INCLINE, 0x0001, 20)  # a new target alone, the command still "move"
        self.assertTrue(self.poll_until(lambda: self.bus.read(INCLINE, 0x0101)[0] == 20))

    def arm_drive_deadman(self, treatment):
        self.bus.write_many(DRIVE, 0x0902, [treatment, 3])  # 0.3 s
        self.bus.write_many(DRIVE, 0x2000, [RUN, 3000])
        self.assertTrue(self.poll_until(lambda: self.drive()[4] == 3000))

    def test_deadman_ramp_stop_latches_fault_49(self):
        self.arm_drive_deadman(1)
        state = wait_for(lambda: (s := self.peer.state())["drive"]["fault"] == 49 and s)
        self.assertTrue(state)
        self.assertTrue(state["drive"]["output_active"])
        self.assertTrue(wait_for(lambda: self.peer.state()["drive"]["output_hz"] == 0))
        fault, warning, status, _, _ = self.drive()
        self.assertEqual((fault, warning), (49, 0))  # the warning clears as comm resumes
        self.assertEqual(self.bus.read(DRIVE, 0x2000)[0], STOP)
        self.bus.write(DRIVE, 0x2002, 0x0002)  # one reset: clears, never restarts
        self.assertEqual(self.drive()[0], 0)
        time.sleep(0.1)
        self.assertEqual(self.drive()[4], 0)

    def test_deadman_coast_and_warning_treatments(self):
        self.arm_drive_deadman(2)
        state = wait_for(lambda: (s := self.peer.state())["drive"]["fault"] == 49 and s)
        self.assertTrue(state and not state["drive"]["output_active"])
        self.bus.write(DRIVE, 0x2002, 0x0002)
        self.arm_drive_deadman(0)  # warn and continue
        state = wait_for(lambda: (s := self.peer.state())["drive"]["warning"] == 1 and s)
        self.assertTrue(state)
        self.assertEqual(state["drive"]["fault"], 0)
        self.assertEqual(state["drive"]["status"] & 0x3, 0x3)  # still running
        self.assertEqual(self.drive()[:2], (0, 0))

    def test_incline_deadman_stops_lift_and_latches(self):
        self.bus.write_many(INCLINE, 0x0011, [3, 1])
        self.bus.write_many(INCLINE, 0x0000, [2, 150])
        state = wait_for(lambda: (s := self.peer.state())["incline"]["fault"] == 1 and s)
        self.assertTrue(state)
        self.assertFalse(state["incline"]["status"] & 0x1)  # the lift stopped
        status = self.bus.read(INCLINE, 0x0100)[0]
        self.assertTrue(status & 0x80)
        self.assertEqual(self.bus.read(INCLINE, 0x0103)[0], 1)
        self.bus.write(INCLINE, 0x0002, 0x0002)
        self.assertEqual(self.bus.read(INCLINE, 0x0103)[0], 0)
        self.assertFalse(self.bus.read(INCLINE, 0x0100)[0] & 0x1)  # the lift did not restart

    def test_external_fault_needs_cause_gone(self):
        self.bus.write(DRIVE, 0x2002, 0x0001)  # EF on
        self.assertEqual(self.drive()[0], 6)
        self.bus.write(DRIVE, 0x2002, 0x0003)  # reset while EF still on
        self.assertEqual(self.drive()[0], 6)
        self.bus.write(DRIVE, 0x2000, RUN)  # refused while faulted
        self.assertEqual(self.bus.read(DRIVE, 0x2000)[0], STOP)
        self.bus.write(DRIVE, 0x2002, 0x0002)  # EF off and reset
        self.assertEqual(self.drive()[0], 0)

    def test_safety_key(self):
        self.bus.write_many(DRIVE, 0x2000, [RUN, 3000])
        self.bus.write_many(INCLINE, 0x0000, [2, 100])
        self.assertTrue(self.poll_until(lambda: self.drive()[4] == 3000))
        self.assertTrue(self.peer.control(cmd="key", present=False)["ok"])
        self.assertEqual(self.drive()[0], 6)
        status = self.bus.read(INCLINE, 0x0100)[0]
        self.assertFalse(status & 0x100)
        self.assertFalse(status & 0x1)  # lift halted
        self.assertFalse(self.peer.state()["drive"]["output_active"])
        self.peer.control(cmd="key", present=True)
        self.bus.write(DRIVE, 0x2002, 0x0002)
        self.assertEqual(self.drive()[0], 0)
        self.assertTrue(self.bus.read(INCLINE, 0x0100)[0] & 0x100)

    def test_silence_answers_nothing_and_starves_the_deadman(self):
        self.bus.write_many(DRIVE, 0x0902, [1, 3])
        self.assertTrue(self.peer.control(cmd="silence", seconds=0.6)["ok"])
        with self.assertRaises(socket.timeout):
            self.bus.read(DRIVE, 0x2100, 7)
        self.bus.close()
        self.assertTrue(wait_for(self.answers_again, timeout=3))
        self.assertEqual(self.drive()[0], 49)

    def answers_again(self):
        """A fresh connection gets a reply (after a silence)."""
        client = RawTcpClient(self.peer.port, timeout=0.2)
        try:
            client.read(DRIVE, 0x2100)
        except socket.timeout:
            client.close()
            return False
        self.bus = self.peer.client = client
        return True


if __name__ == "__main__":
    unittest.main()
