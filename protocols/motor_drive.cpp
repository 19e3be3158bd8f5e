// Motor drive (unit 1) driver.
#include "protocols/motor_drive.hpp"

#include <algorithm>

#include "protocols/telemetry_decode.hpp"

namespace treadmill {

namespace m = regmap::motor;

std::vector<ParameterValue> drive_parameters(const BoardSettings& s, const DriveProfile& profile,
                                             const SpeedScale& scale,
                                             double drive_max_frequency_hz) {
    const auto ramp = [&](double kmh_per_s) {
        return ramp_time_counts(profile, scale, drive_max_frequency_hz, kmh_per_s);
    };
    return {
        {m::kFrequencySource, m::kFrequencySourceRs485},
        {m::kRunSource, m::kRunSourceRs485},
        {m::kReverseDisable, m::kReverseDisabled},
        {m::kAccelTime, ramp(s.accel_kmh_per_s)},
        {m::kDecelTime, ramp(s.estop_decel_kmh_per_s)},
        {m::kCommLossTreatment, s.drive_comm_treatment},
        {m::kCommLossTimeout, tenth_seconds_counts(s.drive_comm_timeout_s)},
    };
}

std::array<std::uint16_t, 2> drive_command_registers(const DriveWrite& w,
                                                     const DriveProfile& profile,
                                                     const SpeedScale& scale,
                                                     double drive_max_frequency_hz) {
    if (!w.run) return {profile.command_stop, 0};
    const double f = frequency_for_speed(scale, w.speed_kmh, drive_max_frequency_hz);
    const std::uint16_t limit = frequency_to_counts(profile, drive_max_frequency_hz);
    return {profile.command_run_forward, std::min(frequency_to_counts(profile, f), limit)};
}

MotorDrive::MotorDrive(ModbusLink& link, int unit, DriveProfile profile, SpeedScale scale)
    : link_(link), unit_(unit), profile_(profile), scale_(scale) {}

double MotorDrive::max_frequency_hz() const {
    // Until Pr.01-00 is read, the config's max_frequency bounds every command.
    return limits_ ? limits_->max_frequency_hz : scale_.max_frequency_hz;
}

Result<DriveTelemetry, LinkError> MotorDrive::read_telemetry(TimePoint now) {
    auto block = link_.read_registers(now, unit_, m::kTelemetryStart, m::kTelemetryCount);
    if (!block) return Unexpected{block.error()};
    return decode_drive_telemetry(*block, profile_, scale_);
}

Result<Done, LinkError> MotorDrive::write(TimePoint now, const DriveWrite& w) {
    return link_.write_registers(now, unit_, m::kCommand, command_registers(w));
}

std::array<std::uint16_t, 2> MotorDrive::command_registers(const DriveWrite& w) const {
    return drive_command_registers(w, profile_, scale_, max_frequency_hz());
}

Result<Done, LinkError> MotorDrive::reset_fault(TimePoint now) {
    return link_.write_register(now, unit_, m::kControl, m::kControlFaultReset);
}

Result<DriveLimits, LinkError> MotorDrive::read_limits(TimePoint now) {
    auto regs = link_.read_registers(now, unit_, m::kMaxFrequency, 1);
    if (!regs) return Unexpected{regs.error()};
    DriveLimits limits;
    limits.max_frequency_counts = (*regs)[0];
    limits.max_frequency_hz = counts_to_frequency(profile_, limits.max_frequency_counts);
    limits.max_speed_kmh = speed_for_frequency(scale_, limits.max_frequency_hz);
    limits_ = limits;
    return limits;
}

Result<SyncReport, LinkError> MotorDrive::configure(TimePoint now, const BoardSettings& s) {
    auto limits = read_limits(now);
    if (!limits) return Unexpected{limits.error()};
    wanted_ = drive_parameters(s, profile_, scale_, limits->max_frequency_hz);
    return sync_parameters(link_, now, unit_, wanted_);
}

const std::vector<ParameterValue>& MotorDrive::wanted() {
    if (wanted_.empty())
        wanted_ = drive_parameters(BoardSettings{}, profile_, scale_, max_frequency_hz());
    return wanted_;
}

Result<ConfigCheck, LinkError> MotorDrive::verify(TimePoint now) {
    return check_parameters(link_, now, unit_, wanted());
}

std::size_t MotorDrive::readback_parts() const {
    if (!wanted_.empty()) return parameter_runs(wanted_).size();
    return parameter_runs(drive_parameters(BoardSettings{}, profile_, scale_, max_frequency_hz()))
        .size();
}

Result<ConfigCheck, LinkError> MotorDrive::verify_part(TimePoint now, std::size_t part) {
    const auto runs = parameter_runs(wanted());
    return check_parameters(link_, now, unit_, runs[part % runs.size()]);
}

std::string_view MotorDrive::fault_name(std::uint8_t code) const {
    return drive_fault_name(profile_, code);
}

std::string_view MotorDrive::warning_name(std::uint8_t code) const {
    return drive_warning_name(profile_, code);
}

}  // namespace treadmill
