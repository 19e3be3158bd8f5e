#include "controller/supervisor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "controller/text.hpp"
#include "protocols/register_map.hpp"

namespace treadmill::controller {

namespace {

constexpr double kOverspeedMarginKmh = 1.0;  // S5: above the envelope by more than this
constexpr double kOverspeedDelayS = 1.0;     // ... for this long (workout clock)
constexpr double kMaxSpeedMarginKmh = 0.5;   // S5: above max speed by this, at once
constexpr double kStallSpeedKmh = 0.2;       // S6
constexpr double kStallDelayS = 5.0;
constexpr double kInclineToleranceS = 2.0;  // S7: travel time + 2 s + 25 %
constexpr double kInclineToleranceFactor = 1.25;
constexpr double kInclineReachedPct = 0.25;  // board's at-target band (0.2 %) plus noise
constexpr double kTimeEpsilon = 1e-6;        // sums of periods are not exact

}  // namespace

SafetyAction Supervisor::update(TimePoint now, const Observations& obs) {
    check_key(now, obs);
    check_link(now, Board::motor, obs.motor_link);
    check_link(now, Board::incline, obs.incline_link);
    check_config(now, obs);
    check_speed(now, obs);
    check_belt_stall(now, obs);
    check_incline(now, obs);
    check_board_faults(now, obs);
    check_drive_state(now, obs);
    if (latched()) return SafetyAction::stop;
    const bool degraded =
        !obs.motor_link.errors_this_cycle.empty() || !obs.incline_link.errors_this_cycle.empty();
    return degraded ? SafetyAction::warn : SafetyAction::none;
}

SafetyAction Supervisor::update_links(TimePoint now, const LinkObservation& motor,
                                      const LinkObservation& incline) {
    check_link(now, Board::motor, motor);
    check_link(now, Board::incline, incline);
    return latched() ? SafetyAction::stop : SafetyAction::warn;
}

bool Supervisor::trip(Fault fault) {
    if (!first_) {
        first_ = std::move(fault);
        return true;
    }
    if (first_->same_cause(fault)) return false;
    for (const Fault& f : later_)
        if (f.same_cause(fault)) return false;
    if (later_.size() < 32) later_.push_back(std::move(fault));
    return false;
}

bool Supervisor::latched(FaultCode code) const {
    if (first_ && first_->code == code) return true;
    return std::any_of(later_.begin(), later_.end(),
                       [code](const Fault& f) { return f.code == code; });
}

void Supervisor::trip(TimePoint now, FaultCode code, std::string message,
                      std::optional<int> board_code) {
    trip(Fault{code, board_code, std::move(message), now});
}

void Supervisor::clear() {
    first_.reset();
    later_.clear();
    over_since_.reset();
    stopping_.reset();
    stall_since_.reset();
    incline_goal_.reset();
    incline_reached_ = false;
}

// S1: the key is out when the drive reports EF (fault 6) or the incline board clears bit8.
void Supervisor::check_key(TimePoint now, const Observations& obs) {
    if (obs.incline && !obs.incline->key_present)
        trip(now, FaultCode::safety_key, "safety key out (incline board key input open)");
    if (obs.drive && obs.drive->fault_code == regmap::motor::kFaultExternal &&
        !obs.board_faults_stale)
        trip(now, FaultCode::safety_key, "safety key out (drive external fault EF)",
             regmap::motor::kFaultExternal);
}

// S2: exceptions map to their fault at once; repeated failures or silence mean comm loss.
void Supervisor::check_link(TimePoint now, Board board, const LinkObservation& link) {
    const std::string who = board_name(board);
    for (const LinkError& e : link.errors_this_cycle) {
        if (e.kind != LinkError::Kind::exception) continue;
        const int code = e.exception_code;
        if (code == regmap::exception::kBusy) continue;  // counted as a failure below
        if (code == regmap::exception::kDeviceFailure)
            trip(now, FaultCode::board_failure, who + ": exception 04 (device failure)", code);
        else
            trip(now, FaultCode::protocol,
                 who + ": exception " + std::to_string(code) + " (wrong register map or profile)",
                 code);
    }
    // On a shared bus the other board's good replies reset the bus count, so a board that
    // keeps failing between them is caught by its own count.
    if (link.bus_consecutive_failures >= config_.comm_loss_failures)
        trip(now, FaultCode::comm_loss,
             who + ": " + std::to_string(link.bus_consecutive_failures) +
                 " consecutive failed transactions on its bus");
    else if (link.board_consecutive_failures >= config_.comm_loss_failures)
        trip(now, FaultCode::comm_loss,
             who + ": " + std::to_string(link.board_consecutive_failures) +
                 " consecutive failed transactions");
    else if (link.last_good && now - *link.last_good >= config_.no_reply_limit)
        trip(now, FaultCode::comm_loss,
             who + ": no good reply for " +
                 std::to_string(static_cast<int>(seconds_between(*link.last_good, now) * 1000)) +
                 " ms");
}

// S4: a read-back that differs from what connect configured.
void Supervisor::check_config(TimePoint now, const Observations& obs) {
    if (!obs.config_check || obs.config_check->second.ok()) return;
    const auto& [board, check] = *obs.config_check;
    trip(now, FaultCode::board_config,
         std::string(board_name(board)) + ": register " + hex16(*check.mismatch_address) +
             " reads " + std::to_string(check.actual) + ", expected " +
             std::to_string(check.expected) + " (board reset or swapped?)");
}

// The most the roller may show: the command while running, else the stopping envelope.
double Supervisor::allowed_speed(const Observations& obs, double roller_kmh) {
    if (obs.commanded.run) {
        stopping_.reset();
        last_run_speed_ = obs.commanded.speed_kmh;
        return obs.commanded.speed_kmh;
    }
    if (!stopping_) stopping_ = StopEnvelope{obs.workout_s, std::max(last_run_speed_, roller_kmh)};
    last_run_speed_ = 0;
    const double t = std::max(0.0, obs.workout_s - stopping_->t0);
    const double ramp = stopping_->v0 - config_.limits.estop_decel_kmh_per_s * t;
    const double coast = stopping_->v0 * std::exp(-t / config_.coast_time_constant_s);
    return std::max({ramp, coast, 0.0});
}

// S5: runaway (above the envelope for a while, or above max speed at once) and reverse.
void Supervisor::check_speed(TimePoint now, const Observations& obs) {
    if (obs.drive && obs.drive->reverse)
        trip(now, FaultCode::reverse, "the drive runs in reverse (0x2101 bits4-3)");
    if (!obs.incline) return;
    const double roller = obs.incline->roller_speed_kmh;
    const double allowed = allowed_speed(obs, roller);
    const double max_speed = config_.limits.max_speed_kmh;
    if (roller > max_speed + kMaxSpeedMarginKmh) {
        trip(now, FaultCode::overspeed,
             "roller " + one_decimal(roller) + " km/h above max speed " + one_decimal(max_speed) +
                 " km/h");
        return;
    }
    if (roller <= allowed + kOverspeedMarginKmh) {
        over_since_.reset();
        return;
    }
    if (!over_since_) over_since_ = obs.workout_s;
    if (obs.workout_s - *over_since_ >= kOverspeedDelayS - kTimeEpsilon)
        trip(now, FaultCode::overspeed,
             "roller " + one_decimal(roller) + " km/h, command allows " + one_decimal(allowed) +
                 " km/h");
}

// S6: commanded at least minimum speed but the roller stands still for 5 s.
void Supervisor::check_belt_stall(TimePoint now, const Observations& obs) {
    if (!obs.incline) return;
    const bool driven =
        obs.commanded.run && obs.commanded.speed_kmh >= config_.limits.min_speed_kmh - 1e-9;
    if (!driven || obs.incline->roller_speed_kmh >= kStallSpeedKmh) {
        stall_since_.reset();
        return;
    }
    if (!stall_since_) stall_since_ = obs.workout_s;
    if (obs.workout_s - *stall_since_ >= kStallDelayS - kTimeEpsilon)
        trip(now, FaultCode::belt_stall, "belt commanded but the roller stands still for 5 s");
}

// S7: the deck must reach its goal within its travel time at incline_rate + 2 s + 25 %.
void Supervisor::check_incline(TimePoint now, const Observations& obs) {
    if (obs.incline) last_incline_pct_ = obs.incline->incline_pct;
    const auto& goal = obs.commanded.incline_goal_pct;
    if (!goal) {
        incline_goal_.reset();
        return;
    }
    if (!incline_goal_ || std::abs(*incline_goal_ - *goal) > 1e-9) {
        const double from = last_incline_pct_.value_or(*goal);
        const double travel = std::abs(*goal - from) / config_.limits.incline_rate_pct_per_s;
        incline_goal_ = *goal;
        incline_deadline_ = obs.workout_s + travel * kInclineToleranceFactor + kInclineToleranceS;
        incline_reached_ = false;
    }
    if (incline_reached_ || !last_incline_pct_) return;
    if (std::abs(*last_incline_pct_ - *goal) <= kInclineReachedPct) {
        incline_reached_ = true;
    } else if (obs.workout_s > incline_deadline_) {
        trip(now, FaultCode::incline_stall,
             "incline at " + one_decimal(*last_incline_pct_) + " %, not at its target " +
                 one_decimal(*goal) + " % within its travel time");
    }
}

// S8: the boards' own fault codes (the drive's EF is S1's).
void Supervisor::check_board_faults(TimePoint now, const Observations& obs) {
    if (obs.board_faults_stale) return;
    if (obs.drive && obs.drive->fault_code != regmap::motor::kFaultNone &&
        obs.drive->fault_code != regmap::motor::kFaultExternal) {
        const auto code = obs.drive->fault_code;
        trip(now, FaultCode::drive_fault,
             "drive fault " + std::to_string(code) + ": " +
                 std::string(regmap::motor::fault_name(code)),
             code);
    }
    if (obs.incline && obs.incline->fault_code != regmap::incline::kFaultNone) {
        const auto code = obs.incline->fault_code;
        trip(now, FaultCode::incline_fault,
             "incline board fault " + std::to_string(code) + ": " +
                 std::string(regmap::incline::fault_name(code)),
             code);
    }
}

}  // namespace treadmill::controller
