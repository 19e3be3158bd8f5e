#include "history/export/export.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "history/export/encoders.hpp"

namespace treadmill::history {

namespace {

// treadmill-<id>-<YYYYMMDD-HHMM in UTC><suffix>
std::string filename_for(const SessionRecord& record, const char* suffix) {
    using namespace std::chrono;
    const sys_time<milliseconds> start{milliseconds{record.start_utc_ms}};
    const auto day = floor<days>(start);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<seconds>(start - day)};
    char text[80];
    std::snprintf(text, sizeof text, "treadmill-%lld-%04d%02u%02u-%02d%02d%s",
                  static_cast<long long>(record.id), static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  suffix);
    return text;
}

// A record without laps (an interrupted start) still gets one lap over the whole session, since
// FIT and TCX activities need at least one.
SessionRecord with_a_lap(const SessionRecord& record) {
    if (!record.laps.empty()) return record;
    SessionRecord copy = record;
    Lap lap;
    lap.kind = "session";
    lap.time_s = record.duration_s;
    lap.distance_m = record.distance_m;
    for (const Sample& s : record.samples)
        lap.max_speed_kmh = std::max(lap.max_speed_kmh, s.speed_kmh);
    lap.avg_speed_kmh = record.duration_s > 0 ? record.distance_m / record.duration_s * 3.6 : 0.0;
    copy.laps.push_back(lap);
    return copy;
}

}  // namespace

ExportFile export_session(const SessionRecord& record, Format format,
                          const ExportOptions& options) {
    switch (format) {
        case Format::fit:
            return {filename_for(record, ".fit"), encode_fit(with_a_lap(record), options)};
        case Format::tcx:
            return {filename_for(record, ".tcx"), encode_tcx(with_a_lap(record), options)};
        case Format::csv:
            return {filename_for(record, ".csv"), encode_samples_csv(record)};
        case Format::laps_csv:
            return {filename_for(record, "-laps.csv"), encode_laps_csv(record)};
    }
    return {};
}

std::optional<Format> format_from_name(std::string_view name) {
    if (name == "fit") return Format::fit;
    if (name == "tcx") return Format::tcx;
    if (name == "csv") return Format::csv;
    if (name == "laps-csv") return Format::laps_csv;
    return std::nullopt;
}

}  // namespace treadmill::history
