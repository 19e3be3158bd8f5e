// The bridge's side of treadmilld's control API, on the bridge's Asio loop: one `watch`
// stream (reconnected with a back-off when the daemon goes away) and one short connection per
// command. Nothing here can block the daemon: a bridge that stops reading is dropped by it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

namespace treadmill::mqtt {

class DaemonLink {
  public:
    using StatusHandler = std::function<void(const nlohmann::json& status)>;
    using DownHandler = std::function<void(const std::string& why)>;
    using ReplyHandler = std::function<void(const nlohmann::json& reply)>;

    DaemonLink(boost::asio::io_context& io, std::string socket_path, StatusHandler on_status,
               DownHandler on_down);
    ~DaemonLink();
    DaemonLink(const DaemonLink&) = delete;
    DaemonLink& operator=(const DaemonLink&) = delete;

    // Opens the watch stream (and keeps it open).
    void start();
    // Sends one request on its own connection; `on_reply` gets the reply, or an error reply
    // (code "unavailable") when the daemon cannot be reached within 5 s.
    void call(nlohmann::json request, ReplyHandler on_reply);

  private:
    struct Watch;
    void connect_watch();
    void read_watch(std::shared_ptr<Watch> watch);
    void watch_lost(const std::string& why);

    boost::asio::io_context& io_;
    std::string socket_path_;
    StatusHandler on_status_;
    DownHandler on_down_;
    std::shared_ptr<Watch> watch_;
    boost::asio::steady_timer retry_timer_;
    std::chrono::milliseconds backoff_{250};
};

}  // namespace treadmill::mqtt
