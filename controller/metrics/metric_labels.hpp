// The fixed label values of the treadmill's metrics (every label is one of these or a fault
// code: no unbounded labels). Shared by the daemon's counters and the exposition writer.
#pragma once

#include <array>

namespace treadmill::metrics {

// Modbus transaction results.
inline constexpr std::array<const char*, 5> kModbusResults = {"ok", "timeout", "crc", "exception",
                                                              "other"};
// Safety stops by source.
inline constexpr std::array<const char*, 4> kSafetySources = {"key", "estop", "comm_loss",
                                                              "watchdog"};
// How a session ended (SessionTracker's words).
inline constexpr std::array<const char*, 3> kSessionEnds = {"completed", "stopped", "fault"};
// The controller's states (controller::State, in its order; a test checks they match).
inline constexpr std::array<const char*, 7> kStates = {
    "connecting", "idle", "countdown", "running", "paused", "stopping", "fault"};

}  // namespace treadmill::metrics
