#include "controller/api/program_chart.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace treadmill::api {

namespace {

struct Point {
    double t = 0;
    std::optional<double> speed;  // none: the runner sets it
    double incline = 0;
    bool operator==(const Point&) const = default;
};

// `value` to 1/`steps` (a division, so 12.3 prints as 12.3).
double rounded(double value, double steps) {
    return std::round(value * steps) / steps;
}

nlohmann::json point_json(const Point& p) {
    return nlohmann::json::array(
        {rounded(p.t, 10), p.speed ? nlohmann::json(rounded(*p.speed, 100)) : nlohmann::json(),
         rounded(p.incline, 100)});
}

// Each step's start and end, with the middle of a flat stretch dropped.
std::vector<Point> corners(const programs::Timeline& timeline) {
    std::vector<Point> points;
    double t = 0;
    for (const auto& step : timeline.steps) {
        if (step.duration_s <= 0) continue;
        const auto speed = [&](double kmh) {
            return step.manual_speed ? std::nullopt : std::optional<double>(kmh);
        };
        const Point from{t, speed(step.speed_kmh), step.incline_pct};
        const Point to{t + step.duration_s, speed(step.speed_end_kmh), step.incline_end_pct};
        const auto same_values = [](const Point& a, const Point& b) {
            return a.speed == b.speed && a.incline == b.incline;
        };
        // A flat step after a flat one at the same values: stretch the last point.
        if (points.size() >= 2 && same_values(points.back(), from) && same_values(from, to) &&
            same_values(points[points.size() - 2], points.back())) {
            points.back().t = to.t;
        } else {
            points.push_back(from);
            points.push_back(to);
        }
        t += step.duration_s;
    }
    return points;
}

// The mean speed and incline of each of `slices` equal slices of the workout's time.
std::vector<Point> slices(const programs::Timeline& timeline, std::size_t count) {
    double total = 0;
    for (const auto& step : timeline.steps) total += std::max(0.0, step.duration_s);
    std::vector<Point> points;
    const double width = total / static_cast<double>(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double begin = width * static_cast<double>(i), end = begin + width;
        double speed_sum = 0, speed_time = 0, incline_sum = 0, t = 0;
        for (const auto& step : timeline.steps) {
            const double d = std::max(0.0, step.duration_s);
            const double a = std::max(begin, t), b = std::min(end, t + d);
            if (b > a) {  // the overlap's mean is the value at its middle (linear ramps)
                const double mid = d > 0 ? ((a + b) / 2 - t) / d : 0;
                const double part = b - a;
                incline_sum +=
                    part * (step.incline_pct + (step.incline_end_pct - step.incline_pct) * mid);
                if (!step.manual_speed) {
                    speed_sum +=
                        part * (step.speed_kmh + (step.speed_end_kmh - step.speed_kmh) * mid);
                    speed_time += part;
                }
            }
            t += d;
        }
        const std::optional<double> speed =
            speed_time > 0 ? std::optional<double>(speed_sum / speed_time) : std::nullopt;
        const double incline = width > 0 ? incline_sum / width : 0;
        points.push_back({begin, speed, incline});
        points.push_back({end, speed, incline});
    }
    return points;
}

}  // namespace

nlohmann::json program_chart(const programs::Timeline& timeline) {
    auto points = corners(timeline);
    if (points.size() > kMaxChartPoints) points = slices(timeline, kMaxChartPoints / 2);
    nlohmann::json chart = nlohmann::json::array();
    for (const auto& p : points) chart.push_back(point_json(p));
    return chart;
}

}  // namespace treadmill::api
