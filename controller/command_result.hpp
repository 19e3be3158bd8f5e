// The answer to an API command: ok, or a refusal with a code and a reason.
#pragma once

#include <optional>
#include <string>

namespace treadmill::controller {

struct CommandResult {
    bool ok = true;
    std::string code;             // "refused" or "bad_value" when !ok (the API's error codes)
    std::string message;          // why it was refused
    std::optional<double> value;  // what a speed/incline request became (clamped, rounded)

    static CommandResult accepted(std::optional<double> v = std::nullopt) {
        return CommandResult{true, {}, {}, v};
    }
    static CommandResult refused(std::string why) {
        return CommandResult{false, "refused", std::move(why), std::nullopt};
    }
    static CommandResult bad_value(std::string why) {
        return CommandResult{false, "bad_value", std::move(why), std::nullopt};
    }
};

}  // namespace treadmill::controller
