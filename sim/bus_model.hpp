// Modbus PDU execution against one board: FC03, FC06, FC16, with the access rules of the map.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/register_board.hpp"

namespace treadmill::sim {

using Pdu = std::vector<std::uint8_t>;

// A write as the board received it; `exception` is 0 when it was applied.
struct WriteAttempt {
    std::uint16_t address = 0;
    std::vector<std::uint16_t> values;
    std::uint8_t exception = 0;
};

// The exception reply PDU for function `function`.
Pdu exception_pdu(std::uint8_t function, std::uint8_t code);

// Executes one request PDU on `board` and returns the reply PDU (possibly an exception).
// Every write request (FC06/FC16), accepted or not, is reported to `on_write`.
Pdu execute_pdu(RegisterBoard& board, std::span<const std::uint8_t> request, TimePoint now,
                const std::function<void(const WriteAttempt&)>& on_write);

}  // namespace treadmill::sim
