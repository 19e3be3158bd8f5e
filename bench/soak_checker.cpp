#include "bench/soak_checker.hpp"

#include <cstdio>

namespace treadmill::soak {

namespace {
constexpr int kRunForward = 0x0012;

std::string format(const char* fmt, double a, double b = 0, double c = 0) {
    char text[200];
    std::snprintf(text, sizeof text, fmt, a, b, c);
    return text;
}
}  // namespace

void SoakChecker::check(const std::vector<DriveWrite>& writes) {
    for (const auto& w : writes) {
        apply_events_until(w.t);
        check_one(w);
    }
}

void SoakChecker::apply_events_until(double t) {
    while (!events_.empty() && events_.begin()->first <= t) {
        const auto& [at, event] = *events_.begin();
        if (event.kind == Event::start) {
            start_armed_ = true;
            must_stop_at_.reset();
        } else if (!must_stop_at_) {
            must_stop_at_ = at;
            must_stop_why_ = event.why;
        }
        events_.erase(events_.begin());
    }
}

void SoakChecker::check_one(const DriveWrite& w) {
    const bool run = w.command == kRunForward;
    if (!run) {
        last_ = w;
        return;
    }
    ++run_writes_;
    if (must_stop_at_) {
        const double lag = w.t - *must_stop_at_;
        if (lag > limits_.stop_allowance_s)
            violation(w, "RUN " + format("%.3f s", lag) + " after " + must_stop_why_);
        else if (lag > worst_stop_lag_s_)
            worst_stop_lag_s_ = lag;
    }
    const double max_units = limits_.max_kmh * limits_.units_per_kmh + limits_.rounding_units;
    if (w.frequency > max_units)
        violation(w, format("RUN above max speed: %.0f units", w.frequency));
    const bool from_standstill = !last_ || last_->command != kRunForward;
    if (from_standstill) {
        if (!start_armed_) violation(w, "motion resumed without an explicit start");
        start_armed_ = false;
        const double first_max = limits_.min_kmh * limits_.units_per_kmh + limits_.rounding_units;
        if (w.frequency > first_max)
            violation(w, format("first RUN after standstill at %.0f units", w.frequency));
    } else if (w.frequency >= 0 && last_->frequency >= 0) {
        check_rate(*last_, w);
    }
    last_ = w;
}

// Consecutive RUN writes: the change at most the limit over their interval plus one period of
// arrival jitter and one speed step (as tests/e2e/program_tests.cpp judges it).
void SoakChecker::check_rate(const DriveWrite& a, const DriveWrite& b) {
    const double dt = b.t - a.t + limits_.arrival_jitter_s;
    const double up = limits_.accel_kmh_per_s * limits_.units_per_kmh * dt + limits_.rounding_units;
    const double down =
        limits_.decel_kmh_per_s * limits_.units_per_kmh * dt + limits_.rounding_units;
    const double change = b.frequency - a.frequency;
    if (change > up || -change > down)
        violation(b,
                  format("RUN %.0f -> %.0f units in %.3f s", a.frequency, b.frequency, b.t - a.t));
}

void SoakChecker::violation(const DriveWrite& w, const std::string& what) {
    violations_.push_back(format("t=%.3f s: ", w.t) + what);
    std::fprintf(stderr, "soak: VIOLATION %s\n", violations_.back().c_str());
}

}  // namespace treadmill::soak
