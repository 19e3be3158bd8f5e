// Drive profile and speed/frequency conversions.
#include "protocols/drive_profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "protocols/register_map.hpp"

namespace treadmill {

namespace {
constexpr double kMaxCounts = std::numeric_limits<std::uint16_t>::max();

// Rounds to the nearest count in 0..65535 (NaN -> 0).
std::uint16_t to_counts(double value) {
    if (!(value > 0)) return 0;
    return static_cast<std::uint16_t>(std::min(std::round(value), kMaxCounts));
}
}  // namespace

DriveProfile reference_drive_profile() {
    DriveProfile p;
    p.fault_name = regmap::motor::fault_name;
    p.warning_name = regmap::motor::warning_name;
    return p;
}

std::string_view drive_fault_name(const DriveProfile& profile, std::uint8_t code) {
    return profile.fault_name ? profile.fault_name(code) : regmap::motor::fault_name(code);
}

std::string_view drive_warning_name(const DriveProfile& profile, std::uint8_t code) {
    return profile.warning_name ? profile.warning_name(code) : regmap::motor::warning_name(code);
}

double speed_for_frequency(const SpeedScale& scale, double frequency_hz) {
    if (!(scale.max_frequency_hz > 0)) return 0;
    return scale.speed_at_max_frequency_kmh * frequency_hz / scale.max_frequency_hz;
}

double frequency_for_speed(const SpeedScale& scale, double speed_kmh,
                           double drive_max_frequency_hz) {
    if (!(speed_kmh > 0) || !(scale.speed_at_max_frequency_kmh > 0)) return 0;
    const double f = scale.max_frequency_hz * speed_kmh / scale.speed_at_max_frequency_kmh;
    const double limit = std::min(scale.max_frequency_hz, std::max(drive_max_frequency_hz, 0.0));
    return std::min(f, limit);
}

std::uint16_t frequency_to_counts(const DriveProfile& p, double frequency_hz) {
    return to_counts(frequency_hz / p.frequency_hz_per_count);
}

double counts_to_frequency(const DriveProfile& p, std::uint16_t counts) {
    return counts * p.frequency_hz_per_count;
}

std::uint16_t ramp_time_counts(const DriveProfile& p, const SpeedScale& scale,
                               double drive_max_frequency_hz, double kmh_per_s) {
    const double top_speed = speed_for_frequency(scale, drive_max_frequency_hz);
    if (!(kmh_per_s > 0) || !(top_speed > 0)) return 1;
    return std::max<std::uint16_t>(to_counts(top_speed / kmh_per_s / p.ramp_s_per_count), 1);
}

std::uint16_t tenth_seconds_counts(double seconds) {
    return to_counts(seconds * 10.0);
}

}  // namespace treadmill
