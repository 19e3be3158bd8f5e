#include "history/lap_totals.hpp"

#include <algorithm>

namespace treadmill::history {

Lap lap_totals(const std::vector<Sample>& samples, const LapBounds& b) {
    Lap lap;
    lap.start_s = b.start_s;
    lap.time_s = std::max(0.0, b.end_s - b.start_s);
    lap.distance_m = static_cast<double>(std::max<std::int64_t>(0, b.end_mm - b.start_mm)) / 1000;
    if (lap.time_s > 0) lap.avg_speed_kmh = lap.distance_m / lap.time_s * 3.6;
    double incline_sum = 0;
    int count = 0;
    std::int64_t previous_mm = b.start_mm;
    for (const auto& s : samples) {
        if (s.elapsed_s <= b.start_s || s.elapsed_s > b.end_s) continue;
        lap.max_speed_kmh = std::max(lap.max_speed_kmh, s.speed_kmh);
        incline_sum += s.incline_pct;
        ++count;
        const double meters =
            static_cast<double>(std::max<std::int64_t>(0, s.distance_mm - previous_mm)) / 1000;
        if (s.incline_pct > 0) lap.ascent_m += meters * s.incline_pct / 100;
        previous_mm = std::max(previous_mm, s.distance_mm);
    }
    if (count > 0) lap.avg_incline_pct = incline_sum / count;
    return lap;
}

}  // namespace treadmill::history
