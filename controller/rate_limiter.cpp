#include "controller/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace treadmill::controller {

namespace {

constexpr double kInclineGridPct = 0.1;  // the incline board's resolution
constexpr double kEpsilon = 1e-9;

double round_to(double v, double step) {
    return std::round(v / step) * step;
}

// Moves `from` toward `to` by at most `max_step`.
double approach(double from, double to, double max_step) {
    if (to > from) return std::min(to, from + max_step);
    return std::max(to, from - max_step);
}

// The grid point next to `exact` on the side of `from`: a quantized ramp never runs ahead.
double lagging_grid(double exact, double from, double step) {
    const double q = exact / step;
    const double k = exact >= from ? std::floor(q + kEpsilon) : std::ceil(q - kEpsilon);
    return k * step;
}

}  // namespace

double clamp_speed(const Limits& limits, double kmh) {
    if (kmh <= kEpsilon) return 0;
    const double clamped = std::clamp(kmh, limits.min_speed_kmh, limits.max_speed_kmh);
    const double rounded = round_to(clamped, limits.speed_step_kmh);
    return std::clamp(rounded, limits.min_speed_kmh, limits.max_speed_kmh);
}

double clamp_incline(const Limits& limits, double pct) {
    const double clamped = std::clamp(pct, limits.min_incline_pct, limits.max_incline_pct);
    const double rounded = round_to(clamped, kInclineGridPct);
    return std::clamp(rounded, limits.min_incline_pct, limits.max_incline_pct);
}

double RateLimiter::update_speed(double target_kmh, double dt_s) {
    const double target = clamp_speed(target_kmh);
    const double dt = std::max(0.0, dt_s);
    if (speed_ <= kEpsilon && target > 0) {
        speed_ = limits_.min_speed_kmh;  // the single allowed step: starting the belt
        speed_out_ = clamp_speed(speed_);
        return speed_out_;  // the ramp continues from here next cycle
    }
    const double rate = target > speed_ ? limits_.accel_kmh_per_s : limits_.decel_kmh_per_s;
    const double before = speed_out_;
    speed_ = approach(speed_, target, rate * dt);
    double out = std::abs(speed_ - target) < kEpsilon
                     ? target
                     : lagging_grid(speed_, before, limits_.speed_step_kmh);
    out = std::clamp(out, 0.0, limits_.max_speed_kmh);
    if (speed_ <= kEpsilon) out = 0;
    speed_out_ = out;
    return speed_out_;
}

double RateLimiter::update_incline(double target_pct, double dt_s) {
    const double target = clamp_incline(target_pct);
    const double before = incline_out_;
    incline_ = approach(incline_, target, limits_.incline_rate_pct_per_s * std::max(0.0, dt_s));
    double out = std::abs(incline_ - target) < kEpsilon
                     ? target
                     : lagging_grid(incline_, before, kInclineGridPct);
    incline_out_ = std::clamp(out, limits_.min_incline_pct, limits_.max_incline_pct);
    return incline_out_;
}

void RateLimiter::reset_speed(double kmh) {
    speed_ = std::clamp(kmh, 0.0, limits_.max_speed_kmh);
    speed_out_ = speed_ <= kEpsilon ? 0 : round_to(speed_, limits_.speed_step_kmh);
}

void RateLimiter::reset_incline(double pct) {
    incline_ = std::clamp(pct, limits_.min_incline_pct, limits_.max_incline_pct);
    incline_out_ = round_to(incline_, kInclineGridPct);
}

}  // namespace treadmill::controller
