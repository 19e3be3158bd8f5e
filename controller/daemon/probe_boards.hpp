// The probe's read-only report of one board: every register block of the register map read
// with FC03 and printed with its meaning, the settings compared with what the daemon will
// write at connect (from the config), faults and the safety key.
#pragma once

#include <iosfwd>
#include <optional>

#include "controller/daemon/config.hpp"
#include "protocols/modbus_link.hpp"

namespace treadmill::daemon {

// What a board's report found: whether it answered at all, and the key where it tells.
struct BoardFindings {
    bool answered = false;            // at least one block read
    int failed_reads = 0;             // blocks that did not read
    int problems = 0;                 // settings the daemon would refuse (S4, board_config)
    std::optional<bool> key_present;  // incline board status bit8
    std::optional<int> fault;         // the board's fault code
};

// Unit `unit` read as the motor drive / the incline board; the report goes to `out`.
BoardFindings probe_drive(ModbusLink& link, int unit, const Config& config, std::ostream& out);
BoardFindings probe_incline(ModbusLink& link, int unit, const Config& config, std::ostream& out);

// Which board answers at `unit` on `link`: "motor drive", "incline board", "answers, but
// neither board's registers" or nullopt (no answer). Reads one register of each map.
std::optional<const char*> identify_unit(ModbusLink& link, int unit);

}  // namespace treadmill::daemon
