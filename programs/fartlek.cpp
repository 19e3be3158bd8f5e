// Compiled with -ffp-contract=off: v = lo + u·(hi − lo) must not become a fused multiply-add.
#include "programs/fartlek.hpp"

#include <cmath>

#include "programs/prng.hpp"

namespace treadmill::programs {

namespace {

std::int64_t draw_extent(Xoshiro256StarStar& rng, const FartlekSegmentSpec& s, std::int64_t q) {
    if (!s.extent_range) return s.extent_lo;
    const auto n = static_cast<std::uint64_t>((s.extent_hi - s.extent_lo) / q) + 1;
    return s.extent_lo + static_cast<std::int64_t>(rng.bounded(n)) * q;
}

double draw_between(Xoshiro256StarStar& rng, double lo, double hi) {
    const double u = rng.uniform();
    const double span = hi - lo;
    const double scaled = u * span;
    return lo + scaled;
}

// Draws speed then incline, in that order.
void draw_targets(Xoshiro256StarStar& rng, const FartlekSegmentSpec& s, FartlekSegment& out) {
    out.speed_kmh = s.speed_lo;
    if (s.speed_range)
        out.speed_kmh = std::round(10.0 * draw_between(rng, s.speed_lo, s.speed_hi)) / 10.0;
    out.incline_pct = s.incline_lo;
    if (s.incline_range)
        out.incline_pct = std::round(2.0 * draw_between(rng, s.incline_lo, s.incline_hi)) / 2.0;
}

}  // namespace

std::vector<FartlekSegment> draw_fartlek(const FartlekSpec& spec, std::size_t max_segments) {
    Xoshiro256StarStar rng(spec.seed);
    std::vector<FartlekSegment> segments;
    std::int64_t elapsed = 0;
    bool surge = spec.start_with_surge;
    for (;;) {
        const FartlekSegmentSpec& s = surge ? spec.surge : spec.recover;
        FartlekSegment segment;
        segment.surge = surge;
        segment.extent = draw_extent(rng, s, spec.quantum);
        draw_targets(rng, s, segment);
        if (segment.extent >= spec.total - elapsed) break;  // reaches or passes: discarded
        if (segments.size() >= max_segments) return {};
        elapsed += segment.extent;
        segments.push_back(segment);
        surge = !surge;
    }
    const std::int64_t remainder = spec.total - elapsed;
    if (!segments.empty() && !segments.back().surge) {
        segments.back().extent += remainder;
        return segments;
    }
    FartlekSegment last;
    last.extent = remainder;
    draw_targets(rng, spec.recover, last);
    segments.push_back(last);
    return segments;
}

}  // namespace treadmill::programs
