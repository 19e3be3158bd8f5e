// ModbusTreadmill: the hardware seam over one or two Modbus links.
#include "protocols/modbus_treadmill.hpp"

#include <cstdio>
#include <string>

namespace treadmill {

namespace {

// A configuration read-back that differs after the write: reported as a bad reply.
LinkError readback_error(const char* board, const ConfigCheck& check) {
    char text[128];
    std::snprintf(text, sizeof text, "%s configuration read-back: 0x%04X is %u, wrote %u", board,
                  check.mismatch_address.value_or(0), check.actual, check.expected);
    return LinkError{LinkError::Kind::bad_reply, 0, text};
}

}  // namespace

ModbusTreadmill::ModbusTreadmill(HardwareConfig config)
    : config_(std::move(config)),
      motor_link_(std::make_unique<ModbusLink>(config_.motor_link())),
      own_incline_link_(
          config_.shared_bus() ? nullptr : std::make_unique<ModbusLink>(config_.incline_link())),
      incline_link_(own_incline_link_ ? own_incline_link_.get() : motor_link_.get()),
      drive_(*motor_link_, config_.motor_unit, config_.profile,
             SpeedScale{config_.max_frequency_hz, config_.speed_at_max_frequency_kmh}),
      incline_(*incline_link_, config_.incline_unit),
      reopen_{Reopen{ReopenPolicy(config_.reconnect_interval), false},
              Reopen{ReopenPolicy(config_.reconnect_interval), false}} {}

ModbusTreadmill::~ModbusTreadmill() = default;

// Opens a link that is down when its policy says so (one attempt); a loss starts the wait.
Result<Done, LinkError> ModbusTreadmill::ensure_open(TimePoint now, ModbusLink& link) {
    Reopen& reopen = reopen_of(link);
    if (link.is_open() && !link.connection_lost()) {
        reopen.up = true;
        return Done{};
    }
    if (reopen.up) {
        reopen.up = false;
        reopen.policy.lost(now);
    }
    if (!reopen.policy.due(now)) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(reopen.policy.interval()).count();
        return Unexpected{LinkError{
            LinkError::Kind::io, 0,
            "link down, reopened every " + std::to_string(ms) + " ms: " + describe(link.config())}};
    }
    return open_link(now, link, reopen);
}

Result<Done, LinkError> ModbusTreadmill::open_link(TimePoint now, ModbusLink& link,
                                                   Reopen& reopen) {
    auto opened = link.open(now);
    reopen.policy.attempted(now, opened.ok());
    reopen.up = opened.ok();
    return opened;
}

Result<Done, LinkError> ModbusTreadmill::open(TimePoint now) {
    if (auto motor = open_link(now, *motor_link_, reopen_[0]); !motor) return motor;
    if (!own_incline_link_) return Done{};
    return open_link(now, *own_incline_link_, reopen_[1]);
}

Result<DriveTelemetry, LinkError> ModbusTreadmill::read_drive(TimePoint now) {
    if (auto up = ensure_open(now, *motor_link_); !up) return Unexpected{up.error()};
    return drive_.read_telemetry(now);
}

Result<InclineTelemetry, LinkError> ModbusTreadmill::read_incline(TimePoint now) {
    if (auto up = ensure_open(now, *incline_link_); !up) return Unexpected{up.error()};
    return incline_.read_telemetry(now);
}

Result<Done, LinkError> ModbusTreadmill::write_drive(TimePoint now, const DriveWrite& w) {
    if (auto up = ensure_open(now, *motor_link_); !up) return up;
    return drive_.write(now, w);
}

std::uint16_t ModbusTreadmill::frequency_counts(const DriveWrite& w) const {
    return drive_.command_registers(w)[1];
}

Result<Done, LinkError> ModbusTreadmill::write_incline(TimePoint now, const InclineWrite& w) {
    if (auto up = ensure_open(now, *incline_link_); !up) return up;
    return incline_.write(now, w);
}

Result<Done, LinkError> ModbusTreadmill::reset_fault(TimePoint now, Board board) {
    ModbusLink& link = board == Board::motor ? *motor_link_ : *incline_link_;
    if (auto up = ensure_open(now, link); !up) return up;
    return board == Board::motor ? drive_.reset_fault(now) : incline_.reset_fault(now);
}

Result<Done, LinkError> ModbusTreadmill::configure_drive(TimePoint now, const BoardSettings& s) {
    if (auto up = ensure_open(now, *motor_link_); !up) return up;
    auto report = drive_.configure(now, s);
    if (!report) return Unexpected{report.error()};
    last_configure_.drive_written = report->written;
    if (!report->check.ok()) return Unexpected{readback_error("drive", report->check)};
    return Done{};
}

Result<Done, LinkError> ModbusTreadmill::configure_incline(TimePoint now, const BoardSettings& s) {
    if (auto up = ensure_open(now, *incline_link_); !up) return up;
    auto report = incline_.configure(now, s);
    if (!report) return Unexpected{report.error()};
    last_configure_.incline_written = report->written;
    if (!report->check.ok()) return Unexpected{readback_error("incline", report->check)};
    return Done{};
}

Result<BoardLimits, BoardLinkError> ModbusTreadmill::configure(TimePoint now,
                                                               const BoardSettings& s) {
    last_configure_ = {};
    if (auto drive = configure_drive(now, s); !drive)
        return Unexpected{BoardLinkError{Board::motor, drive.error()}};
    if (auto incline = configure_incline(now, s); !incline)
        return Unexpected{BoardLinkError{Board::incline, incline.error()}};
    BoardLimits limits;
    limits.max_frequency_hz = drive_.limits()->max_frequency_hz;
    limits.max_speed_kmh = drive_.limits()->max_speed_kmh;
    limits.min_incline_pct = incline_.limits()->min_pct;
    limits.max_incline_pct = incline_.limits()->max_pct;
    return limits;
}

Result<ConfigCheck, LinkError> ModbusTreadmill::verify(TimePoint now, Board board) {
    ModbusLink& link = board == Board::motor ? *motor_link_ : *incline_link_;
    if (auto up = ensure_open(now, link); !up) return Unexpected{up.error()};
    return board == Board::motor ? drive_.verify(now) : incline_.verify(now);
}

std::size_t ModbusTreadmill::readback_parts(Board board) const {
    return board == Board::motor ? drive_.readback_parts() : incline_.readback_parts();
}

Result<ConfigCheck, LinkError> ModbusTreadmill::verify_part(TimePoint now, Board board,
                                                            std::size_t part) {
    ModbusLink& link = board == Board::motor ? *motor_link_ : *incline_link_;
    if (auto up = ensure_open(now, link); !up) return Unexpected{up.error()};
    return board == Board::motor ? drive_.verify_part(now, part) : incline_.verify_part(now, part);
}

const LinkStatistics& ModbusTreadmill::link_statistics(Board board) const {
    return board == Board::motor ? motor_link_->statistics() : incline_link_->statistics();
}

LinkHealth ModbusTreadmill::link_health(Board board) const {
    const ModbusLink& link = board == Board::motor ? *motor_link_ : *incline_link_;
    const auto& s = link.statistics();
    return LinkHealth{link.is_open() && !link.connection_lost(),
                      s.transactions,
                      s.failures,
                      s.consecutive_failures,
                      s.last_good,
                      s.opens};
}

std::string_view ModbusTreadmill::fault_name(Board board, std::uint16_t code) const {
    if (board == Board::incline) return InclineBoard::fault_name(code);
    return drive_.fault_name(static_cast<std::uint8_t>(code & 0xFF));
}

}  // namespace treadmill
