// TreadmillHardware over Modbus: the motor drive and the incline board, on one shared bus or on
// one bus each. Owns the link(s). A never-opened link is opened by the next operation that needs
// it; a lost one (device gone, connection reset: the link closes itself) is reopened by the
// operations that need it, first `reconnect_interval` after the loss, then at most once per
// interval (one attempt each, never a retry loop; see ReopenPolicy).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "protocols/drive_profile.hpp"
#include "protocols/incline_board.hpp"
#include "protocols/link_config.hpp"
#include "protocols/modbus_link.hpp"
#include "protocols/motor_drive.hpp"
#include "protocols/reopen_policy.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill {

struct HardwareConfig {
    LinkConfig bus;                         // both boards, unless one has its own
    std::optional<LinkConfig> motor_bus;    // the drive's own bus
    std::optional<LinkConfig> incline_bus;  // the incline board's own bus
    int motor_unit = regmap::kMotorUnit;
    int incline_unit = regmap::kInclineUnit;
    double max_frequency_hz = 60.0;
    double speed_at_max_frequency_kmh = 20.0;
    DriveProfile profile = reference_drive_profile();
    Duration reconnect_interval = std::chrono::milliseconds(500);

    const LinkConfig& motor_link() const { return motor_bus ? *motor_bus : bus; }
    const LinkConfig& incline_link() const { return incline_bus ? *incline_bus : bus; }
    // True when both boards are reached through one link (the same bus config).
    bool shared_bus() const { return motor_link() == incline_link(); }
};

// Registers written by the last configure(), per board (for the log).
struct ConfigureReport {
    int drive_written = 0;
    int incline_written = 0;
};

class ModbusTreadmill final : public TreadmillHardware {
  public:
    explicit ModbusTreadmill(HardwareConfig config);
    ~ModbusTreadmill() override;

    // Opens every link now (one attempt each). Operations also open a closed link lazily.
    Result<Done, LinkError> open(TimePoint now);

    Result<DriveTelemetry, LinkError> read_drive(TimePoint now) override;
    Result<InclineTelemetry, LinkError> read_incline(TimePoint now) override;
    Result<Done, LinkError> write_drive(TimePoint now, const DriveWrite& w) override;
    std::uint16_t frequency_counts(const DriveWrite& w) const override;
    Result<Done, LinkError> write_incline(TimePoint now, const InclineWrite& w) override;
    Result<Done, LinkError> reset_fault(TimePoint now, Board board) override;
    Result<BoardLimits, BoardLinkError> configure(TimePoint now, const BoardSettings& s) override;
    Result<ConfigCheck, LinkError> verify(TimePoint now, Board board) override;
    std::size_t readback_parts(Board board) const override;
    Result<ConfigCheck, LinkError> verify_part(TimePoint now, Board board,
                                               std::size_t part) override;

    LinkHealth link_health(Board board) const override;

    const LinkStatistics& link_statistics(Board board) const;
    bool shared_bus() const { return incline_link_ == motor_link_.get(); }
    const ConfigureReport& last_configure() const { return last_configure_; }
    std::string_view fault_name(Board board, std::uint16_t code) const;
    MotorDrive& drive() { return drive_; }
    InclineBoard& incline() { return incline_; }
    const HardwareConfig& config() const { return config_; }

  private:
    // A link's reopen state: its policy and whether it was up when last looked at.
    struct Reopen {
        ReopenPolicy policy;
        bool up = false;
    };
    Result<Done, LinkError> ensure_open(TimePoint now, ModbusLink& link);
    Result<Done, LinkError> open_link(TimePoint now, ModbusLink& link, Reopen& reopen);
    Reopen& reopen_of(const ModbusLink& link) {
        return &link == motor_link_.get() ? reopen_[0] : reopen_[1];
    }
    Result<Done, LinkError> configure_drive(TimePoint now, const BoardSettings& s);
    Result<Done, LinkError> configure_incline(TimePoint now, const BoardSettings& s);

    HardwareConfig config_;
    std::unique_ptr<ModbusLink> motor_link_;
    std::unique_ptr<ModbusLink> own_incline_link_;  // null on a shared bus
    ModbusLink* incline_link_;
    MotorDrive drive_;
    InclineBoard incline_;
    Reopen reopen_[2];  // motor link, incline link (unused on a shared bus)
    ConfigureReport last_configure_;
};

}  // namespace treadmill
