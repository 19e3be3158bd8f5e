#include "mqtt/mosquitto_link.hpp"

#include <mqtt_protocol.h>

#include <iostream>

namespace treadmill::mqtt {

namespace asio = boost::asio;

namespace {

constexpr auto kMaxBackoff = std::chrono::seconds(30);
constexpr auto kConnackTimeout = std::chrono::seconds(10);

std::optional<std::string> string_property(const mosquitto_property* props, int id) {
    char* value = nullptr;
    if (!mosquitto_property_read_string(props, id, &value, false)) return std::nullopt;
    std::string out(value);
    std::free(value);
    return out;
}

std::optional<std::string> binary_property(const mosquitto_property* props, int id) {
    void* value = nullptr;
    std::uint16_t length = 0;
    if (!mosquitto_property_read_binary(props, id, &value, &length, false)) return std::nullopt;
    std::string out(static_cast<const char*>(value), length);
    std::free(value);
    return out;
}

}  // namespace

MosquittoLink::MosquittoLink(asio::io_context& io, const BridgeConfig& config,
                             std::string will_topic, std::string will_payload,
                             ConnectedHandler on_connected, MessageHandler on_message)
    : io_(io),
      config_(config),
      on_connected_(std::move(on_connected)),
      on_message_(std::move(on_message)),
      reconnect_timer_(io),
      misc_timer_(io) {
    mosquitto_lib_init();
    // Clean start, and a session that ends with the connection: nothing waits for us offline.
    mosq_ = mosquitto_new(config_.client_id.c_str(), true, this);
    if (!mosq_) throw std::runtime_error("mosquitto_new failed");
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_will_set_v5(mosq_, will_topic.c_str(), static_cast<int>(will_payload.size()),
                          will_payload.data(), 1, true, nullptr);
    if (!config_.username.empty()) {
        mosquitto_username_pw_set(mosq_, config_.username.c_str(),
                                  config_.password.empty() ? nullptr : config_.password.c_str());
    }
    if (!config_.tls_ca_file.empty()) {
        mosquitto_tls_set(mosq_, config_.tls_ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
    }
    mosquitto_connect_v5_callback_set(mosq_, &MosquittoLink::on_connect);
    mosquitto_message_v5_callback_set(mosq_, &MosquittoLink::on_message);
}

MosquittoLink::~MosquittoLink() {
    if (descriptor_) {
        descriptor_->cancel();
        descriptor_->release();
    }
    mosquitto_destroy(mosq_);
    mosquitto_lib_cleanup();
}

void MosquittoLink::start() {
    try_connect();
    tick();
}

void MosquittoLink::try_connect() {
    if (stopping_) return;
    // The TCP connect is blocking (libmosquitto); on a LAN it takes a round trip, and only
    // this process waits for it, never the daemon.
    const int rc = ever_tried_ ? mosquitto_reconnect(mosq_)
                               : mosquitto_connect_bind_v5(mosq_, config_.broker_host.c_str(),
                                                           config_.broker_port, config_.keepalive_s,
                                                           nullptr, nullptr);
    ever_tried_ = true;
    if (rc != MOSQ_ERR_SUCCESS) {
        std::cerr << "treadmill-mqtt: cannot connect to " << config_.broker_host << ":"
                  << config_.broker_port << ": "
                  << (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc))
                  << std::endl;
        return schedule_reconnect();
    }
    watch_socket();
}

void MosquittoLink::watch_socket() {
    ++generation_;
    write_armed_ = false;
    socket_since_ = std::chrono::steady_clock::now();
    // Not owned: release() before the next socket; libmosquitto closes this one itself.
    descriptor_.emplace(io_, mosquitto_socket(mosq_));
    arm_read();
    arm_write();
}

void MosquittoLink::arm_read() {
    descriptor_->async_wait(asio::posix::descriptor_base::wait_read,
                            [this, gen = generation_](const boost::system::error_code& ec) {
                                if (ec || gen != generation_) return;
                                const int rc = mosquitto_loop_read(mosq_, 1);
                                if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
                                    return lost("read", rc);
                                }
                                arm_read();
                                arm_write();
                            });
}

void MosquittoLink::arm_write() {
    if (write_armed_ || !descriptor_ || !mosquitto_want_write(mosq_)) return;
    write_armed_ = true;
    descriptor_->async_wait(asio::posix::descriptor_base::wait_write,
                            [this, gen = generation_](const boost::system::error_code& ec) {
                                if (ec || gen != generation_) return;
                                write_armed_ = false;
                                const int rc = mosquitto_loop_write(mosq_, 1);
                                if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
                                    return lost("write", rc);
                                }
                                arm_write();
                            });
}

void MosquittoLink::lost(const char* what, int rc) {
    if (descriptor_) {
        descriptor_->cancel();
        descriptor_->release();
        descriptor_.reset();
    }
    ++generation_;
    if (connected_ || !stopping_) {
        std::cerr << "treadmill-mqtt: lost the broker (" << what << ": "
                  << (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)) << ")"
                  << std::endl;
    }
    connected_ = false;
    schedule_reconnect();
}

void MosquittoLink::schedule_reconnect() {
    if (stopping_) return;
    reconnect_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) try_connect();
    });
}

// Keep-alive pings and time-outs, once a second.
void MosquittoLink::tick() {
    if (descriptor_ && !connected_ &&
        std::chrono::steady_clock::now() - socket_since_ >= kConnackTimeout) {
        lost("no CONNACK within 10 s", MOSQ_ERR_TIMEOUT);
    } else if (descriptor_) {
        const int rc = mosquitto_loop_misc(mosq_);
        if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
            lost("keep-alive", rc);
        } else {
            arm_write();
        }
    }
    misc_timer_.expires_after(std::chrono::seconds(1));
    misc_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

void MosquittoLink::on_connect(mosquitto*, void* self, int rc, int, const mosquitto_property*) {
    auto* link = static_cast<MosquittoLink*>(self);
    if (rc != 0) {
        std::cerr << "treadmill-mqtt: the broker refused the connection: "
                  << mosquitto_reason_string(rc) << std::endl;
        // libmosquitto closes the socket; the read handler sees it and reconnects later.
        return;
    }
    std::cerr << "treadmill-mqtt: connected to " << link->config_.broker_host << ":"
              << link->config_.broker_port << " as " << link->config_.client_id << std::endl;
    link->connected_ = true;
    link->backoff_ = std::chrono::seconds(1);
    link->on_connected_();
}

void MosquittoLink::on_message(mosquitto*, void* self, const mosquitto_message* message,
                               const mosquitto_property* props) {
    auto* link = static_cast<MosquittoLink*>(self);
    Incoming in;
    in.topic = message->topic;
    in.payload.assign(static_cast<const char*>(message->payload),
                      static_cast<std::size_t>(message->payloadlen));
    in.retained = message->retain;
    std::uint32_t expiry = 0;
    // The broker drops expired messages; one whose remaining lifetime reached 0 is expired too.
    if (mosquitto_property_read_int32(props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, &expiry, false)) {
        in.expired = expiry == 0;
    }
    in.response_topic = string_property(props, MQTT_PROP_RESPONSE_TOPIC);
    in.correlation_data = binary_property(props, MQTT_PROP_CORRELATION_DATA);
    link->on_message_(in);
}

bool MosquittoLink::publish(const std::string& topic, const std::string& payload, bool retain,
                            const std::optional<std::string>& correlation_data, int qos) {
    if (!connected_) return false;
    mosquitto_property* props = nullptr;
    if (correlation_data) {
        mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation_data->data(),
                                      static_cast<std::uint16_t>(correlation_data->size()));
    }
    const int rc =
        mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), qos, retain, props);
    mosquitto_property_free_all(&props);
    check_socket();
    return rc == MOSQ_ERR_SUCCESS;
}

bool MosquittoLink::subscribe(const std::string& filter) {
    if (!connected_) return false;
    const int rc = mosquitto_subscribe_v5(mosq_, nullptr, filter.c_str(), 1, 0, nullptr);
    check_socket();
    return rc == MOSQ_ERR_SUCCESS;
}

void MosquittoLink::check_socket() {
    if (!descriptor_) return;
    // Drop the descriptor at once: its number may be reused by the next socket we open.
    if (mosquitto_socket(mosq_) < 0) return lost("write", MOSQ_ERR_CONN_LOST);
    arm_write();
}

void MosquittoLink::stop() {
    stopping_ = true;
    reconnect_timer_.cancel();
    misc_timer_.cancel();
    if (connected_) {
        mosquitto_disconnect_v5(mosq_, 0, nullptr);
        // Flush the DISCONNECT (and what was queued before it) while the socket still exists.
        for (int i = 0; i < 10 && mosquitto_want_write(mosq_) && mosquitto_socket(mosq_) >= 0;
             ++i) {
            mosquitto_loop_write(mosq_, 1);
        }
    }
    if (descriptor_) {
        descriptor_->cancel();
        descriptor_->release();
        descriptor_.reset();
    }
    connected_ = false;
}

}  // namespace treadmill::mqtt
