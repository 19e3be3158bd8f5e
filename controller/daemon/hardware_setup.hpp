// From the daemon's config to what the driver and the controller take.
#pragma once

#include <cstdint>
#include <optional>

#include "controller/config.hpp"
#include "controller/daemon/config.hpp"
#include "protocols/modbus_treadmill.hpp"

namespace treadmill::daemon {

// The boards' links; with the embedded simulator both go to 127.0.0.1:`sim_port` over TCP.
HardwareConfig hardware_config(const Config& config, std::optional<std::uint16_t> sim_port);

// The controller's numbers; `time_scale` is 1 with real hardware.
controller::ControlConfig control_config(const Config& config, double time_scale);

}  // namespace treadmill::daemon
