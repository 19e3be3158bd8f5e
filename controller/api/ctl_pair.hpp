// treadmillctl pair: a PIN for the runner's console (`pair`, `pair --viewer`), the paired
// devices (`pair --list`) and revoking one (`pair --revoke ID`), as API requests and the text
// printed for their replies. Pure, for tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace treadmill::api {

// The request for `pair args...`, or a usage message.
Result<nlohmann::json, std::string> pair_request(const std::vector<std::string>& args);

// What `pair` prints for a successful reply to `request`: for a PIN, the six digits alone on
// the first line (scripts read it), then how long it is valid.
std::string pair_text(const nlohmann::json& request, const nlohmann::json& reply);

}  // namespace treadmill::api
