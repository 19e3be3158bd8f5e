// Realistic recorded sessions for the exporters' tests, built the way the recorder builds them:
// 1 Hz samples on the workout clock, a belt that ramps, laps summarised from the samples.
#pragma once

#include "history/session_record.hpp"

namespace treadmill::history::testing {

// 10 min warm-up, 8 x (400 m at 16 km/h, 90 s recovery at 6 km/h), 5 min cool-down, with a 45 s
// pause 30 s into the third recovery. Starts 2026-12-07T07:00:00Z, UTC+1.
SessionRecord interval_session();

// 20 min at 5-6 km/h on a 4-8 % incline: every sample below the walk threshold.
SessionRecord walk_session();

}  // namespace treadmill::history::testing
