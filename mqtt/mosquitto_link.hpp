// libmosquitto driven by the bridge's own Asio loop (no mosquitto thread): the broker's socket
// is watched through a stream_descriptor that does not own it (libmosquitto closes it, and
// the number changes on each reconnect), loop_read/loop_write when it is ready, loop_misc
// every second for keep-alive. A broker that accepts the TCP connection but sends no CONNACK
// within 10 s is dropped. Reconnects with a back-off (1 s doubling to 30 s). Every connection
// attempt uses a fresh libmosquitto client (clean start), so nothing published on an earlier
// connection (an unacknowledged QoS 1 state, event or result) is sent again after a reconnect;
// while disconnected, publish() drops messages: nothing is queued offline. The TCP connect
// (and the TLS handshake) is non-blocking: the loop never waits for the broker.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <mosquitto.h>
#include <boost/asio.hpp>

#include "mqtt/bridge_config.hpp"

namespace treadmill::mqtt {

// A received message with the MQTT 5 properties the bridge uses.
struct Incoming {
    std::string topic;
    std::string payload;
    bool retained = false;
    bool expired = false;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;
};

class MosquittoLink {
  public:
    using ConnectedHandler = std::function<void()>;
    using MessageHandler = std::function<void(const Incoming&)>;

    // `will_topic` gets `will_payload` (retained) when the bridge vanishes.
    MosquittoLink(boost::asio::io_context& io, const BridgeConfig& config, std::string will_topic,
                  std::string will_payload, ConnectedHandler on_connected,
                  MessageHandler on_message);
    ~MosquittoLink();
    MosquittoLink(const MosquittoLink&) = delete;
    MosquittoLink& operator=(const MosquittoLink&) = delete;

    // The first connection attempt (later ones follow by themselves).
    void start();
    bool connected() const { return connected_; }
    // Publishes (QoS 1, or 0 for a stream where the next message supersedes this one); false
    // (and nothing queued) when not connected.
    bool publish(const std::string& topic, const std::string& payload, bool retain,
                 const std::optional<std::string>& correlation_data = std::nullopt, int qos = 1);
    // `options`: MQTT 5 subscription options (MQTT_SUB_OPT_*).
    bool subscribe(const std::string& filter, int options = 0);
    // A clean DISCONNECT (the broker then does not send the will) and no reconnect.
    void stop();

  private:
    static void on_connect(mosquitto*, void* self, int rc, int flags, const mosquitto_property*);
    static void on_message(mosquitto*, void* self, const mosquitto_message* message,
                           const mosquitto_property* props);
    static void on_log(mosquitto*, void* self, int level, const char* text);
    // A new client with the will, credentials and TLS set; nullptr and `error` on failure.
    mosquitto* make_client(std::string& error);
    void drop_client();
    void try_connect();
    void watch_socket();
    void arm_read();
    void arm_write();
    // Before the CONNACK: one step of the TCP/TLS handshake and the CONNECT packet.
    void connecting_step();
    void lost(const char* what, int rc);
    void schedule_reconnect();
    void tick();
    // After a call that may have written: libmosquitto closes the socket on a write error.
    void check_socket();

    boost::asio::io_context& io_;
    BridgeConfig config_;
    std::string will_topic_;
    std::string will_payload_;
    ConnectedHandler on_connected_;
    MessageHandler on_message_;
    mosquitto* mosq_ = nullptr;
    std::optional<boost::asio::posix::stream_descriptor> descriptor_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer misc_timer_;
    std::chrono::seconds backoff_{1};
    std::chrono::steady_clock::time_point socket_since_{};  // when the TCP connection was made
    std::uint64_t generation_ = 0;  // bumps on every new socket; stale handlers see a change
    bool connected_ = false;
    bool refused_ = false;  // the broker's CONNACK said no (and why): the socket's end says no more
    bool write_armed_ = false;
    bool stopping_ = false;
};

}  // namespace treadmill::mqtt
