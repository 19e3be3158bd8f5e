#include "controller/api/command_policy.hpp"

#include <utility>

namespace treadmill::api {

CommandPolicy::CommandPolicy(std::string listener, std::set<std::string> allowed,
                             std::map<std::string, std::string> reasons)
    : listener_(std::move(listener)), allowed_(std::move(allowed)), reasons_(std::move(reasons)) {}

std::optional<ApiError> CommandPolicy::check(const std::string& cmd) const {
    if (allows(cmd)) return std::nullopt;
    std::string why;
    if (const auto it = reasons_.find(cmd); it != reasons_.end()) {
        why = it->second;
    } else {
        std::string list;
        for (const auto& name : allowed_) list += (list.empty() ? "" : ", ") + name;
        why = "it accepts only " + list;
    }
    return ApiError{ErrorCode::refused, cmd + " is not allowed on " + listener_ + ": " + why};
}

CommandPolicy remote_command_policy(bool allow_adjust) {
    std::set<std::string> allowed{"status",  "watch",   "programs", "show",
                                  "metrics", "session", "stop",     "pause"};
    if (allow_adjust) allowed.insert({"speed", "incline"});
    const std::string at_the_treadmill = "someone must be at the treadmill";
    std::map<std::string, std::string> reasons{
        {"start", at_the_treadmill},
        {"resume", at_the_treadmill},
        {"skip", "changing the workout needs someone at the treadmill"},
        {"reset", "a fault is cleared by someone who has looked at the treadmill"},
        {"estop",
         "an emergency stop latches a fault that only someone at the treadmill can "
         "reset; use stop"},
        {"sim", "the simulator is driven from the local socket"},
        {"save_program", "programs are edited on the local socket"},
        {"validate", "programs are edited on the local socket"},
    };
    if (!allow_adjust) {
        const std::string off = "api.remote_adjust is off in the daemon's configuration";
        reasons["speed"] = off;
        reasons["incline"] = off;
    }
    return CommandPolicy("the remote socket", std::move(allowed), std::move(reasons));
}

}  // namespace treadmill::api
