// Expander: cue placeholders {rep} {reps} {pace} {speed} {incline}.
#include "programs/expander.hpp"

namespace treadmill::programs {

namespace {

const std::vector<std::string> placeholders{"rep", "reps", "pace", "speed", "incline"};

}  // namespace

std::optional<std::string> Expander::fill_cue(const YAML::Node& node, const TimelineStep& step) {
    auto picked = pick(node, "cue");
    if (!picked) return std::nullopt;
    auto text = scalar_text(*picked, sink_, "cue");
    if (!text) return std::nullopt;
    const Position at = position_of(*picked);
    const bool imperial = options_.profile && options_.profile->units == Units::imperial;
    std::string out;
    bool ok = true;
    for (std::size_t i = 0; i < text->size(); ++i) {
        const std::size_t close = text->find('}', i);
        if ((*text)[i] != '{' || close == std::string::npos) {
            out += (*text)[i];
            continue;
        }
        const std::string name = text->substr(i + 1, close - i - 1);
        i = close;
        if ((name == "rep" || name == "reps") && !step.rep) {
            sink_.error(at, "cue: {" + name + "} is known only inside a 'repeat:'");
            ok = false;
        } else if (name == "rep") {
            out += std::to_string(*step.rep);
        } else if (name == "reps") {
            out += std::to_string(*step.reps);
        } else if (name == "pace") {
            out += step.manual_speed ? "your pace" : format_pace(step.speed_kmh, imperial);
        } else if (name == "speed") {
            out += step.manual_speed ? "your speed" : format_speed(step.speed_kmh);
        } else if (name == "incline") {
            out += format_incline(step.incline_pct);
        } else {
            sink_.error(at, "cue: unknown placeholder {" + name + "}" +
                                did_you_mean(name, placeholders) +
                                "; known: {rep} {reps} {pace} {speed} {incline}");
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

}  // namespace treadmill::programs
