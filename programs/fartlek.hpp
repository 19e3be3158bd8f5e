// The normative expansion of a fartlek block (workout-format.md, "Fartlek block"): integer
// extents, draws in a fixed order, remainder to a final recovery. Targets are km/h and %.
#pragma once

#include <cstdint>
#include <vector>

namespace treadmill::programs {

struct FartlekSegmentSpec {
    std::int64_t extent_lo = 0;  // ms or mm; == extent_hi when a single value
    std::int64_t extent_hi = 0;
    bool extent_range = false;
    double speed_lo = 0;  // km/h; lo < hi for a range (sorted by speed)
    double speed_hi = 0;
    bool speed_range = false;
    double incline_lo = 0;  // %; a single value (or defaults.incline, else 0) when not a range
    double incline_hi = 0;
    bool incline_range = false;
};

struct FartlekSpec {
    std::int64_t total = 0;    // ms or mm
    std::int64_t quantum = 0;  // ms or mm, > 0
    FartlekSegmentSpec surge, recover;
    bool start_with_surge = false;
    std::uint64_t seed = 0;
};

struct FartlekSegment {
    bool surge = false;
    std::int64_t extent = 0;  // ms or mm
    double speed_kmh = 0;
    double incline_pct = 0;
};

// The segments, summing exactly to spec.total and ending with a recovery; empty when more
// than max_segments would be needed.
std::vector<FartlekSegment> draw_fartlek(const FartlekSpec& spec, std::size_t max_segments);

}  // namespace treadmill::programs
