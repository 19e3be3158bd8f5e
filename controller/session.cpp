#include "controller/session.hpp"

#include <algorithm>
#include <cmath>

#include "controller/rate_limiter.hpp"
#include "controller/text.hpp"

namespace treadmill::controller {

namespace {

constexpr double kDeckDownPct = 0.25;  // the deck is at its lowered target

}  // namespace

Session::Session(const ControlConfig& config, SetpointLog& log) : config_(config), log_(log) {}

void Session::connected() {
    if (state_ == State::connecting) state_ = State::idle;
}

void Session::enter_fault(TimePoint) {
    if (state_ == State::fault) return;
    if (timeline_) finish(false);
    state_ = State::fault;
    targets_.speed_kmh = 0;  // the control cycle logs the safety STOP
    targets_.incline_pct.reset();
}

void Session::fault_cleared() {
    if (state_ == State::fault) state_ = State::idle;
}

CommandResult Session::check_requires(const programs::Timeline& t) const {
    const Limits& l = config_.limits;
    if (t.requires_.max_speed_kmh && *t.requires_.max_speed_kmh > l.max_speed_kmh + 1e-9)
        return CommandResult::refused(
            "the program requires " + one_decimal(*t.requires_.max_speed_kmh) +
            " km/h; this treadmill reaches " + one_decimal(l.max_speed_kmh) + " km/h");
    if (t.requires_.max_incline_pct && *t.requires_.max_incline_pct > l.max_incline_pct + 1e-9)
        return CommandResult::refused(
            "the program requires " + one_decimal(*t.requires_.max_incline_pct) +
            " % incline; this treadmill reaches " + one_decimal(l.max_incline_pct) + " %");
    return CommandResult::accepted();
}

CommandResult Session::start(std::unique_ptr<programs::Timeline> timeline, TimePoint now) {
    if (state_ != State::idle)
        return CommandResult::refused("cannot start in state " + std::string(to_string(state_)));
    if (!timeline || timeline->steps.empty())
        return CommandResult::bad_value("the program has no steps");
    if (auto r = check_requires(*timeline); !r.ok) return r;
    timeline_ = std::move(timeline);
    runner_ = std::make_unique<programs::Runner>(*timeline_);
    runner_state_.reset();
    elapsed_s_ = 0;
    distance_m_ = 0;
    ever_ran_ = false;
    program_speed_.reset();
    program_incline_.reset();
    user_speed_.reset();
    user_incline_.reset();
    step_index_ = 0;
    state_ = State::countdown;
    countdown_from_ = State::idle;
    countdown_end_ = now + config_.countdown;
    return CommandResult::accepted();
}

CommandResult Session::pause(TimePoint now) {
    if (state_ == State::running) {
        state_ = State::paused;
        pause_since_ = now;
        set_speed(0, now, SetpointCause::api, "pause");
        return CommandResult::accepted();
    }
    if (state_ == State::countdown) return stop(now);
    return CommandResult::refused("nothing to pause in state " + std::string(to_string(state_)));
}

CommandResult Session::resume(TimePoint now) {
    if (state_ != State::paused)
        return CommandResult::refused("nothing to resume in state " +
                                      std::string(to_string(state_)));
    state_ = State::countdown;
    countdown_from_ = State::paused;
    countdown_end_ = now + config_.countdown;
    targets_.incline_pct.reset();
    return CommandResult::accepted();
}

CommandResult Session::stop(TimePoint now) {
    switch (state_) {
        case State::running:
        case State::paused:
            begin_stopping(now, SetpointCause::api, "stop");
            break;
        case State::countdown:  // back where it came from
            state_ = countdown_from_;
            if (state_ == State::idle) {
                runner_.reset();
                timeline_.reset();
            }
            break;
        case State::stopping:
            break;
        default:
            return CommandResult::refused("nothing to stop in state " +
                                          std::string(to_string(state_)));
    }
    return CommandResult::accepted();
}

CommandResult Session::skip() {
    if (state_ != State::running && state_ != State::paused)
        return CommandResult::refused("nothing to skip in state " + std::string(to_string(state_)));
    runner_->skip(elapsed_s_, distance_m_);
    return CommandResult::accepted();
}

CommandResult Session::user_speed(double kmh, TimePoint now) {
    if (state_ != State::running)
        return CommandResult::refused("speed changes only while running (state " +
                                      std::string(to_string(state_)) + ")");
    if (!std::isfinite(kmh) || kmh <= 0)
        return CommandResult::bad_value("speed must be above 0 km/h (use pause or stop)");
    const double v = clamp_speed(config_.limits, kmh);
    user_speed_ = v;
    set_speed(v, now, SetpointCause::user, "speed " + one_decimal(kmh) + " km/h requested");
    return CommandResult::accepted(v);
}

CommandResult Session::user_speed_delta(double delta_kmh, TimePoint now) {
    if (!std::isfinite(delta_kmh)) return CommandResult::bad_value("speed delta is not a number");
    const double base = targets_.speed_kmh;
    return user_speed(std::max(base + delta_kmh, config_.limits.min_speed_kmh), now);
}

CommandResult Session::user_incline(double pct, TimePoint now) {
    if (state_ != State::running)
        return CommandResult::refused("incline changes only while running (state " +
                                      std::string(to_string(state_)) + ")");
    if (!std::isfinite(pct)) return CommandResult::bad_value("incline is not a number");
    const double v = clamp_incline(config_.limits, pct);
    user_incline_ = v;
    set_incline(v, now, SetpointCause::user, "incline " + one_decimal(pct) + " % requested");
    return CommandResult::accepted(v);
}

SessionTargets Session::tick(const SessionInputs& in) {
    if (timeline_) distance_m_ += std::max(0.0, in.distance_m);
    switch (state_) {
        case State::countdown:
            tick_countdown(in);
            break;
        case State::running:
            tick_running(in);
            break;
        case State::paused:
            tick_paused(in);
            break;
        case State::stopping:
            tick_stopping(in);
            break;
        default:
            set_speed(0, in.now, SetpointCause::safety, std::string(to_string(state_)));
            targets_.incline_pct.reset();
            break;
    }
    return targets_;
}

// Running begins once the countdown elapsed and the belt stands (a resume during the pause's
// ramp-down waits for it): the belt then starts at minimum speed, never from where it was.
void Session::tick_countdown(const SessionInputs& in) {
    if (in.now < countdown_end_) return;
    if (in.roller_kmh >= kBeltStoppedKmh || in.speed_command_kmh > 0) return;
    state_ = State::running;
    ever_ran_ = true;
    follow_program(in);
}

void Session::tick_running(const SessionInputs& in) {
    elapsed_s_ += std::max(0.0, in.workout_dt_s);
    follow_program(in);
}

void Session::tick_paused(const SessionInputs& in) {
    if (in.now - pause_since_ >= config_.max_pause)
        begin_stopping(in.now, SetpointCause::api, "max pause elapsed");
}

void Session::tick_stopping(const SessionInputs& in) {
    if (!lowering_) {
        if (in.roller_kmh >= kBeltStoppedKmh || in.speed_command_kmh > 0) return;
        lowering_ = true;
        set_incline(clamp_incline(config_.limits, 0.0), in.now, SetpointCause::program,
                    "stopping: lower the deck");
        return;
    }
    if (!in.incline_pct || !targets_.incline_pct) return;
    if (std::abs(*in.incline_pct - *targets_.incline_pct) > kDeckDownPct) return;
    finish(completed_);
    state_ = State::idle;
    targets_.incline_pct.reset();
}

// Takes the program's targets at the current workout time and distance, with user overrides.
void Session::follow_program(const SessionInputs& in) {
    runner_state_ = runner_->update(elapsed_s_, distance_m_);
    const programs::RunnerState& rs = *runner_state_;
    if (rs.done) {
        completed_ = true;
        begin_stopping(in.now, SetpointCause::program, "program end");
        return;
    }
    const std::string detail = "step " + std::to_string(rs.step_index + 1);
    if (rs.step_index != step_index_ || !program_incline_) {
        step_index_ = rs.step_index;
        user_speed_.reset();
        user_incline_.reset();
        if (rs.manual_speed)
            user_speed_ = clamp_speed(config_.limits,
                                      std::max(in.speed_command_kmh, config_.limits.min_speed_kmh));
    }
    program_speed_.reset();
    if (!rs.manual_speed) program_speed_ = clamp_speed(config_.limits, rs.target_speed_kmh);
    program_incline_ = clamp_incline(config_.limits, rs.target_incline_pct);
    const double speed =
        user_speed_.value_or(program_speed_.value_or(config_.limits.min_speed_kmh));
    set_speed(std::max(speed, config_.limits.min_speed_kmh), in.now, SetpointCause::program,
              detail);
    set_incline(user_incline_.value_or(*program_incline_), in.now, SetpointCause::program, detail);
}

void Session::begin_stopping(TimePoint now, SetpointCause cause, std::string detail) {
    state_ = State::stopping;
    lowering_ = false;
    set_speed(0, now, cause, std::move(detail));
    targets_.incline_pct.reset();
}

void Session::finish(bool completed) {
    if (timeline_ && ever_ran_)
        finished_ = SessionSummary{timeline_->id, elapsed_s_, distance_m_, completed};
    runner_.reset();
    timeline_.reset();
    runner_state_.reset();
    program_speed_.reset();
    program_incline_.reset();
    user_speed_.reset();
    user_incline_.reset();
    completed_ = false;
}

std::optional<SessionSummary> Session::take_finished() {
    auto f = std::move(finished_);
    finished_.reset();
    return f;
}

std::optional<double> Session::countdown_remaining_s(TimePoint now) const {
    if (state_ != State::countdown) return std::nullopt;
    return std::max(0.0, seconds_between(now, countdown_end_));
}

void Session::set_speed(double kmh, TimePoint now, SetpointCause cause, std::string detail) {
    if (std::abs(kmh - targets_.speed_kmh) < 1e-9) return;
    log_.record(SetpointChange{now, elapsed_s_, SetpointKind::speed, targets_.speed_kmh, kmh, cause,
                               std::move(detail)});
    targets_.speed_kmh = kmh;
}

void Session::set_incline(std::optional<double> pct, TimePoint now, SetpointCause cause,
                          std::string detail) {
    if (!pct) {
        targets_.incline_pct.reset();
        return;
    }
    if (std::abs(*pct - last_incline_setpoint_) >= 1e-9)
        log_.record(SetpointChange{now, elapsed_s_, SetpointKind::incline, last_incline_setpoint_,
                                   *pct, cause, std::move(detail)});
    last_incline_setpoint_ = *pct;
    targets_.incline_pct = pct;
}

}  // namespace treadmill::controller
