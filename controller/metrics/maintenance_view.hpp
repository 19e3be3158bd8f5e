// The maintenance view: belt hours and distance since each item (lubrication, service) was last
// done, against its interval from the config (`maintenance: {lubrication: 150 h, ...}`), and
// which are due. Pure: the counters and the intervals in, JSON out.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/metrics/metric_counters.hpp"

namespace treadmill::metrics {

// Item name → its interval in belt hours.
using MaintenanceIntervals = std::map<std::string, double>;

// {"belt_hours","belt_distance_m","items":[{"item","interval_h","since_h","since_m","due",
// "last_done"}]}: an item never done counts from the first hour of the belt; `last_done` is
// RFC 3339 UTC or null.
nlohmann::json maintenance_json(const Counters& counters, const MaintenanceIntervals& intervals);
// The items due now, by name (for status.maintenance_due).
nlohmann::json maintenance_due(const Counters& counters, const MaintenanceIntervals& intervals);

}  // namespace treadmill::metrics
