// Per-drive codes and scales, and the belt speed <-> drive frequency conversion.
// The reference profile matches the register map (a Delta MS300 / VFD-E style inverter); a real
// drive gets its own profile, checked against its manual when commissioning.
#pragma once

#include <cstdint>
#include <string_view>

namespace treadmill {

struct DriveProfile {
    std::string_view name = "reference (Delta MS300 / VFD-E style)";
    std::uint16_t command_stop = 0x0001;         // 0x2000
    std::uint16_t command_run_forward = 0x0012;  // 0x2000
    double frequency_hz_per_count = 0.01;        // 0x2001, 0x2102, 0x2103, Pr.01-00
    double current_a_per_count = 0.01;           // 0x2104
    double voltage_v_per_count = 0.1;            // 0x2105, 0x2106
    double ramp_s_per_count = 0.1;               // Pr.01-12, Pr.01-13
    double comm_timeout_s_per_count = 0.1;       // Pr.09-03
    std::string_view (*fault_name)(std::uint8_t code) = nullptr;    // nullptr: the regmap's
    std::string_view (*warning_name)(std::uint8_t code) = nullptr;  // nullptr: the regmap's
};

// The reference drive of the register map.
DriveProfile reference_drive_profile();

// Name of a drive fault / warning code under `profile`.
std::string_view drive_fault_name(const DriveProfile& profile, std::uint8_t code);
std::string_view drive_warning_name(const DriveProfile& profile, std::uint8_t code);

// Belt speed from drive frequency, from the treadmill's config:
// speed = speed_at_max_frequency x frequency / max_frequency.
struct SpeedScale {
    double max_frequency_hz = 60.0;
    double speed_at_max_frequency_kmh = 20.0;
};

double speed_for_frequency(const SpeedScale& scale, double frequency_hz);
// Frequency for a belt speed, clamped to 0 .. drive_max_frequency_hz (Pr.01-00) and to the
// config's max_frequency; NaN or negative speeds give 0.
double frequency_for_speed(const SpeedScale& scale, double speed_kmh,
                           double drive_max_frequency_hz);

// Register counts <-> engineering units, rounded to nearest and clamped to the uint16 range.
std::uint16_t frequency_to_counts(const DriveProfile& p, double frequency_hz);
double counts_to_frequency(const DriveProfile& p, std::uint16_t counts);

// Pr.01-12 / Pr.01-13 counts for a belt acceleration: the time from 0 to the drive's maximum
// frequency (Pr.01-00) at `kmh_per_s`. At least one count.
std::uint16_t ramp_time_counts(const DriveProfile& p, const SpeedScale& scale,
                               double drive_max_frequency_hz, double kmh_per_s);

// Counts of a 0.1 s time-out register (Pr.09-03, incline 0x0011); 0 turns it off.
std::uint16_t tenth_seconds_counts(double seconds);

}  // namespace treadmill
