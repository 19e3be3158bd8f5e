#include "controller/metrics/maintenance_view.hpp"

#include <ctime>

namespace treadmill::metrics {

using nlohmann::json;

namespace {

std::string rfc3339(std::int64_t unix_time) {
    const std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

struct Since {
    double hours = 0;
    double metres = 0;
    const MaintenanceMark* mark = nullptr;
};

Since since(const Counters& c, const std::string& item) {
    const auto it = c.maintenance.find(item);
    const MaintenanceMark* mark = it == c.maintenance.end() ? nullptr : &it->second;
    const double s = c.belt_running_s - (mark ? mark->belt_running_s : 0.0);
    const double m = c.belt_distance_m - (mark ? mark->belt_distance_m : 0.0);
    return {s / 3600.0, m, mark};
}

}  // namespace

json maintenance_json(const Counters& counters, const MaintenanceIntervals& intervals) {
    json items = json::array();
    for (const auto& [item, interval_h] : intervals) {
        const Since s = since(counters, item);
        items.push_back({{"item", item},
                         {"interval_h", interval_h},
                         {"since_h", s.hours},
                         {"since_m", s.metres},
                         {"due", s.hours >= interval_h},
                         {"last_done", s.mark ? json(rfc3339(s.mark->done_at)) : json(nullptr)}});
    }
    return {{"belt_hours", counters.belt_running_s / 3600.0},
            {"belt_distance_m", counters.belt_distance_m},
            {"items", std::move(items)}};
}

json maintenance_due(const Counters& counters, const MaintenanceIntervals& intervals) {
    json due = json::array();
    for (const auto& [item, interval_h] : intervals)
        if (since(counters, item).hours >= interval_h) due.push_back(item);
    return due;
}

}  // namespace treadmill::metrics
