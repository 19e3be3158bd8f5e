// Telemetry decoding of both boards.
#include "protocols/telemetry_decode.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "protocols/register_map.hpp"

namespace treadmill {

namespace {
// Copies up to N registers, zero-filling what is missing.
template <std::size_t N>
std::array<std::uint16_t, N> padded(std::span<const std::uint16_t> block) {
    std::array<std::uint16_t, N> r{};
    std::copy_n(block.begin(), std::min(block.size(), N), r.begin());
    return r;
}
}  // namespace

DriveTelemetry decode_drive_telemetry(std::span<const std::uint16_t> block,
                                      const DriveProfile& profile, const SpeedScale& scale) {
    namespace m = regmap::motor;
    const auto r = padded<m::kTelemetryCount>(block);
    auto at = [&r](std::uint16_t address) { return r[address - m::kTelemetryStart]; };
    DriveTelemetry t;
    t.fault_code = static_cast<std::uint8_t>(at(m::kFaultWarning) & 0xFF);
    t.warning_code = static_cast<std::uint8_t>(at(m::kFaultWarning) >> 8);
    t.status = at(m::kStatus);
    t.running = (t.status & m::kStatusRunMask) == m::kStatusRunning;
    t.decelerating = (t.status & m::kStatusRunMask) == m::kStatusDecelerating;
    t.reverse = (t.status & m::kStatusDirectionMask) == m::kStatusReverse;
    t.frequency_command_counts = at(m::kFrequencyEcho);
    t.frequency_command_hz = counts_to_frequency(profile, t.frequency_command_counts);
    t.output_frequency_hz = counts_to_frequency(profile, at(m::kOutputFrequency));
    t.output_speed_kmh = speed_for_frequency(scale, t.output_frequency_hz);
    t.current_a = at(m::kOutputCurrent) * profile.current_a_per_count;
    t.dc_bus_v = at(m::kDcBusVoltage) * profile.voltage_v_per_count;
    t.output_v = at(m::kOutputVoltage) * profile.voltage_v_per_count;
    return t;
}

InclineTelemetry decode_incline_telemetry(std::span<const std::uint16_t> block) {
    namespace i = regmap::incline;
    const auto r = padded<i::kTelemetryCount>(block);
    auto at = [&r](std::uint16_t address) { return r[address - i::kTelemetryStart]; };
    InclineTelemetry t;
    t.status = at(i::kStatus);
    t.key_present = (t.status & i::kStatusKeyPresent) != 0;
    t.moving = (t.status & i::kStatusMoving) != 0;
    t.at_target = (t.status & i::kStatusAtTarget) != 0;
    t.calibrated = (t.status & i::kStatusCalibrated) != 0;
    t.fault_bit = (t.status & i::kStatusFault) != 0;
    t.incline_pct = incline_counts_to_pct(at(i::kActualIncline));
    t.raw_position = at(i::kRawPosition);
    t.fault_code = at(i::kFaultCode);
    t.lift_current_a = as_signed(at(i::kLiftCurrent)) * 0.01;
    t.roller_speed_kmh = at(i::kRollerSpeed) * 0.01;
    t.odometer_cm = as_uint32(at(i::kOdometerHigh), at(i::kOdometerLow));
    return t;
}

double incline_counts_to_pct(std::uint16_t raw) {
    return as_signed(raw) * 0.1;
}

std::uint16_t incline_pct_to_counts(double pct) {
    if (std::isnan(pct)) return 0;
    const double counts = std::clamp(std::round(pct * 10.0), -32768.0, 32767.0);
    return static_cast<std::uint16_t>(static_cast<std::int16_t>(counts));
}

}  // namespace treadmill
