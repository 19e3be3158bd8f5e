// Incline board (unit 2) driver.
#include "protocols/incline_board.hpp"

#include <algorithm>
#include <array>

#include "protocols/drive_profile.hpp"
#include "protocols/telemetry_decode.hpp"

namespace treadmill {

namespace i = regmap::incline;

std::vector<ParameterValue> incline_parameters(const BoardSettings& s) {
    return {
        {i::kCommLossTimeout, tenth_seconds_counts(s.incline_comm_timeout_s)},
        {i::kCommLossTreatment, s.incline_comm_treatment},
    };
}

InclineBoard::InclineBoard(ModbusLink& link, int unit) : link_(link), unit_(unit) {}

Result<InclineTelemetry, LinkError> InclineBoard::read_telemetry(TimePoint now) {
    auto block = link_.read_registers(now, unit_, i::kTelemetryStart, i::kTelemetryCount);
    if (!block) return Unexpected{block.error()};
    return decode_incline_telemetry(*block);
}

Result<RollerReading, LinkError> InclineBoard::read_roller(TimePoint now) {
    auto regs = link_.read_registers(now, unit_, i::kRollerSpeed, 3);
    if (!regs) return Unexpected{regs.error()};
    return RollerReading{(*regs)[0] * 0.01, as_uint32((*regs)[1], (*regs)[2])};
}

Result<Done, LinkError> InclineBoard::write(TimePoint now, const InclineWrite& w) {
    switch (w.kind) {
        case InclineWrite::Kind::stop:
            return link_.write_register(now, unit_, i::kCommand, i::kCommandStop);
        case InclineWrite::Kind::calibrate:
            return link_.write_register(now, unit_, i::kCommand, i::kCommandCalibrate);
        case InclineWrite::Kind::move:
            break;
    }
    double target = w.target_pct;
    if (limits_) target = std::clamp(target, limits_->min_pct, limits_->max_pct);
    const std::array<std::uint16_t, 2> regs{i::kCommandMove, incline_pct_to_counts(target)};
    return link_.write_registers(now, unit_, i::kCommand, regs);
}

Result<Done, LinkError> InclineBoard::reset_fault(TimePoint now) {
    return link_.write_register(now, unit_, i::kControl, i::kControlFaultReset);
}

Result<InclineLimits, LinkError> InclineBoard::read_limits(TimePoint now) {
    const int count = i::kMinIncline - i::kMaxIncline + 1;
    auto regs = link_.read_registers(now, unit_, i::kMaxIncline, count);
    if (!regs) return Unexpected{regs.error()};
    InclineLimits limits;
    limits.max_pct = incline_counts_to_pct((*regs)[0]);
    limits.min_pct = incline_counts_to_pct((*regs)[i::kMinIncline - i::kMaxIncline]);
    limits_ = limits;
    return limits;
}

Result<SyncReport, LinkError> InclineBoard::configure(TimePoint now, const BoardSettings& s) {
    wanted_ = incline_parameters(s);
    auto report = sync_parameters(link_, now, unit_, wanted_);
    if (!report) return report;
    auto limits = read_limits(now);
    if (!limits) return Unexpected{limits.error()};
    return report;
}

const std::vector<ParameterValue>& InclineBoard::wanted() {
    if (wanted_.empty()) wanted_ = incline_parameters(BoardSettings{});
    return wanted_;
}

Result<ConfigCheck, LinkError> InclineBoard::verify(TimePoint now) {
    return check_parameters(link_, now, unit_, wanted());
}

std::size_t InclineBoard::readback_parts() const {
    return parameter_runs(wanted_.empty() ? incline_parameters(BoardSettings{}) : wanted_).size();
}

Result<ConfigCheck, LinkError> InclineBoard::verify_part(TimePoint now, std::size_t part) {
    const auto runs = parameter_runs(wanted());
    return check_parameters(link_, now, unit_, runs[part % runs.size()]);
}

}  // namespace treadmill
