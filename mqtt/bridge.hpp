// The bridge: the daemon's watch stream in, MQTT topics out; MQTT commands through the policy
// to the daemon and their results back; the daemon's metrics every metrics_interval_s. One
// Asio loop, one thread.
#pragma once

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "mqtt/bridge_config.hpp"
#include "mqtt/command_policy.hpp"
#include "mqtt/daemon_link.hpp"
#include "mqtt/mosquitto_link.hpp"
#include "mqtt/payloads.hpp"
#include "mqtt/topics.hpp"

namespace treadmill::mqtt {

class Bridge {
  public:
    Bridge(boost::asio::io_context& io, const BridgeConfig& config);
    void start();
    // Publishes availability offline and disconnects cleanly.
    void stop();

  private:
    void on_broker_connected();
    void on_status(const nlohmann::json& status);
    void on_daemon_down(const std::string& why);
    // Events in order; a session_ended waits for the daemon's summary of the session first.
    void publish_events(std::vector<nlohmann::json> events);
    void on_message(const Incoming& message);
    void on_command(const std::string& name, const Incoming& message);
    void publish_result(const std::string& name, const nlohmann::json& reply,
                        const Incoming& message);
    void publish_discovery();
    void publish_availability();
    void publish_state(bool force);
    // Asks the daemon for its metrics and publishes P/metrics (retained) with the answer.
    void publish_metrics();
    void schedule_metrics();
    void publish_json(const std::string& topic, const nlohmann::json& payload, bool retain,
                      int qos = 1);

    BridgeConfig config_;
    Topics topics_;
    CommandPolicy policy_;
    TelemetryGate telemetry_gate_;
    EventTracker events_;
    DaemonLink daemon_;
    MosquittoLink broker_;
    boost::asio::steady_timer metrics_timer_;
    std::optional<nlohmann::json> status_;  // the last one watched, while the daemon is up
    std::optional<nlohmann::json> published_state_;
    int calls_in_flight_ = 0;  // commands sent to the daemon and not answered yet
    bool metrics_call_pending_ = false;
    bool daemon_up_ = false;
    bool availability_sent_ = false;
    bool published_online_ = false;
};

}  // namespace treadmill::mqtt
