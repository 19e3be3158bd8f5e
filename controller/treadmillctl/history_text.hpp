// The history's replies as text for a person: the session table, one session, the bests.
// Pure functions of the API's JSON (tested without a daemon).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::ctl {

// {"sessions": [...]} as a table.
std::string sessions_text(const nlohmann::json& body);
// {"session": {...}}: the summary, the laps, the events, the bests.
std::string session_text(const nlohmann::json& body);
// {"bests": [...]}.
std::string bests_text(const nlohmann::json& body);

}  // namespace treadmill::ctl
