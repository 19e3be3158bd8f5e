// `treadmillctl progress --svg FILE`: the mile best over time (a line) above the distance of
// each of the last 12 weeks (bars), as a standalone SVG. Pure: the `progress` reply in, text out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::ctl {

std::string progress_text(const nlohmann::json& body);
std::string progress_svg(const nlohmann::json& body);

}  // namespace treadmill::ctl
