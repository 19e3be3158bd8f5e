#!/usr/bin/python3
"""Talks to treadmill-sim over Modbus TCP with pymodbus (Debian's 3.0): reads both boards'
telemetry, writes single and multiple registers, reads them back, and expects exception 02 for an
unlisted address. Prints OK and exits 0 when everything matched."""
import sys

from pymodbus.client import ModbusTcpClient


def check(condition, what):
    if not condition:
        print("FAIL: " + what)
        sys.exit(1)


def main():
    client = ModbusTcpClient(sys.argv[1], port=int(sys.argv[2]), timeout=2)
    check(client.connect(), "connect")
    drive = client.read_holding_registers(0x2100, 7, slave=1)
    check(not drive.isError() and len(drive.registers) == 7, "drive telemetry")
    incline = client.read_holding_registers(0x0100, 8, slave=2)
    check(not incline.isError() and incline.registers[0] & 0x100, "incline key bit")
    check(not client.write_register(0x010C, 55, slave=1).isError(), "write accel")
    check(client.read_holding_registers(0x010C, 1, slave=1).registers[0] == 55, "read accel")
    check(not client.write_registers(0x2000, [0x0001, 1500], slave=1).isError(), "FC16")
    check(client.read_holding_registers(0x2102, 1, slave=1).registers[0] == 1500, "echo")
    bad = client.read_holding_registers(0x2107, 1, slave=1)
    check(bad.isError() and getattr(bad, "exception_code", None) == 2, "exception 02")
    client.close()
    print("OK")


if __name__ == "__main__":
    main()
