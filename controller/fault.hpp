// Why the controller stopped the treadmill: a latched fault and its reason code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace treadmill::controller {

// Reason codes of a fault, as the API reports them (fault.code).
enum class FaultCode {
    safety_key,     // S1
    comm_loss,      // S2
    protocol,       // S2: exception 01/02/03 (a wrong map or profile)
    board_failure,  // S2: exception 04
    board_config,   // S4 (and a config beyond the boards' limits at connect)
    overspeed,      // S5
    reverse,        // S5
    belt_stall,     // S6
    incline_stall,  // S7
    drive_fault,    // S8: the drive's own fault code
    drive_state,    // the drive left RUN or changed its frequency command by itself, or
                    // reports its comm-loss warning
    incline_fault,  // S8: the incline board's own fault code
    loop_stall,     // the control cycle was late by more than control.watchdog
    estop,          // an explicit emergency stop command
    internal,       // an exception escaped a callback of the daemon's event loop (a bug)
};

constexpr std::string_view to_string(FaultCode c) {
    switch (c) {
        case FaultCode::safety_key:
            return "safety_key";
        case FaultCode::comm_loss:
            return "comm_loss";
        case FaultCode::protocol:
            return "protocol";
        case FaultCode::board_failure:
            return "board_failure";
        case FaultCode::board_config:
            return "board_config";
        case FaultCode::overspeed:
            return "overspeed";
        case FaultCode::reverse:
            return "reverse";
        case FaultCode::belt_stall:
            return "belt_stall";
        case FaultCode::incline_stall:
            return "incline_stall";
        case FaultCode::drive_fault:
            return "drive_fault";
        case FaultCode::drive_state:
            return "drive_state";
        case FaultCode::incline_fault:
            return "incline_fault";
        case FaultCode::loop_stall:
            return "loop_stall";
        case FaultCode::estop:
            return "estop";
        case FaultCode::internal:
            return "internal";
    }
    return "unknown";
}

struct Fault {
    FaultCode code = FaultCode::estop;
    std::optional<int> board_code;  // the board's own fault code (S8, S1 via drive fault 6)
    std::string message;
    TimePoint since{};

    // Same cause (what trip() deduplicates on): the key seen by either board is one cause.
    bool same_cause(const Fault& o) const {
        return code == o.code && (code == FaultCode::safety_key || board_code == o.board_code);
    }
};

}  // namespace treadmill::controller
