// Read-compare-write of board parameters: read them (consecutive addresses in one FC03), write
// only those that differ (parameters live in EEPROM), then read them back and compare.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocols/modbus_link.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill {

struct ParameterValue {
    std::uint16_t address = 0;
    std::uint16_t value = 0;
    bool operator==(const ParameterValue&) const = default;
};

struct SyncReport {
    int written = 0;    // registers that differed and were written
    ConfigCheck check;  // the read-back (or the first read when nothing was written)
};

// Reads the registers named in `wanted` (sorted by address); returns their current values in
// the same order. Each run of consecutive addresses is one transaction.
Result<std::vector<ParameterValue>, LinkError> read_parameters(
    ModbusLink& link, TimePoint now, int unit, std::span<const ParameterValue> wanted);

// The runs of consecutive addresses in `wanted` (sorted by address): one transaction each.
std::vector<std::span<const ParameterValue>> parameter_runs(std::span<const ParameterValue> wanted);

// First difference between what is wanted and what was read.
ConfigCheck compare_parameters(std::span<const ParameterValue> wanted,
                               std::span<const ParameterValue> actual);

// Read, write what differs (FC06 each), read back.
Result<SyncReport, LinkError> sync_parameters(ModbusLink& link, TimePoint now, int unit,
                                              std::span<const ParameterValue> wanted);

// Reads the parameters and compares them with `wanted` (rule S4's read-back).
Result<ConfigCheck, LinkError> check_parameters(ModbusLink& link, TimePoint now, int unit,
                                                std::span<const ParameterValue> wanted);

}  // namespace treadmill
