#include "console/daemon_link.hpp"

#include <algorithm>
#include <istream>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "common/json_text.hpp"

namespace treadmill::console {

namespace {

constexpr std::size_t kMaxWatchLine = 1 << 20;
// A watch stream that sends nothing for this long is treated as dropped.
constexpr auto kWatchSilence = std::chrono::seconds(3);

std::string take_line(asio::streambuf& in, std::size_t n) {
    std::string line(asio::buffers_begin(in.data()),
                     asio::buffers_begin(in.data()) + static_cast<std::ptrdiff_t>(n));
    in.consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

}  // namespace

std::chrono::milliseconds next_backoff(std::chrono::milliseconds current) {
    return std::min(current * 2, std::chrono::milliseconds(2000));
}

CommandLink::CommandLink(asio::io_context& io, std::string socket_path, std::size_t max_reply_bytes,
                         std::chrono::milliseconds keepalive)
    : io_(io),
      path_(std::move(socket_path)),
      socket_(io),
      retry_(io),
      keepalive_(io),
      in_(max_reply_bytes),
      keepalive_after_(keepalive) {}

void CommandLink::start() {
    connect();
}

void CommandLink::close() {
    closed_ = true;
    retry_.cancel();
    keepalive_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
}

void CommandLink::connect() {
    if (closed_) return;
    socket_ = asio::local::stream_protocol::socket(io_);
    socket_.async_connect(path_, [self = shared_from_this()](boost::system::error_code ec) {
        if (self->closed_) return;
        if (ec) return self->fail();
        self->connected_ = true;
        self->backoff_ = std::chrono::milliseconds(100);
        ++self->generation_;
        self->arm_keepalive();
        self->read_next();
    });
}

void CommandLink::fail() {
    const bool was = connected_;
    connected_ = false;
    boost::system::error_code ec;
    socket_.close(ec);
    out_.clear();
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& cb : pending) cb(std::nullopt);
    if (closed_) return;
    if (!was) backoff_ = next_backoff(backoff_);
    retry_.expires_after(was ? std::chrono::milliseconds(100) : backoff_);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
        if (!e) self->connect();
    });
}

void CommandLink::arm_keepalive() {
    keepalive_.expires_after(keepalive_after_);
    keepalive_.async_wait(
        [self = shared_from_this(), gen = generation_](boost::system::error_code e) {
            if (e || !self->connected_ || gen != self->generation_) return;
            self->request({{"cmd", "status"}}, [](std::optional<nlohmann::json>) {});
        });
}

void CommandLink::request(nlohmann::json request, Reply on_reply) {
    if (!connected_) return on_reply(std::nullopt);
    request["id"] = next_id_++;
    pending_.push_back(std::move(on_reply));
    out_.push_back(json_text(request) + "\n");
    arm_keepalive();
    if (out_.size() == 1) write_next();
}

void CommandLink::write_next() {
    asio::async_write(
        socket_, asio::buffer(out_.front()),
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec, std::size_t) {
            if (gen != self->generation_ || !self->connected_) return;
            if (ec) return self->fail();
            self->out_.pop_front();
            if (!self->out_.empty()) self->write_next();
        });
}

void CommandLink::read_next() {
    asio::async_read_until(
        socket_, in_, '\n',
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec,
                                                       std::size_t n) {
            if (gen != self->generation_ || !self->connected_) return;
            if (ec) return self->fail();
            const std::string line = take_line(self->in_, n);
            if (line.empty()) return self->read_next();
            auto reply = nlohmann::json::parse(line, nullptr, false);
            if (!self->pending_.empty()) {
                auto cb = std::move(self->pending_.front());
                self->pending_.pop_front();
                cb(reply.is_discarded() ? std::nullopt : std::optional(std::move(reply)));
            }
            self->read_next();
        });
}

WatchLink::WatchLink(asio::io_context& io, std::string socket_path,
                     std::function<void(const std::string&)> on_line,
                     std::function<void(bool)> on_link)
    : io_(io),
      path_(std::move(socket_path)),
      socket_(io),
      retry_(io),
      stale_(io),
      in_(kMaxWatchLine),
      on_line_(std::move(on_line)),
      on_link_(std::move(on_link)) {}

void WatchLink::start() {
    connect();
}

void WatchLink::close() {
    closed_ = true;
    retry_.cancel();
    stale_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
}

void WatchLink::connect() {
    if (closed_) return;
    socket_ = asio::local::stream_protocol::socket(io_);
    socket_.async_connect(path_, [self = shared_from_this()](boost::system::error_code ec) {
        if (self->closed_) return;
        if (ec) return self->fail();
        static const std::string kWatch = "{\"id\":0,\"cmd\":\"watch\"}\n";
        asio::async_write(self->socket_, asio::buffer(kWatch),
                          [self](boost::system::error_code e, std::size_t) {
                              if (e) return self->fail();
                              self->read_next();
                          });
    });
}

void WatchLink::fail() {
    stale_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
    if (connected_) {
        connected_ = false;
        backoff_ = std::chrono::milliseconds(100);
        on_link_(false);
    } else {
        backoff_ = next_backoff(backoff_);
    }
    if (closed_) return;
    retry_.expires_after(backoff_);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
        if (!e) self->connect();
    });
}

void WatchLink::read_next() {
    stale_.expires_after(kWatchSilence);
    stale_.async_wait([self = shared_from_this()](boost::system::error_code e) {
        if (!e && !self->closed_) {
            boost::system::error_code ignored;
            self->socket_.close(ignored);  // the pending read fails and fail() runs
        }
    });
    asio::async_read_until(
        socket_, in_, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->closed_) return;
            if (ec) return self->fail();
            const std::string line = take_line(self->in_, n);
            if (line.find("\"ok\":true") == std::string::npos) {
                // watch refused (e.g. the client limit): retry later
                return self->fail();
            }
            if (!self->connected_) {
                self->connected_ = true;
                self->on_link_(true);
            }
            self->on_line_(line);
            self->read_next();
        });
}

}  // namespace treadmill::console
