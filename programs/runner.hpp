// Follows a Timeline as the workout goes: given active (un-paused) workout time and belt
// distance, says the current step, the targets (ramps interpolated), what remains and whether
// the program is done. Pure: time and distance are passed in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "programs/timeline.hpp"

namespace treadmill::programs {

struct RunnerState {
    bool done = false;
    std::size_t step_index = 0;          // == steps.size() when done
    const TimelineStep* step = nullptr;  // nullptr when done
    double target_speed_kmh = 0;         // ramps interpolated over the step's extent
    double target_incline_pct = 0;
    bool manual_speed = false;  // the runner sets the speed in this step
    std::string cue;            // the step's cue (placeholders already filled)
    std::optional<int> rep, reps;
    double step_remaining_s = 0;  // estimates where the extent is a distance
    double step_remaining_m = 0;
    double total_remaining_s = 0;
    double total_remaining_m = 0;
};

class Runner {
  public:
    // The timeline must outlive the runner.
    explicit Runner(const Timeline& timeline);

    // Advances to the step that contains (elapsed_s, distance_m), both measured from the
    // workout's start, and returns the state there. Calls must not go back in time.
    RunnerState update(double elapsed_s, double distance_m);

    // Ends the current step now: the next step starts at (elapsed_s, distance_m).
    void skip(double elapsed_s, double distance_m);

    bool done() const;
    std::size_t step_index() const { return index_; }

  private:
    // Crosses every step boundary passed since the previous update.
    void advance(double elapsed_s, double distance_m);

    const Timeline& timeline_;
    std::size_t index_ = 0;
    double step_start_s_ = 0;  // when the current step started (workout time)
    double step_start_m_ = 0;  // and at what belt distance
    double last_s_ = 0;        // the previous update, to place boundaries crossed in between
    double last_m_ = 0;
};

}  // namespace treadmill::programs
