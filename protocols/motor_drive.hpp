// Driver of unit 1, the belt's motor drive, over a ModbusLink. Errors are values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocols/drive_profile.hpp"
#include "protocols/modbus_link.hpp"
#include "protocols/parameter_sync.hpp"
#include "protocols/register_map.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill {

// Pr.01-00 as read from the drive.
struct DriveLimits {
    std::uint16_t max_frequency_counts = 0;
    double max_frequency_hz = 0;
    double max_speed_kmh = 0;  // converted with the speed scale
};

// The drive parameters configure() wants, sorted by address: Pr.00-20/00-21/00-23 as required,
// Pr.01-12/01-13 from accel/estop_decel (relative to Pr.01-00), Pr.09-02/09-03 (dead-man).
std::vector<ParameterValue> drive_parameters(const BoardSettings& s, const DriveProfile& profile,
                                             const SpeedScale& scale,
                                             double drive_max_frequency_hz);

// The two registers of one FC16 at 0x2000 (command, frequency counts): only STOP or RUN
// forward, the frequency clamped to `drive_max_frequency_hz`; 0 Hz with STOP.
std::array<std::uint16_t, 2> drive_command_registers(const DriveWrite& w,
                                                     const DriveProfile& profile,
                                                     const SpeedScale& scale,
                                                     double drive_max_frequency_hz);

class MotorDrive {
  public:
    MotorDrive(ModbusLink& link, int unit, DriveProfile profile, SpeedScale scale);

    // 0x2100..0x2106 in one transaction.
    Result<DriveTelemetry, LinkError> read_telemetry(TimePoint now);
    // Command + frequency in one FC16 at 0x2000.
    Result<Done, LinkError> write(TimePoint now, const DriveWrite& w);
    // The two registers write(w) puts on the wire (clamped to Pr.01-00 once read).
    std::array<std::uint16_t, 2> command_registers(const DriveWrite& w) const;
    Result<Done, LinkError> stop(TimePoint now) { return write(now, DriveWrite{}); }
    // One fault reset (0x2002 bit1). Never restarts the motor.
    Result<Done, LinkError> reset_fault(TimePoint now);
    // Reads Pr.01-00; later writes are clamped to it.
    Result<DriveLimits, LinkError> read_limits(TimePoint now);
    // Reads Pr.01-00, then read-compare-write of drive_parameters(); remembers what it wants.
    Result<SyncReport, LinkError> configure(TimePoint now, const BoardSettings& s);
    // Reads the parameters back and compares them with the last configure() (rule S4).
    Result<ConfigCheck, LinkError> verify(TimePoint now);
    // The same in parts of one transaction each (runs of consecutive registers); `part` is
    // taken modulo readback_parts().
    std::size_t readback_parts() const;
    Result<ConfigCheck, LinkError> verify_part(TimePoint now, std::size_t part);

    std::string_view fault_name(std::uint8_t code) const;
    std::string_view warning_name(std::uint8_t code) const;
    const std::optional<DriveLimits>& limits() const { return limits_; }
    const DriveProfile& profile() const { return profile_; }
    const SpeedScale& scale() const { return scale_; }
    int unit() const { return unit_; }
    ModbusLink& link() { return link_; }

  private:
    double max_frequency_hz() const;
    // The parameters to read back: the last configure()'s, else those of the default settings.
    const std::vector<ParameterValue>& wanted();

    ModbusLink& link_;
    int unit_;
    DriveProfile profile_;
    SpeedScale scale_;
    std::optional<DriveLimits> limits_;
    std::vector<ParameterValue> wanted_;
};

}  // namespace treadmill
