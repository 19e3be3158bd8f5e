#include <cmath>
#include <cstdio>
#include <string>

#include "programs/timeline_render.hpp"

namespace treadmill::programs {

namespace {

// printf into a std::string (the formats here are short and fixed).
template <class... Args>
std::string format(const char* fmt, Args... args) {
    char buffer[128];
    const int n = std::snprintf(buffer, sizeof buffer, fmt, args...);
    return n < 0 ? std::string{}
                 : std::string(buffer, std::min<std::size_t>(sizeof buffer - 1,
                                                             static_cast<std::size_t>(n)));
}

std::string speed_number(double kmh) {
    return format("%.1f", kmh);
}
std::string incline_percent(double pct) {
    return format("%.1f%%", pct);
}

// "a" or "a->b" when a step ramps from a to b.
std::string ramp(const std::string& from, const std::string& to) {
    return from == to ? from : from + "->" + to;
}

// A distance extent of whole quarter miles as written ("1 mi", not "1.61 km"), else metric.
std::string distance_extent_text(double metres) {
    constexpr double kMetresPerMile = 1609.344;
    const double quarters = metres / kMetresPerMile * 4;
    if (quarters >= 1 && std::abs(quarters - std::round(quarters)) < 1e-9)
        return format("%g mi", std::round(quarters) / 4);
    return render_distance(metres);
}

std::string extent_text(const TimelineStep& step) {
    const std::string value = step.extent_kind == ExtentKind::time
                                  ? render_clock(step.extent)
                                  : distance_extent_text(step.extent);
    return step.open ? "open<=" + value : value;
}

std::string speed_text(const TimelineStep& step) {
    if (step.manual_speed) return "manual";
    return ramp(speed_number(step.speed_kmh), speed_number(step.speed_end_kmh));
}

std::string pace_text(const TimelineStep& step) {
    if (step.manual_speed) return "-";
    return ramp(render_pace(step.speed_kmh), render_pace(step.speed_end_kmh));
}

std::string rep_text(const TimelineStep& step) {
    if (!step.rep || !step.reps) return "";
    return std::to_string(*step.rep) + "/" + std::to_string(*step.reps);
}

std::string row(const std::string& index, const std::string& cls, const std::string& extent,
                const std::string& speed, const std::string& pace, const std::string& incline,
                const std::string& rep, const std::string& time, const std::string& distance,
                const std::string& cue) {
    std::string line =
        format("%4s  %-8s  %-10s  %-10s  %-11s  %-11s  %-5s  %8s  %9s", index.c_str(), cls.c_str(),
               extent.c_str(), speed.c_str(), pace.c_str(), incline.c_str(), rep.c_str(),
               time.c_str(), distance.c_str());
    if (!cue.empty()) line += "  " + cue;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
}

std::string header(const Timeline& timeline) {
    std::string text = timeline.name + " (" + timeline.id + ")\n";
    for (std::size_t i = 0; i < timeline.seeds.size(); ++i)
        text += (i == 0 ? "seeds: " : ", ") + std::to_string(timeline.seeds[i]) +
                (i + 1 == timeline.seeds.size() ? "\n" : "");
    if (timeline.requires_.max_speed_kmh || timeline.requires_.max_incline_pct) {
        text += "requires:";
        if (timeline.requires_.max_speed_kmh)
            text += " max speed " + speed_number(*timeline.requires_.max_speed_kmh) + " km/h";
        if (timeline.requires_.max_incline_pct)
            text += " max incline " + incline_percent(*timeline.requires_.max_incline_pct);
        text += "\n";
    }
    return text + "\n";
}

}  // namespace

std::string render_clock(double seconds) {
    const long total = std::lround(std::max(0.0, seconds));
    const long h = total / 3600, m = total / 60 % 60, s = total % 60;
    return h > 0 ? format("%ld:%02ld:%02ld", h, m, s) : format("%ld:%02ld", total / 60, s);
}

std::string render_pace(double speed_kmh) {
    if (!(speed_kmh >= 0.1)) return "-";
    return render_clock(3600.0 / speed_kmh);
}

std::string render_distance(double metres) {
    if (metres < 999.5) return format("%.0f m", metres);
    return format("%.2f km", metres / 1000.0);
}

std::string render_table(const Timeline& timeline) {
    std::string text = header(timeline);
    text +=
        row("#", "class", "extent", "km/h", "min/km", "incline", "rep", "time", "distance", "cue");
    double time_s = 0, distance_m = 0;
    for (const auto& step : timeline.steps) {
        time_s += step.duration_s;
        distance_m += step.distance_m;
        text += row(std::to_string(step.index + 1), std::string(to_string(step.step_class)),
                    extent_text(step), speed_text(step), pace_text(step),
                    ramp(incline_percent(step.incline_pct), incline_percent(step.incline_end_pct)),
                    rep_text(step), render_clock(time_s), render_distance(distance_m), step.cue);
    }
    text += "\ntotal: " + render_clock(timeline.total_s) + ", " +
            render_distance(timeline.total_m) + ", " + std::to_string(timeline.steps.size()) +
            " steps\n";
    return text;
}

}  // namespace treadmill::programs
