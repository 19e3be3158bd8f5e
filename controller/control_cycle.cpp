#include "controller/control_cycle.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "controller/text.hpp"

namespace treadmill::controller {

namespace {

constexpr Duration kVerifyInterval = std::chrono::seconds(1);
constexpr std::size_t kEventRing = 64;

bool same_write(const InclineWrite& a, const InclineWrite& b) {
    return a.kind == b.kind && (a.kind != InclineWrite::Kind::move || a.target_pct == b.target_pct);
}

}  // namespace

ControlCycle::ControlCycle(TreadmillHardware& hardware, const ControlConfig& config)
    : hw_(hardware),
      config_(config),
      setpoint_log_(config.setpoint_log_size),
      supervisor_(config_),
      session_(config_, setpoint_log_),
      limiter_(config_.limits),
      links_(config_.shared_bus),
      odometer_(config_.limits.max_speed_kmh) {}

void ControlCycle::cycle(TimePoint now) {
    if (check_loop_stall(now)) return;
    advance_clock(now);
    note_links(now);
    if (session_.state() == State::connecting) {
        config_check_.reset();  // a read-back from before connecting configured the boards
        connect_step(now);
        return;
    }
    read_boards(now);
    note_links(now);
    if (reset_requested_) apply_reset(now);
    supervise(now);
    decide(now);
    write_boards(now);
    verify_config(now);
    board_faults_stale_ = false;
}

void ControlCycle::cycle(TimePoint now, BootTimePoint boot_now) {
    boot_now_ = boot_now;
    cycle(now);
    boot_now_.reset();
}

// A cycle that starts more than control.watchdog after the previous one, on the steady clock
// (the process was stopped) or on the boot clock (the system was suspended), writes only STOP
// and halt, and trips loop_stall.
bool ControlCycle::check_loop_stall(TimePoint now) {
    const std::optional<BootTimePoint> last_boot = std::exchange(last_boot_, boot_now_);
    if (!last_cycle_ || session_.state() == State::connecting) return false;
    const Duration steady_gap = now - *last_cycle_;
    const Duration boot_gap = boot_now_ && last_boot ? *boot_now_ - *last_boot : Duration{};
    const Duration late = std::max(steady_gap, boot_gap);
    if (late <= config_.watchdog) return false;
    last_cycle_ = now;
    links_.begin_cycle();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(late).count();
    std::string message =
        "control cycle started " + std::to_string(ms) + " ms after the previous one";
    if (steady_gap <= config_.watchdog) message += " (the system was suspended)";
    supervisor_.trip(Fault{FaultCode::loop_stall, std::nullopt, std::move(message), now});
    enter_fault(now);
    write_fault_stop(now, true);
    trip_cycle_ = false;
    return true;
}

void ControlCycle::advance_clock(TimePoint now) {
    const double wall_dt = last_cycle_ ? std::max(0.0, seconds_between(*last_cycle_, now)) : 0.0;
    workout_dt_s_ = wall_dt * config_.time_scale;
    workout_s_ += workout_dt_s_;
    last_cycle_ = now;
}

// One transaction per board; a failed board's other transactions are skipped this cycle.
void ControlCycle::read_boards(TimePoint now) {
    links_.begin_cycle();
    distance_step_m_ = 0;
    auto d = hw_.read_drive(now);
    if (d) {
        links_.record_success(Board::motor, now);
        drive_now_ = drive_last_ = *d;
    } else {
        links_.record_failure(Board::motor, d.error());
        drive_now_.reset();
    }
    auto i = hw_.read_incline(now);
    if (i) {
        links_.record_success(Board::incline, now);
        incline_now_ = incline_last_ = *i;
        distance_step_m_ = odometer_.update(i->odometer_cm, workout_s_);
    } else {
        links_.record_failure(Board::incline, i.error());
        incline_now_.reset();
    }
}

Observations ControlCycle::observe() const {
    Observations o;
    o.workout_s = workout_s_;
    o.drive = drive_now_;
    o.incline = incline_now_;
    o.motor_link = links_.observation(Board::motor);
    o.incline_link = links_.observation(Board::incline);
    o.config_check = config_check_;
    o.commanded = commanded_;
    o.board_faults_stale = board_faults_stale_;
    return o;
}

void ControlCycle::supervise(TimePoint now) {
    const bool was_latched = supervisor_.latched();
    const SafetyAction action = supervisor_.update(now, observe());
    links_.errors_seen();
    config_check_.reset();
    if (action != SafetyAction::stop || was_latched) return;
    if (resetting_) {
        log_event(now, "reset abandoned: a new fault");
        resetting_ = false;
        clearing_fault_.reset();
    }
    enter_fault(now);
}

// Any state -> fault: the session ends, the belt gets STOP and the lift halts (S11: logged).
void ControlCycle::enter_fault(TimePoint now) {
    trip_cycle_ = true;
    std::string cause = "fault";
    if (const auto& f = supervisor_.fault()) {
        cause += " " + std::string(to_string(f->code));
        log_event(now, cause + ": " + f->message);
    }
    if (session_.state() != State::fault)
        setpoint_log_.record(SetpointChange{now, session_.elapsed_s(), SetpointKind::speed,
                                            commanded_.run ? commanded_.speed_kmh : 0.0, 0.0,
                                            SetpointCause::safety, cause + ": STOP"});
    session_.enter_fault(now);
    limiter_.reset_speed(0);
    commanded_ = Commanded{};
}

// Session, program and rate limiter: the commands of this cycle.
void ControlCycle::decide(TimePoint now) {
    if (session_.state() == State::fault) {
        commanded_ = Commanded{};
        if (resetting_ && !supervisor_.latched() && incline_now_ &&
            incline_now_->roller_speed_kmh < kBeltStoppedKmh)
            finish_reset(now);
        return;
    }
    SessionInputs in;
    in.now = now;
    in.workout_dt_s = workout_dt_s_;
    in.distance_m = distance_step_m_;
    in.roller_kmh = incline_last_ ? incline_last_->roller_speed_kmh : 0.0;
    if (incline_last_) in.incline_pct = incline_last_->incline_pct;
    in.speed_command_kmh = limiter_.speed();
    const SessionTargets t = session_.tick(in);
    const double speed = limiter_.update_speed(t.speed_kmh, workout_dt_s_);
    commanded_.run = speed > 0;
    commanded_.speed_kmh = speed;
    commanded_.incline_goal_pct.reset();
    if (t.incline_pct) {
        limiter_.update_incline(*t.incline_pct, workout_dt_s_);
        commanded_.incline_goal_pct = limiter_.clamp_incline(*t.incline_pct);
    }
}

void ControlCycle::write_boards(TimePoint now) {
    if (session_.state() == State::fault) {
        write_fault_stop(now, trip_cycle_);
        trip_cycle_ = false;
        return;
    }
    write_drive(now, DriveWrite{commanded_.run, commanded_.run ? commanded_.speed_kmh : 0.0});
    if (commanded_.incline_goal_pct)
        write_incline(now, InclineWrite{InclineWrite::Kind::move, limiter_.incline()});
    else if (calibrate_requested_ && session_.state() == State::idle)
        write_incline(now, InclineWrite{InclineWrite::Kind::calibrate, 0.0});
    calibrate_requested_ = false;
}

// STOP to the drive first, then halt the lift (rule S1: STOP is the first write).
void ControlCycle::write_fault_stop(TimePoint now, bool best_effort) {
    write_drive(now, DriveWrite{}, best_effort);
    write_incline(now, InclineWrite{InclineWrite::Kind::stop, 0.0});
}

void ControlCycle::write_drive(TimePoint now, const DriveWrite& w, bool best_effort) {
    if (links_.failed_this_cycle(Board::motor) && !best_effort) return;
    auto r = hw_.write_drive(now, w);
    if (r)
        links_.record_success(Board::motor, now);
    else
        links_.record_failure(Board::motor, r.error());
}

// Writes the incline board only when its command changes (or the last write failed).
void ControlCycle::write_incline(TimePoint now, const InclineWrite& w) {
    if (links_.failed_this_cycle(Board::incline)) return;
    if (incline_written_ && !incline_write_failed_ && same_write(*incline_written_, w)) return;
    auto r = hw_.write_incline(now, w);
    incline_written_ = w;
    incline_write_failed_ = !r;
    if (r)
        links_.record_success(Board::incline, now);
    else
        links_.record_failure(Board::incline, r.error());
}

// S4: about once a second, one board's settings read back, boards alternating.
void ControlCycle::verify_config(TimePoint now) {
    // Not in fault, nor once a reset went back to `connecting` (the boards not configured yet).
    if (session_.state() == State::fault || session_.state() == State::connecting) return;
    if (last_verify_ && now - *last_verify_ < kVerifyInterval) return;
    const Board board = next_verify_;
    if (links_.failed_this_cycle(board)) return;
    last_verify_ = now;
    next_verify_ = board == Board::motor ? Board::incline : Board::motor;
    auto r = hw_.verify(now, board);
    if (!r) {
        links_.record_failure(board, r.error());
        return;
    }
    links_.record_success(board, now);
    config_check_ = std::make_pair(board, *r);
}

// A re-opened link may reach a board that restarted with its settings lost (its dead-man
// among them): forgetting the limits makes the next reset go through `connecting`, which
// configures and reads back both boards before `idle`. The fault (comm_loss) stays latched.
void ControlCycle::note_links(TimePoint now) {
    for (Board b : {Board::motor, Board::incline}) {
        if (b == Board::incline && config_.shared_bus) break;
        const LinkHealth health = hw_.link_health(b);
        const LinkChange change = links_.note_link(b, health);
        const std::string link = std::string(config_.shared_bus ? "bus" : board_name(b)) + " link";
        if (change == LinkChange::lost) {
            const auto& e = links_.stats(b).last_error;
            log_event(now, link + " lost: " + (e ? e.value().message : std::string("closed")) +
                               "; reopening periodically");
        } else if (change == LinkChange::reopened) {
            log_event(now, link + " re-opened; the boards will be configured again before idle");
            board_limits_.reset();
            trip_on_reopen(now, link);
        }
    }
}

// A re-open outside `fault` and `connecting` (only with a reconnect interval shorter than S2's
// window): comm_loss all the same, the board behind it may have lost its settings.
void ControlCycle::trip_on_reopen(TimePoint now, const std::string& link) {
    const State s = session_.state();
    if (s == State::fault || s == State::connecting || supervisor_.latched()) return;
    supervisor_.trip(Fault{FaultCode::comm_loss, std::nullopt, link + " re-opened", now});
    enter_fault(now);
}

void ControlCycle::log_event(TimePoint now, std::string text) {
    if (event_sink_) event_sink_(now, text);
    if (events_.size() >= kEventRing) events_.pop_front();
    events_.push_back(std::move(text));
}

}  // namespace treadmill::controller
