#include "tests/mqtt/mqtt_test_client.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <stdexcept>
#include <thread>

namespace treadmill::testing {

MqttTestClient::MqttTestClient(std::uint16_t port, std::string client_id) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(client_id.c_str(), true, this);
    if (!mosq_) throw std::runtime_error("mosquitto_new");
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_connect_callback_set(
        mosq_, [](mosquitto* m, void* self, int rc) { on_connect(m, self, rc); });
    mosquitto_message_v5_callback_set(
        mosq_, [](mosquitto* m, void* self, const mosquitto_message* msg,
                  const mosquitto_property* props) { on_message(m, self, msg, props); });
    mosquitto_disconnect_callback_set(mosq_, [](mosquitto*, void* self, int) {
        auto* client = static_cast<MqttTestClient*>(self);
        std::lock_guard lock(client->mutex_);
        client->subscribed_ = false;
    });
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    // The broker may still be starting: try for up to 10 s. Later losses are retried by the
    // library's thread (loop_forever reconnects once it was connected).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (mosquitto_connect(mosq_, "127.0.0.1", port, 10) != MOSQ_ERR_SUCCESS &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    mosquitto_loop_start(mosq_);
}

MqttTestClient::~MqttTestClient() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, true);
    mosquitto_destroy(mosq_);
}

void MqttTestClient::on_connect(mosquitto* m, void* self, int rc) {
    if (rc != 0) return;
    mosquitto_subscribe(m, nullptr, "#", 1);
    auto* client = static_cast<MqttTestClient*>(self);
    std::lock_guard lock(client->mutex_);
    client->subscribed_ = true;
}

void MqttTestClient::on_message(mosquitto*, void* self, const void* raw, const void* raw_props) {
    const auto* msg = static_cast<const mosquitto_message*>(raw);
    const auto* props = static_cast<const mosquitto_property*>(raw_props);
    MqttMessage m;
    m.topic = msg->topic;
    m.payload.assign(static_cast<const char*>(msg->payload),
                     static_cast<std::size_t>(msg->payloadlen));
    m.retained = msg->retain;
    void* data = nullptr;
    std::uint16_t length = 0;
    if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &data, &length, false)) {
        m.correlation_data = std::string(static_cast<const char*>(data), length);
        std::free(data);
    }
    auto* client = static_cast<MqttTestClient*>(self);
    std::lock_guard lock(client->mutex_);
    client->messages_.push_back(std::move(m));
}

bool MqttTestClient::wait_connected(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            if (subscribed_) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(mutex_);
    return subscribed_;
}

bool MqttTestClient::publish(const std::string& topic, const std::string& payload,
                             const PublishOptions& options) {
    mosquitto_property* props = nullptr;
    if (options.response_topic) {
        mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC,
                                      options.response_topic->c_str());
    }
    if (options.correlation_data) {
        mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA,
                                      options.correlation_data->data(),
                                      static_cast<std::uint16_t>(options.correlation_data->size()));
    }
    const int rc =
        mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), 1, options.retain, props);
    mosquitto_property_free_all(&props);
    return rc == MOSQ_ERR_SUCCESS;
}

std::vector<MqttMessage> MqttTestClient::messages(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    if (topic.empty()) return messages_;
    std::vector<MqttMessage> out;
    for (const auto& m : messages_) {
        if (m.topic == topic) out.push_back(m);
    }
    return out;
}

std::optional<MqttMessage> MqttTestClient::wait_for(
    const std::string& topic, const std::function<bool(const MqttMessage&)>& pred,
    std::chrono::milliseconds timeout, std::size_t from) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            for (std::size_t i = from; i < messages_.size(); ++i) {
                if (messages_[i].topic == topic && pred(messages_[i])) return messages_[i];
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void MqttTestClient::clear() {
    std::lock_guard lock(mutex_);
    messages_.clear();
}

}  // namespace treadmill::testing
