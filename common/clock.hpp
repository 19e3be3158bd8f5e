// Time as the logic sees it: always passed in, never read below main().
#pragma once

#include <chrono>

namespace treadmill {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Duration = SteadyClock::duration;
using Seconds = std::chrono::duration<double>;

// Seconds between two time points, as a double.
inline double seconds_between(TimePoint from, TimePoint to) {
    return std::chrono::duration_cast<Seconds>(to - from).count();
}

}  // namespace treadmill
