// One connected API client: splits its bytes into lines, answers each, queues the replies.
// Internal to the server.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <optional>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/callback_guard.hpp"
#include "common/clock.hpp"
#include "controller/api/protocol.hpp"

namespace treadmill::api {

class ApiServer;

class ClientSession : public std::enable_shared_from_this<ClientSession> {
  public:
    // `over_limit`: accepted beyond the server's max_clients, for its over_limit_commands only.
    ClientSession(boost::asio::local::stream_protocol::socket socket, ApiServer& server,
                  bool over_limit = false);

    void start();
    // Closes the socket; pending handlers then find the session detached.
    void shut_down();
    bool watching() const { return watching_; }
    // Queues one status line for a watcher (drops the client when its queue is full).
    void send_status(const std::string& status_json);
    // Handles the requests that waited for the next period, then reads on.
    void resume();
    bool over_limit() const { return over_limit_; }
    // When the client last sent a request (or connected).
    TimePoint last_request() const { return last_request_; }

  private:
    void read_more();
    void on_read(std::size_t bytes);
    void process_input();
    void line_too_long();
    void handle_line(const std::string& line);
    // The reply line, or nullopt when it comes later (a command that works off the loop);
    // `cmd` gets the request's command name when it has one.
    std::optional<std::string> answer_line(const std::string& line, std::string& cmd);
    std::optional<std::string> answer(const json& request, std::string& cmd);
    std::optional<std::string> dispatch(const json& id, const std::string& cmd,
                                        const json& request);
    // The reply of a command that answered later: sent, then the next requests are handled.
    void deferred_reply(std::string line, std::size_t limit);
    // Counts the time from the read that completed the current line to now, as `cmd`'s.
    void count_time(const std::string& cmd);
    std::string over_limit_refusal() const;
    void arm_idle_timer(TimePoint at);
    void on_idle_timer();
    // Runs one step of this client's work; when it throws (the guard's handler ran) the client
    // is dropped.
    template <typename F>
    void guarded(const char* where, F&& f) {
        if (!guard_.run(where, std::forward<F>(f))) drop();
    }
    // Queues a line; `limit` (0: max_queued_bytes) caps the queue with it.
    void send(std::string line, std::size_t limit = 0);
    void write_next();
    void drop();
    std::size_t queued_bytes() const { return outbox_.size() + in_flight_.size(); }

    boost::asio::local::stream_protocol::socket socket_;
    ApiServer* server_;                     // null once detached
    CallbackGuard guard_;                   // the server's
    std::array<char, 2048> read_buffer_{};  // bounds the work of one handler
    std::string input_;      // received bytes not yet handled (at most one line over the limit)
    std::string outbox_;     // replies not yet handed to the socket
    std::string in_flight_;  // the bytes of the current async_write
    bool reading_ = false;
    bool writing_ = false;
    bool close_after_flush_ = false;
    bool parked_ = false;       // a request waits for the server's next period
    std::uint64_t period_ = 0;  // the server's period of the requests counted below
    std::size_t requests_ = 0;
    bool watching_ = false;
    json watch_id_;
    bool over_limit_;
    bool awaiting_reply_ = false;  // a request's reply comes later; the next ones wait for it
    TimePoint last_request_;
    TimePoint read_at_;        // when the last read completed (the lines in input_ came by it)
    TimePoint line_read_at_;   // that time for the request being answered
    std::string awaited_cmd_;  // the command whose reply comes later
    boost::asio::steady_timer idle_timer_;
};

}  // namespace treadmill::api
