#include "controller/control_cycle.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "controller/text.hpp"

namespace treadmill::controller {

namespace {

constexpr std::size_t kEventRing = 64;

bool same_write(const InclineWrite& a, const InclineWrite& b) {
    return a.kind == b.kind && (a.kind != InclineWrite::Kind::move || a.target_pct == b.target_pct);
}

}  // namespace

ControlCycle::ControlCycle(TreadmillHardware& hardware, const ControlConfig& config, Clock clock)
    : hw_(hardware),
      config_(config),
      clock_(std::move(clock)),
      setpoint_log_(config.setpoint_log_size),
      supervisor_(config_),
      session_(config_, setpoint_log_),
      limiter_(config_.limits),
      links_(config_.shared_bus),
      odometer_(config_.limits.max_speed_kmh),
      readback_(hardware) {}

void ControlCycle::cycle(TimePoint now) {
    fault_stop_written_ = false;
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

// One transaction per board. After a failure that board's other transactions are skipped this
// cycle, after a time-out those of every board on its bus (the drive's read may leave the
// incline board unread).
void ControlCycle::read_boards(TimePoint now) {
    links_.begin_cycle();
    distance_step_m_ = 0;
    drive_now_.reset();
    incline_now_.reset();
    if (auto d = hw_.read_drive(time_now(now)); d) {
        links_.record_success(Board::motor, time_now(now));
        drive_now_ = drive_last_ = *d;
    } else {
        link_failed(now, Board::motor, d.error());
    }
    if (links_.failed_this_cycle(Board::incline)) return;
    if (auto i = hw_.read_incline(time_now(now)); i) {
        links_.record_success(Board::incline, time_now(now));
        incline_now_ = incline_last_ = *i;
        distance_step_m_ = odometer_.update(i->odometer_cm, workout_s_);
    } else {
        link_failed(now, Board::incline, i.error());
    }
}

TimePoint ControlCycle::time_now(TimePoint at_least) const {
    return clock_ ? std::max(at_least, clock_()) : at_least;
}

void ControlCycle::link_failed(TimePoint now, Board board, const LinkError& e) {
    links_.record_failure(board, e);
    if (session_.state() == State::connecting || supervisor_.latched()) return;
    const TimePoint decided = time_now(now);
    const SafetyAction action = supervisor_.update_links(decided, links_.observation(Board::motor),
                                                         links_.observation(Board::incline));
    if (action != SafetyAction::stop) return;
    on_new_fault(decided);
    write_fault_stop(decided, true);
    trip_cycle_ = false;
    fault_stop_written_ = true;
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
    o.drive_acknowledged = drive_acknowledged_;
    o.board_faults_stale = board_faults_stale_;
    return o;
}

void ControlCycle::supervise(TimePoint now) {
    const TimePoint decided = time_now(now);
    const bool was_latched = supervisor_.latched();
    const SafetyAction action = supervisor_.update(decided, observe());
    links_.errors_seen();
    config_check_.reset();
    if (action != SafetyAction::stop || was_latched) return;
    on_new_fault(decided);
}

void ControlCycle::on_new_fault(TimePoint now) {
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
        if (!fault_stop_written_) write_fault_stop(now, trip_cycle_);
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
    auto r = hw_.write_drive(time_now(now), w);
    drive_acknowledged_.note_write(now, w.run, hw_.frequency_counts(w), r.ok());
    if (r)
        links_.record_success(Board::motor, time_now(now));
    else
        link_failed(now, Board::motor, r.error());
}

// Writes the incline board only when its command changes (or the last write failed).
void ControlCycle::write_incline(TimePoint now, const InclineWrite& w) {
    if (links_.failed_this_cycle(Board::incline)) return;
    if (incline_written_ && !incline_write_failed_ && same_write(*incline_written_, w)) return;
    auto r = hw_.write_incline(time_now(now), w);
    incline_written_ = w;
    incline_write_failed_ = !r;
    if (r)
        links_.record_success(Board::incline, time_now(now));
    else
        link_failed(now, Board::incline, r.error());
}

// S4: one read-back transaction per cycle, round-robin over the parts of both boards (more
// only with a period so long that a round would take over a second). While board_config is
// latched: the settings written again at most once a second until they read back (the fault
// state writes STOP every cycle). Not in other faults, nor in `connecting`.
void ControlCycle::verify_config(TimePoint now) {
    const State state = session_.state();
    const bool restoring = supervisor_.latched(FaultCode::board_config);
    if (state == State::connecting || (state == State::fault && !restoring)) return;
    if (restoring && readback_.rewrite_due(now)) {
        // Not on a bus that just failed (S2 skips the rest of its transactions).
        if (links_.failed_this_cycle(Board::motor) || links_.failed_this_cycle(Board::incline))
            return;
        return rewrite_settings(now);
    }
    for (std::size_t n = readback_.per_cycle(config_.period); n > 0; --n) {
        const Board board = readback_.next_board();
        if (links_.failed_this_cycle(board)) return;
        auto r = readback_.read_next(time_now(now));
        if (!r) return link_failed(now, board, r.error());
        links_.record_success(board, time_now(now));
        if (!r->ok() && !config_check_) config_check_ = std::make_pair(board, *r);
    }
}

// Read-compare-write of both boards' settings (only what differs is written), then read back by
// the round. A failure here is not judged: the fault is latched already. On RTU at 19200 a
// rewrite after a drive's factory reset takes ~0.25 s of bus time (7 writes and their reads):
// that cycle runs long, at most once a second and only while the fault stands.
void ControlCycle::rewrite_settings(TimePoint now) {
    readback_.rewritten(now);
    auto r = hw_.configure(time_now(now), config_.board_settings());
    std::string outcome = r ? "board settings written again; reading them back"
                            : "board settings written again, failed on the " +
                                  std::string(board_name(r.error().board)) + ": " +
                                  r.error().error.message;
    if (outcome == rewrite_outcome_) return;
    rewrite_outcome_ = outcome;
    log_event(now, std::move(outcome));
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
