// Bests as a person reads them: "6:41", and the announcement "New mile best: 6:41, −0:07".
#pragma once

#include <optional>
#include <string>

namespace treadmill::history {

// m:ss (h:mm:ss from an hour), rounded to the second.
std::string race_time(double seconds);
// "New mile best: 6:41, −0:07" ("…: 6:41" for a first).
std::string best_announcement(const std::string& distance, double time_s,
                              std::optional<double> previous_s);

}  // namespace treadmill::history
