// Raw register blocks -> DriveTelemetry / InclineTelemetry. Pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "protocols/drive_profile.hpp"
#include "protocols/telemetry.hpp"

namespace treadmill {

// Decodes the drive's 0x2100..0x2106 (exactly 7 registers; fewer leave the rest zero).
DriveTelemetry decode_drive_telemetry(std::span<const std::uint16_t> block,
                                      const DriveProfile& profile, const SpeedScale& scale);

// Decodes the incline board's 0x0100..0x0107 (exactly 8 registers; fewer leave the rest zero).
InclineTelemetry decode_incline_telemetry(std::span<const std::uint16_t> block);

// Signed view of a register (int16 two's complement).
constexpr std::int16_t as_signed(std::uint16_t raw) {
    return static_cast<std::int16_t>(raw);
}

// 32-bit value of two registers, high word first.
constexpr std::uint32_t as_uint32(std::uint16_t high, std::uint16_t low) {
    return (static_cast<std::uint32_t>(high) << 16) | low;
}

// Incline in % from 0.1 % counts, and back (rounded, clamped to int16).
double incline_counts_to_pct(std::uint16_t raw);
std::uint16_t incline_pct_to_counts(double pct);

}  // namespace treadmill
