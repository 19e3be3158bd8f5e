// Personal bests by belt distance, found anywhere inside a session: the fastest stretch of
// 400 m, 800 m, 1 km, a mile, 5 km and 10 km, with times interpolated between the 1 Hz samples
// and never spanning a pause. Pure functions of the samples and events.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "history/session_record.hpp"

namespace treadmill::history {

struct BestDistance {
    std::string_view label;  // as the API names it: 400m, 800m, 1km, mile, 5km, 10km
    double meters;
};

inline constexpr std::array<BestDistance, 6> kBestDistances{{{"400m", 400.0},
                                                             {"800m", 800.0},
                                                             {"1km", 1000.0},
                                                             {"mile", 1609.344},
                                                             {"5km", 5000.0},
                                                             {"10km", 10000.0}}};

// The fastest stretch of one distance: how long it took and where (workout clock) it began.
struct Stretch {
    double time_s = 0;
    double start_s = 0;
};

// The fastest stretch of `meters` within samples that ran without a pause (distance never
// decreasing), linearly interpolated between samples; empty when they cover less.
std::optional<Stretch> fastest_stretch(std::span<const Sample> samples, double meters);

// The samples split where a pause event lies between two of them.
std::vector<std::span<const Sample>> unpaused_runs(const std::vector<Sample>& samples,
                                                   const std::vector<Event>& events);

// For each of kBestDistances, the session's fastest stretch (empty when never covered).
std::array<std::optional<Stretch>, kBestDistances.size()> session_bests(
    const std::vector<Sample>& samples, const std::vector<Event>& events);

}  // namespace treadmill::history
