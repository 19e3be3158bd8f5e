// One page's WebSocket: the watch stream out (through a bounded queue: a page that does not
// read is dropped), the page's commands in (role check, rate limit, then the daemon). The same
// session over plain TCP and over TLS.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "console/access_policy.hpp"

namespace treadmill::console {

class Hub;

// The two transports a page may use.
using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct Device {
    std::string id;    // "d-0123abcd"
    std::string name;  // the label given when paired
    Role role = Role::viewer;
};

// A connected page as the hub sees it, whatever stream carries it.
class Page {
  public:
    virtual ~Page() = default;
    // Queues a message; drops the client when its queue is full.
    virtual void send(std::shared_ptr<const std::string> message) = 0;
    virtual void close() = 0;
    virtual const Device& device() const = 0;
};

template <class Stream>
class WsSession : public Page, public std::enable_shared_from_this<WsSession<Stream>> {
  public:
    WsSession(Stream&& stream, Hub& hub, Device device);
    // Completes the upgrade of `request` (already checked) and starts the session.
    void accept(boost::beast::http::request<boost::beast::http::string_body> request);
    void send(std::shared_ptr<const std::string> message) override;
    void close() override;
    const Device& device() const override { return device_; }

  private:
    void read_next();
    void on_message(const std::string& text);
    void reply(const nlohmann::json& id, const nlohmann::json& message);
    void write_next();
    void drop();

    boost::beast::websocket::stream<Stream> ws_;
    Hub& hub_;
    Device device_;
    boost::beast::flat_buffer in_;
    std::deque<std::shared_ptr<const std::string>> out_;
    bool open_ = false;
    bool dropped_ = false;
};

extern template class WsSession<PlainStream>;
extern template class WsSession<TlsStream>;

}  // namespace treadmill::console
