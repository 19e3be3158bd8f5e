// treadmillctl watch: one screen of text per status (state, step and rep, progress bars for
// the step and the workout, speed/pace/incline, elapsed and remaining), and the summary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::api {

// What the screen remembers between statuses (a step's length is seen at its start).
struct WatchMemory {
    std::optional<std::size_t> step_index;
    double step_total_s = 0;
    double last_elapsed_s = 0;
    double last_distance_m = 0;
    bool saw_workout = false;
    std::optional<std::int64_t> history_session;  // the recorder's id for this workout
};

// The screen for `status` (no terminal control codes), `width` columns wide.
std::string render_watch_screen(const nlohmann::json& status, WatchMemory& memory, int width = 60);

// "[#####.....]  50%"
std::string progress_bar(double fraction, int width);

// The summary once a workout ended (idle after running) and the recorder wrote its end (then
// with the new personal bests it set: "New mile best: 6:41, −0:07"), else nullopt.
std::optional<std::string> watch_summary(const nlohmann::json& status, const WatchMemory& memory);

}  // namespace treadmill::api
