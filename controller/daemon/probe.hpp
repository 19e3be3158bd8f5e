// treadmilld --probe: reads the boards of a config, read-only, and reports what answers (unit
// ids, limits and settings registers, fault codes, comm settings against the config, the
// safety key). Never writes a register; reads only registers of the register map.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controller/daemon/config.hpp"

namespace treadmill::daemon {

// What holds the config's bus, if anything: a daemon answering on api.socket, or another
// treadmilld that has an RTU device of the config open. nullopt when the bus is free.
std::optional<std::string> bus_holder(const Config& config);

// The other processes that have `device` (symlinks resolved) open.
struct DeviceHolder {
    std::string pid;
    std::string comm;  // /proc/PID/comm
};
std::vector<DeviceHolder> device_holders(const std::string& device);

// Probes the configured units (or, with `scan`, every unit id FIRST..LAST on the motor's bus)
// and prints the report to `out`. 0 when every configured board answered (scan: at least one
// unit), 1 when one did not, a setting would be refused or the bus is held, 2 when the config
// has no hardware bus.
int run_probe(const Config& config, std::optional<std::pair<int, int>> scan, std::ostream& out,
              std::ostream& err);

}  // namespace treadmill::daemon
