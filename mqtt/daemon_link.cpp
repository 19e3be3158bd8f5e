#include "mqtt/daemon_link.hpp"

#include "common/json_text.hpp"
#include "mqtt/payloads.hpp"

namespace treadmill::mqtt {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxLine = 1024 * 1024;
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
constexpr auto kCallTimeout = std::chrono::seconds(5);

// One request on its own connection: connect, write, read one line, close.
struct Call : std::enable_shared_from_this<Call> {
    Call(asio::io_context& io, DaemonLink::ReplyHandler handler)
        : socket(io), timer(io), on_reply(std::move(handler)) {}

    void start(const std::string& path, std::string line) {
        request = std::move(line);
        timer.expires_after(kCallTimeout);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->finish_error("no reply from treadmilld within 5 s");
        });
        socket.async_connect(local::endpoint(path), [self = shared_from_this()](auto ec) {
            if (ec) return self->finish_error("treadmilld is not reachable: " + ec.message());
            asio::async_write(self->socket, asio::buffer(self->request),
                              [self](auto wec, std::size_t) {
                                  if (wec) return self->finish_error(wec.message());
                                  self->read_reply();
                              });
        });
    }
    void read_reply() {
        asio::async_read_until(socket, asio::dynamic_buffer(buffer, kMaxLine), '\n',
                               [self = shared_from_this()](auto ec, std::size_t n) {
                                   if (ec) return self->finish_error(ec.message());
                                   const auto reply =
                                       json::parse(self->buffer.substr(0, n), nullptr, false);
                                   if (!reply.is_object()) {
                                       return self->finish_error("a reply that is not JSON");
                                   }
                                   self->finish(reply);
                               });
    }
    void finish_error(const std::string& why) { finish(refusal_reply("unavailable", why)); }
    void finish(const json& reply) {
        if (done) return;
        done = true;
        timer.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        on_reply(reply);
    }

    local::socket socket;
    asio::steady_timer timer;
    DaemonLink::ReplyHandler on_reply;
    std::string request;
    std::string buffer;
    bool done = false;
};

}  // namespace

struct DaemonLink::Watch {
    explicit Watch(asio::io_context& io) : socket(io) {}
    local::socket socket;
    std::string buffer;
    std::string request = R"({"id":1,"cmd":"watch"})"
                          "\n";
    bool closed = false;
};

DaemonLink::DaemonLink(asio::io_context& io, std::string socket_path, StatusHandler on_status,
                       DownHandler on_down)
    : io_(io),
      socket_path_(std::move(socket_path)),
      on_status_(std::move(on_status)),
      on_down_(std::move(on_down)),
      retry_timer_(io) {}

DaemonLink::~DaemonLink() {
    if (watch_) {
        watch_->closed = true;
        boost::system::error_code ignored;
        watch_->socket.close(ignored);
    }
}

void DaemonLink::start() {
    connect_watch();
}

void DaemonLink::connect_watch() {
    auto watch = std::make_shared<Watch>(io_);
    watch_ = watch;
    watch->socket.async_connect(local::endpoint(socket_path_), [this, watch](auto ec) {
        if (watch->closed) return;
        if (ec) return watch_lost("cannot connect to " + socket_path_ + ": " + ec.message());
        asio::async_write(watch->socket, asio::buffer(watch->request),
                          [this, watch](auto wec, std::size_t) {
                              if (watch->closed) return;
                              if (wec) return watch_lost(wec.message());
                              read_watch(watch);
                          });
    });
}

void DaemonLink::read_watch(std::shared_ptr<Watch> watch) {
    asio::async_read_until(
        watch->socket, asio::dynamic_buffer(watch->buffer, kMaxLine), '\n',
        [this, watch](auto ec, std::size_t n) {
            if (watch->closed) return;
            if (ec) return watch_lost("the watch stream ended: " + ec.message());
            const auto line = json::parse(watch->buffer.substr(0, n), nullptr, false);
            watch->buffer.erase(0, n);
            if (!line.is_object() || !line.contains("status") || !line["status"].is_object()) {
                const auto error = line.is_object() ? json_text(line.value("error", json()))
                                                    : std::string("not JSON");
                return watch_lost("watch refused: " + error);
            }
            backoff_ = std::chrono::milliseconds(250);
            on_status_(line["status"]);
            read_watch(watch);
        });
}

void DaemonLink::watch_lost(const std::string& why) {
    watch_->closed = true;
    boost::system::error_code ignored;
    watch_->socket.close(ignored);
    on_down_(why);
    retry_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) connect_watch();
    });
}

void DaemonLink::call(json request, ReplyHandler on_reply) {
    request["id"] = 1;
    auto call = std::make_shared<Call>(io_, std::move(on_reply));
    call->start(socket_path_, json_text(request) + "\n");
}

}  // namespace treadmill::mqtt
