// Modbus RTU wire timing: character time, the t3.5 frame gap, frame sizes and transaction time.
// Pure functions of the serial format; used by ModbusLink (quiet time after a time-out), by the
// config loader (the bound of rule S2), by the documentation's numbers and by the benchmarks.
#pragma once

#include <cstdint>

#include "common/clock.hpp"

namespace treadmill::bus {

// How one character goes over the wire: 1 start bit + data bits + optional parity + stop bits.
struct SerialFormat {
    int baud = 19200;
    int data_bits = 8;
    bool parity = true;  // even or odd: one extra bit
    int stop_bits = 1;
};

// Bits per character, e.g. 11 for 8E1 and 10 for 8N1.
constexpr int bits_per_char(const SerialFormat& f) {
    return 1 + f.data_bits + (f.parity ? 1 : 0) + f.stop_bits;
}

// Time of one character on the wire.
Duration char_time(const SerialFormat& f);

// Time of `chars` characters on the wire.
Duration frame_time(const SerialFormat& f, int chars);

// The silent interval that delimits frames: 3.5 characters, fixed 1.75 ms above 19200 baud.
Duration t35(const SerialFormat& f);

// The longest silence allowed inside a frame: 1.5 characters, fixed 0.75 ms above 19200 baud.
Duration t15(const SerialFormat& f);

// Sizes in bytes of RTU frames (address + PDU + CRC) of the functions the driver uses.
constexpr int kRtuMaxAdu = 256;
constexpr int read_request_bytes() {
    return 8;
}  // FC03: addr fc start(2) count(2) crc(2)
constexpr int read_reply_bytes(int registers) {
    return 5 + 2 * registers;
}
constexpr int write_single_request_bytes() {
    return 8;
}  // FC06
constexpr int write_single_reply_bytes() {
    return 8;
}
constexpr int write_multiple_request_bytes(int registers) {
    return 9 + 2 * registers;
}  // FC16
constexpr int write_multiple_reply_bytes() {
    return 8;
}
constexpr int exception_reply_bytes() {
    return 5;
}

// Best-case bus time of one transaction: request, t3.5, reply, t3.5 (no turnaround).
Duration transaction_time(const SerialFormat& f, int request_bytes, int reply_bytes);

// How long a bus stays quiet after a time-out before the next request: t3.5 plus the wire time
// of the reply that was expected, so that a reply already under way when the time-out struck
// is over (and flushed) before anything else is sent. At most 1 s (very low baud rates).
Duration late_reply_guard(const SerialFormat& f, int reply_bytes);

// Milliseconds of a duration, as a double (for logs, docs and tests).
inline double to_ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace treadmill::bus
