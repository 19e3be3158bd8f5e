// PDU building and reply checking for FC03/FC06/FC16.
#include "protocols/modbus_pdu.hpp"

#include <modbus/modbus.h>

#include <algorithm>

namespace treadmill::pdu {

namespace {

constexpr std::uint8_t kExceptionBit = 0x80;

void put16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// An exception reply (function | 0x80, code): the code as errno, or EMBBADEXC for a code
// libmodbus does not know (0, or MODBUS_EXCEPTION_MAX and up), as its RTU path reports it:
// MODBUS_ENOBASE + 12.. would read as EMBBADCRC, EMBBADSLAVE (0x11)...
int exception_errno(std::span<const std::uint8_t> reply) {
    if (reply.size() != 2 || reply[1] == 0 || reply[1] >= MODBUS_EXCEPTION_MAX) return EMBBADEXC;
    return MODBUS_ENOBASE + reply[1];
}

// FC03: byte count = 2 x requested registers, and that many data bytes.
int check_read_reply(std::span<const std::uint8_t> request, std::span<const std::uint8_t> reply) {
    const std::size_t expected_bytes = 2u * get16(request, 3);
    if (reply.size() < 2 || reply[1] != expected_bytes || reply.size() != 2 + expected_bytes) {
        return EMBBADDATA;
    }
    return 0;
}

}  // namespace

Bytes read_registers_request(std::uint16_t address, std::uint16_t count) {
    Bytes out{MODBUS_FC_READ_HOLDING_REGISTERS};
    put16(out, address);
    put16(out, count);
    return out;
}

Bytes write_register_request(std::uint16_t address, std::uint16_t value) {
    Bytes out{MODBUS_FC_WRITE_SINGLE_REGISTER};
    put16(out, address);
    put16(out, value);
    return out;
}

Bytes write_registers_request(std::uint16_t address, std::span<const std::uint16_t> values) {
    Bytes out{MODBUS_FC_WRITE_MULTIPLE_REGISTERS};
    put16(out, address);
    put16(out, static_cast<std::uint16_t>(values.size()));
    out.push_back(static_cast<std::uint8_t>(values.size() * 2));
    for (auto v : values) put16(out, v);
    return out;
}

int check_reply(std::span<const std::uint8_t> request, std::span<const std::uint8_t> reply) {
    if (request.empty() || reply.empty()) return EMBBADDATA;
    const std::uint8_t function = request[0];
    if (reply[0] == (function | kExceptionBit)) return exception_errno(reply);
    if (reply[0] != function) return EMBBADDATA;
    switch (function) {
        case MODBUS_FC_READ_HOLDING_REGISTERS:
            return check_read_reply(request, reply);
        case MODBUS_FC_WRITE_SINGLE_REGISTER:
            // The reply echoes the request.
            return std::equal(request.begin(), request.end(), reply.begin(), reply.end())
                       ? 0
                       : EMBBADDATA;
        case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
            // The reply echoes address and count.
            return reply.size() == 5 &&
                           std::equal(request.begin(), request.begin() + 5, reply.begin())
                       ? 0
                       : EMBBADDATA;
        default:
            return EMBBADDATA;
    }
}

void copy_registers(std::span<const std::uint8_t> reply, std::span<std::uint16_t> dest) {
    const std::size_t n = std::min<std::size_t>(dest.size(), (reply.size() - 2) / 2);
    for (std::size_t i = 0; i < n; ++i) dest[i] = get16(reply, 2 + 2 * i);
}

Bytes tcp_frame(std::uint16_t transaction, std::uint8_t unit, std::span<const std::uint8_t> pdu) {
    Bytes out;
    out.reserve(7 + pdu.size());
    put16(out, transaction);
    put16(out, 0);  // protocol id
    put16(out, static_cast<std::uint16_t>(pdu.size() + 1));
    out.push_back(unit);
    out.insert(out.end(), pdu.begin(), pdu.end());
    return out;
}

}  // namespace treadmill::pdu
