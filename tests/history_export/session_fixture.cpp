#include "session_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace treadmill::history::testing {

namespace {

struct Step {
    std::string kind;
    bool active;
    int seconds;
    double speed_kmh;
    double incline_pct;
    int rep;
};

constexpr std::int64_t start_ms = 1796626800000;  // 2026-12-07T07:00:00Z
constexpr double belt_acceleration_kmh_s = 1.5;

// Builds samples, laps and events; `pause_at` (workout seconds, 0 = none) stops the belt for
// `pause_s` of wall time.
SessionRecord build(const std::vector<Step>& steps, int pause_at, int pause_s) {
    SessionRecord r;
    r.id = 42;
    r.program_id = "intervals-8x400";
    r.name = "8 x 400 m";
    r.start_utc_ms = start_ms;
    r.utc_offset_s = 3600;
    r.ended = Ended::completed;
    double speed = 0.0, distance_m = 0.0;
    std::int64_t wall_offset_ms = 0;
    int t = 0;
    for (std::size_t index = 0; index < steps.size(); ++index) {
        const Step& step = steps[index];
        Lap lap{step.kind, step.active, static_cast<double>(t), static_cast<double>(step.seconds)};
        const double lap_start_m = distance_m;
        double incline_sum = 0.0;
        for (int i = 0; i < step.seconds; ++i) {
            if (pause_at != 0 && t == pause_at) {
                r.events.push_back(
                    {double(t), start_ms + t * 1000LL + wall_offset_ms, "pause", ""});
                wall_offset_ms += pause_s * 1000LL;
                r.events.push_back(
                    {double(t), start_ms + t * 1000LL + wall_offset_ms, "resume", ""});
                speed = 0.0;  // the belt stopped during the pause
            }
            ++t;
            speed = speed < step.speed_kmh
                        ? std::min(step.speed_kmh, speed + belt_acceleration_kmh_s)
                        : std::max(step.speed_kmh, speed - belt_acceleration_kmh_s);
            distance_m += speed / 3.6;
            Sample s;
            s.elapsed_s = t;
            s.utc_ms = start_ms + t * 1000LL + wall_offset_ms;
            s.distance_mm = std::llround(distance_m * 1000.0);
            s.target_speed_kmh = step.speed_kmh;
            s.speed_kmh = speed;
            s.target_incline_pct = s.incline_pct = step.incline_pct;
            s.step = static_cast<int>(index);
            s.rep = step.rep;
            r.samples.push_back(s);
            lap.max_speed_kmh = std::max(lap.max_speed_kmh, speed);
            incline_sum += step.incline_pct;
        }
        lap.distance_m = static_cast<double>(r.samples.back().distance_mm) / 1000.0 - lap_start_m;
        lap.distance_m = std::round(lap.distance_m * 1000.0) / 1000.0;
        lap.avg_speed_kmh = lap.distance_m / lap.time_s * 3.6;
        lap.avg_incline_pct = incline_sum / step.seconds;
        lap.ascent_m = lap.distance_m * step.incline_pct / 100.0;
        r.laps.push_back(lap);
        distance_m = static_cast<double>(r.samples.back().distance_mm) / 1000.0;
    }
    r.duration_s = t;
    r.distance_m = static_cast<double>(r.samples.back().distance_mm) / 1000.0;
    return r;
}

}  // namespace

SessionRecord interval_session() {
    std::vector<Step> steps{{"warmup", true, 600, 10.0, 1.0, 0}};
    for (int rep = 1; rep <= 8; ++rep) {
        steps.push_back({"run", true, 90, 16.0, 1.0, rep});
        steps.push_back({"recover", false, 90, 6.0, 0.0, rep});
    }
    steps.push_back({"cooldown", true, 300, 9.0, 1.0, 0});
    const int third_recovery_start = 600 + 2 * 180 + 90;
    SessionRecord r = build(steps, third_recovery_start + 30, 45);
    r.events.push_back({700.0, start_ms + 700000, "speed", "16.5"});
    std::sort(r.events.begin(), r.events.end(),
              [](const Event& a, const Event& b) { return a.utc_ms < b.utc_ms; });
    return r;
}

SessionRecord walk_session() {
    SessionRecord r = build({{"warmup", true, 300, 5.0, 4.0, 0},
                             {"walk", true, 600, 6.0, 8.0, 0},
                             {"cooldown", true, 300, 5.0, 0.0, 0}},
                            0, 0);
    r.id = 43;
    r.program_id = "hill-walk";
    r.name = "Hill walk";
    return r;
}

}  // namespace treadmill::history::testing
