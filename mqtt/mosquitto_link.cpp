#include "mqtt/mosquitto_link.hpp"

#include <mqtt_protocol.h>

#include <cstring>
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

const char* error_text(int rc) {
    return rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc);
}

}  // namespace

MosquittoLink::MosquittoLink(asio::io_context& io, const BridgeConfig& config,
                             std::string will_topic, std::string will_payload,
                             ConnectedHandler on_connected, MessageHandler on_message)
    : io_(io),
      config_(config),
      will_topic_(std::move(will_topic)),
      will_payload_(std::move(will_payload)),
      on_connected_(std::move(on_connected)),
      on_message_(std::move(on_message)),
      reconnect_timer_(io),
      misc_timer_(io) {
    mosquitto_lib_init();
    // A configuration libmosquitto rejects (an unreadable CA file, a key without its
    // certificate ...) is an error at start, not a retry loop.
    std::string error;
    mosq_ = make_client(error);
    if (!mosq_) throw std::runtime_error(error);
}

MosquittoLink::~MosquittoLink() {
    drop_client();
    mosquitto_lib_cleanup();
}

mosquitto* MosquittoLink::make_client(std::string& error) {
    // Clean start, and a session that ends with the connection: nothing waits for us offline.
    mosquitto* mosq = mosquitto_new(config_.client_id.c_str(), true, this);
    if (!mosq) {
        error = std::string("cannot create an MQTT client: ") + std::strerror(errno);
        return nullptr;
    }
    const auto failed = [&](const std::string& what, int rc) {
        error = what + ": " + error_text(rc);
        mosquitto_destroy(mosq);
        return nullptr;
    };
    int rc = mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    if (rc != MOSQ_ERR_SUCCESS) return failed("cannot select MQTT 5", rc);
    rc = mosquitto_will_set_v5(mosq, will_topic_.c_str(), static_cast<int>(will_payload_.size()),
                               will_payload_.data(), 1, true, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) return failed("cannot set the last will on " + will_topic_, rc);
    if (!config_.username.empty()) {
        rc = mosquitto_username_pw_set(
            mosq, config_.username.c_str(),
            config_.password.empty() ? nullptr : config_.password.c_str());
        if (rc != MOSQ_ERR_SUCCESS) return failed("cannot set the username", rc);
    }
    if (!config_.tls_ca_file.empty()) {
        const auto optional = [](const std::string& path) {
            return path.empty() ? nullptr : path.c_str();
        };
        rc = mosquitto_tls_set(mosq, config_.tls_ca_file.c_str(), nullptr,
                               optional(config_.tls_cert_file), optional(config_.tls_key_file),
                               nullptr);
        if (rc != MOSQ_ERR_SUCCESS) {
            return failed(
                "tls: cannot use ca_file " + config_.tls_ca_file +
                    (config_.tls_cert_file.empty() ? std::string()
                                                   : ", cert_file " + config_.tls_cert_file +
                                                         ", key_file " + config_.tls_key_file) +
                    " (missing or unreadable?)",
                rc);
        }
    }
    mosquitto_connect_v5_callback_set(mosq, &MosquittoLink::on_connect);
    mosquitto_message_v5_callback_set(mosq, &MosquittoLink::on_message);
    mosquitto_log_callback_set(mosq, &MosquittoLink::on_log);
    return mosq;
}

// Forgets the client and whatever it still had queued; its socket closes with it.
void MosquittoLink::drop_client() {
    if (descriptor_) {
        descriptor_->cancel();
        descriptor_->release();
        descriptor_.reset();
    }
    ++generation_;
    if (mosq_) mosquitto_destroy(mosq_);
    mosq_ = nullptr;
}

// libmosquitto's own errors (the TLS handshake's reason above all) go to our log.
void MosquittoLink::on_log(mosquitto*, void*, int level, const char* text) {
    if (!(level & MOSQ_LOG_ERR) || !text) return;
    std::cerr << "treadmill-mqtt: libmosquitto: " << text << std::endl;
}

void MosquittoLink::start() {
    try_connect();
    tick();
}

void MosquittoLink::try_connect() {
    if (stopping_) return;
    // A fresh client per connection: what the last one had in flight is dropped with it.
    drop_client();
    refused_ = false;
    std::string error;
    mosq_ = make_client(error);
    if (!mosq_) {
        std::cerr << "treadmill-mqtt: " << error << std::endl;
        return schedule_reconnect();
    }
    // Non-blocking: the socket is connecting when this returns (name resolution of a host
    // name is the one step that may wait).
    const int rc = mosquitto_connect_bind_async(mosq_, config_.broker_host.c_str(),
                                                config_.broker_port, config_.keepalive_s, nullptr);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
        std::cerr << "treadmill-mqtt: cannot connect to " << config_.broker_host << ":"
                  << config_.broker_port << ": " << error_text(rc) << std::endl;
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
    // The first writable event says the TCP connection is made (or failed).
    write_armed_ = true;
    descriptor_->async_wait(asio::posix::descriptor_base::wait_write,
                            [this, gen = generation_](const boost::system::error_code& ec) {
                                if (ec || gen != generation_) return;
                                write_armed_ = false;
                                connecting_step();
                            });
}

// Until the CONNACK, libmosquitto wants to write (the CONNECT is queued) while the TLS
// handshake waits for the broker; polling for writable then would spin. So each readable
// event (and the first writable one) advances the handshake and then writes what is queued.
void MosquittoLink::connecting_step() {
    int rc = mosquitto_loop_read(mosq_, 1);
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(mosq_) >= 0) rc = mosquitto_loop_write(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
        return lost("connect", rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc);
    }
}

void MosquittoLink::arm_read() {
    descriptor_->async_wait(asio::posix::descriptor_base::wait_read,
                            [this, gen = generation_](const boost::system::error_code& ec) {
                                if (ec || gen != generation_) return;
                                if (!connected_) {
                                    connecting_step();
                                    if (gen != generation_) return;
                                    arm_read();
                                    if (connected_) arm_write();
                                    return;
                                }
                                const int rc = mosquitto_loop_read(mosq_, 1);
                                if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq_) < 0) {
                                    return lost("read", rc);
                                }
                                arm_read();
                                arm_write();
                            });
}

void MosquittoLink::arm_write() {
    if (write_armed_ || !descriptor_ || !connected_ || !mosquitto_want_write(mosq_)) return;
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
    if (refused_) {
        refused_ = false;  // logged with the broker's reason already
    } else if (connected_ || !stopping_) {
        std::cerr << "treadmill-mqtt: lost the broker (" << what;
        if (rc != MOSQ_ERR_TIMEOUT) std::cerr << ": " << error_text(rc);  // the time-out says it
        std::cerr << ")" << std::endl;
    }
    connected_ = false;
    schedule_reconnect();
}

void MosquittoLink::schedule_reconnect() {
    if (stopping_) return;
    std::cerr << "treadmill-mqtt: next try in " << backoff_.count() << " s" << std::endl;
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
                  << mosquitto_reason_string(rc);
        if (rc == MQTT_RC_BAD_USERNAME_OR_PASSWORD || rc == MQTT_RC_NOT_AUTHORIZED) {
            const std::string& user = link->config_.username;
            std::cerr << (user.empty() ? " (no username configured: set username and "
                                         "password_file in the bridge's configuration)"
                                       : " (user '" + user +
                                             "': check username and password_file or password "
                                             "in the bridge's configuration)");
        }
        std::cerr << std::endl;
        link->refused_ = true;
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

bool MosquittoLink::subscribe(const std::string& filter, int options) {
    if (!connected_) return false;
    const int rc = mosquitto_subscribe_v5(mosq_, nullptr, filter.c_str(), 1, options, nullptr);
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
