#!/usr/bin/python3
"""The peer's injected faults (control channel) and its RTU side: wire-time emulation, CRC
corruption and trailing garbage seen with a raw RTU client on a socat pty pair at 8N1."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import serial

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_testlib import ModbusError, PeerProcess, RawTcpClient, peer_command, wait_for

DRIVE, INCLINE = 1, 2


def crc16(frame):
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])  # low byte first on the wire


class InjectedFaults(unittest.TestCase):
    def setUp(self):
        self.peer = PeerProcess(time_scale=20.0)
        self.bus = self.peer.client

    def tearDown(self):
        self.peer.close()

    def reconnect(self):
        self.bus.close()
        self.bus = self.peer.client = RawTcpClient(self.peer.port)

    def test_drop_delay_exception(self):
        self.assertTrue(self.peer.control(cmd="drop", unit=DRIVE, count=1)["ok"])
        with self.assertRaises(socket.timeout):
            self.bus.read(DRIVE, 0x2100, 7)
        self.reconnect()
        self.assertEqual(len(self.bus.read(INCLINE, 0x0100, 8)), 8)  # other unit unaffected
        self.peer.control(cmd="delay", unit=DRIVE, ms=300, count=1)
        start = time.monotonic()
        self.bus.read(DRIVE, 0x2100, 7)
        self.assertGreaterEqual(time.monotonic() - start, 0.29)
        self.peer.control(cmd="exception", unit=INCLINE, code=6, count=2)
        for _ in range(2):
            with self.assertRaises(ModbusError) as caught:
                self.bus.read(INCLINE, 0x0100)
            self.assertEqual(caught.exception.code, 6)
        self.bus.read(INCLINE, 0x0100)

    def test_wrong_unit_reply(self):
        self.peer.control(cmd="wrong_unit", count=1)
        with self.assertRaises(AssertionError):
            self.bus.read(DRIVE, 0x2100)

    def test_runaway_and_stalls(self):
        self.peer.control(cmd="runaway", on=True)
        self.assertTrue(wait_for(lambda: self.bus.read(INCLINE, 0x0105)[0] > 300))
        self.assertEqual(self.bus.read(DRIVE, 0x2103)[0], 0)  # the drive outputs nothing
        self.peer.control(cmd="clear")
        self.peer.control(cmd="stall", what="belt", on=True)
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 3000])
        self.assertTrue(wait_for(lambda: self.bus.read(DRIVE, 0x2103)[0] == 3000))
        self.assertEqual(self.bus.read(INCLINE, 0x0105)[0], 0)
        self.peer.control(cmd="stall", what="incline", on=True)
        self.bus.write_many(INCLINE, 0x0000, [2, 50])
        self.assertTrue(wait_for(lambda: self.bus.read(INCLINE, 0x0103)[0] == 2))
        self.assertEqual(self.bus.read(INCLINE, 0x0101)[0], 0)

    def test_reboot_and_factory_reset(self):
        self.bus.write_many(DRIVE, 0x010C, [55, 66])
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 3000])
        self.peer.control(cmd="reboot", unit=DRIVE, seconds=0.3)
        with self.assertRaises(socket.timeout):
            self.bus.read(DRIVE, 0x2100, 7)
        self.reconnect()
        time.sleep(0.3)
        block = self.bus.read(DRIVE, 0x2100, 7)
        self.assertEqual((block[0], block[1] & 0x3), (0, 0))  # back stopped, no fault
        self.assertEqual(self.bus.read(DRIVE, 0x010C, 2), [55, 66])  # parameters kept
        self.peer.control(cmd="factory_reset", unit=DRIVE)
        self.assertEqual(self.bus.read(DRIVE, 0x010C, 2), [100, 100])
        self.assertEqual(self.bus.read(DRIVE, 0x0014, 2), [0, 0])  # Delta factory: keypad
        self.peer.control(cmd="factory_reset", unit=INCLINE)
        self.assertEqual(self.bus.read(INCLINE, 0x0010, 5), [150, 0, 3, 0, 2000])

    def test_drive_dropout(self):
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 3000])
        self.assertTrue(wait_for(lambda: self.bus.read(DRIVE, 0x2101)[0] & 0x3 == 0x3))
        self.assertTrue(self.peer.control(cmd="drive_dropout", unit=DRIVE)["ok"])  # "run"
        fault_warning, status, echo = self.bus.read(DRIVE, 0x2100, 3)
        self.assertEqual((fault_warning, status & 0x3, echo), (0, 0x1, 3000))  # decelerating
        self.assertTrue(self.peer.control(cmd="drive_dropout", unit=DRIVE, what="frequency")["ok"])
        self.assertEqual(self.bus.read(DRIVE, 0x2102)[0], 0)
        self.peer.control(cmd="drive_dropout", unit=DRIVE, what="frequency", hz=12.5)
        self.assertEqual(self.bus.read(DRIVE, 0x2102)[0], 1250)
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 3000])  # swallowed by the brown-out
        self.assertEqual(self.bus.read(DRIVE, 0x2102)[0], 1250)
        self.bus.write_many(DRIVE, 0x2000, [0x0012, 3000])
        self.assertEqual(self.bus.read(DRIVE, 0x2102)[0], 3000)
        self.peer.control(cmd="drive_dropout", unit=DRIVE, what="comm_warning", ms=400)
        for _ in range(3):  # held although polled
            self.assertEqual(self.bus.read(DRIVE, 0x2100)[0], 0x0100)
            time.sleep(0.1)
        self.assertTrue(wait_for(lambda: self.bus.read(DRIVE, 0x2100)[0] == 0, 2))
        for bad in ({"unit": INCLINE}, {"unit": DRIVE, "what": "reboot"},
                    {"unit": DRIVE, "what": "comm_warning", "ms": 0}):
            self.assertFalse(self.peer.control(cmd="drive_dropout", **bad)["ok"])


class Scenario(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="peer-scenario-")
        self.file = os.path.join(self.dir, "scenario.yaml")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text):
        with open(self.file, "w", encoding="utf-8") as f:
            f.write(text)

    def test_key_pulled_by_the_scenario(self):
        self.write('- at: "2 s"\n  do: {cmd: key, present: false}\n')
        peer = PeerProcess(extra=("--scenario", self.file))
        try:
            self.assertEqual(peer.client.read(DRIVE, 0x2100)[0], 0)
            self.assertTrue(wait_for(lambda: peer.client.read(DRIVE, 0x2100)[0] == 6, 5))
            self.assertFalse(peer.client.read(INCLINE, 0x0100)[0] & 0x100)
        finally:
            peer.close()

    def test_bad_scenario_is_a_usage_error(self):
        for text in ("- at: soon\n  do: {cmd: clear}\n", "- do: {cmd: clear}\n", "{a: 1}\n"):
            self.write(text)
            run = subprocess.run([*peer_command(), "--tcp", "127.0.0.1:0", "--scenario",
                                  self.file], capture_output=True, text=True, timeout=10)
            self.assertEqual(run.returncode, 2, text)


class RtuSide(unittest.TestCase):
    def setUp(self):
        if not shutil.which("socat"):
            self.skipTest("socat missing")
        self.dir = tempfile.mkdtemp(prefix="peer-rtu-")
        self.a, self.b = os.path.join(self.dir, "a"), os.path.join(self.dir, "b")
        self.socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={self.a}",
                                       f"pty,raw,echo=0,link={self.b}"])
        self.assertTrue(wait_for(lambda: os.path.exists(self.a) and os.path.exists(self.b)))
        self.control = os.path.join(self.dir, "control.sock")
        self.peer = subprocess.Popen([*peer_command(), "--rtu", self.a, "--parity", "N",
                                      "--wire", "19200,8E1", "--control", self.control],
                                     stdout=subprocess.PIPE, text=True)
        self.assertIn("serving Modbus RTU", self.peer.stdout.readline())
        self.port = serial.Serial(self.b, 19200, timeout=0.5)

    def tearDown(self):
        self.port.close()
        self.peer.stdout.close()
        for process in (self.peer, self.socat):
            process.terminate()
            process.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def transact(self, pdu, unit=DRIVE, reply_length=19):
        frame = bytes([unit]) + pdu
        self.port.reset_input_buffer()
        start = time.monotonic()
        self.port.write(frame + crc16(frame))
        reply = self.port.read(reply_length)
        return reply, time.monotonic() - start

    def test_wire_time_and_crc(self):
        reply, elapsed = self.transact(bytes([3, 0x21, 0x00, 0x00, 0x07]))
        self.assertEqual(len(reply), 19)
        self.assertEqual(reply[-2:], crc16(reply[:-2]))
        self.assertGreaterEqual(elapsed, (8 + 19 + 3.5) * 11 / 19200 - 0.001)  # ~17.5 ms
        PeerControl(self.control).send('{"cmd":"corrupt_crc","unit":1,"count":1}')
        reply, _ = self.transact(bytes([3, 0x21, 0x00, 0x00, 0x07]))
        self.assertNotEqual(reply[-2:], crc16(reply[:-2]))
        PeerControl(self.control).send('{"cmd":"garbage","bytes":3}')
        reply, _ = self.transact(bytes([3, 0x21, 0x00, 0x00, 0x07]), reply_length=22)
        self.assertEqual(len(reply), 22)
        self.assertEqual(reply[17:19], crc16(reply[:17]))

    def test_resync_after_garbage_and_partial_frames(self):
        for junk in (b"\x13\x37\x00", bytes([1, 3, 0x21])):
            self.port.write(junk)
            self.assertEqual(self.port.read(5), b"")  # no reply
            reply, _ = self.transact(bytes([3, 0x21, 0x00, 0x00, 0x07]))
            self.assertEqual(reply[:3], bytes([1, 3, 14]))
        reply, _ = self.transact(bytes([3, 0x21, 0x00, 0x00, 0x07]), unit=3, reply_length=5)
        self.assertEqual(reply, b"")  # another unit: silence

    def test_unit_two_and_exception(self):
        reply, _ = self.transact(bytes([3, 0x01, 0x00, 0x00, 0x08]), INCLINE, 21)
        self.assertEqual(reply[:3], bytes([2, 3, 16]))
        reply, _ = self.transact(bytes([3, 0x21, 0x07, 0x00, 0x01]), DRIVE, 5)
        self.assertEqual(reply[:3], bytes([1, 0x83, 2]))


class PeerControl:
    def __init__(self, path):
        self.path = path

    def send(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.path)
            s.sendall(line.encode() + b"\n")
            return s.recv(65536)


if __name__ == "__main__":
    unittest.main()
