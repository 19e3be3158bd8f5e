"""Helpers of the peer's own Python tests: the peer as a child process, a raw Modbus TCP client
(hand-built frames, so the checks do not depend on pymodbus's client), the control channel."""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "board_peer.py")


def peer_command():
    """The program under test: the peer, or $PEER_PROGRAM (e.g. treadmill-sim, whose command
    line is the same) to hold another implementation to these tests."""
    program = os.environ.get("PEER_PROGRAM")
    return [program] if program else [sys.executable, PEER]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, interval=0.01):
    """Polls until predicate() is truthy (returns its value) or the deadline passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


class ModbusError(Exception):
    def __init__(self, code):
        super().__init__(f"exception {code}")
        self.code = code


class RawTcpClient:
    """Modbus TCP with hand-built MBAP frames; raises ModbusError on an exception reply and
    socket.timeout when no reply comes."""

    def __init__(self, port, timeout=1.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.transaction = 0

    def close(self):
        self.sock.close()

    def request(self, unit, function, payload):
        self.transaction = (self.transaction + 1) & 0xFFFF
        pdu = bytes([function]) + payload
        self.sock.sendall(struct.pack(">HHHB", self.transaction, 0, len(pdu) + 1, unit) + pdu)
        header = self._receive(7)
        transaction, _, length, reply_unit = struct.unpack(">HHHB", header)
        body = self._receive(length - 1)
        assert transaction == self.transaction and reply_unit == unit, "reply mismatch"
        if body[0] == function | 0x80:
            raise ModbusError(body[1])
        assert body[0] == function, f"function {body[0]}"
        return body[1:]

    def _receive(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def read(self, unit, address, count=1):
        body = self.request(unit, 3, struct.pack(">HH", address, count))
        return list(struct.unpack(f">{count}H", body[1:]))

    def write(self, unit, address, value):
        body = self.request(unit, 6, struct.pack(">HH", address, value & 0xFFFF))
        return struct.unpack(">HH", body)[1]  # the echoed value

    def write_many(self, unit, address, values):
        payload = struct.pack(f">HHB{len(values)}H", address, len(values), 2 * len(values),
                              *[v & 0xFFFF for v in values])
        return self.request(unit, 16, payload)


class PeerProcess:
    """board_peer.py over TCP with a control socket, killed at close()."""

    def __init__(self, time_scale=1.0, extra=()):
        self.dir = tempfile.mkdtemp(prefix="peer-test-")
        self.port = free_port()
        self.control_path = os.path.join(self.dir, "control.sock")
        self.log = open(os.path.join(self.dir, "peer.log"), "w+")
        argv = [*peer_command(), "--tcp", f"127.0.0.1:{self.port}",
                "--control", self.control_path, "--time-scale", f"{time_scale:g}", *extra]
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(self._accepts, timeout=10.0):
            self.close()
            raise RuntimeError("peer did not start")
        self.client = RawTcpClient(self.port)

    def _accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def control(self, **request):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.control_path)
            s.sendall((json.dumps(request) + "\n").encode())
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        return json.loads(reply)

    def state(self):
        return self.control(cmd="state")["state"]

    def close(self):
        if hasattr(self, "client"):
            self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
