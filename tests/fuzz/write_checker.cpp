#include "tests/fuzz/write_checker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tests/fuzz/fuzz_common.hpp"

namespace treadmill::fuzz {

namespace {
using Call = testing::FakeTreadmill::Call;
constexpr double kTolerance = 1e-6;
}  // namespace

void WriteChecker::check(const testing::FakeTreadmill& hw, const CycleContext& before) {
    const auto& log = hw.log();
    // A board's fault code is only known to the controller when its read succeeded.
    bool drive_read_ok = false;
    bool incline_read_ok = false;
    for (std::size_t i = seen_; i < log.size(); ++i) {
        if (log[i].call == Call::read_drive && log[i].ok) drive_read_ok = true;
        if (log[i].call == Call::read_incline && log[i].ok) incline_read_ok = true;
    }
    const bool forbid_run = before.fault_latched || before.key_out || before.bus_dead ||
                            (before.drive_fault && drive_read_ok) ||
                            (before.incline_fault && incline_read_ok);
    bool latched_in_cycle = false;
    for (; seen_ < log.size(); ++seen_) {
        const auto& r = log[seen_];
        latched_in_cycle = latched_in_cycle || r.latched;
        if (r.call == Call::write_drive) check_drive_write(r, forbid_run || r.latched);
        if (r.call == Call::write_incline) check_incline_write(r);
    }
    // A fault latched by the cycle's end, whenever in it: the last drive write must be STOP.
    if (latched_ || latched_in_cycle) require(!last_run_, "a fault latched and no STOP after it");
}

void WriteChecker::check_drive_write(const testing::FakeTreadmill::Record& r, bool forbid_run) {
    if (!r.drive.run) {
        last_run_.reset();
        anchor_.reset();
        return;
    }
    require(!forbid_run, "RUN written while the key is out, comm is lost or a fault is latched");
    require(std::isfinite(r.drive.speed_kmh) && r.drive.speed_kmh > 0,
            "RUN written with a speed that is not a positive number");
    require(r.drive.speed_kmh <= limits_.max_speed_kmh + kTolerance, "speed above max speed");
    check_ramp(r);
    last_run_ = r;
    ++run_writes_;
    max_run_speed_ = std::max(max_run_speed_, r.drive.speed_kmh);
}

// S9: between two RUN writes of one stretch the speed moves at most accel/decel x the elapsed
// workout time (plus one grid step: the command lags the exact ramp by less than a step); the
// first RUN after a STOP is at most the minimum speed (the single allowed 0 -> minimum step).
void WriteChecker::check_ramp(const testing::FakeTreadmill::Record& r) {
    const double v = r.drive.speed_kmh;
    if (!last_run_) {
        if (v > limits_.min_speed_kmh + kTolerance) {
            std::fprintf(stderr, "first RUN at %.3f km/h\n", v);
            violation("the belt started above minimum speed");
        }
        anchor_ = r;
        direction_ = 0;
        return;
    }
    const double dv = v - last_run_->drive.speed_kmh;
    const int direction = dv > kTolerance ? 1 : (dv < -kTolerance ? -1 : 0);
    if (direction != 0 && direction_ != 0 && direction != direction_) anchor_ = last_run_;
    if (direction != 0) direction_ = direction;
    check_rate(*last_run_, r);
    check_rate(*anchor_, r);
}

void WriteChecker::check_rate(const testing::FakeTreadmill::Record& from,
                              const testing::FakeTreadmill::Record& to) {
    const double dt = seconds_between(from.at, to.at) * time_scale_;
    const double dv = to.drive.speed_kmh - from.drive.speed_kmh;
    const double down_rate = std::max(limits_.decel_kmh_per_s, limits_.estop_decel_kmh_per_s);
    const double allowed =
        (dv > 0 ? limits_.accel_kmh_per_s : down_rate) * dt + limits_.speed_step_kmh + kTolerance;
    if (std::abs(dv) > allowed) {
        std::fprintf(stderr, "RUN %.3f -> %.3f km/h in %.3f s (allowed %.3f)\n",
                     from.drive.speed_kmh, to.drive.speed_kmh, dt, allowed);
        violation("speed changed faster than accel/decel allow");
    }
}

void WriteChecker::check_incline_write(const testing::FakeTreadmill::Record& r) {
    if (r.incline.kind != InclineWrite::Kind::move) return;
    const double t = r.incline.target_pct;
    if (!(t >= limits_.min_incline_pct - kTolerance && t <= limits_.max_incline_pct + kTolerance)) {
        std::fprintf(stderr, "incline target %.3f %%\n", t);
        violation("incline target beyond min/max incline");
    }
}

void WriteChecker::checked_cycle(controller::ControlCycle& cycle, testing::FakeTreadmill& hw,
                                 bool bus_dead, TimePoint now) {
    CycleContext before;
    before.fault_latched =
        cycle.supervisor().latched() || cycle.state() == controller::State::fault;
    before.key_out = !hw.key_present;
    before.bus_dead = bus_dead;
    before.drive_fault = hw.drive_fault != 0;
    before.incline_fault = hw.incline_fault != 0;
    hw.latched_probe = [&cycle] {
        return cycle.supervisor().latched() || cycle.state() == controller::State::fault;
    };
    cycle.cycle(now);
    hw.latched_probe = nullptr;
    latched_ = cycle.supervisor().latched();
    check(hw, before);
}

}  // namespace treadmill::fuzz
