// The belt physics.
#include "sim/physics.hpp"

#include <algorithm>
#include <cmath>

namespace treadmill::sim {

double Physics::slip(double incline_pct) const {
    const double load = config_.runner_mass_kg / 75.0 * (1.0 + std::max(0.0, incline_pct) / 10.0);
    return std::clamp(0.01 * load, 0.0, 0.1);
}

void Physics::step(double dt, DriveOutput drive, double incline_pct) {
    if (dt <= 0.0) return;
    if (stalled_) {
        belt_kmh_ = 0.0;
    } else if (runaway_) {
        belt_kmh_ =
            std::min(config_.runaway_max_kmh, belt_kmh_ + config_.runaway_accel_kmh_per_s * dt);
    } else if (drive.active) {
        const double target = drive.hz * config_.kmh_per_hz * (1.0 - slip(incline_pct));
        const double k = 1.0 - std::exp(-dt / config_.follow_time_constant_s);
        belt_kmh_ += (target - belt_kmh_) * k;
    } else {
        belt_kmh_ = belt_kmh_ * std::exp(-dt / config_.coast_time_constant_s) -
                    config_.coast_friction_kmh_per_s * dt;
    }
    if (belt_kmh_ < 0.005) belt_kmh_ = 0.0;  // also ends a coast
    odometer_m_ += belt_kmh_ / 3.6 * dt;
}

double Physics::motor_current_a(DriveOutput drive, double incline_pct) const {
    if (!drive.active || drive.hz <= 0.0) return 0.0;
    const double mass = config_.runner_mass_kg / 75.0;
    const double motor_kmh = drive.hz * config_.kmh_per_hz;
    double amps = 1.2 + 0.25 * motor_kmh * mass + 0.15 * std::max(0.0, incline_pct) * mass;
    if (stalled_) amps *= 2.0;  // a locked rotor
    return amps;
}

}  // namespace treadmill::sim
