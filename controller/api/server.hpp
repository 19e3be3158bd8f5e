// The control API server: a Unix stream socket speaking newline-delimited JSON, on the
// io_context it is given (in treadmilld the API thread's, with a LoopDispatcher that runs the
// commands on the control loop's; see api_thread.hpp, loop_dispatcher.hpp). Never blocks: reads are
// bounded, each client's output queue is bounded (a watcher that does not keep up is dropped), and
// a line over the limit gets an error reply and the connection closed. Idle clients are closed;
// over the client limit a few more are let in for the commands that stop the belt; accept errors
// are retried with a back-off.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/callback_guard.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/api/command_policy.hpp"
#include "controller/api/dispatcher.hpp"
#include "controller/api/request_timing.hpp"

namespace treadmill::api {

struct ServerOptions {
    std::size_t max_line_bytes = 64 * 1024;      // longer → error reply and close
    std::size_t max_queued_bytes = 1024 * 1024;  // per client; more → the client is dropped
    // Commands whose one reply may pass max_queued_bytes, up to their own limit (an export's
    // base64 file); only that reply is allowed more, the client's other lines are not.
    std::map<std::string, std::size_t> large_reply_commands = {{"export", 64 * 1024 * 1024}};
    std::size_t pause_reading_bytes = 64 * 1024;  // stop reading a client whose replies pile up
    std::size_t max_clients = 256;
    // Beyond max_clients, this many more connections are accepted, each only for the commands
    // below (others get `refused`); when those are taken too, the one idle the longest is closed
    // for the newcomer. So `stop` always gets through. 0: over the limit → a `refused` line.
    std::size_t over_limit_clients = 16;
    std::set<std::string> over_limit_commands = {"status", "stop", "estop"};
    // A client that sent no request for this long and is not watching is closed.
    std::chrono::milliseconds idle_timeout{60'000};
    // After an accept error (EMFILE …) accepting pauses this long, doubling up to the maximum.
    std::chrono::milliseconds accept_retry_first{100};
    std::chrono::milliseconds accept_retry_max{1000};
    // Warnings (accept errors, once per burst); none: not logged.
    std::function<void(const std::string&)> log;
    std::chrono::milliseconds watch_period{200};  // 5 Hz
    // With on_cycle() called: no request is handled in this window before the next control
    // cycle is due (beyond the first few of each period), so clients cannot make it late.
    std::chrono::milliseconds quiet_before_cycle{30};
    std::size_t lines_always_allowed = 8;  // per period, even inside the quiet window
    std::size_t requests_per_client = 16;  // per period, so a flood cannot crowd others out
    unsigned socket_mode = 0660;
    std::string group;  // chown the socket to it when it exists; "" keeps the daemon's group
    // The commands this listener accepts (checked before any other rule, `watch` included);
    // none: every command the dispatcher knows.
    std::optional<CommandPolicy> policy;
    // Where each request's service time is counted (several servers may share one); none: not.
    RequestTiming* timing = nullptr;
};

class ClientSession;

class ApiServer {
  public:
    ApiServer(boost::asio::io_context& io, std::string path, Dispatcher& dispatcher,
              ServerOptions options = {});
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds and listens (replacing a stale socket file); warnings (e.g. a missing group) are
    // returned, a failure is the error.
    Result<std::vector<std::string>, std::string> open();
    // Stops accepting and closes every client.
    void close();
    // Where an exception in a callback (accept, a request, a write, the watch stream) goes;
    // the request is answered `internal`, the callback's client dropped, the server serves on.
    // Set before open().
    void set_guard(CallbackGuard guard) { guard_ = std::move(guard); }

    // The control loop finished a cycle; the next is due at `next_cycle`. Parked clients
    // (their requests waited out the quiet window) resume. Never called: no quiet window.
    void on_cycle(TimePoint next_cycle);

    // Every connected client, those over the limit included.
    std::size_t client_count() const { return clients_.size(); }
    std::size_t over_limit_count() const { return over_limit_; }
    // Accept errors since open() (each one retried after a pause).
    std::uint64_t accept_errors() const { return accept_errors_; }
    const std::string& path() const { return path_; }

  private:
    friend class ClientSession;
    void accept_next();
    void on_accepted(boost::asio::local::stream_protocol::socket socket);
    void retry_accept_later(const boost::system::error_code& error);
    // Over max_clients: room for one more of the restricted clients, or false (none allowed).
    bool make_room_over_limit();
    void on_watch_tick();
    void remove(const std::shared_ptr<ClientSession>& client);
    // May a client handle one more request now? (Counts it when yes.) `period`/`count` are the
    // client's own tally: the period it last handled requests in, and how many.
    bool may_handle_request(std::uint64_t& period, std::size_t& count);
    void park(const std::shared_ptr<ClientSession>& client) { parked_.push_back(client); }
    Result<std::vector<std::string>, std::string> set_permissions();

    boost::asio::io_context& io_;
    std::string path_;
    Dispatcher& dispatcher_;
    ServerOptions options_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer watch_timer_;
    boost::asio::steady_timer accept_timer_;  // the pause after an accept error
    std::chrono::milliseconds accept_pause_{0};
    std::uint64_t accept_errors_ = 0;
    std::uint64_t accept_errors_in_burst_ = 0;
    std::size_t over_limit_ = 0;  // clients accepted over max_clients
    CallbackGuard guard_;
    std::set<std::shared_ptr<ClientSession>> clients_;
    std::vector<std::weak_ptr<ClientSession>> parked_;
    std::optional<TimePoint> quiet_from_;  // set by on_cycle()
    std::size_t requests_this_cycle_ = 0;
    std::uint64_t cycle_number_ = 0;
    bool open_ = false;
};

}  // namespace treadmill::api
