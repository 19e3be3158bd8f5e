// A histogram of short durations (a cycle's start delay, its length, a request's service time)
// in fixed millisecond buckets, so that two readings subtracted give the values in between.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "common/clock.hpp"

namespace treadmill {

// The upper bounds (ms) of the buckets; one more bucket above the last.
inline constexpr std::array<double, 21> kLatencyBoundsMs{
    0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 200, 500};
using LatencyHistogram = std::array<std::uint64_t, kLatencyBoundsMs.size() + 1>;

// The bucket of a duration: the first whose bound it does not exceed (the last: above all).
inline std::size_t latency_bucket(Duration d) {
    const double ms = std::chrono::duration<double, std::milli>(d).count();
    const auto bound = std::lower_bound(kLatencyBoundsMs.begin(), kLatencyBoundsMs.end(), ms);
    return static_cast<std::size_t>(bound - kLatencyBoundsMs.begin());
}

}  // namespace treadmill
