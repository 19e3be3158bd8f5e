// The `connecting` sequence: STOP to both boards, configure and read back (S3), the boards'
// limits against the configuration, leftover comm faults of a previous run reset and logged,
// the belt at 0; then `idle`. No answer: retry each second with the reason in the status.
#include "controller/control_cycle.hpp"
#include "controller/text.hpp"
#include "protocols/register_map.hpp"

namespace treadmill::controller {

void ControlCycle::connect_step(TimePoint now) {
    if (now < next_connect_) return;
    links_.begin_cycle();
    drive_acknowledged_.forget();  // the STOP below is not judged; the first idle cycle's is
    if (auto r = hw_.write_drive(now, DriveWrite{}); !r)
        return connect_failed(now, Board::motor, r.error());
    if (auto r = hw_.write_incline(now, InclineWrite{}); !r)
        return connect_failed(now, Board::incline, r.error());
    incline_written_ = InclineWrite{};
    if (!board_limits_ && !connect_configure(now)) return;
    auto d = hw_.read_drive(now);
    if (!d) return connect_failed(now, Board::motor, d.error());
    auto i = hw_.read_incline(now);
    if (!i) return connect_failed(now, Board::incline, i.error());
    drive_last_ = *d;
    incline_last_ = *i;
    if (!connect_clear_leftovers(now, *d, *i)) return;
    if (i->roller_speed_kmh >= kBeltStoppedKmh) {
        connect_reason_ =
            "waiting for the belt to stop (roller " + one_decimal(i->roller_speed_kmh) + " km/h)";
        next_connect_ = now;
        return;
    }
    connect_done(now, *i);
}

// Configure both boards (S3), read the settings back, check the limits. False: not done.
bool ControlCycle::connect_configure(TimePoint now) {
    auto r = hw_.configure(now, config_.board_settings());
    if (!r) {
        connect_failed(now, r.error().board, r.error().error);
        return false;
    }
    for (Board b : {Board::motor, Board::incline}) {
        auto v = hw_.verify(now, b);
        if (!v) {
            connect_failed(now, b, v.error());
            return false;
        }
        if (!v->ok()) {
            readback_.note_mismatch();  // written again once a second while latched
            supervisor_.trip(
                Fault{FaultCode::board_config, std::nullopt,
                      std::string(board_name(b)) + ": settings do not read back as written", now});
            enter_fault(now);
            write_fault_stop(now, true);
            return false;
        }
    }
    if (!connect_check_limits(now, *r)) return false;
    board_limits_ = *r;
    log_event(now, "boards configured and read back; limits read");
    return true;
}

// A link error while connecting: exceptions 01-04 are faults (a wrong map, a failed board);
// anything else (no answer) is retried in a second.
void ControlCycle::connect_failed(TimePoint now, Board board, const LinkError& e) {
    links_.record_failure(board, e);
    if (e.kind == LinkError::Kind::exception && e.exception_code != regmap::exception::kBusy) {
        const bool failure = e.exception_code == regmap::exception::kDeviceFailure;
        supervisor_.trip(Fault{failure ? FaultCode::board_failure : FaultCode::protocol,
                               e.exception_code,
                               std::string(board_name(board)) + ": exception " +
                                   std::to_string(e.exception_code) + " while connecting",
                               now});
        enter_fault(now);
        write_fault_stop(now, true);
        return;
    }
    connect_reason_ = std::string("no answer from the ") + board_name(board) + ": " +
                      std::string(to_string(e.kind)) +
                      (e.message.empty() ? "" : " (" + e.message + ")") + "; retrying every second";
    next_connect_ = now + config_.connect_retry;
}

// The configuration may not ask more than the boards allow (else board_config).
bool ControlCycle::connect_check_limits(TimePoint now, const BoardLimits& b) {
    const Limits& l = config_.limits;
    std::string problem;
    if (l.max_speed_kmh > b.max_speed_kmh + 1e-6)
        problem = "limits.max_speed " + one_decimal(l.max_speed_kmh) +
                  " km/h is beyond the drive's " + one_decimal(b.max_speed_kmh) +
                  " km/h (Pr.01-00)";
    else if (l.max_incline_pct > b.max_incline_pct + 1e-6)
        problem = "limits.max_incline " + one_decimal(l.max_incline_pct) +
                  " % is beyond the incline board's " + one_decimal(b.max_incline_pct) + " %";
    else if (l.min_incline_pct < b.min_incline_pct - 1e-6)
        problem = "limits.min_incline " + one_decimal(l.min_incline_pct) +
                  " % is below the incline board's " + one_decimal(b.min_incline_pct) + " %";
    if (problem.empty()) return true;
    supervisor_.trip(Fault{FaultCode::board_config, std::nullopt, problem, now});
    enter_fault(now);
    write_fault_stop(now, true);
    return false;
}

// Comm faults left by a previous run are reset and logged; any other fault (or the key out)
// is a fault. Returns true when both boards are clear.
bool ControlCycle::connect_clear_leftovers(TimePoint now, const DriveTelemetry& d,
                                           const InclineTelemetry& i) {
    const bool drive_comm = d.fault_code == regmap::motor::kFaultCommTimeout;
    const bool incline_comm = i.fault_code == regmap::incline::kFaultCommTimeout;
    if (drive_comm || incline_comm) {
        bool reset_ok = true;
        if (drive_comm) {
            log_event(now, "drive comm-loss fault (49) left by a previous run: reset");
            reset_ok = hw_.reset_fault(now, Board::motor).ok() && reset_ok;
        }
        if (incline_comm) {
            log_event(now, "incline board comm fault (1) left by a previous run: reset");
            reset_ok = hw_.reset_fault(now, Board::incline).ok() && reset_ok;
        }
        connect_reason_ = "resetting comm faults left by a previous run";
        next_connect_ = reset_ok ? now : now + config_.connect_retry;  // read again
        return false;
    }
    const bool clear = d.fault_code == regmap::motor::kFaultNone &&
                       i.fault_code == regmap::incline::kFaultNone && i.key_present;
    if (clear) return true;
    Observations o;
    o.drive = d;
    o.incline = i;
    supervisor_.update(now, o);  // names the fault: safety_key, drive_fault, incline_fault
    enter_fault(now);
    write_fault_stop(now, true);
    return false;
}

void ControlCycle::connect_done(TimePoint now, const InclineTelemetry& i) {
    limiter_.reset_speed(0);
    limiter_.reset_incline(i.incline_pct);
    odometer_.rebase();
    odometer_.update(i.odometer_cm, workout_s_);
    links_.mark_fresh(now);
    links_.errors_seen();  // the retries while connecting are history
    readback_.restart();   // both boards were just read back whole
    connect_reason_.reset();
    session_.connected();
    ready_ = true;
    log_event(now, "connected: idle");
}

}  // namespace treadmill::controller
