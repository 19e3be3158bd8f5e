#include "console/ws_session.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "common/json_text.hpp"
#include "common/strict_json.hpp"
#include "console/console_server.hpp"

namespace treadmill::console {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using nlohmann::json;

namespace {

json refusal(const std::string& code, const std::string& message) {
    return {{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

}  // namespace

template <class Stream>
WsSession<Stream>::WsSession(Stream&& stream, Hub& hub, Device device)
    : ws_(std::move(stream)), hub_(hub), device_(std::move(device)) {}

template <class Stream>
void WsSession<Stream>::accept(beast::http::request<beast::http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    // A fixed, small kernel buffer (no auto-tuning up to megabytes): a page that stops reading
    // fills it within seconds, then its queue, and is dropped.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(
        asio::socket_base::send_buffer_size(static_cast<int>(ServerLimits::ws_send_buffer_bytes)),
        ignored);
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = std::chrono::seconds(20);  // pings at half of it
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(ServerLimits::ws_message_bytes);
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
        self->hub_.upgrade_ended();
        if (ec) return;
        self->open_ = true;
        self->hub_.add(self);
        const json hello = {{"t", "hello"},
                            {"role", self->device_.role == Role::runner ? "runner" : "viewer"},
                            {"device", self->device_.name},
                            {"device_id", self->device_.id}};
        self->send(std::make_shared<const std::string>(json_text(hello)));
        self->send(self->hub_.link_message());
        if (self->hub_.last_status()) self->send(self->hub_.last_status());
        self->read_next();
    });
}

template <class Stream>
void WsSession<Stream>::read_next() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->drop();
        const std::string text = beast::buffers_to_string(self->in_.data());
        self->in_.consume(self->in_.size());
        self->on_message(text);
        if (self->open_) self->read_next();
    });
}

// A page's request: {"id":N,"cmd":"…",…arguments}; answered {"t":"reply","id":N,"msg":{…}}.
template <class Stream>
void WsSession<Stream>::on_message(const std::string& text) {
    auto parsed = parse_strict_json(text);
    if (!parsed)
        return reply(nullptr, refusal("bad_request", "not a request: " + parsed.error().message +
                                                         " of the message"));
    json request = std::move(*parsed);
    if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string())
        return reply(nullptr, refusal("bad_request", "a request is {\"id\":N,\"cmd\":\"…\"}"));
    const json id = request.contains("id") ? request["id"] : json(nullptr);
    const std::string cmd = request["cmd"].get<std::string>();
    if (!command_allowed(device_.role, cmd))
        return reply(id, refusal("refused",
                                 "this device is paired as a viewer: it may only "
                                 "watch, stop and pause"));
    if (!hub_.rate_ok(device_.id, cmd)) {
        // retry_after_ms: when the page may try again (it does so for what only reads).
        json refused = refusal("refused", "too many commands from this device; at most 5 a second");
        refused["error"]["retry_after_ms"] = 250;
        return reply(id, refused);
    }
    request.erase("id");
    hub_.send_command(std::move(request),
                      [self = this->shared_from_this(), id](std::optional<json> answer) {
                          if (!answer)
                              return self->reply(id, refusal("unavailable",
                                                             "the console is not connected to "
                                                             "treadmilld; nothing was sent"));
                          answer->erase("id");
                          self->reply(id, *answer);
                      });
}

template <class Stream>
void WsSession<Stream>::reply(const json& id, const json& message) {
    send(std::make_shared<const std::string>(
        json_text(json{{"t", "reply"}, {"id", id}, {"msg", message}})));
}

template <class Stream>
void WsSession<Stream>::send(std::shared_ptr<const std::string> message) {
    if (!open_ || !message) return;
    if (out_.size() >= ServerLimits::ws_queue_messages) return drop();
    out_.push_back(std::move(message));
    if (out_.size() == 1) write_next();
}

template <class Stream>
void WsSession<Stream>::write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*out_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->drop();
                        self->out_.pop_front();
                        if (!self->out_.empty() && self->open_) self->write_next();
                    });
}

template <class Stream>
void WsSession<Stream>::close() {
    drop();
}

// Ends the session at once (the socket is closed under any pending operation).
template <class Stream>
void WsSession<Stream>::drop() {
    if (dropped_) return;
    dropped_ = true;
    open_ = false;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    hub_.remove(this->shared_from_this());
}

template class WsSession<PlainStream>;
template class WsSession<TlsStream>;

}  // namespace treadmill::console
