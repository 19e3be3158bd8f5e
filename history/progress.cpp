#include "history/progress.hpp"

#include <ctime>

#include "history/history_reader.hpp"
#include "history/sqlite_db.hpp"

namespace treadmill::history {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Days since 1970-01-01 (a Thursday) of the Monday on or before local day `days`.
// (Monday = 0, so the Thursday is 3.)
std::int64_t monday_of(std::int64_t days) {
    const std::int64_t weekday = (days + 3) - floor_div(days + 3, 7) * 7;
    return days - weekday;
}

std::int64_t local_days(std::int64_t utc_ms, int offset_s) {
    return floor_div(utc_ms + std::int64_t{offset_s} * 1000, kMsPerDay);
}

}  // namespace

std::string date_of_days(std::int64_t days) {
    const std::time_t t = static_cast<std::time_t>(days * 86400);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

std::vector<WeekTotal> weekly_totals(const std::vector<SessionRecord>& sessions,
                                     std::int64_t now_utc_ms, int utc_offset_s) {
    const std::int64_t this_monday = monday_of(local_days(now_utc_ms, utc_offset_s));
    std::vector<WeekTotal> weeks(kProgressWeeks);
    for (int i = 0; i < kProgressWeeks; ++i) {
        weeks[static_cast<std::size_t>(i)].monday_days = this_monday - 7 * (kProgressWeeks - 1 - i);
    }
    for (const auto& s : sessions) {
        const std::int64_t monday = monday_of(local_days(s.start_utc_ms, s.utc_offset_s));
        const std::int64_t back = (this_monday - monday) / 7;
        if (monday > this_monday || back >= kProgressWeeks) continue;
        auto& w = weeks[static_cast<std::size_t>(kProgressWeeks - 1 - back)];
        w.distance_m += s.distance_m;
        w.duration_s += s.duration_s;
        ++w.sessions;
    }
    return weeks;
}

Result<Progress, std::string> read_progress(const std::string& path, bool all,
                                            std::int64_t now_utc_ms, int utc_offset_s) {
    auto sessions = list_sessions(path);
    if (!sessions) return Unexpected{sessions.error()};
    std::vector<SessionRecord> counted;
    for (auto& s : *sessions) {
        if (all || !s.simulated) counted.push_back(std::move(s));
    }
    Progress p;
    p.weeks = weekly_totals(counted, now_utc_ms, utc_offset_s);
    try {
        SqliteDb db(path, true);
        Statement st(db,
                     "SELECT s.id, s.start_utc_ms, s.utc_offset_s, b.time_s FROM bests b"
                     " JOIN sessions s ON s.id = b.session_id"
                     " WHERE b.distance = 'mile' AND (? OR s.simulated = 0)"
                     " ORDER BY s.start_utc_ms, s.id");
        st.bind(1, all ? 1 : 0);
        while (st.step()) {
            p.mile.push_back({st.int64(0), st.int64(1), static_cast<int>(st.int64(2)), st.real(3)});
        }
    } catch (const std::exception& e) {
        return Unexpected{std::string("history: ") + e.what()};
    }
    return p;
}

}  // namespace treadmill::history
