// What the machine may do: the `limits:` of treadmilld.yaml in engineering units, with the
// defaults of the contract. The one definition that the daemon's config, the control cycle and
// the workout engine (which reads only the speed and incline bounds) all use.
#pragma once

namespace treadmill {

// Speeds in km/h, inclines in % grade, rates per second.
struct MachineLimits {
    double min_speed_kmh = 0.8;
    double max_speed_kmh = 20.0;
    double min_incline_pct = 0.0;
    double max_incline_pct = 15.0;
    double accel_kmh_per_s = 1.0;
    double decel_kmh_per_s = 1.5;
    double estop_decel_kmh_per_s = 3.5;
    double incline_rate_pct_per_s = 0.6;
    double speed_step_kmh = 0.1;
};

}  // namespace treadmill
