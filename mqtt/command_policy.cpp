#include "mqtt/command_policy.hpp"

#include "common/strict_json.hpp"

namespace treadmill::mqtt {

using nlohmann::json;

namespace {

constexpr int kAdjustmentsPerSecond = 2;

CommandDecision refuse(std::string code, std::string reason) {
    CommandDecision d;
    d.code = std::move(code);
    d.reason = std::move(reason);
    return d;
}

CommandDecision forward(json request) {
    CommandDecision d;
    d.forward = true;
    d.request = std::move(request);
    return d;
}

// The reason a command is never accepted over MQTT; empty for the ones that may be.
std::string never_reason(const std::string& name) {
    if (name == "start" || name == "resume") {
        return "starting or resuming the belt is never possible over MQTT: someone must be "
               "standing on it (use the console or treadmillctl at the treadmill)";
    }
    if (name == "reset") {
        return "reset is never possible over MQTT: clear a fault at the treadmill, where its "
               "cause can be seen";
    }
    if (name == "estop") {
        return "estop is not available over MQTT (it latches a fault that only a reset at the "
               "treadmill clears): use stop";
    }
    if (name == "stop" || name == "pause" || name == "speed" || name == "incline") return {};
    return "'" + name + "' is not allowed over MQTT (only stop, pause, speed and incline)";
}

}  // namespace

CommandDecision CommandPolicy::decide(const CommandMessage& message,
                                      std::chrono::steady_clock::time_point now) {
    if (message.retained) {
        return refuse("ignored",
                      "a retained command is ignored (it may be stale); publish "
                      "commands without the retain flag");
    }
    if (message.expired) return refuse("ignored", "the command expired before it arrived");
    if (const auto reason = never_reason(message.name); !reason.empty()) {
        return refuse("refused", reason);
    }
    json body = json::object();
    if (!message.payload.empty()) {
        auto parsed = parse_strict_json(message.payload);
        if (!parsed) {
            return refuse("bad_request", "the payload is not a JSON object: " +
                                             parsed.error().message + " of the payload");
        }
        body = std::move(*parsed);
        if (!body.is_object()) {
            return refuse("bad_request", "the payload must be a JSON object (or empty)");
        }
    }
    if (body.contains("cmd") && body["cmd"] != message.name) {
        return refuse("bad_request", "the payload's cmd does not match the topic's command '" +
                                         message.name + "'");
    }
    if (message.name == "stop" || message.name == "pause") return forward({{"cmd", message.name}});
    return adjust(message.name, body, message.state, now);
}

CommandDecision CommandPolicy::adjust(const std::string& name, const json& body,
                                      const std::string& state,
                                      std::chrono::steady_clock::time_point now) {
    if (!allow_adjust_) {
        return refuse("refused", name +
                                     " over MQTT is off (allow_adjust: false in the "
                                     "bridge's configuration)");
    }
    if (state != "running") {
        return refuse("refused", name + " changes only while running (state " +
                                     (state.empty() ? "unknown" : state) + ")");
    }
    json request = {{"cmd", name}};
    const bool has_value = body.contains("value") && body["value"].is_string();
    const bool has_delta = name == "speed" && body.contains("delta") && body["delta"].is_string();
    if (has_value == has_delta) {
        return refuse("bad_request", name == "speed"
                                         ? "speed needs one string \"value\" or \"delta\""
                                         : "incline needs a string \"value\" (\"6%\")");
    }
    request[has_value ? "value" : "delta"] = body[has_value ? "value" : "delta"];
    while (!recent_adjustments_.empty() &&
           now - recent_adjustments_.front() >= std::chrono::seconds(1)) {
        recent_adjustments_.pop_front();
    }
    if (recent_adjustments_.size() >= kAdjustmentsPerSecond) {
        return refuse("refused", "at most 2 speed/incline changes a second over MQTT");
    }
    recent_adjustments_.push_back(now);
    return forward(request);
}

}  // namespace treadmill::mqtt
