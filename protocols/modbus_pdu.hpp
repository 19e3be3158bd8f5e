// Modbus PDUs of the three functions the driver uses (FC03, FC06, FC16) and the check of a
// reply PDU against its request. Used for Modbus TCP, where libmodbus 3.1.6 checks the
// transaction id but not the unit id of a reply.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace treadmill::pdu {

using Bytes = std::vector<std::uint8_t>;

Bytes read_registers_request(std::uint16_t address, std::uint16_t count);
Bytes write_register_request(std::uint16_t address, std::uint16_t value);
Bytes write_registers_request(std::uint16_t address, std::span<const std::uint16_t> values);

// 0 when `reply` answers `request`; otherwise the errno libmodbus would use: MODBUS_ENOBASE +
// code for an exception (EMBBADEXC for a code it does not know, 12 and up), EMBBADDATA for a
// wrong function, length, byte count or echo.
int check_reply(std::span<const std::uint8_t> request, std::span<const std::uint8_t> reply);

// The registers of a checked FC03 reply, into `dest` (count from the reply's byte count).
void copy_registers(std::span<const std::uint8_t> reply, std::span<std::uint16_t> dest);

// The 7-byte MBAP header + PDU of a Modbus TCP request.
Bytes tcp_frame(std::uint16_t transaction, std::uint8_t unit, std::span<const std::uint8_t> pdu);

}  // namespace treadmill::pdu
