// The timing rules of the configuration, checked at load with their arithmetic in the message:
// rule S2's bound (comm_loss within 0.5 s of a bus dying) and the boards' dead-man window (S3).
#pragma once

#include <yaml-cpp/yaml.h>

#include "controller/daemon/config.hpp"
#include "controller/daemon/config_reader.hpp"

namespace treadmill::daemon {

// The boards count their comm time-out in tenths of a second.
inline constexpr Duration kBoardTimeoutUnit = std::chrono::milliseconds(100);
// Rule S2: comm_loss latches within this of the bus dying.
inline constexpr Duration kCommLossBound = std::chrono::milliseconds(500);

// Rounds the boards' comm_timeout up to the boards' unit (never down: 40 ms would become 0, the
// dead-man off), then refuses what cannot keep the bounds:
// - the bus time of a cycle's reads plus one response time-out per bus above control.period
//   (a dead bus would make cycles late);
// - (comm_loss_failures - 1) x period + response time-out + late-reply guard above 0.5 s;
// - a comm_timeout outside [max(2 x period + response time-out, 200 ms), watchdog - 100 ms].
// Errors are located at the key that was written (`root` is the parsed file).
void apply_timing_rules(ConfigReader& reader, const YAML::Node& root, Config& config);

}  // namespace treadmill::daemon
