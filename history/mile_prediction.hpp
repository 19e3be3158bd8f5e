// Training references predicted from a mile time: the paces `profile update-from-mile` proposes.
// Race paces by Riegel's endurance model, T2 = T1·(D2/D1)^1.06 (P. S. Riegel, "Athletic records
// and human endurance", American Scientist 69(3), 1981); threshold as the pace of a one-hour
// race (Daniels); easy and jog as fixed fractions slower than the predicted marathon pace,
// checked against Daniels' VDOT tables, Pfitzinger's general-aerobic band and McMillan's
// recovery jogs. docs/history.md gives the sources and the figures they give.
#pragma once

#include <map>
#include <string>

namespace treadmill::history {

inline constexpr double kMileM = 1609.344;
inline constexpr double kRiegelExponent = 1.06;
inline constexpr double kMarathonM = 42195.0;
inline constexpr double kThresholdRaceS = 3600.0;        // threshold: the pace held for ~60 min
inline constexpr double kEasySlowerThanMarathon = 0.20;  // easy: 20 % more time per km
inline constexpr double kJogSlowerThanMarathon = 0.25;   // jog (recovery): 25 % more

// Riegel: the time over `distance_m` predicted from `time_s` over `known_m`.
double riegel_time_s(double time_s, double known_m, double distance_m);

// The distance whose predicted race lasts `duration_s` (Riegel solved for the distance).
double riegel_distance_m(double time_s, double known_m, double duration_s);

// Paces in seconds per km for "mile", "5k", "10k", "threshold", "easy", "jog".
std::map<std::string, double> references_from_mile(double mile_s);

// "4:05/km" (seconds rounded to whole; 59.6 s → 1:00).
std::string pace_text(double s_per_km);

}  // namespace treadmill::history
