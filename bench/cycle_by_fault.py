#!/usr/bin/env python3
"""Where a slow `status` reply waits: per fault injected into treadmill-sim (TCP) while a
program runs on treadmilld, the control cycles it made long (status.loop.cycle_hist), the
worst status round trip of a client polling every 20 ms for 3 s, and the server's own worst
service time over the same window (status.api.hist). Not in CI; see docs/benchmarks.md.
Usage: bench/cycle_by_fault.py [BUILD_DIR]   (default build/dev)"""
import json, os, socket, subprocess, sys, tempfile, time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build/dev"
BOUNDS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 200, 500]
d = tempfile.mkdtemp()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

port = free_port()
sim = subprocess.Popen([f"{BUILD}/sim/treadmill-sim", "--tcp", f"127.0.0.1:{port}", "--control", f"{d}/sim.sock"],
                       stdout=open(f"{d}/sim.log", "w"), stderr=subprocess.STDOUT)
time.sleep(1)
open(f"{d}/d.yaml", "w").write(f"bus: {{transport: tcp, host: 127.0.0.1, port: {port}}}\n"
                                "control: {countdown: 1 s}\n")
daemon = subprocess.Popen([f"{BUILD}/controller/daemon/treadmilld", "--config", f"{d}/d.yaml", "--socket", f"{d}/api.sock"],
                          stdout=open(f"{d}/d.log", "w"), stderr=subprocess.STDOUT)

class Line:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX); self.s.connect(path); self.buf = b""; self.id = 0
    def call(self, req):
        self.id += 1; req = dict(req, id=self.id)
        self.s.sendall((json.dumps(req) + "\n").encode())
        while b"\n" not in self.buf:
            self.buf += self.s.recv(65536)
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

def sim_call(req):
    s = socket.socket(socket.AF_UNIX); s.connect(f"{d}/sim.sock")
    s.sendall((json.dumps(req) + "\n").encode()); buf = b""
    while b"\n" not in buf: buf += s.recv(65536)
    s.close(); return json.loads(buf.split(b"\n")[0])

api = None
for _ in range(100):
    try:
        api = Line(f"{d}/api.sock")
        if api.call({"cmd": "status"})["status"]["state"] == "idle": break
    except Exception: pass
    time.sleep(0.2)

def status(): return api.call({"cmd": "status"})["status"]
def hist(st, key): return st["loop"][key]
def worst(h0, h1):
    for i in range(len(h1) - 1, -1, -1):
        if h1[i] - h0[i] > 0: return BOUNDS[i] if i < len(BOUNDS) else 1e9
    return 0

faults = [("drop", {"cmd": "drop", "count": 3}), ("delay 150 ms", {"cmd": "delay", "ms": 150, "count": 3}),
          ("silence 0.8 s", {"cmd": "silence", "seconds": 0.8}), ("garbage", {"cmd": "garbage", "count": 2}),
          ("corrupt_crc", {"cmd": "corrupt_crc", "count": 2}), ("key out", {"cmd": "key", "present": False}),
          ("none", None)]
print(f"{'fault':14} {'cyc>50':>6} {'cyc<=':>6} {'client max':>10} {'srv<=':>6}  state after")
for name, cmd in faults:
    sim_call({"cmd": "clear"}); sim_call({"cmd": "key", "present": True})
    for _ in range(50):
        st = status()
        if st["state"] == "idle": break
        if st["state"] == "fault": api.call({"cmd": "reset"})
        time.sleep(0.2)
    api.call({"cmd": "start", "program": "easy-run"})
    time.sleep(2.5)
    st0 = status(); lat = []
    if cmd: sim_call(cmd)
    t_end = time.monotonic() + 3
    while time.monotonic() < t_end:
        t = time.monotonic(); st = status(); lat.append((time.monotonic() - t) * 1000); time.sleep(0.02)
    c0, c1 = hist(st0, "cycle_hist"), hist(st, "cycle_hist")
    long_cycles = sum(c1[i] - c0[i] for i in range(len(c1)) if i >= len(BOUNDS) or BOUNDS[i] > 50)
    print(f"{name:14} {long_cycles:6d} {worst(c0, c1):6.0f} {max(lat):10.1f} {worst(st0['api']['hist'], st['api']['hist']):6.1f}  {st['state']}")
    api.call({"cmd": "stop"})
daemon.terminate(); sim.terminate(); daemon.wait(); sim.wait()
