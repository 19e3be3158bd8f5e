#include "history/export/session_timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/utf8.hpp"

namespace treadmill::history {

std::vector<Pause> pauses_of(const SessionRecord& record) {
    std::vector<Pause> pauses;
    for (const Event& e : record.events) {
        if (e.kind == "pause" && (pauses.empty() || pauses.back().resumed)) {
            pauses.push_back({e.elapsed_s, e.utc_ms, e.utc_ms, false});
        } else if (e.kind == "resume" && !pauses.empty() && !pauses.back().resumed) {
            pauses.back().end_utc_ms = std::max(e.utc_ms, pauses.back().begin_utc_ms);
            pauses.back().resumed = true;
        }
    }
    // A pause without its resume event that samples still follow: the first of them tells
    // when the workout clock ran again.
    for (Pause& p : pauses) {
        if (p.resumed) continue;
        const auto next = std::find_if(record.samples.begin(), record.samples.end(),
                                       [&](const Sample& s) { return s.elapsed_s > p.at_s; });
        if (next == record.samples.end()) continue;
        const std::int64_t resume_ms =
            next->utc_ms - std::llround((next->elapsed_s - p.at_s) * 1000.0);
        p.end_utc_ms = std::max(resume_ms, p.begin_utc_ms);
        p.resumed = true;
    }
    return pauses;
}

std::int64_t wall_ms_at(const SessionRecord& record, const std::vector<Pause>& pauses, double t,
                        bool after_pause) {
    double anchor_s = 0.0;
    std::int64_t anchor_ms = record.start_utc_ms;
    for (const Pause& p : pauses) {
        if (!p.resumed) break;
        if (p.at_s < t || (after_pause && p.at_s == t)) {
            anchor_s = p.at_s;
            anchor_ms = p.end_utc_ms;
        }
    }
    return anchor_ms + std::llround((t - anchor_s) * 1000.0);
}

std::int64_t end_wall_ms(const SessionRecord& record, const std::vector<Pause>& pauses) {
    std::int64_t end = wall_ms_at(record, pauses, record.duration_s, false);
    if (!record.samples.empty()) end = std::max(end, record.samples.back().utc_ms);
    if (!record.laps.empty()) {
        const Lap& last = record.laps.back();
        end = std::max(end, wall_ms_at(record, pauses, last.start_s + last.time_s, false));
    }
    return end;
}

std::size_t lap_index_at(const SessionRecord& record, double t) {
    if (record.laps.empty()) return 0;
    // Laps follow each other: the first whose end is at or after t.
    const auto lap =
        std::lower_bound(record.laps.begin(), record.laps.end(), t,
                         [](const Lap& l, double moment) { return l.start_s + l.time_s < moment; });
    return std::min(static_cast<std::size_t>(lap - record.laps.begin()), record.laps.size() - 1);
}

bool is_walk(const SessionRecord& record) {
    if (record.samples.empty()) return false;
    return std::all_of(record.samples.begin(), record.samples.end(),
                       [](const Sample& s) { return s.speed_kmh < walk_run_transition_kmh; });
}

std::vector<double> synthesised_altitude(const SessionRecord& record) {
    std::vector<double> altitude;
    altitude.reserve(record.samples.size());
    double current = 0.0;
    std::int64_t previous_mm = record.samples.empty() ? 0 : record.samples.front().distance_mm;
    for (const Sample& s : record.samples) {
        current +=
            static_cast<double>(s.distance_mm - previous_mm) / 1000.0 * s.incline_pct / 100.0;
        previous_mm = s.distance_mm;
        altitude.push_back(current);
    }
    return altitude;
}

namespace {

// Whole kcal per lap that add up to the rounded total: each lap's floor, then the units left
// to the laps with the largest remainders (so the laps of a file sum to the summary's value).
std::vector<int> rounded_to_total(const std::vector<double>& kcal) {
    double sum = 0.0;
    for (double k : kcal) sum += k;
    std::vector<int> out;
    std::vector<std::size_t> by_remainder;
    long left = std::lround(sum);
    for (std::size_t i = 0; i < kcal.size(); ++i) {
        out.push_back(static_cast<int>(std::floor(kcal[i])));
        left -= out.back();
        by_remainder.push_back(i);
    }
    std::stable_sort(by_remainder.begin(), by_remainder.end(), [&](std::size_t a, std::size_t b) {
        return kcal[a] - std::floor(kcal[a]) > kcal[b] - std::floor(kcal[b]);
    });
    for (std::size_t i = 0; i < by_remainder.size() && left > 0; ++i, --left) {
        ++out[by_remainder[i]];
    }
    return out;
}

}  // namespace

std::vector<int> lap_calories(const SessionRecord& record, std::optional<double> body_mass_kg) {
    std::vector<double> kcal(record.laps.size(), 0.0);
    if (body_mass_kg && !record.laps.empty()) {
        for (std::size_t i = 1; i < record.samples.size(); ++i) {
            const Sample& s = record.samples[i];
            kcal[lap_index_at(record, s.elapsed_s)] +=
                interval_kcal(record.samples[i - 1], s, *body_mass_kg);
        }
    }
    return rounded_to_total(kcal);
}

std::string with_valid_utf8(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_detail::sequence_length(text, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

std::string iso8601_utc(std::int64_t utc_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> when{milliseconds{utc_ms}};
    const auto day = floor<days>(when);
    const year_month_day ymd{day};
    const hh_mm_ss hms{when - day};
    char text[40];
    const auto ms = hms.subseconds().count();
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    std::string out = text;
    if (ms != 0) {
        std::snprintf(text, sizeof text, ".%03d", static_cast<int>(ms));
        out += text;
    }
    return out + "Z";
}

}  // namespace treadmill::history
