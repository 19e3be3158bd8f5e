// A control cycle on a FakeTreadmill under virtual time, with helpers to build timelines and
// to run cycles until something happens.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>

#include "controller/control_cycle.hpp"
#include "programs/timeline.hpp"
#include "tests/controller/fake_treadmill.hpp"

namespace treadmill::testing {

using namespace std::chrono_literals;
using controller::ControlConfig;
using controller::ControlCycle;
using controller::State;
using Call = FakeTreadmill::Call;

// One step of a hand-made timeline.
struct StepSpec {
    StepSpec(double extent_, double speed_, double incline_ = 0, bool distance_ = false,
             bool manual_ = false)
        : extent(extent_),
          speed_kmh(speed_),
          incline_pct(incline_),
          distance(distance_),
          manual(manual_) {}
    double extent;  // seconds (or metres with distance = true)
    double speed_kmh;
    double incline_pct;
    bool distance;
    bool manual;
    std::optional<double> speed_end_kmh;
};

inline programs::Timeline make_timeline(std::initializer_list<StepSpec> specs) {
    programs::Timeline t;
    t.id = "test";
    t.name = "Test program";
    t.seeds = {42};
    for (const StepSpec& s : specs) {
        programs::TimelineStep step;
        step.index = t.steps.size();
        step.extent_kind = s.distance ? programs::ExtentKind::distance : programs::ExtentKind::time;
        step.extent = s.extent;
        step.speed_kmh = s.speed_kmh;
        step.speed_end_kmh = s.speed_end_kmh.value_or(s.speed_kmh);
        step.incline_pct = step.incline_end_pct = s.incline_pct;
        step.manual_speed = s.manual;
        step.cue = "step " + std::to_string(t.steps.size() + 1);
        t.steps.push_back(step);
        t.total_s += s.distance ? 0 : s.extent;
    }
    return t;
}

struct Rig {
    // The cycle's clock: its start, or the end of the fake's last transaction when later.
    explicit Rig(ControlConfig c = {})
        : config(c), cycle(hw, config, [this] { return std::max(now, hw.busy_until()); }) {
        hw.time_scale = config.time_scale;
    }

    FakeTreadmill hw;
    ControlConfig config;
    ControlCycle cycle;
    TimePoint now = TimePoint{} + 1000s;

    // One period later (or when the previous cycle's I/O ended, as the daemon's loop), one cycle.
    void tick() {
        now = std::max(now + config.period, hw.busy_until());
        cycle.cycle(now);
    }
    void run_for(Duration d) {
        const TimePoint end = now + d;
        while (now < end) tick();
    }
    // Cycles until `pred` holds; false when `limit` passes first.
    bool run_until(const std::function<bool()>& pred, Duration limit = 60s) {
        const TimePoint end = now + limit;
        while (now < end) {
            if (pred()) return true;
            tick();
        }
        return pred();
    }
    bool reach(State s, Duration limit = 60s) {
        return run_until([&] { return cycle.state() == s; }, limit);
    }
    // The latched fault's code as the API reports it, or "none".
    std::string fault_code() const {
        const auto f = cycle.status(now).fault;
        return f ? f->code : std::string("none");
    }
    // Connected and idle.
    void connect() { reach(State::idle, 5s); }
    // Started a program and running at its first step.
    void start(programs::Timeline t) {
        connect();
        cycle.start(std::move(t), now);
        reach(State::running, 10s);
    }
};

}  // namespace treadmill::testing
