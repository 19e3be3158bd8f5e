// An MQTT 5 client for tests (libmosquitto with its own thread): subscribes to everything,
// keeps every message it receives, reconnects by itself (and subscribes again) when the broker
// comes back, and publishes with the MQTT 5 properties the bridge honours.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct mosquitto;

namespace treadmill::testing {

struct MqttMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
    std::optional<std::string> correlation_data;
};

struct PublishOptions {
    bool retain = false;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;
};

class MqttTestClient {
  public:
    MqttTestClient(std::uint16_t port, std::string client_id);
    ~MqttTestClient();
    MqttTestClient(const MqttTestClient&) = delete;
    MqttTestClient& operator=(const MqttTestClient&) = delete;

    // Connected (and subscribed) within `timeout`.
    bool wait_connected(std::chrono::milliseconds timeout);
    bool publish(const std::string& topic, const std::string& payload,
                 const PublishOptions& options = {});
    // A copy of what arrived so far (optionally only one topic).
    std::vector<MqttMessage> messages(const std::string& topic = {}) const;
    // The first message after index `from` on `topic` that satisfies `pred`, within `timeout`.
    std::optional<MqttMessage> wait_for(const std::string& topic,
                                        const std::function<bool(const MqttMessage&)>& pred,
                                        std::chrono::milliseconds timeout,
                                        std::size_t from = 0) const;
    void clear();

  private:
    static void on_connect(mosquitto*, void* self, int rc);
    static void on_message(mosquitto*, void* self, const void* message, const void* props);

    mosquitto* mosq_ = nullptr;
    mutable std::mutex mutex_;
    std::vector<MqttMessage> messages_;
    bool subscribed_ = false;
};

}  // namespace treadmill::testing
