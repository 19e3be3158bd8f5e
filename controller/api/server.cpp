#include "controller/api/server.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "common/json_text.hpp"
#include "controller/api/client_session.hpp"

namespace treadmill::api {

namespace asio = boost::asio;
using asio::local::stream_protocol;

namespace {

// True when something accepts connections at `path` (another daemon runs).
bool socket_in_use(const std::string& path, asio::io_context& io) {
    stream_protocol::socket probe(io);
    boost::system::error_code ec;
    probe.connect(stream_protocol::endpoint(path), ec);
    return !ec;
}

}  // namespace

ApiServer::ApiServer(asio::io_context& io, std::string path, Dispatcher& dispatcher,
                     ServerOptions options)
    : io_(io),
      path_(std::move(path)),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      acceptor_(io),
      watch_timer_(io),
      accept_timer_(io) {}

ApiServer::~ApiServer() {
    close();
}

Result<std::vector<std::string>, std::string> ApiServer::open() {
    namespace fs = std::filesystem;
    std::error_code fs_error;
    if (fs::exists(fs::symlink_status(path_, fs_error))) {
        if (!fs::is_socket(fs::symlink_status(path_, fs_error)))
            return Unexpected{path_ + " exists and is not a socket"};
        if (socket_in_use(path_, io_)) return Unexpected{path_ + ": another daemon is listening"};
        fs::remove(path_, fs_error);
    }
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Unexpected{path_ + ": " + ec.message()};
    auto warnings = set_permissions();
    if (!warnings) return warnings;
    open_ = true;
    accept_next();
    watch_timer_.expires_after(options_.watch_period);
    watch_timer_.async_wait([this](boost::system::error_code e) {
        if (!e) on_watch_tick();
    });
    return warnings;
}

Result<std::vector<std::string>, std::string> ApiServer::set_permissions() {
    std::vector<std::string> warnings;
    if (::chmod(path_.c_str(), static_cast<mode_t>(options_.socket_mode)) != 0)
        return Unexpected{path_ + ": chmod: " + std::strerror(errno)};
    if (options_.group.empty()) return warnings;
    const group* g = ::getgrnam(options_.group.c_str());
    if (g == nullptr) {
        warnings.push_back("group '" + options_.group +
                           "' does not exist; the socket keeps the daemon's group");
    } else if (::chown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
        warnings.push_back(path_ + ": chown to group '" + options_.group +
                           "': " + std::strerror(errno));
    }
    return warnings;
}

void ApiServer::close() {
    if (!open_) return;
    open_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    watch_timer_.cancel();
    accept_timer_.cancel();
    for (const auto& client : clients_) client->shut_down();
    clients_.clear();
    over_limit_ = 0;
    ::unlink(path_.c_str());
}

void ApiServer::accept_next() {
    acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
        if (ec == asio::error::operation_aborted || !open_) return;  // closed: `this` may be gone
        if (ec) return retry_accept_later(ec);
        if (accept_errors_in_burst_ > 0 && options_.log) {
            options_.log("accepting API connections again after " +
                         std::to_string(accept_errors_in_burst_) + " failed attempts");
        }
        accept_errors_in_burst_ = 0;
        accept_pause_ = std::chrono::milliseconds(0);
        guard_.run("accepting an API client", [&] { on_accepted(std::move(socket)); });
        accept_next();
    });
}

// An accept error (EMFILE, ENFILE, ENOBUFS …) would recur at once while the connection waits in
// the backlog: pause, doubling the pause up to the maximum; one log line per burst.
void ApiServer::retry_accept_later(const boost::system::error_code& error) {
    ++accept_errors_;
    if (accept_errors_in_burst_++ == 0 && options_.log) {
        options_.log("cannot accept an API connection: " + error.message() + "; retrying after " +
                     std::to_string(options_.accept_retry_first.count()) +
                     " ms, then less often up to every " +
                     std::to_string(options_.accept_retry_max.count()) + " ms");
    }
    accept_pause_ = accept_pause_.count() == 0
                        ? options_.accept_retry_first
                        : std::min(accept_pause_ * 2, options_.accept_retry_max);
    accept_timer_.expires_after(accept_pause_);
    accept_timer_.async_wait([this](boost::system::error_code e) {
        if (!e && open_) accept_next();
    });
}

void ApiServer::on_accepted(stream_protocol::socket socket) {
    const bool over_limit = clients_.size() - over_limit_ >= options_.max_clients;
    if (over_limit && !make_room_over_limit()) {
        const std::string busy =
            json_text(error_reply(nullptr, {ErrorCode::refused, "too many clients"})) + "\n";
        boost::system::error_code ec;
        socket.non_blocking(true, ec);
        asio::write(socket, asio::buffer(busy), ec);  // best effort, never blocks
        return;
    }
    auto client = std::make_shared<ClientSession>(std::move(socket), *this, over_limit);
    clients_.insert(client);
    if (over_limit) ++over_limit_;
    client->start();
}

bool ApiServer::make_room_over_limit() {
    if (options_.over_limit_clients == 0) return false;
    if (over_limit_ < options_.over_limit_clients) return true;
    std::shared_ptr<ClientSession> longest_idle;
    for (const auto& client : clients_) {
        if (!client->over_limit()) continue;
        if (!longest_idle || client->last_request() < longest_idle->last_request())
            longest_idle = client;
    }
    if (longest_idle) remove(longest_idle);
    return true;
}

// Streams the status to every watcher, then re-arms (a fixed rate, not drifting).
void ApiServer::on_watch_tick() {
    if (!open_) return;
    std::vector<std::shared_ptr<ClientSession>> watchers;
    for (const auto& client : clients_)
        if (client->watching()) watchers.push_back(client);
    if (!watchers.empty()) {
        guard_.run("the watch stream", [&] {
            const std::string status = json_text(dispatcher_.status());
            for (const auto& watcher : watchers) watcher->send_status(status);
        });
    }
    watch_timer_.expires_at(watch_timer_.expiry() + options_.watch_period);
    watch_timer_.async_wait([this](boost::system::error_code e) {
        if (!e) on_watch_tick();
    });
}

void ApiServer::on_cycle(TimePoint next_cycle) {
    quiet_from_ = next_cycle - options_.quiet_before_cycle;
    requests_this_cycle_ = 0;
    ++cycle_number_;
    std::vector<std::weak_ptr<ClientSession>> parked;
    parked.swap(parked_);
    for (auto& weak : parked) {
        asio::post(io_, [weak] {
            if (auto client = weak.lock()) client->resume();
        });
    }
}

// Requests run between cycles; close to the next one only a few, so none can delay it, and
// each client gets a share per period.
bool ApiServer::may_handle_request(std::uint64_t& period, std::size_t& count) {
    if (!quiet_from_) return true;
    if (period != cycle_number_) {
        period = cycle_number_;
        count = 0;
    }
    const bool allowed =
        count < options_.requests_per_client &&
        (requests_this_cycle_ < options_.lines_always_allowed || SteadyClock::now() < *quiet_from_);
    if (allowed) {
        ++requests_this_cycle_;
        ++count;
    }
    return allowed;
}

void ApiServer::remove(const std::shared_ptr<ClientSession>& client) {
    client->shut_down();
    if (clients_.erase(client) > 0 && client->over_limit()) --over_limit_;
}

}  // namespace treadmill::api
