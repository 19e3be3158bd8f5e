// Rule S9: the rate limiter.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "controller/rate_limiter.hpp"

using treadmill::controller::Limits;
using treadmill::controller::RateLimiter;

TEST_CASE("S9: the belt starts with the single step 0 -> minimum speed, then ramps at accel") {
    Limits l;
    RateLimiter r(l);
    CHECK(r.update_speed(10.0, 0.1) == doctest::Approx(l.min_speed_kmh));
    const double start = r.speed();
    double prev = start;
    for (int i = 1; i <= 200; ++i) {
        const double v = r.update_speed(10.0, 0.1);
        // Never ahead of the ramp since the start, never more than one step in a cycle.
        CHECK(v - start <= l.accel_kmh_per_s * 0.1 * i + 1e-9);
        CHECK(v - prev <= l.speed_step_kmh + 1e-9);
        CHECK(v >= prev);
        prev = v;
    }
    CHECK(prev == doctest::Approx(10.0));
}

TEST_CASE("S9: deceleration never exceeds decel, down to 0 (STOP)") {
    Limits l;
    RateLimiter r(l);
    r.reset_speed(12.0);
    const double start = r.speed();
    double prev = start;
    for (int i = 1; i <= 200; ++i) {
        const double v = r.update_speed(0.0, 0.1);
        CHECK(start - v <= l.decel_kmh_per_s * 0.1 * i + 1e-9);  // never ahead of the ramp
        CHECK(v <= prev);
        prev = v;
    }
    CHECK(prev == 0.0);
}

TEST_CASE("S9: over any window the quantized ramp stays within the rate (finer than the step)") {
    Limits l;
    l.accel_kmh_per_s = 0.3;  // 0.03 km/h per cycle, below the 0.1 km/h step
    RateLimiter r(l);
    r.update_speed(5.0, 0.1);
    std::vector<double> out;
    for (int i = 0; i < 200; ++i) out.push_back(r.update_speed(5.0, 0.1));
    for (std::size_t a = 0; a < out.size(); ++a)
        for (std::size_t b = a + 1; b < out.size(); b += 7)
            CHECK(out[b] - out[a] <= 0.3 * 0.1 * static_cast<double>(b - a) + 0.1 + 1e-9);
    for (double v : out) CHECK(std::abs(v * 10 - std::round(v * 10)) < 1e-6);  // on the grid
    CHECK(out.back() > 4.0);
}

TEST_CASE("S9: nothing above max speed or max incline, whatever is asked") {
    Limits l;
    RateLimiter r(l);
    for (int i = 0; i < 500; ++i) CHECK(r.update_speed(99.0, 0.1) <= l.max_speed_kmh);
    CHECK(r.speed() == doctest::Approx(l.max_speed_kmh));
    for (int i = 0; i < 500; ++i) CHECK(r.update_incline(40.0, 0.1) <= l.max_incline_pct);
    CHECK(r.incline() == doctest::Approx(l.max_incline_pct));
    for (int i = 0; i < 500; ++i) CHECK(r.update_incline(-5.0, 0.1) >= l.min_incline_pct);
}

TEST_CASE("S9: the incline moves at incline_rate on a 0.1 % grid") {
    Limits l;
    RateLimiter r(l);
    double prev = 0;
    for (int i = 0; i < 100; ++i) {
        const double v = r.update_incline(6.0, 0.1);
        CHECK(v - prev <= 0.1 + 1e-9);
        prev = v;
    }
    // 10 s at 0.6 %/s: 6 %.
    CHECK(prev == doctest::Approx(6.0));
}

TEST_CASE("S9: requests are clamped and rounded to the speed step") {
    Limits l;
    CHECK(treadmill::controller::clamp_speed(l, 12.34) == doctest::Approx(12.3));
    CHECK(treadmill::controller::clamp_speed(l, 0.3) == doctest::Approx(0.8));
    CHECK(treadmill::controller::clamp_speed(l, 0.0) == 0.0);
    CHECK(treadmill::controller::clamp_incline(l, 22.0) == doctest::Approx(15.0));
    CHECK(treadmill::controller::clamp_incline(l, 3.04) == doctest::Approx(3.0));
}
