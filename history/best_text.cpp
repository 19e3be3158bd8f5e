#include "history/best_text.hpp"

#include <cmath>
#include <cstdio>

namespace treadmill::history {

std::string race_time(double seconds) {
    const long total = std::lround(std::max(0.0, seconds));
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                      total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

std::string best_announcement(const std::string& distance, double time_s,
                              std::optional<double> previous_s) {
    std::string text = "New " + distance + " best: " + race_time(time_s);
    if (previous_s) text += ", \u2212" + race_time(*previous_s - time_s);
    return text;
}

}  // namespace treadmill::history
