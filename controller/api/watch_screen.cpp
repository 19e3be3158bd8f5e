#include "controller/api/watch_screen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace treadmill::api {

using nlohmann::json;

namespace {

// j[key] for a const object that may lack the key (there, [] is undefined behaviour): null.
json field(const json& j, const char* key) {
    return j.is_object() ? j.value(key, json()) : json();
}

double number(const json& j, double fallback = 0) {
    return j.is_number() ? j.get<double>() : fallback;
}

std::string clock(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
    return text;
}

std::string fixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string speed_line(const json& s) {
    const json& speed = s["speed"];
    std::string line = "speed   " + fixed(number(speed["actual_kmh"]), 1) + " km/h (target " +
                       fixed(number(speed["target_kmh"]), 1) + ")";
    if (s["pace_s_per_km"].is_number())
        line += "   pace " + clock(number(s["pace_s_per_km"])) + "/km";
    return line;
}

std::string incline_line(const json& s) {
    const json& incline = s["incline"];
    std::string line = "incline " + fixed(number(incline["actual_pct"]), 1) + " %";
    if (incline["target_pct"].is_number())
        line += " (target " + fixed(number(incline["target_pct"]), 1) + " %)";
    return line;
}

// The part of the current step done (0..1): its remaining time against the time it had when
// first seen (a distance step's remaining time is its remaining distance at the nominal speed,
// so the two agree); remembers the step's length.
double step_fraction(const json& step, WatchMemory& memory) {
    const auto index = step["index"].get<std::size_t>();
    const double remaining = number(step["remaining_s"]);
    if (memory.step_index != index) {
        memory.step_index = index;
        memory.step_total_s = std::max(remaining, 1.0);
    }
    return std::clamp(1.0 - remaining / memory.step_total_s, 0.0, 1.0);
}

// Step title, rep, cue and the step's progress bar (`done` of it).
std::string step_lines(const json& step, double done, int width) {
    const auto index = step["index"].get<std::size_t>();
    const double remaining = number(step["remaining_s"]);
    std::string text = "step    " + std::to_string(index + 1) + "/" +
                       std::to_string(step["count"].get<std::size_t>()) + "  " +
                       step.value("class", "");
    if (step["rep"].is_number() && step["reps"].is_number())
        text += "  rep " + std::to_string(step["rep"].get<int>()) + "/" +
                std::to_string(step["reps"].get<int>());
    text += "\n";
    if (!step.value("cue", "").empty()) text += "        \"" + step.value("cue", "") + "\"\n";
    text += "step    " + progress_bar(done, width - 16) + "  " + clock(remaining) + " left\n";
    return text;
}

}  // namespace

std::string progress_bar(double fraction, int width) {
    fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
    const int inner = std::max(width - 7, 1);
    const int filled = static_cast<int>(std::lround(fraction * inner));
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(inner - filled), '.') + "] " +
           fixed(fraction * 100, 0) + "%";
}

std::string render_watch_screen(const json& s, WatchMemory& memory, int width) {
    std::string text = "treadmill  " + s.value("state", std::string("?"));
    if (s["reason"].is_string()) text += " - " + s["reason"].get<std::string>();
    if (s["countdown_s"].is_number())
        text += "  starting in " + fixed(number(s["countdown_s"]), 0) + " s";
    text += "\n";
    if (s["fault"].is_object())
        text += "fault   " + s["fault"].value("code", "") + ": " + s["fault"].value("message", "") +
                "\n";
    if (s["program"].is_object()) text += "program " + s["program"].value("name", "") + "\n";
    if (s["step"].is_object()) {
        // The workout bar counts steps: those done and the part of the current one, so it ends
        // with the last step's bar.
        const json& step = s["step"];
        const double done = step_fraction(step, memory);
        text += step_lines(step, done, width);
        const double count = std::max(number(step["count"], 1), 1.0);
        text += "workout " + progress_bar((number(step["index"]) + done) / count, width - 8) + "\n";
    }
    if (s["elapsed_s"].is_number()) {
        memory.saw_workout = true;
        const json& history = s.contains("history") ? s["history"] : json();
        const json session = field(history, "session");
        if (session.is_number_integer()) memory.history_session = session.get<std::int64_t>();
        memory.last_elapsed_s = number(s["elapsed_s"]);
        memory.last_distance_m = number(s["distance_m"]);
        text += "time    " + clock(memory.last_elapsed_s) + "   distance " +
                fixed(memory.last_distance_m / 1000, 2) + " km\n";
    }
    text += speed_line(s) + "\n" + incline_line(s) + "\n";
    if (s["key_present"] == false) text += "SAFETY KEY OUT\n";
    return text;
}

std::optional<std::string> watch_summary(const json& s, const WatchMemory& memory) {
    if (!memory.saw_workout || s.value("state", "") != "idle") return std::nullopt;
    const json& history = s.contains("history") ? s["history"] : json();
    // The recorder is still writing the session's end (a few milliseconds).
    if (!field(history, "session").is_null()) return std::nullopt;
    std::string text = "workout over: " + clock(memory.last_elapsed_s) + ", " +
                       fixed(memory.last_distance_m / 1000, 2) + " km\n";
    const json last = field(history, "last_session");
    if (last.is_object() && memory.history_session &&
        field(last, "id") == *memory.history_session) {
        const json average = field(last, "avg_pace_s_per_km");
        const json best = field(last, "best_pace_s_per_km");
        if (average.is_number()) {
            text += "pace average " + clock(average.get<double>()) + "/km";
            if (best.is_number()) text += ", best " + clock(best.get<double>()) + "/km";
            text += "\n";
        }
        if (field(last, "ascent_m").is_number()) {
            text += "ascent " + fixed(last["ascent_m"].get<double>(), 0) + " m";
            if (field(last, "energy_kcal").is_number()) {
                text += ", energy about " + fixed(last["energy_kcal"].get<double>(), 0) +
                        " kcal (" + last.value("energy_note", std::string("an estimate")) + ")";
            }
            text += "\n";
        }
        for (const auto& line : field(last, "new_bests")) {
            if (line.is_string()) text += line.get<std::string>() + "\n";
        }
    }
    return text;
}

}  // namespace treadmill::api
