// The status snapshot of the control cycle (what the API's `status` and `watch` report).
#include <cmath>

#include "controller/control_cycle.hpp"

namespace treadmill::controller {

namespace {

FaultStatus fault_status(const Fault& f) {
    return FaultStatus{std::string(to_string(f.code)), f.message, f.since, f.board_code};
}

LinkStatus link_status(const LinkStats& s, TimePoint now, Duration no_reply_limit) {
    LinkStatus l;
    l.errors = s.errors;
    if (s.last_good) {
        l.last_good_s_ago = std::max(0.0, seconds_between(*s.last_good, now));
        l.ok = s.last_ok && now - *s.last_good <= no_reply_limit;
    }
    return l;
}

std::optional<StepStatus> step_status(const programs::Timeline& t,
                                      const programs::RunnerState& rs) {
    if (rs.done || rs.step == nullptr) return std::nullopt;
    StepStatus s;
    s.index = rs.step_index;
    s.count = t.steps.size();
    s.step_class = std::string(programs::to_string(rs.step->step_class));
    s.cue = rs.cue;
    s.rep = rs.rep;
    s.reps = rs.reps;
    s.remaining_s = rs.step_remaining_s;
    s.remaining_m = rs.step_remaining_m;
    return s;
}

}  // namespace

Status ControlCycle::status(TimePoint now) const {
    Status s;
    s.state = state();
    if (s.state == State::connecting) s.reason = connect_reason_.value_or("connecting");
    if (supervisor_.fault())
        s.fault = fault_status(*supervisor_.fault());
    else if (clearing_fault_)
        s.fault = fault_status(*clearing_fault_);
    for (const Fault& f : supervisor_.later_faults()) s.later_faults.push_back(fault_status(f));
    s.reset_pending = resetting_ || reset_requested_;
    s.resettable = s.state == State::fault && (resetting_ || !reset_blocker(now));
    if (const programs::Timeline* t = session_.timeline()) {
        s.program = ProgramStatus{t->id, t->name, t->seeds, t->source};
        if (session_.runner_state()) s.step = step_status(*t, *session_.runner_state());
        s.elapsed_s = session_.elapsed_s();
        s.distance_m = session_.distance_m();
        s.speed.program_kmh = session_.program_speed();
        s.incline.program_pct = session_.program_incline();
    }
    s.countdown_s = session_.countdown_remaining_s(now);
    s.speed.target_kmh = commanded_.run ? commanded_.speed_kmh : 0.0;
    if (incline_last_) {
        const double actual = incline_last_->roller_speed_kmh;
        s.speed.actual_kmh = actual;
        if (actual >= config_.limits.min_speed_kmh) s.pace_s_per_km = 3600.0 / actual;
        s.incline.actual_pct = incline_last_->incline_pct;
        s.key_present = incline_last_->key_present;
    }
    if (incline_written_ && incline_written_->kind == InclineWrite::Kind::move)
        s.incline.target_pct = incline_written_->target_pct;
    s.motor = link_status(links_.stats(Board::motor), now, config_.no_reply_limit);
    s.incline_link = link_status(links_.stats(Board::incline), now, config_.no_reply_limit);
    s.ready = ready_;
    return s;
}

}  // namespace treadmill::controller
