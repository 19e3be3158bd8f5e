#include "controller/treadmillctl/history_text.hpp"

#include <cmath>
#include <cstdio>

#include "history/best_text.hpp"

namespace treadmill::ctl {

namespace {

using nlohmann::json;

std::string format(const char* f, double v) {
    char text[64];
    std::snprintf(text, sizeof text, f, v);
    return text;
}

double number(const json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

// "2026-12-07T15:02:11.123Z" with its offset → "2026-12-07 16:02" (the runner's local time).
std::string local_start(const json& s) {
    const std::string utc = s.value("start_utc", "");
    if (utc.size() < 16) return utc;
    std::tm tm{};
    tm.tm_year = std::stoi(utc.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(utc.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(utc.substr(8, 2));
    tm.tm_hour = std::stoi(utc.substr(11, 2));
    tm.tm_min = std::stoi(utc.substr(14, 2));
    const std::time_t t = ::timegm(&tm) + static_cast<std::time_t>(number(s, "utc_offset_s"));
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
    return text;
}

std::string ended_text(const json& s) {
    std::string text = s.value("ended", "");
    if (s["fault_code"].is_string()) text += " (" + s["fault_code"].get<std::string>() + ")";
    if (s.value("simulated", false)) text += ", simulated";
    return text;
}

std::string pace(double seconds_per_km) {
    return seconds_per_km > 0 ? history::race_time(seconds_per_km) + "/km" : "-";
}

}  // namespace

std::string sessions_text(const json& body) {
    const json& sessions = body["sessions"];
    if (!sessions.is_array() || sessions.empty()) return "no workouts recorded yet\n";
    std::string text = "   ID  START             PROGRAM               TIME  DISTANCE  ENDED\n";
    for (const auto& s : sessions) {
        char line[256];
        std::snprintf(line, sizeof line, "%5lld  %-16s  %-18s %8s  %5.2f km  %s\n",
                      static_cast<long long>(number(s, "id")), local_start(s).c_str(),
                      s.value("program_id", "").substr(0, 18).c_str(),
                      history::race_time(number(s, "duration_s")).c_str(),
                      number(s, "distance_m") / 1000, ended_text(s).c_str());
        text += line;
    }
    return text;
}

std::string session_text(const json& body) {
    const json& s = body["session"];
    const double km = number(s, "distance_m") / 1000;
    std::string text = "session " + format("%.0f", number(s, "id")) + ": " + s.value("name", "") +
                       " (" + s.value("program_id", "") + "), " + local_start(s) + "\n";
    text += "ended " + ended_text(s) + "; time " + history::race_time(number(s, "duration_s")) +
            ", distance " + format("%.2f", km) + " km, average pace " +
            pace(km > 0 ? number(s, "duration_s") / km : 0) + "\n";
    const json& summary = s["summary"];
    if (summary.is_object() && summary["ascent_m"].is_number()) {
        text += "ascent " + format("%.0f", summary["ascent_m"].get<double>()) + " m";
        if (summary["energy_kcal"].is_number()) {
            text += ", energy about " + format("%.0f", summary["energy_kcal"].get<double>()) +
                    " kcal (" + summary.value("energy_note", "an estimate") + ")";
        }
        text += "\n";
    }
    text += "\n   #  kind      start      time   distance  avg km/h  max km/h  incline  ascent\n";
    int i = 1;
    for (const auto& l : s["laps"]) {
        char line[200];
        std::snprintf(line, sizeof line,
                      "%4d  %-8s %7s  %7s  %7.0f m  %8.1f  %8.1f  %6.1f%%  %4.1f m\n", i++,
                      l.value("kind", "").c_str(), history::race_time(number(l, "start_s")).c_str(),
                      history::race_time(number(l, "time_s")).c_str(), number(l, "distance_m"),
                      number(l, "avg_speed_kmh"), number(l, "max_speed_kmh"),
                      number(l, "avg_incline_pct"), number(l, "ascent_m"));
        text += line;
    }
    if (!s["events"].empty()) text += "\nevents:\n";
    for (const auto& e : s["events"]) {
        text += "  " + history::race_time(number(e, "elapsed_s")) + "  " + e.value("kind", "");
        if (!e.value("detail", "").empty()) text += "  " + e.value("detail", "");
        text += "\n";
    }
    if (!s["bests"].empty()) text += "\nbest stretches:";
    for (const auto& b : s["bests"]) {
        text += " " + b.value("distance", "") + " " + history::race_time(number(b, "time_s"));
    }
    if (!s["bests"].empty()) text += "\n";
    if (s["summary"].is_object() && s["summary"]["new_bests"].is_array()) {
        for (const auto& b : s["summary"]["new_bests"]) {
            const std::optional<double> previous =
                b["previous_s"].is_number() ? std::optional(b["previous_s"].get<double>())
                                            : std::nullopt;
            text +=
                history::best_announcement(b.value("distance", ""), number(b, "time_s"), previous) +
                "\n";
        }
    }
    return text;
}

std::string bests_text(const json& body) {
    const json& bests = body["bests"];
    if (!bests.is_array() || bests.empty()) return "no personal bests yet\n";
    std::string text;
    for (const auto& b : bests) {
        char line[128];
        std::snprintf(line, sizeof line, "%-5s %8s   session %lld, %s\n",
                      b.value("distance", "").c_str(),
                      history::race_time(number(b, "time_s")).c_str(),
                      static_cast<long long>(number(b, "session")), b.value("date", "").c_str());
        text += line;
    }
    return text;
}

}  // namespace treadmill::ctl
