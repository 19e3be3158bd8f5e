// The API commands of the control cycle, and `reset` (fault -> idle once the cause is gone).
#include <memory>

#include "controller/control_cycle.hpp"
#include "controller/text.hpp"

namespace treadmill::controller {

// Why motion may not begin now (a fault, connecting, the key out), if anything.
static std::optional<std::string> motion_blocker(State state, const Supervisor& sup,
                                                 const std::optional<InclineTelemetry>& incline,
                                                 const std::optional<std::string>& reason) {
    if (state == State::fault) {
        const auto& f = sup.fault();
        return "fault " +
               (f ? std::string(to_string(f->code)) + ": " + f->message
                  : std::string("being reset")) +
               " (reset first)";
    }
    if (state == State::connecting)
        return "connecting to the treadmill" + (reason ? ": " + *reason : std::string());
    if (!incline) return std::string("no reading from the incline board yet");
    if (!incline->key_present) return std::string("the safety key is out");
    return std::nullopt;
}

CommandResult ControlCycle::start(programs::Timeline timeline, TimePoint now) {
    if (auto why = motion_blocker(state(), supervisor_, incline_last_, connect_reason_))
        return CommandResult::refused(*why);
    auto r = session_.start(std::make_unique<programs::Timeline>(std::move(timeline)), now);
    if (r.ok) limiter_.reset_incline(incline_last_->incline_pct);  // ramps start where it is
    return r;
}

CommandResult ControlCycle::calibrate(TimePoint) {
    if (auto why = motion_blocker(state(), supervisor_, incline_last_, connect_reason_))
        return CommandResult::refused(*why);
    if (state() != State::idle)
        return CommandResult::refused("calibration only in idle (state " +
                                      std::string(to_string(state())) + ")");
    if (incline_last_->roller_speed_kmh >= kBeltStoppedKmh)
        return CommandResult::refused("calibration only with the belt at 0");
    calibrate_requested_ = true;
    return CommandResult::accepted();
}

CommandResult ControlCycle::pause(TimePoint now) {
    return session_.pause(now);
}

CommandResult ControlCycle::resume(TimePoint now) {
    if (auto why = motion_blocker(state(), supervisor_, incline_last_, connect_reason_))
        return CommandResult::refused(*why);
    return session_.resume(now);
}

CommandResult ControlCycle::stop(TimePoint now) {
    return session_.stop(now);
}
CommandResult ControlCycle::skip(TimePoint) {
    return session_.skip();
}
CommandResult ControlCycle::speed(double kmh, TimePoint now) {
    return session_.user_speed(kmh, now);
}
CommandResult ControlCycle::speed_delta(double delta_kmh, TimePoint now) {
    return session_.user_speed_delta(delta_kmh, now);
}
CommandResult ControlCycle::incline(double pct, TimePoint now) {
    return session_.user_incline(pct, now);
}

void ControlCycle::shutdown(TimePoint now) {
    while (state() == State::countdown || state() == State::running || state() == State::paused)
        session_.stop(now);
}

bool ControlCycle::at_rest() const {
    const State s = state();
    if (s == State::countdown || s == State::running || s == State::paused || s == State::stopping)
        return false;
    return !incline_last_ || incline_last_->roller_speed_kmh < kBeltStoppedKmh;
}

// Latches `estop`: the next cycle writes STOP and halts the lift.
CommandResult ControlCycle::estop(TimePoint now) {
    supervisor_.trip(Fault{FaultCode::estop, std::nullopt, "emergency stop requested", now});
    if (state() != State::fault) enter_fault(now);
    resetting_ = false;
    reset_requested_ = false;
    return CommandResult::accepted();
}

void ControlCycle::internal_fault(TimePoint now, const char* where, const char* what) noexcept {
    try {
        write_fault_stop(now, true);  // first: nothing (not even a log line) comes before it
    } catch (...) {
    }
    try {
        supervisor_.trip(Fault{FaultCode::internal, std::nullopt,
                               std::string("exception in ") + where + ": " + what, now});
        if (state() != State::fault) enter_fault(now);
        resetting_ = false;
        reset_requested_ = false;
    } catch (...) {
    }
}

CommandResult ControlCycle::reset(TimePoint now) {
    if (state() != State::fault)
        return CommandResult::refused("nothing to reset (state " + std::string(to_string(state())) +
                                      ")");
    if (resetting_) return CommandResult::accepted();
    if (auto why = reset_blocker(now)) return CommandResult::refused(*why);
    reset_requested_ = true;
    log_event(now, "reset requested");
    return CommandResult::accepted();
}

// The cause must be gone: the key back (incline bit8) and both boards answering.
std::optional<std::string> ControlCycle::reset_blocker(TimePoint now) const {
    for (Board b : {Board::motor, Board::incline}) {
        const LinkStats& s = links_.stats(b);
        const bool fresh = s.last_good && now - *s.last_good <= config_.no_reply_limit;
        if (!s.last_ok || !fresh)
            return std::string(b == Board::motor ? "the motor drive" : "the incline board") +
                   " does not answer";
    }
    if (!incline_last_) return std::string("no reading from the incline board yet");
    if (!incline_last_->key_present) return std::string("the safety key is out");
    if (supervisor_.latched(FaultCode::board_config) && !readback_.matched())
        return std::string(
            "the boards' settings do not read back as configured yet (written again at most "
            "once a second)");
    return std::nullopt;
}

// In the cycle after `reset`, with fresh reads: STOP stays written, the boards' faults are
// reset, the latch clears; idle once the roller is 0. (A lost configuration was written again
// and read back while board_config was latched: reset_blocker.)
void ControlCycle::apply_reset(TimePoint now) {
    reset_requested_ = false;
    if (auto why = reset_blocker(now); why || !drive_now_ || !incline_now_) {
        log_event(now, "reset not applied: " + why.value_or("a board did not answer"));
        return;
    }
    write_drive(now, DriveWrite{});
    write_incline(now, InclineWrite{InclineWrite::Kind::stop, 0.0});
    const bool motor_ok = hw_.reset_fault(now, Board::motor).ok();
    const bool incline_ok = hw_.reset_fault(now, Board::incline).ok();
    if (!motor_ok || !incline_ok) return log_event(now, "reset not applied: fault reset failed");
    clearing_fault_ = supervisor_.fault();
    supervisor_.clear();
    drive_acknowledged_.forget();  // this cycle's read predates the fault resets
    rewrite_outcome_.clear();
    resetting_ = true;
    board_faults_stale_ = true;  // this cycle's reads predate the boards' reset
    log_event(now, "faults reset; waiting for the belt to stop");
}

void ControlCycle::finish_reset(TimePoint now) {
    if (!incline_now_ || incline_now_->roller_speed_kmh >= kBeltStoppedKmh) return;
    resetting_ = false;
    clearing_fault_.reset();
    limiter_.reset_speed(0);
    limiter_.reset_incline(incline_now_->incline_pct);
    if (!board_limits_) {  // the fault came before connecting finished: connect again
        session_.reconnect();
        next_connect_ = now;
        log_event(now, "reset complete: connecting again");
        return;
    }
    session_.fault_cleared();
    log_event(now, "reset complete: idle");
}

}  // namespace treadmill::controller
