// The console's connections to treadmilld's control API (JSON lines on a Unix socket): a
// command connection with a FIFO of pending replies, and the `watch` stream. Both reconnect
// with back-off when the daemon goes away, and never queue a command across a disconnect.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <nlohmann/json.hpp>

namespace treadmill::console {

namespace asio = boost::asio;

// The next back-off after `current` (100 ms doubling up to 2 s).
std::chrono::milliseconds next_backoff(std::chrono::milliseconds current);

// One command connection. request() sends at once when connected; when the link is down the
// callback gets nullopt right away (nothing is queued for later). Sends `status` after
// `keepalive` without a request, inside the API's idle time-out (60 s by default).
class CommandLink : public std::enable_shared_from_this<CommandLink> {
  public:
    using Reply = std::function<void(std::optional<nlohmann::json>)>;
    // A reply line longer than `max_reply_bytes` drops the connection (its requests get
    // nullopt) and the link reconnects.
    CommandLink(asio::io_context& io, std::string socket_path,
                std::size_t max_reply_bytes = kMaxReplyBytes,
                std::chrono::milliseconds keepalive = kKeepalive);
    static constexpr std::size_t kMaxReplyBytes = 1 << 20;
    static constexpr std::chrono::milliseconds kKeepalive{20'000};
    void start();
    void close();
    bool connected() const { return connected_; }
    // Sends `request` (its "id" is replaced); `on_reply` gets the daemon's reply, or nullopt
    // when the link is down or drops before the reply.
    void request(nlohmann::json request, Reply on_reply);

  private:
    void connect();
    void read_next();
    void fail();
    void arm_keepalive();
    void write_next();

    asio::io_context& io_;
    std::string path_;
    asio::local::stream_protocol::socket socket_;
    asio::steady_timer retry_;
    asio::steady_timer keepalive_;
    asio::streambuf in_;
    std::deque<Reply> pending_;
    std::deque<std::string> out_;
    std::chrono::milliseconds keepalive_after_;
    std::chrono::milliseconds backoff_{100};
    long next_id_ = 1;
    bool connected_ = false;
    bool closed_ = false;
    unsigned generation_ = 0;
};

// The `watch` stream: on_line gets each status line as the daemon wrote it; on_link(up)
// reports connects and disconnects.
class WatchLink : public std::enable_shared_from_this<WatchLink> {
  public:
    WatchLink(asio::io_context& io, std::string socket_path,
              std::function<void(const std::string&)> on_line, std::function<void(bool)> on_link);
    void start();
    void close();
    bool connected() const { return connected_; }

  private:
    void connect();
    void read_next();
    void fail();

    asio::io_context& io_;
    std::string path_;
    asio::local::stream_protocol::socket socket_;
    asio::steady_timer retry_;
    asio::steady_timer stale_;
    asio::streambuf in_;
    std::function<void(const std::string&)> on_line_;
    std::function<void(bool)> on_link_;
    std::chrono::milliseconds backoff_{100};
    bool connected_ = false;
    bool closed_ = false;
};

}  // namespace treadmill::console
