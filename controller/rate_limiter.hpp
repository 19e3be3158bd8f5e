// Rule S9: the commanded speed and incline move toward their targets no faster than the
// configured rates, never beyond the machine's limits, on the speed step's grid. The only jump
// allowed is the start of the belt: 0 -> minimum speed in one step.
#pragma once

#include "controller/config.hpp"

namespace treadmill::controller {

// A requested speed as a set-point: 0 stays 0 (stop), else clamped to [min, max] speed and
// rounded to the speed step.
double clamp_speed(const Limits& limits, double kmh);
// A requested incline clamped to [min, max] incline, rounded to the board's 0.1 %.
double clamp_incline(const Limits& limits, double pct);

class RateLimiter {
  public:
    explicit RateLimiter(const Limits& limits) : limits_(limits) {}

    // Moves the speed toward `target_kmh` (0 stops) over `dt_s` of workout time; returns the
    // command: 0, or within [min, max] speed once started, a multiple of speed_step.
    double update_speed(double target_kmh, double dt_s);
    // Moves the incline toward `target_pct` at incline_rate; returns the command (0.1 % grid).
    double update_incline(double target_pct, double dt_s);

    double speed() const { return speed_out_; }
    double incline() const { return incline_out_; }
    // Forces the state (the belt was stopped by a fault, the deck was read at some position).
    void reset_speed(double kmh);
    void reset_incline(double pct);

    // The target a request turns into: clamped to the limits and rounded to the step.
    double clamp_speed(double kmh) const { return controller::clamp_speed(limits_, kmh); }
    double clamp_incline(double pct) const { return controller::clamp_incline(limits_, pct); }

  private:
    Limits limits_;
    double speed_ = 0;      // exact ramp
    double speed_out_ = 0;  // on the grid
    double incline_ = 0;
    double incline_out_ = 0;
};

}  // namespace treadmill::controller
