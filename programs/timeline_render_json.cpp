#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.hpp"
#include "programs/timeline_render.hpp"

namespace treadmill::programs {

namespace {

// Durations and distances to the millisecond / millimetre: nominal values, readable JSON.
double milli(double value) {
    return std::round(value * 1000.0) / 1000.0;
}

nlohmann::ordered_json optional_int(const std::optional<int>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// A speed target, null for `speed: manual` (the runner sets it).
nlohmann::ordered_json speed(const TimelineStep& step, double kmh) {
    return step.manual_speed ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(kmh);
}

nlohmann::ordered_json step_json(const TimelineStep& step) {
    return {
        {"index", step.index},
        {"class", std::string(to_string(step.step_class))},
        {"duration_s", milli(step.duration_s)},
        {"distance_m", milli(step.distance_m)},
        {"speed_kmh", speed(step, step.speed_kmh)},
        {"speed_end_kmh", speed(step, step.speed_end_kmh)},
        {"incline_pct", step.incline_pct},
        {"incline_end_pct", step.incline_end_pct},
        {"rep", optional_int(step.rep)},
        {"reps", optional_int(step.reps)},
        {"cue", step.cue},
    };
}

}  // namespace

std::string render_json(const Timeline& timeline, int indent) {
    nlohmann::ordered_json seeds = nlohmann::ordered_json::array();
    for (const auto seed : timeline.seeds) seeds.push_back(std::to_string(seed));
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const auto& step : timeline.steps) steps.push_back(step_json(step));
    const nlohmann::ordered_json document = {
        {"id", timeline.id},
        {"name", timeline.name},
        {"total_s", milli(timeline.total_s)},
        {"total_m", milli(timeline.total_m)},
        {"seeds", std::move(seeds)},
        {"steps", std::move(steps)},
    };
    return json_text(document, indent) + "\n";  // names and cues come from user files
}

}  // namespace treadmill::programs
