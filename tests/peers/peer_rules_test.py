#!/usr/bin/python3
"""The peer's access rules, checked with hand-built Modbus TCP frames against
spec/register-map.md: listed addresses only, read-only and write-only registers, value ranges,
FC16 all-or-nothing, REV refused, the control channel's input handling."""

import socket
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_testlib import ModbusError, PeerProcess

DRIVE, INCLINE = 1, 2
ADDRESS, VALUE, FUNCTION = 2, 3, 1


class AccessRules(unittest.TestCase):
    def setUp(self):
        self.peer = PeerProcess()
        self.bus = self.peer.client

    def tearDown(self):
        self.peer.close()

    def assertException(self, code, call, *args):
        with self.assertRaises(ModbusError) as caught:
            call(*args)
        self.assertEqual(caught.exception.code, code)

    def test_power_on_values(self):
        self.assertEqual(self.bus.read(DRIVE, 0x0014), [1])
        self.assertEqual(self.bus.read(DRIVE, 0x0015), [2])
        self.assertEqual(self.bus.read(DRIVE, 0x0017), [1])
        self.assertEqual(self.bus.read(DRIVE, 0x0100), [6000])
        self.assertEqual(self.bus.read(DRIVE, 0x010C, 2), [100, 100])
        self.assertEqual(self.bus.read(DRIVE, 0x0902, 2), [3, 0])  # factory comm settings
        self.assertEqual(self.bus.read(INCLINE, 0x0010, 5), [150, 0, 3, 0, 2000])
        status = self.bus.read(INCLINE, 0x0100)[0]
        self.assertTrue(status & (1 << 8))  # key present
        self.assertTrue(status & (1 << 3))  # calibrated
        self.assertTrue(status & (1 << 2))  # at target 0 %
        self.assertEqual(self.bus.read(DRIVE, 0x2100, 7)[0], 0)

    def test_unlisted_addresses_are_illegal(self):
        self.assertException(ADDRESS, self.bus.read, DRIVE, 0x2100, 8)  # 0x2107
        self.assertException(ADDRESS, self.bus.read, DRIVE, 0x20FF, 2)
        self.assertException(ADDRESS, self.bus.read, DRIVE, 0x0016)
        self.assertException(ADDRESS, self.bus.read, INCLINE, 0x0100, 9)  # 0x0108
        self.assertException(ADDRESS, self.bus.read, INCLINE, 0x0002, 2)  # 0x0003
        self.assertException(ADDRESS, self.bus.read, INCLINE, 0x2100)  # a drive address
        self.assertException(ADDRESS, self.bus.write, DRIVE, 0x0001, 1)

    def test_read_only_registers_refuse_writes(self):
        self.assertException(ADDRESS, self.bus.write, DRIVE, 0x2100, 0)
        self.assertException(ADDRESS, self.bus.write, DRIVE, 0x2103, 5)
        self.assertException(ADDRESS, self.bus.write, INCLINE, 0x0105, 5)
        self.assertException(ADDRESS, self.bus.write_many, INCLINE, 0x0014, [2000, 0])
        self.assertException(ADDRESS, self.bus.write_many, DRIVE, 0x2001, [0, 0, 0])

    def test_write_only_registers_read_zero(self):
        self.assertEqual(self.bus.write(DRIVE, 0x2002, 0x0004), 0x0004)  # FC06 echoes
        self.assertEqual(self.bus.read(DRIVE, 0x2002), [0])
        self.assertEqual(self.bus.write(INCLINE, 0x0002, 0x0002), 0x0002)
        self.assertEqual(self.bus.read(INCLINE, 0x0000, 3), [0, 0, 0])

    def test_other_functions_are_illegal(self):
        self.assertException(FUNCTION, self.bus.request, DRIVE, 4, bytes([0x21, 0, 0, 1]))
        self.assertException(FUNCTION, self.bus.request, DRIVE, 1, bytes([0, 0, 0, 1]))

    def test_unknown_unit_gets_no_reply(self):
        with self.assertRaises(socket.timeout):
            self.bus.read(3, 0x2100, 7)

    def test_frequency_range(self):
        self.bus.write(DRIVE, 0x2001, 6000)
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2001, 6001)
        self.assertEqual(self.bus.read(DRIVE, 0x2001), [6000])
        self.bus.write(DRIVE, 0x0100, 5000)  # a lower Pr.01-00 tightens the range
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2001, 5001)

    def test_fc16_is_all_or_nothing(self):
        before = self.bus.read(DRIVE, 0x2000, 2)
        self.assertException(VALUE, self.bus.write_many, DRIVE, 0x2000, [0x0012, 7000])
        self.assertEqual(self.bus.read(DRIVE, 0x2000, 2), before)
        self.assertEqual(self.bus.read(DRIVE, 0x2101)[0] & 0x3, 0)  # still stopped
        self.assertException(VALUE, self.bus.write_many, INCLINE, 0x0000, [2, 200])
        self.assertEqual(self.bus.read(INCLINE, 0x0000, 2), [0, 0])
        self.assertException(ADDRESS, self.bus.write_many, INCLINE, 0x0001, [10, 0, 5])
        self.assertEqual(self.bus.read(INCLINE, 0x0001), [0])
        self.bus.write_many(INCLINE, 0x0010, [200, 5, 1])  # validated together, applied at once
        self.assertEqual(self.bus.read(INCLINE, 0x0010, 3), [200, 5, 1])

    def test_reverse_refused_while_disabled(self):
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2000, 0x0022)
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2000, 0x0032)
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2000, 0x0100)
        self.bus.write(DRIVE, 0x0017, 0)
        self.bus.write_many(DRIVE, 0x2000, [0x0022, 1000])
        status = self.bus.read(DRIVE, 0x2101)[0]
        self.assertEqual(status & 0x18, 0x18)

    def test_parameter_ranges(self):
        self.assertException(VALUE, self.bus.write, DRIVE, 0x0902, 4)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0012, 2)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0012, 4)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0001, 151)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0001, -1)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0000, 4)
        self.assertException(VALUE, self.bus.write, INCLINE, 0x0013, 151)  # above the maximum
        self.bus.write(INCLINE, 0x0013, -30)  # decline deck
        self.assertEqual(self.bus.write(INCLINE, 0x0001, -10), 0xFFF6)
        self.assertEqual(self.bus.read(INCLINE, 0x0013), [0xFFE2])

    def test_writes_are_recorded(self):
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 1500])
        self.assertException(VALUE, self.bus.write, DRIVE, 0x2001, 9000)
        writes = self.peer.state()["writes"]
        self.assertEqual(writes[0]["values"], [0x0012, 1500])
        self.assertEqual((writes[0]["unit"], writes[0]["address"]), (DRIVE, 0x2000))
        self.assertEqual(writes[1]["exception"], VALUE)
        self.assertLessEqual(writes[0]["t"], writes[1]["t"])

    def test_control_channel_rejects_bad_input(self):
        self.assertFalse(self.peer.control(cmd="nonsense")["ok"])
        self.assertFalse(self.peer.control(cmd="key", present="yes")["ok"])
        self.assertFalse(self.peer.control(cmd="fault", unit=7, code=1)["ok"])
        self.assertFalse(self.peer.control(nocmd=1)["ok"])
        self.assertTrue(self.peer.control(cmd="clear")["ok"])
        self.assertEqual(self.bus.read(DRIVE, 0x2100), [0])


if __name__ == "__main__":
    unittest.main()
