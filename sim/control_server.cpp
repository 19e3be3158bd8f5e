// The --control socket.
#include "sim/control_server.hpp"

#include <unistd.h>

#include <stdexcept>

#include "common/json_text.hpp"
#include "common/strict_json.hpp"

namespace treadmill::sim {

namespace asio = boost::asio;
using asio::local::stream_protocol;
using nlohmann::json;

class ControlSession : public std::enable_shared_from_this<ControlSession> {
  public:
    ControlSession(stream_protocol::socket socket, ControlServer::Handler& handler,
                   std::function<void(std::shared_ptr<ControlSession>)> on_close)
        : socket_(std::move(socket)),
          handler_(handler),
          input_(ControlServer::kMaxLine),
          on_close_(std::move(on_close)) {}

    void start() { read_line(); }
    void close() {
        closed_ = true;
        boost::system::error_code ec;
        socket_.close(ec);
    }

  private:
    void read_line() {
        asio::async_read_until(
            socket_, input_, '\n',
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec) return self->finish();  // EOF or line too long
                std::string line(asio::buffers_begin(self->input_.data()),
                                 asio::buffers_begin(self->input_.data()) + static_cast<long>(n));
                self->input_.consume(n);
                self->answer(line);
            });
    }

    void answer(const std::string& line) {
        json reply;
        const auto request = parse_strict_json(line);
        if (!request) {
            reply = json{{"ok", false},
                         {"error", "bad json: " + request.error().message + " of the line"}};
        } else {
            reply = handler_(*request);
        }
        auto out = std::make_shared<std::string>(json_text(reply) + "\n");
        asio::async_write(
            socket_, asio::buffer(*out),
            [self = shared_from_this(), out](const boost::system::error_code& ec, std::size_t) {
                if (ec) return self->finish();
                self->read_line();
            });
    }

    void finish() {
        if (closed_) return;
        close();
        on_close_(shared_from_this());
    }

    stream_protocol::socket socket_;
    ControlServer::Handler& handler_;
    asio::streambuf input_;
    std::function<void(std::shared_ptr<ControlSession>)> on_close_;
    bool closed_ = false;
};

ControlServer::ControlServer(asio::io_context& io, const std::string& path, Handler handler)
    : path_(path), handler_(std::move(handler)), acceptor_(io) {
    ::unlink(path.c_str());
    boost::system::error_code ec;
    const stream_protocol::endpoint ep(path);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on control socket " + path + ": " + ec.message());
    accept();
}

ControlServer::~ControlServer() {
    close();
}

void ControlServer::close() {
    boost::system::error_code ec;
    if (acceptor_.is_open()) {
        acceptor_.close(ec);
        ::unlink(path_.c_str());
    }
    for (const auto& s : sessions_) s->close();
    sessions_.clear();
}

void ControlServer::accept() {
    acceptor_.async_accept(
        [this](const boost::system::error_code& ec, stream_protocol::socket socket) {
            if (ec) return;
            auto session = std::make_shared<ControlSession>(
                std::move(socket), handler_,
                [this](std::shared_ptr<ControlSession> s) { sessions_.erase(s); });
            sessions_.insert(session);
            session->start();
            accept();
        });
}

}  // namespace treadmill::sim
