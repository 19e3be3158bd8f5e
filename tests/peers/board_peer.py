#!/usr/bin/python3
"""board_peer: a second, independent implementation of both boards of spec/register-map.md
(unit 1 motor drive, unit 2 incline board) on one Modbus bus, over TCP or RTU, written with
Debian's python3-pymodbus 3.0. Run it with /usr/bin/python3. See docs/peers.md."""

import argparse
import asyncio
import logging
import os
import signal
import sys
import time

import serial
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_bus import Bus, PeerServerContext  # noqa: E402 (after the line above)
from peer_control import Control
from peer_drive import MotorDrive
from peer_incline import InclineBoard
from peer_scenario import ScenarioError, load_scenario, schedule
from peer_wire import PeerSerialHandler, PeerTcpHandler, char_time_s

PARITIES = {"n": "N", "none": "N", "e": "E", "even": "E", "o": "O", "odd": "O"}


def host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return (host or "127.0.0.1", int(port))


def parity(text):
    if text.lower() not in PARITIES:
        raise argparse.ArgumentTypeError("parity is N|E|O (or none|even|odd)")
    return PARITIES[text.lower()]


def wire_format(text):
    """"19200,8E1" -> seconds per character on that wire."""
    try:
        baud, fmt = text.split(",")
        bits, par, stop = int(fmt[0]), PARITIES[fmt[1].lower()], int(fmt[2:])
        if bits != 8 or stop not in (1, 2) or int(baud) <= 0:
            raise ValueError
    except (ValueError, KeyError, IndexError):
        raise argparse.ArgumentTypeError(f"expected BAUD,8E1 (8N1, 8O1, 8N2...), got {text!r}")
    return char_time_s(int(baud), par, stop)


def positive(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", type=host_port, metavar="HOST:PORT", help="Modbus TCP server")
    where.add_argument("--rtu", metavar="DEVICE", help="Modbus RTU on a serial device or pty")
    p.add_argument("--baud", type=int, default=19200)
    p.add_argument("--parity", type=parity, default="E", help="N|E|O (default E, 8E1)")
    p.add_argument("--stop-bits", "--stopbits", dest="stopbits", type=int, choices=(1, 2),
                   default=1)
    p.add_argument("--wire", type=wire_format, metavar="BAUD,8E1",
                   help="RTU: answer after the wire time of request + reply + t3.5 at this format")
    p.add_argument("--control", metavar="SOCKET", help="Unix socket of the JSON control channel")
    p.add_argument("--scenario", metavar="FILE", help="YAML list of {at: '5 s', do: {cmd: ...}}")
    p.add_argument("--time-scale", type=positive, default=1.0, help="physics runs N x faster")
    p.add_argument("--tick-ms", type=positive, default=20.0, help="physics tick (wall clock)")
    p.add_argument("--max-frequency-hz", type=positive, default=60.0)
    p.add_argument("--speed-at-max-kmh", type=positive, default=20.0)
    p.add_argument("--coast-tau-s", type=positive, default=1.5)
    p.add_argument("--incline-rate", type=positive, default=0.6, help="lift speed, %%/s")
    p.add_argument("--verbose", action="store_true", help="pymodbus debug log on stderr")
    return p.parse_args(argv)


async def tick(bus, drive, incline, args):
    """Physics on simulated time (scaled), dead-men on the wall clock."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(args.tick_ms / 1000.0)
        now = time.monotonic()
        dt = min(now - last, 0.5) * args.time_scale
        last = now
        drive.check_comm(now)
        incline.check_comm(now)
        bus.workout_s += dt
        drive.step(dt, incline.position / 10.0)
        incline.step(dt, drive.belt_kmh)


def make_server(args, bus):
    common = {
        "ignore_missing_slaves": True,
        "response_manipulator": bus.manipulate,
    }
    context = PeerServerContext(bus)
    if args.tcp:
        server = ModbusTcpServer(context, framer=ModbusSocketFramer, address=args.tcp,
                                 handler=PeerTcpHandler, allow_reuse_address=True, **common)
    else:
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=args.rtu,
                                    handler=PeerSerialHandler, baudrate=args.baud,
                                    parity=args.parity, bytesize=8, stopbits=args.stopbits,
                                    timeout=0, auto_reconnect=True, reconnect_delay=0.5,
                                    **common)
    server.peer = bus
    return server


async def open_serial(server, args):
    """Opens the device; a pty that refuses the parity is retried without (with a warning).
    Reconnection (after the device goes away) is enabled only once it is open."""
    server.auto_reconnect = False
    for parity in dict.fromkeys([args.parity, "N"]):
        server.parity = parity
        try:
            await server.start()
        except serial.SerialException:
            pass
        if server.transport is not None:
            break
        if parity != "N":
            print(f"board_peer: {args.rtu} refused parity {parity}, trying none",
                  file=sys.stderr)
    if server.transport is None:
        raise OSError(f"cannot open {args.rtu}")
    server.auto_reconnect = True


async def serve(args, timeline):
    now = time.monotonic()
    drive = MotorDrive(now, args.max_frequency_hz, args.speed_at_max_kmh, args.coast_tau_s)
    incline = InclineBoard(now, args.incline_rate)
    wire = args.wire if args.rtu else None
    bus = Bus({1: drive, 2: incline}, rtu=bool(args.rtu), wire_char_s=wire)
    bus.frame_gap_s = max(3.5 * char_time_s(args.baud, args.parity, args.stopbits), 0.010)
    server = make_server(args, bus)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    control = Control(bus, drive, incline)
    if args.control:
        await control.start(args.control)
    tasks = [asyncio.create_task(tick(bus, drive, incline, args))]
    if args.rtu:
        await open_serial(server, args)
        where = f"Modbus RTU on {args.rtu}"
    tasks.append(asyncio.create_task(server.serve_forever()))
    if args.tcp:
        await asyncio.wait([server.serving, tasks[-1]], return_when=asyncio.FIRST_COMPLETED)
        if tasks[-1].done():
            tasks[0].cancel()
            tasks[-1].result()  # raises the bind error
            raise OSError(f"cannot serve on {args.tcp}")
        host, port = server.server.sockets[0].getsockname()[:2]
        where = f"Modbus TCP on {host}:{port}"
    print(f"board_peer: serving {where} (units 1 and 2)", flush=True)
    schedule(loop, timeline, control, bus.elapsed())
    await stop.wait()
    for task in tasks:
        task.cancel()
    await server.shutdown()


def main(argv):
    args = parse_args(argv)
    try:
        timeline = load_scenario(args.scenario) if args.scenario else []
    except ScenarioError as error:
        print(f"board_peer: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL)
    logging.getLogger("pymodbus").setLevel(logging.DEBUG if args.verbose else logging.CRITICAL)
    try:
        asyncio.run(serve(args, timeline))
    except OSError as error:
        print(f"board_peer: {error}", file=sys.stderr)
        return 1
    finally:
        if args.control and os.path.exists(args.control):
            os.unlink(args.control)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
