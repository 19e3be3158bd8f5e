// The `metrics` reply ({"counters":{…},"gauges":{…}}, docs/api.md) in the Prometheus text
// exposition format 0.0.4, with the names and units of docs/fleet.md. Used by
// `treadmillctl metrics` and by any server of /metrics, so they all print the same text.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::metrics {

// Throws nlohmann::json::exception when `metrics` is not shaped like the reply.
std::string prometheus_exposition(const nlohmann::json& metrics);

}  // namespace treadmill::metrics
