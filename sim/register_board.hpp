// What the bus model needs from a board: register reads, write checks and writes.
#pragma once

#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace treadmill::sim {

class RegisterBoard {
  public:
    virtual ~RegisterBoard() = default;
    // The value of a listed register (write-only ones read 0); nullopt when unlisted.
    virtual std::optional<std::uint16_t> read(std::uint16_t address) const = 0;
    // 0 when `value` may be written to `address` now, else the Modbus exception code.
    virtual std::uint8_t check_write(std::uint16_t address, std::uint16_t value) const = 0;
    // Applies a write that check_write accepted.
    virtual void write(std::uint16_t address, std::uint16_t value, TimePoint now) = 0;
    // A correctly framed request for this unit arrived (feeds the comm-loss timer).
    virtual void note_valid_request(TimePoint now) = 0;
};

}  // namespace treadmill::sim
