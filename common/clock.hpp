// Time as the logic sees it: always passed in, never read below main().
#pragma once

#include <time.h>

#include <chrono>

namespace treadmill {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Duration = SteadyClock::duration;
using Seconds = std::chrono::duration<double>;

// CLOCK_BOOTTIME: the steady clock plus the time the system spent suspended (the steady
// clock stands still then). Read only by the daemon's loop, which passes the value in.
struct BootClock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<BootClock>;
    static constexpr bool is_steady = true;

    static time_point now() noexcept {
        timespec ts{};
        ::clock_gettime(CLOCK_BOOTTIME, &ts);
        return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
    }
};
using BootTimePoint = BootClock::time_point;

// Seconds between two time points, as a double.
inline double seconds_between(TimePoint from, TimePoint to) {
    return std::chrono::duration_cast<Seconds>(to - from).count();
}

}  // namespace treadmill
