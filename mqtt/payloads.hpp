// What the bridge publishes, built from the daemon's status object (docs/api.md): the retained
// state, the telemetry and when to send it, the events, and Home Assistant's discovery configs.
// Pure functions of their arguments; time is passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mqtt/topics.hpp"

namespace treadmill::mqtt {

using Clock = std::chrono::steady_clock;

// {state, program {id,name}, step, fault {code,message}, key_present}; null where it does not
// apply.
nlohmann::json state_payload(const nlohmann::json& status);
// {speed_kmh, incline_pct, distance_m, elapsed_s, pace_s_per_km}, rounded so that "changed"
// means a change someone would see.
nlohmann::json telemetry_payload(const nlohmann::json& status);
// The belt turns (or is commanded to): telemetry then goes out every second.
bool belt_moving(const nlohmann::json& status);

// Telemetry at 1 Hz while the belt moves, otherwise only when it changed.
class TelemetryGate {
  public:
    // True when `payload` should be published now (and remembers it as published).
    bool should_publish(const nlohmann::json& payload, bool moving, Clock::time_point now);
    // After a reconnect: the next payload goes out whatever it is.
    void reset() { last_.reset(); }

  private:
    std::optional<nlohmann::json> last_;
    Clock::time_point last_at_{};
};

// Events from one status to the next: session_started, session_ended (with the last known
// elapsed time and distance, and how it ended), fault, fault_cleared.
class EventTracker {
  public:
    std::vector<nlohmann::json> update(const nlohmann::json& status);

  private:
    std::optional<nlohmann::json> previous_;
};

// The counters of the daemon's `metrics` reply ({"counters","gauges"}, docs/api.md) as
// P/metrics publishes them: the API's counter names, without the maintenance marks, plus
// belt_hours; nullopt when `metrics` holds no counters.
std::optional<nlohmann::json> metrics_payload(const nlohmann::json& metrics);

// A session_ended event with the daemon's summary of that session (the `session` command's
// reply, docs/api.md): `ended` then says completed, stopped or fault as the daemon saw it, and
// `summary` holds {time_s, distance_m, avg_pace_s_per_km, best_pace_s_per_km, ascent_m}.
// Without a summary in the reply (the daemon unreachable, or a session already replaced) the
// event stays as the status stream made it, with `summary: null`.
nlohmann::json with_session_summary(const nlohmann::json& ended_event,
                                    const nlohmann::json& session_reply);

// One retained discovery message.
struct Discovery {
    std::string topic;
    nlohmann::json config;
};
// Home Assistant MQTT discovery for one treadmill: sensors (speed, incline, distance, pace,
// program, state, belt hours), binary sensors (running, fault, key present) and a Stop button.
std::vector<Discovery> discovery_configs(const Topics& topics, const std::string& name);

// The result message of a command: the API's reply without its id, plus `cmd`.
nlohmann::json result_payload(const std::string& command, const nlohmann::json& reply);
// A refusal by the bridge itself, in the API's error shape.
nlohmann::json refusal_reply(const std::string& code, const std::string& message);

}  // namespace treadmill::mqtt
