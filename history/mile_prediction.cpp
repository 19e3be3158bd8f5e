#include "history/mile_prediction.hpp"

#include <cmath>
#include <cstdio>

namespace treadmill::history {

double riegel_time_s(double time_s, double known_m, double distance_m) {
    return time_s * std::pow(distance_m / known_m, kRiegelExponent);
}

double riegel_distance_m(double time_s, double known_m, double duration_s) {
    return known_m * std::pow(duration_s / time_s, 1.0 / kRiegelExponent);
}

std::map<std::string, double> references_from_mile(double mile_s) {
    const auto pace_over = [&](double metres) {
        return riegel_time_s(mile_s, kMileM, metres) / (metres / 1000.0);
    };
    const double hour_m = riegel_distance_m(mile_s, kMileM, kThresholdRaceS);
    const double marathon = pace_over(kMarathonM);
    return {{"mile", mile_s / (kMileM / 1000.0)},
            {"5k", pace_over(5000.0)},
            {"10k", pace_over(10000.0)},
            {"threshold", kThresholdRaceS / (hour_m / 1000.0)},
            {"easy", marathon * (1.0 + kEasySlowerThanMarathon)},
            {"jog", marathon * (1.0 + kJogSlowerThanMarathon)}};
}

std::string pace_text(double s_per_km) {
    const long whole = std::lround(s_per_km);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld/km", whole / 60, whole % 60);
    return text;
}

}  // namespace treadmill::history
