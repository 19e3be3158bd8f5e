// Checks over the drive writes a board recorded (see drive_writes in e2e_rig.hpp), shared by the
// end-to-end tests.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "tests/e2e/e2e_rig.hpp"

namespace treadmill::e2e {

// The limiter works on the cycle's own clock; the board stamps a write when it arrives, which
// can be late by up to about a control period (RTU reads before the write vary).
constexpr double kArrivalJitter = 0.1;
constexpr int kRounding = 31;  // one speed step (0.1 km/h = 30 units) + rounding

// Consecutive RUN writes from writes[from] on never change faster than accel/decel (in
// frequency units per second), allowing one arrival jitter per pair.
inline void check_rates(const std::vector<DriveWrite>& writes, double accel_units,
                        double decel_units, std::size_t from = 0) {
    for (std::size_t i = from + 1; i < writes.size(); ++i) {
        const auto& a = writes[i - 1];
        const auto& b = writes[i];
        if (a.command != kRunForward || b.command != kRunForward) continue;
        const double dt = b.t - a.t;
        INFO("writes at " << a.t << " s (" << a.frequency << ") and " << b.t << " s ("
                          << b.frequency << ")");
        CHECK(b.frequency - a.frequency <= accel_units * (dt + kArrivalJitter) + kRounding);
        CHECK(a.frequency - b.frequency <= decel_units * (dt + kArrivalJitter) + kRounding);
    }
}

}  // namespace treadmill::e2e
