// The status object of the control API (`status`, `watch`): every field always present, null
// when it does not apply; fault times as RFC 3339 UTC.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "controller/status.hpp"

namespace treadmill::api {

// "2026-11-26T11:30:57.123Z"
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

// Encodes `status`; steady-clock times are placed on the wall clock through the pair
// (now_steady, now_wall) read at the same moment.
nlohmann::json encode_status(const controller::Status& status, TimePoint now_steady,
                             std::chrono::system_clock::time_point now_wall);

}  // namespace treadmill::api
