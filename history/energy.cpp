#include "history/energy.hpp"

#include <algorithm>

namespace treadmill::history {

double acsm_vo2(double m_per_min, double grade) {
    const double g = std::max(0.0, grade);
    if (m_per_min < kWalkRunBoundaryMPerMin) return 0.1 * m_per_min + 1.8 * m_per_min * g + 3.5;
    return 0.2 * m_per_min + 0.9 * m_per_min * g + 3.5;
}

double interval_kcal(const Sample& before, const Sample& after, double body_mass_kg) {
    const double minutes = (after.elapsed_s - before.elapsed_s) / 60;
    if (minutes <= 0) return 0;
    const double meters =
        static_cast<double>(std::max<std::int64_t>(after.distance_mm - before.distance_mm, 0)) /
        1000;
    const double vo2 = acsm_vo2(meters / minutes, after.incline_pct / 100);
    return vo2 * body_mass_kg / 1000 * 5 * minutes;  // mL/kg/min → L/min → kcal/min
}

double acsm_kcal(const std::vector<Sample>& samples, double body_mass_kg) {
    double kcal = 0;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        kcal += interval_kcal(samples[i - 1], samples[i], body_mass_kg);
    }
    return kcal;
}

}  // namespace treadmill::history
