// An estimate of the energy a workout took, from the ACSM metabolic equations (ACSM's
// Guidelines for Exercise Testing and Prescription, 10th ed., table 7.2):
//   walking  VO2 = 0.1·S + 1.8·S·G + 3.5   (mL/kg/min; S in m/min, G the grade as a fraction)
//   running  VO2 = 0.2·S + 0.9·S·G + 3.5
// walking below 100 m/min (6 km/h), running from there (the equations' ranges meet there);
// gross energy at 5 kcal per litre of O2 (the resting 3.5 included). An estimate: it knows
// neither the runner's economy nor handrail use.
#pragma once

#include <vector>

#include "history/session_record.hpp"

namespace treadmill::history {

inline constexpr double kWalkRunBoundaryMPerMin = 100.0;

// VO2 in mL/kg/min at `m_per_min` on `grade` (fraction; negative grades count as level).
double acsm_vo2(double m_per_min, double grade);
// Gross kcal over the samples (each interval at its average speed and the later sample's
// measured incline) for a runner of `body_mass_kg`.
double acsm_kcal(const std::vector<Sample>& samples, double body_mass_kg);

}  // namespace treadmill::history
