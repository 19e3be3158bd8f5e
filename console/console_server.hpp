// The console's HTTP and WebSocket server (Boost.Beast, callbacks on one io_context), over
// plain TCP or TLS: embedded assets, the pairing form's POST, /ws — the daemon's watch stream
// fanned out to each page and the page's commands sent back as API requests under each
// device's role — and /metrics, the daemon's counters for Prometheus (no pairing; a bearer
// token when configured).
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "console/access_policy.hpp"
#include "console/console_config.hpp"
#include "console/daemon_link.hpp"

namespace treadmill::console {

class Page;

// Limits of the server (fixed; tests read them).
struct ServerLimits {
    static constexpr std::size_t header_bytes = 8 * 1024;
    static constexpr std::size_t body_bytes = 16 * 1024;
    static constexpr std::size_t ws_message_bytes = 96 * 1024;  // a program's YAML (64 KiB) fits
    static constexpr std::size_t ws_queue_messages = 64;        // ~12 s of the 5 Hz watch stream
    static constexpr std::size_t ws_send_buffer_bytes = 32 * 1024;  // SO_SNDBUF of a page
    static constexpr int metrics_in_flight = 4;  // /metrics requests waiting for the daemon
    // The longest reply of the history's link: an export in base64 (a one-hour FIT is about
    // 110 KiB, a one-hour TCX 1.3 MiB). A longer one drops that link, which reconnects.
    static constexpr std::size_t history_reply_bytes = 16 * 1024 * 1024;
    static constexpr std::chrono::seconds tls_handshake{10};  // connect to first HTTP request
};

// Everything the sessions share: the daemon links, the connected pages, the rate limiter.
class Hub {
  public:
    Hub(asio::io_context& io, ConsoleConfig config, std::vector<std::string> allowed_hosts);
    void start();
    void stop();

    const ConsoleConfig& config() const { return config_; }
    const std::vector<std::string>& allowed_hosts() const { return allowed_hosts_; }
    bool daemon_up() const { return watch_ && watch_->connected(); }
    std::size_t clients() const { return sessions_.size() + upgrading_; }
    void upgrade_started() { ++upgrading_; }
    void upgrade_ended() { --upgrading_; }
    // A /metrics request may ask the daemon (false: too many already wait); end with
    // metrics_ended().
    bool metrics_started();
    void metrics_ended() { --metrics_waiting_; }

    void add(const std::shared_ptr<Page>& s);
    void remove(const std::shared_ptr<Page>& s);
    // Sends a page's request to the daemon on the right connection.
    void send_command(nlohmann::json request, CommandLink::Reply on_reply);
    bool rate_ok(const std::string& device_id, std::string_view cmd);
    // The last status line relayed, for a page that has just connected ("" when none).
    const std::shared_ptr<const std::string>& last_status() const { return last_status_; }
    std::shared_ptr<const std::string> link_message() const;

  private:
    void broadcast(const std::shared_ptr<const std::string>& msg);
    void poll_pairings();

    asio::io_context& io_;
    ConsoleConfig config_;
    std::vector<std::string> allowed_hosts_;
    std::shared_ptr<CommandLink> commands_;
    std::shared_ptr<CommandLink> urgent_;
    std::shared_ptr<CommandLink> history_;
    std::shared_ptr<WatchLink> watch_;
    asio::steady_timer pair_poll_;
    std::set<std::shared_ptr<Page>> sessions_;
    std::size_t upgrading_ = 0;
    int metrics_waiting_ = 0;
    RateLimiter rate_;
    std::shared_ptr<const std::string> last_status_;
    bool stopped_ = false;
};

// Accepts TCP connections and hands each to an HTTP session: over TLS with `tls`, else plain.
class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(asio::io_context& io, Hub& hub, const ListenAddress& at,
             std::shared_ptr<asio::ssl::context> tls = nullptr);
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void start();
    void stop();

  private:
    void accept_next();
    Hub& hub_;
    std::shared_ptr<asio::ssl::context> tls_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer pause_;  // after an accept error (EMFILE): wait instead of spinning
};

}  // namespace treadmill::console
