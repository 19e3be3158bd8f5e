// Runner: follows the timeline by active time and belt distance.
#include "programs/runner.hpp"

#include <algorithm>

namespace treadmill::programs {

namespace {

constexpr double boundary_epsilon = 1e-9;

// How far into the step (seconds or metres, per its extent kind).
double progress(const TimelineStep& step, double since_s, double since_m) {
    return step.extent_kind == ExtentKind::time ? since_s : since_m;
}

double interpolate(double from, double to, double fraction) {
    return from + (to - from) * fraction;
}

// The value of `other` when `own` reached `at`, linear between two updates.
double between(double own0, double own1, double other0, double other1, double at) {
    if (!(own1 > own0)) return other1;
    return other0 + (other1 - other0) * std::clamp((at - own0) / (own1 - own0), 0.0, 1.0);
}

// The step's targets at `fraction` of its extent (ramps interpolated), cue and rep.
void fill_targets(RunnerState& state, const TimelineStep& step, double fraction) {
    state.step = &step;
    state.target_speed_kmh = interpolate(step.speed_kmh, step.speed_end_kmh, fraction);
    state.target_incline_pct = interpolate(step.incline_pct, step.incline_end_pct, fraction);
    state.manual_speed = step.manual_speed;
    state.cue = step.cue;
    state.rep = step.rep;
    state.reps = step.reps;
}

}  // namespace

Runner::Runner(const Timeline& timeline) : timeline_(timeline) {}

bool Runner::done() const {
    return index_ >= timeline_.steps.size();
}

void Runner::skip(double elapsed_s, double distance_m) {
    if (done()) return;
    ++index_;
    step_start_s_ = last_s_ = elapsed_s;
    step_start_m_ = last_m_ = distance_m;
}

void Runner::advance(double elapsed_s, double distance_m) {
    // The next step starts exactly at the boundary in the extent's dimension, and where the
    // other dimension was at that moment (linear between the two updates).
    while (!done()) {
        const TimelineStep& step = timeline_.steps[index_];
        const double p = progress(step, elapsed_s - step_start_s_, distance_m - step_start_m_);
        if (p < step.extent - boundary_epsilon) break;
        if (step.extent_kind == ExtentKind::time) {
            step_start_s_ += step.extent;
            step_start_m_ = between(last_s_, elapsed_s, last_m_, distance_m, step_start_s_);
        } else {
            step_start_m_ += step.extent;
            step_start_s_ = between(last_m_, distance_m, last_s_, elapsed_s, step_start_m_);
        }
        ++index_;
    }
    last_s_ = elapsed_s;
    last_m_ = distance_m;
}

RunnerState Runner::update(double elapsed_s, double distance_m) {
    advance(elapsed_s, distance_m);
    RunnerState state;
    state.step_index = index_;
    if (done()) {
        state.done = true;
        state.step_index = timeline_.steps.size();
        return state;
    }
    const TimelineStep& step = timeline_.steps[index_];
    const double p = progress(step, elapsed_s - step_start_s_, distance_m - step_start_m_);
    const double fraction = step.extent > 0 ? std::clamp(p / step.extent, 0.0, 1.0) : 1.0;
    fill_targets(state, step, fraction);
    if (step.extent_kind == ExtentKind::time) {
        state.step_remaining_s = std::max(step.extent - p, 0.0);
        state.step_remaining_m = step.distance_m * (1.0 - fraction);
    } else {
        state.step_remaining_m = std::max(step.extent - p, 0.0);
        state.step_remaining_s = step.duration_s * (1.0 - fraction);
    }
    state.total_remaining_s = state.step_remaining_s;
    state.total_remaining_m = state.step_remaining_m;
    for (std::size_t i = index_ + 1; i < timeline_.steps.size(); ++i) {
        state.total_remaining_s += timeline_.steps[i].duration_s;
        state.total_remaining_m += timeline_.steps[i].distance_m;
    }
    return state;
}

}  // namespace treadmill::programs
