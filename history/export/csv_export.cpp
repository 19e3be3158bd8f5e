// A session as CSV: one row per sample, and one row per lap (docs/history-export.md lists the
// columns). RFC 4180: comma separated, CRLF-free (LF), text quoted when it needs it.
#include <cmath>
#include <cstdio>

#include "history/export/encoders.hpp"
#include "history/export/session_timing.hpp"

namespace treadmill::history {

namespace {

// A finite number; anything else is an empty cell.
std::string number(double value, int decimals) {
    if (!std::isfinite(value)) return "";
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string quoted(const std::string& raw) {
    const std::string text = with_valid_utf8(raw);
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Minutes and seconds per km (5:00); empty when the belt is (nearly) still.
std::string pace(double speed_kmh) {
    if (!(speed_kmh >= 1.0) || !std::isfinite(speed_kmh)) return "";
    const long seconds = std::lround(3600.0 / speed_kmh);
    char text[24];
    std::snprintf(text, sizeof text, "%ld:%02ld", seconds / 60, seconds % 60);
    return text;
}

}  // namespace

std::string encode_samples_csv(const SessionRecord& record) {
    std::string csv =
        "utc,elapsed_s,lap,lap_kind,distance_m,speed_kmh,pace,incline_pct,target_speed_kmh,"
        "target_incline_pct\n";
    for (const Sample& s : record.samples) {
        const std::size_t lap = lap_index_at(record, s.elapsed_s);
        const std::string kind = lap < record.laps.size() ? record.laps[lap].kind : "";
        csv += iso8601_utc(s.utc_ms) + ',' + number(s.elapsed_s, 1) + ',' +
               std::to_string(lap + 1) + ',' + quoted(kind) + ',' +
               number(static_cast<double>(s.distance_mm) / 1000.0, 3) + ',' +
               number(s.speed_kmh, 2) + ',' + pace(s.speed_kmh) + ',' + number(s.incline_pct, 1) +
               ',' + number(s.target_speed_kmh, 2) + ',' + number(s.target_incline_pct, 1) + '\n';
    }
    return csv;
}

std::string encode_laps_csv(const SessionRecord& record) {
    const std::vector<Pause> pauses = pauses_of(record);
    std::string csv =
        "lap,kind,active,start_utc,start_s,time_s,distance_m,avg_speed_kmh,max_speed_kmh,"
        "avg_pace,avg_incline_pct,ascent_m\n";
    for (std::size_t i = 0; i < record.laps.size(); ++i) {
        const Lap& lap = record.laps[i];
        csv += std::to_string(i + 1) + ',' + quoted(lap.kind) + ',' + (lap.active ? "1" : "0") +
               ',' + iso8601_utc(wall_ms_at(record, pauses, lap.start_s, true)) + ',' +
               number(lap.start_s, 1) + ',' + number(lap.time_s, 1) + ',' +
               number(lap.distance_m, 3) + ',' + number(lap.avg_speed_kmh, 2) + ',' +
               number(lap.max_speed_kmh, 2) + ',' + pace(lap.avg_speed_kmh) + ',' +
               number(lap.avg_incline_pct, 1) + ',' + number(lap.ascent_m, 2) + '\n';
    }
    return csv;
}

}  // namespace treadmill::history
