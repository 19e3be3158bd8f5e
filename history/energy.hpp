// The one energy estimate of a workout: the end-of-workout summary's `energy_kcal` and the
// calories of the FIT and TCX exports all come from here, so one session shows one number.
// ACSM metabolic equations (ACSM's Guidelines for Exercise Testing and Prescription, the
// metabolic calculations for walking and running):
//   walking  VO2 = 0.1·S + 1.8·S·G + 3.5   (mL/kg/min; S in m/min, G the grade as a fraction)
//   running  VO2 = 0.2·S + 0.9·S·G + 3.5
// ACSM gives the walking equation for 50–100 m/min and the running one above 134 m/min, and
// between them the running one when the person truly jogs. A treadmill cannot see the gait, so
// the rule here is the speed: walking below 7.2 km/h (120 m/min, 2.0 m/s, about the speed at
// which people on a treadmill change from walking to running: Hreljac 1993, Med Sci Sports
// Exerc 25(10):1158–62, preferred transition 2.06 m/s), running from there. The speed of an
// interval is the belt distance counted over it divided by its workout time; negative grades
// count as level. Gross energy at 5 kcal per litre of O2 (the resting 3.5 included). An
// estimate: it knows neither the runner's economy nor handrail use.
#pragma once

#include <vector>

#include "history/session_record.hpp"

namespace treadmill::history {

// Below this speed a workout interval is a walk (also the FIT/TCX sport: walking when every
// sample is below it).
inline constexpr double walk_run_transition_kmh = 7.2;
inline constexpr double kWalkRunBoundaryMPerMin = walk_run_transition_kmh * 1000.0 / 60.0;

// VO2 in mL/kg/min at `m_per_min` on `grade` (fraction; negative grades count as level).
double acsm_vo2(double m_per_min, double grade);
// Gross kcal of the interval from sample `before` to sample `after` (its average speed from
// the distance, `after`'s measured incline); 0 when no workout time passed.
double interval_kcal(const Sample& before, const Sample& after, double body_mass_kg);
// Gross kcal over the samples (the sum of interval_kcal over consecutive samples).
double acsm_kcal(const std::vector<Sample>& samples, double body_mass_kg);

}  // namespace treadmill::history
