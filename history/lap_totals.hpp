// A lap's totals from the samples inside it: time and distance from its bounds, speeds and
// incline from the samples, ascent as the sum of distance × positive grade between samples.
#pragma once

#include <cstdint>
#include <vector>

#include "history/session_record.hpp"

namespace treadmill::history {

struct LapBounds {
    double start_s = 0;
    std::int64_t start_mm = 0;
    double end_s = 0;
    std::int64_t end_mm = 0;
};

// Kind and `active` are left to the caller.
Lap lap_totals(const std::vector<Sample>& samples, const LapBounds& bounds);

}  // namespace treadmill::history
