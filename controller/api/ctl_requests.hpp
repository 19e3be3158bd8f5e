// treadmillctl's daemon-facing commands, as requests: the words a user types turned into the
// API's JSON ("speed +0.5" → {"cmd":"speed","delta":"+0.5 km/h"}). Pure, for tests.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace treadmill::api {

struct DaemonCommandInfo {
    std::string_view name;
    std::string_view usage;    // the arguments after the name
    std::string_view summary;  // one line for the help
};

// start, pause, resume, stop, skip, speed, incline, estop, reset, status, watch, sim, pair.
std::span<const DaemonCommandInfo> daemon_commands();
bool is_daemon_command(std::string_view name);

// The request for `name args...`, or a usage message. `start` reads FILE when the argument
// names an existing file (else it is a program id; a file that is not valid UTF-8 is refused
// with "FILE:line:col: error: invalid UTF-8 …"); `--pace K=V` may repeat.
Result<nlohmann::json, std::string> build_request(const std::string& name,
                                                  const std::vector<std::string>& args);

}  // namespace treadmill::api
