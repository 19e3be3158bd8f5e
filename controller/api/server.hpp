// The control API server: a Unix stream socket speaking newline-delimited JSON, on the same
// io_context as the control cycle. Never blocks: reads are bounded, each client's output queue
// is bounded (a watcher that does not keep up is dropped), and a line over the limit gets an
// error reply and the connection closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/api/dispatcher.hpp"
#include "protocols/result.hpp"

namespace treadmill::api {

struct ServerOptions {
    std::size_t max_line_bytes = 64 * 1024;       // longer → error reply and close
    std::size_t max_queued_bytes = 1024 * 1024;   // per client; more → the client is dropped
    std::size_t pause_reading_bytes = 64 * 1024;  // stop reading a client whose replies pile up
    std::size_t max_clients = 256;
    std::chrono::milliseconds watch_period{200};  // 5 Hz
    unsigned socket_mode = 0660;
    std::string group;  // chown the socket to it when it exists; "" keeps the daemon's group
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

    std::size_t client_count() const { return clients_.size(); }
    const std::string& path() const { return path_; }

  private:
    friend class ClientSession;
    void accept_next();
    void on_watch_tick();
    void remove(const std::shared_ptr<ClientSession>& client);
    Result<std::vector<std::string>, std::string> set_permissions();

    boost::asio::io_context& io_;
    std::string path_;
    Dispatcher& dispatcher_;
    ServerOptions options_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer watch_timer_;
    std::set<std::shared_ptr<ClientSession>> clients_;
    bool open_ = false;
};

}  // namespace treadmill::api
