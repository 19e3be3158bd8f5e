// Which MQTT commands reach the daemon. Remote control can only take motion away: stop and
// pause always; speed/incline only while running, only when the bridge's config allows it,
// at most 2 a second; never start, resume, reset or estop (someone must be at the belt to
// start it, and a fault is cleared where its cause can be seen). Pure; time is passed in.
#pragma once

#include <chrono>
#include <deque>
#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::mqtt {

struct CommandMessage {
    std::string name;     // from the topic …/cmd/<name>
    std::string payload;  // JSON object text, or empty
    bool retained = false;
    bool expired = false;  // MQTT 5 message expiry reached
    std::string state;     // the daemon's state as last watched ("" when unknown)
};

struct CommandDecision {
    bool forward = false;
    nlohmann::json request;  // the API request to send (without id) when forwarded
    std::string code;        // when refused: "ignored", "refused", "bad_request"
    std::string reason;      // when refused: why, for the user
};

class CommandPolicy {
  public:
    explicit CommandPolicy(bool allow_adjust) : allow_adjust_(allow_adjust) {}
    CommandDecision decide(const CommandMessage& message,
                           std::chrono::steady_clock::time_point now);

  private:
    CommandDecision adjust(const std::string& name, const nlohmann::json& body,
                           const std::string& state, std::chrono::steady_clock::time_point now);

    bool allow_adjust_;
    std::deque<std::chrono::steady_clock::time_point> recent_adjustments_;
};

}  // namespace treadmill::mqtt
