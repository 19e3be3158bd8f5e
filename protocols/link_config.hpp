// How to reach one Modbus bus: RTU over a serial device, or TCP to a gateway or the simulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "protocols/bus_timing.hpp"

namespace treadmill {

enum class Transport { rtu, tcp };
enum class Parity { none, even, odd };

struct LinkConfig {
    Transport transport = Transport::tcp;
    // RTU
    std::string device = "/dev/ttyUSB0";
    int baud = 19200;
    Parity parity = Parity::even;
    int data_bits = 8;
    int stop_bits = 1;
    bool rs485_mode = true;  // modbus_rtu_set_serial_mode(RS485); ENOTTY (ptys, USB) is fine
    // TCP: a numeric IPv4 or IPv6 address (a name would be resolved on every re-open, on the
    // control loop's thread; see is_numeric_host()).
    std::string host = "127.0.0.1";
    std::uint16_t port = 502;
    // The whole reply must arrive within this (the byte time-out is off).
    Duration response_timeout = std::chrono::milliseconds(50);
    // Quiet time after a time-out before the next request; when absent, computed from the
    // format and the expected reply (see ModbusLink::late_reply_guard).
    std::optional<Duration> late_reply_guard;

    bool operator==(const LinkConfig&) const = default;
};

// The character format of an RTU link, for the timing helpers.
inline bus::SerialFormat serial_format(const LinkConfig& c) {
    return bus::SerialFormat{c.baud, c.data_bits, c.parity != Parity::none, c.stop_bits};
}

// 'N', 'E' or 'O' as libmodbus takes it.
constexpr char parity_letter(Parity p) {
    switch (p) {
        case Parity::none:
            return 'N';
        case Parity::even:
            return 'E';
        case Parity::odd:
            return 'O';
    }
    return 'N';
}

// Parses "none|even|odd" or "N|E|O" (any case); nullopt otherwise.
std::optional<Parity> parse_parity(std::string_view text);

// An IPv4 or IPv6 address in numeric form ("192.168.1.50", "::1"): connecting to it needs no
// name resolution.
bool is_numeric_host(const std::string& host);

// "rtu:/dev/ttyUSB0@19200,8E1" or "tcp:127.0.0.1:502", for logs and error messages.
std::string describe(const LinkConfig& c);

}  // namespace treadmill
