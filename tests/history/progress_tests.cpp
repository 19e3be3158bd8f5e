#include <doctest/doctest.h>

#include "history/progress.hpp"

using namespace treadmill::history;

namespace {

// 2026-12-07 (a Monday) 10:00 UTC.
constexpr std::int64_t kMonday = 1'796'637'600'000;
constexpr std::int64_t kDayMs = 86'400'000;

SessionRecord at(std::int64_t utc_ms, int offset_s, double km, double minutes) {
    SessionRecord s;
    s.start_utc_ms = utc_ms;
    s.utc_offset_s = offset_s;
    s.distance_m = km * 1000;
    s.duration_s = minutes * 60;
    return s;
}

}  // namespace

TEST_CASE("weekly totals: 12 Monday-to-Sunday weeks in the runner's local time, this one last") {
    REQUIRE(date_of_days(kMonday / kDayMs) == "2026-12-07");
    const std::int64_t now = kMonday + 3 * kDayMs;  // Thursday
    const std::vector<SessionRecord> sessions{
        at(kMonday, 0, 5, 30),                    // this week
        at(kMonday + 2 * kDayMs, 0, 3, 20),       // this week
        at(kMonday - kDayMs, 0, 10, 60),          // Sunday: last week
        at(kMonday - 11 * 7 * kDayMs, 0, 1, 10),  // the oldest week shown
        at(kMonday - 12 * 7 * kDayMs, 0, 1, 10),  // too old
        // Sunday 23:30 UTC is Monday 00:30 at +01:00: this week.
        at(kMonday - 10 * 3'600'000 - 1'800'000, 3600, 2, 12),
    };
    const auto weeks = weekly_totals(sessions, now, 0);
    REQUIRE(weeks.size() == 12);
    CHECK(date_of_days(weeks.back().monday_days) == "2026-12-07");
    CHECK(date_of_days(weeks.front().monday_days) == "2026-09-21");
    CHECK(weeks.back().sessions == 3);
    CHECK(weeks.back().distance_m == doctest::Approx(10000));
    CHECK(weeks.back().duration_s == doctest::Approx(62 * 60));
    CHECK(weeks[10].sessions == 1);
    CHECK(weeks[10].distance_m == doctest::Approx(10000));
    CHECK(weeks.front().sessions == 1);
    int total = 0;
    for (const auto& w : weeks) total += w.sessions;
    CHECK(total == 5);
}
