#include "controller/odometer.hpp"

#include <algorithm>

namespace treadmill::controller {

double Odometer::update(std::uint32_t odometer_cm, double workout_s) {
    const Read now{odometer_cm, workout_s};
    if (!last_) {
        last_ = now;
        return 0;
    }
    // Modular difference: correct across the 2^32 wrap.
    const std::uint32_t advance_cm = odometer_cm - last_->cm;
    const double elapsed = std::max(0.0, workout_s - last_->workout_s);
    const double plausible_cm = (max_speed_kmh_ / 3.6 * elapsed * 1.5 + 1.0) * 100.0;
    last_ = now;
    if (static_cast<double>(advance_cm) > plausible_cm) return 0;  // counter restarted
    return static_cast<double>(advance_cm) / 100.0;
}

}  // namespace treadmill::controller
