// Progress over time: each session's mile best in order (the trend of the seed goal, a faster
// mile), and the distance and time run in each of the last 12 weeks (Monday to Sunday in the
// runner's local time). Pure over the session list; `now` is passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "history/session_record.hpp"

namespace treadmill::history {

inline constexpr int kProgressWeeks = 12;

struct MilePoint {
    std::int64_t session = 0;
    std::int64_t start_utc_ms = 0;
    int utc_offset_s = 0;
    double time_s = 0;
};

struct WeekTotal {
    std::int64_t monday_days = 0;  // days since 1970-01-01 of the week's Monday (local)
    double distance_m = 0;
    double duration_s = 0;
    int sessions = 0;
};

struct Progress {
    std::vector<MilePoint> mile;   // oldest first
    std::vector<WeekTotal> weeks;  // kProgressWeeks, oldest first, the current week last
};

// The 12 weeks ending with the one holding `now` (local at `utc_offset_s`).
std::vector<WeekTotal> weekly_totals(const std::vector<SessionRecord>& sessions,
                                     std::int64_t now_utc_ms, int utc_offset_s);
// Reads the database (simulated sessions only with `all`).
Result<Progress, std::string> read_progress(const std::string& path, bool all,
                                            std::int64_t now_utc_ms, int utc_offset_s);
// "2026-12-07" for days since 1970-01-01.
std::string date_of_days(std::int64_t days);

}  // namespace treadmill::history
