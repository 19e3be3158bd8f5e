// The numbers the controller works with: machine limits and control timing, already parsed
// from the configuration (treadmilld.yaml) into engineering units.
#pragma once

#include <chrono>

#include "common/clock.hpp"
#include "common/machine_limits.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

using namespace std::chrono_literals;

// The roller "reads 0" below this (km/h): the belt stands still.
inline constexpr double kBeltStoppedKmh = 0.05;

// limits: in treadmilld.yaml.
using Limits = MachineLimits;

// Everything the control cycle needs to know besides the hardware.
struct ControlConfig {
    Limits limits;
    Duration period = 100ms;
    Duration countdown = 3s;          // wall clock
    Duration max_pause = 5min;        // wall clock
    Duration watchdog = 1s;           // a cycle later than this after the previous: loop_stall
    int comm_loss_failures = 3;       // consecutive failed transactions on one bus
    Duration no_reply_limit = 300ms;  // no good reply from a board for this long: comm_loss
    Duration connect_retry = 1s;
    double time_scale = 1.0;            // workout clock = wall clock x time_scale
    bool shared_bus = true;             // both boards on one bus (failures count together)
    double drive_comm_timeout_s = 0.5;  // the boards' dead-man (S3)
    double incline_comm_timeout_s = 0.5;
    double coast_time_constant_s = 2.0;  // S5 envelope of a belt coasting to a stop
    std::size_t setpoint_log_size = 256;

    // The settings written to the boards at connect and read back by S4.
    BoardSettings board_settings() const {
        BoardSettings s;
        s.drive_comm_timeout_s = drive_comm_timeout_s;
        s.drive_comm_treatment = 1;
        s.accel_kmh_per_s = limits.accel_kmh_per_s;
        s.estop_decel_kmh_per_s = limits.estop_decel_kmh_per_s;
        s.incline_comm_timeout_s = incline_comm_timeout_s;
        s.incline_comm_treatment = 1;
        return s;
    }
};

}  // namespace treadmill::controller
