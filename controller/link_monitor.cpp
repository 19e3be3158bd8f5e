#include "controller/link_monitor.hpp"

namespace treadmill::controller {

void LinkMonitor::begin_cycle() {
    for (Slot* s : {&motor_, &incline_}) s->failed_this_cycle = false;
    motor_bus_timed_out_ = incline_bus_timed_out_ = false;
}

void LinkMonitor::errors_seen() {
    for (Slot* s : {&motor_, &incline_}) s->errors_this_cycle.clear();
}

int& LinkMonitor::bus_failures(Board b) {
    if (shared_bus_) return motor_bus_failures_;
    return b == Board::motor ? motor_bus_failures_ : incline_bus_failures_;
}

int LinkMonitor::bus_failures(Board b) const {
    if (shared_bus_) return motor_bus_failures_;
    return b == Board::motor ? motor_bus_failures_ : incline_bus_failures_;
}

bool& LinkMonitor::bus_timed_out(Board b) {
    if (shared_bus_) return motor_bus_timed_out_;
    return b == Board::motor ? motor_bus_timed_out_ : incline_bus_timed_out_;
}

bool LinkMonitor::bus_timed_out(Board b) const {
    if (shared_bus_) return motor_bus_timed_out_;
    return b == Board::motor ? motor_bus_timed_out_ : incline_bus_timed_out_;
}

void LinkMonitor::record_success(Board b, TimePoint now) {
    Slot& s = slot(b);
    s.stats.last_good = now;
    s.stats.last_ok = true;
    s.consecutive_failures = 0;
    bus_failures(b) = 0;
}

void LinkMonitor::record_failure(Board b, const LinkError& e) {
    Slot& s = slot(b);
    s.stats.errors++;
    s.stats.last_ok = false;
    s.stats.last_error = e;
    s.failed_this_cycle = true;
    if (e.kind == LinkError::Kind::timeout) bus_timed_out(b) = true;
    if (s.errors_this_cycle.size() >= kErrorsKept)
        s.errors_this_cycle.erase(s.errors_this_cycle.begin());
    s.errors_this_cycle.push_back(e);
    s.consecutive_failures++;
    bus_failures(b)++;
}

LinkObservation LinkMonitor::observation(Board b) const {
    const Slot& s = slot(b);
    return LinkObservation{s.stats.last_good, bus_failures(b), s.consecutive_failures,
                           s.errors_this_cycle};
}

void LinkMonitor::mark_fresh(TimePoint now) {
    for (Slot* s : {&motor_, &incline_}) {
        s->stats.last_good = now;
        s->stats.last_ok = true;
        s->consecutive_failures = 0;
    }
    motor_bus_failures_ = 0;
    incline_bus_failures_ = 0;
}

LinkChange LinkMonitor::note_link(Board b, const LinkHealth& health) {
    Slot& s = slot(b);
    const bool reopened = s.link_opens >= 1 && health.opens > s.link_opens;
    const bool lost = s.link_open && !health.open;
    s.link_open = health.open;
    s.link_opens = health.opens;
    if (reopened) return LinkChange::reopened;
    return lost ? LinkChange::lost : LinkChange::none;
}

}  // namespace treadmill::controller
