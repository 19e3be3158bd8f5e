#include "tests/controller/fake_treadmill.hpp"

#include <algorithm>
#include <cmath>

#include "protocols/register_map.hpp"

namespace treadmill::testing {

namespace {
constexpr double kCoastTimeConstantS = 1.5;
constexpr double kLiftRatePctPerS = 0.6;
}  // namespace

void FakeTreadmill::fail(Call call, LinkError error, int count) {
    injections_[static_cast<std::size_t>(call)] = Injection{std::move(error), count};
}

void FakeTreadmill::clear_failures() {
    for (auto& i : injections_) i.reset();
    bus_dead_ = false;
    dies_at_.reset();
}

TimePoint FakeTreadmill::begin(TimePoint now) const {
    return std::max({now, busy_until_, quiet_until_});
}

std::optional<LinkError> FakeTreadmill::injected(Call call, TimePoint at) {
    if (bus_dead_ || (dies_at_ && at >= *dies_at_))
        return LinkError{LinkError::Kind::timeout, 0, "bus dead"};
    auto& slot = injections_[static_cast<std::size_t>(call)];
    if (!slot) return std::nullopt;
    LinkError e = slot->error;
    if (slot->remaining > 0 && --slot->remaining == 0) slot.reset();
    return e;
}

void FakeTreadmill::record(TimePoint at, Call call, const std::optional<LinkError>& error,
                           DriveWrite d, InclineWrite i, Board b, std::size_t part) {
    const bool timed_out = error && error->kind == LinkError::Kind::timeout;
    const TimePoint end = at + (timed_out ? timeout_time : transaction_time);
    busy_until_ = end;
    if (timed_out) quiet_until_ = end + late_reply_guard;
    log_.push_back(Record{at, call, !error, d, i, b, part, end, latched_probe && latched_probe()});
}

void FakeTreadmill::change_frequency_command(std::uint16_t counts) {
    frequency_cmd_counts = counts;
    speed_cmd_kmh = counts / 300.0;
}

std::vector<FakeTreadmill::Record> FakeTreadmill::calls(Call call) const {
    std::vector<Record> out;
    for (const auto& r : log_)
        if (r.call == call) out.push_back(r);
    return out;
}

void FakeTreadmill::advance(TimePoint now) {
    if (!last_) last_ = now;
    const double dt = std::max(0.0, seconds_between(*last_, now)) * time_scale;
    last_ = now;
    if (!key_present) {
        drive_fault = regmap::motor::kFaultExternal;
        lift_moving = false;
    }
    step_belt(dt);
    step_lift(dt);
}

void FakeTreadmill::step_belt(double dt) {
    if (drive_fault != 0) run = false;
    if (belt_stall) {
        belt_kmh = 0;
    } else if (runaway) {
        belt_kmh += 2.0 * dt;
    } else if (drive_fault != 0) {
        belt_kmh *= std::exp(-dt / kCoastTimeConstantS);  // a fault coasts
        if (belt_kmh < 0.01) belt_kmh = 0;
    } else {
        const double target = run ? speed_cmd_kmh : 0.0;
        const double up = settings.accel_kmh_per_s * dt;
        const double down = settings.estop_decel_kmh_per_s * dt;
        belt_kmh =
            target > belt_kmh ? std::min(target, belt_kmh + up) : std::max(target, belt_kmh - down);
    }
    odometer_m += belt_kmh / 3.6 * dt;
}

void FakeTreadmill::step_lift(double dt) {
    if (!lift_moving || incline_stall || incline_fault != 0) return;
    const double step = kLiftRatePctPerS * dt;
    incline_pct = lift_target_pct > incline_pct ? std::min(lift_target_pct, incline_pct + step)
                                                : std::max(lift_target_pct, incline_pct - step);
    if (incline_pct == lift_target_pct) lift_moving = false;
}

Result<DriveTelemetry, LinkError> FakeTreadmill::read_drive(TimePoint now) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::read_drive, at)) {
        record(at, Call::read_drive, e);
        return Unexpected{*e};
    }
    record(at, Call::read_drive, std::nullopt);
    namespace m = regmap::motor;
    DriveTelemetry t;
    t.fault_code = drive_fault;
    t.warning_code = drive_warning;
    t.running = run;
    t.decelerating = !run && belt_kmh > 0.05 && drive_fault == 0;
    t.status = run              ? m::kStatusRunning
               : t.decelerating ? m::kStatusDecelerating
                                : m::kStatusStopped;
    if (reverse) t.status |= m::kStatusReverse;
    t.frequency_command_counts = frequency_cmd_counts;
    t.frequency_command_hz = frequency_cmd_counts / 100.0;
    t.reverse = reverse;
    t.output_speed_kmh = run ? speed_cmd_kmh : 0;
    t.output_frequency_hz = t.output_speed_kmh * 3.0;
    return t;
}

Result<InclineTelemetry, LinkError> FakeTreadmill::read_incline(TimePoint now) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::read_incline, at)) {
        record(at, Call::read_incline, e);
        return Unexpected{*e};
    }
    record(at, Call::read_incline, std::nullopt);
    InclineTelemetry t;
    t.key_present = key_present;
    t.moving = lift_moving;
    t.at_target = std::abs(incline_pct - lift_target_pct) <= 0.2;
    t.calibrated = true;
    t.incline_pct = std::round(incline_pct * 10.0) / 10.0;
    t.fault_code = incline_fault;
    t.fault_bit = incline_fault != 0;
    t.roller_speed_kmh = std::round(belt_kmh * 100.0) / 100.0;
    const auto cm = static_cast<std::uint64_t>(odometer_m * 100.0);
    t.odometer_cm = static_cast<std::uint32_t>((cm + odometer_offset_cm) & 0xFFFFFFFFu);
    return t;
}

Result<Done, LinkError> FakeTreadmill::write_drive(TimePoint now, const DriveWrite& w) {
    const TimePoint at = begin(now);
    advance(at);
    auto e = injected(Call::write_drive, at);
    record(at, Call::write_drive, e, w);
    if (e && !(failed_drive_writes_applied && !bus_dead_)) return Unexpected{*e};
    // A faulted drive keeps STOP until a reset; RUN is ignored then (and always, on the keypad).
    if (!ignores_run) run = w.run && drive_fault == 0;
    speed_cmd_kmh = w.run ? std::min(w.speed_kmh, limits.max_speed_kmh) : 0.0;
    frequency_cmd_counts = frequency_counts(w);
    if (e) return Unexpected{*e};
    return Done{};
}

std::uint16_t FakeTreadmill::frequency_counts(const DriveWrite& w) const {
    if (!w.run) return 0;
    const double kmh = std::clamp(w.speed_kmh, 0.0, limits.max_speed_kmh);
    return static_cast<std::uint16_t>(std::lround(kmh * 300.0));
}

Result<Done, LinkError> FakeTreadmill::write_incline(TimePoint now, const InclineWrite& w) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::write_incline, at)) {
        record(at, Call::write_incline, e, {}, w);
        return Unexpected{*e};
    }
    record(at, Call::write_incline, std::nullopt, {}, w);
    if (w.kind == InclineWrite::Kind::stop) {
        lift_moving = false;
    } else if (w.kind == InclineWrite::Kind::move && key_present) {
        lift_target_pct = w.target_pct;
        lift_moving = true;
    }
    return Done{};
}

Result<Done, LinkError> FakeTreadmill::reset_fault(TimePoint now, Board board) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::reset, at)) {
        record(at, Call::reset, e, {}, {}, board);
        return Unexpected{*e};
    }
    record(at, Call::reset, std::nullopt, {}, {}, board);
    if (board == Board::motor && key_present) drive_fault = 0;
    if (board == Board::incline) incline_fault = 0;
    return Done{};
}

Result<BoardLimits, BoardLinkError> FakeTreadmill::configure(TimePoint now,
                                                             const BoardSettings& s) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::configure, at)) {
        record(at, Call::configure, e, {}, {}, configure_fails_on);
        return Unexpected{BoardLinkError{configure_fails_on, *e}};
    }
    record(at, Call::configure, std::nullopt);
    settings = s;
    configure_calls++;
    if (settings_stick) verify_result = {};
    return limits;
}

Result<ConfigCheck, LinkError> FakeTreadmill::verify(TimePoint now, Board board) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::verify, at)) {
        record(at, Call::verify, e, {}, {}, board);
        return Unexpected{*e};
    }
    record(at, Call::verify, std::nullopt, {}, {}, board);
    const auto& r = verify_result[board == Board::motor ? 0 : 1];
    return r.value_or(ConfigCheck{});
}

std::size_t FakeTreadmill::readback_parts(Board board) const {
    return readback_part_count[board == Board::motor ? 0 : 1];
}

Result<ConfigCheck, LinkError> FakeTreadmill::verify_part(TimePoint now, Board board,
                                                          std::size_t part) {
    const TimePoint at = begin(now);
    advance(at);
    if (auto e = injected(Call::verify_part, at)) {
        record(at, Call::verify_part, e, {}, {}, board, part);
        return Unexpected{*e};
    }
    record(at, Call::verify_part, std::nullopt, {}, {}, board, part);
    const std::size_t b = board == Board::motor ? 0 : 1;
    const bool shows = !mismatch_part[b] || *mismatch_part[b] == part % readback_part_count[b];
    return shows ? verify_result[b].value_or(ConfigCheck{}) : ConfigCheck{};
}

}  // namespace treadmill::testing
