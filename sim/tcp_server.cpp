// Modbus TCP server: one session per client, requests answered in order.
#include "sim/tcp_server.hpp"

#include <deque>
#include <stdexcept>

#include "sim/reply_sender.hpp"

namespace treadmill::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpSession : public std::enable_shared_from_this<TcpSession> {
  public:
    TcpSession(tcp::socket socket, Simulator& sim, std::mt19937_64& rng,
               std::function<void(std::shared_ptr<TcpSession>)> on_close)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          sim_(sim),
          rng_(rng),
          on_close_(std::move(on_close)) {}

    void start() { read(); }
    void close() {
        closed_ = true;
        boost::system::error_code ec;
        socket_.close(ec);
        timer_.cancel();
    }

  private:
    void read() {
        socket_.async_read_some(
            asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec) return self->finish();
                auto frames = self->decoder_.feed(std::span(self->buffer_.data(), n));
                if (!frames) return self->finish();  // not Modbus TCP: drop the connection
                for (auto& f : *frames) self->queue_.push_back(std::move(f));
                if (!self->busy_) self->process_next();
                self->read();
            });
    }

    // Answers the oldest queued request, then the next.
    void process_next() {
        if (queue_.empty() || closed_) {
            busy_ = false;
            return;
        }
        busy_ = true;
        Frame frame = std::move(queue_.front());
        queue_.pop_front();
        const TimePoint now = SteadyClock::now();
        ReplyPlan plan = sim_.handle(now, frame.unit, frame.pdu);
        if (!plan.send) return process_next();
        auto reply = std::make_shared<ShapedReply>(
            shape_reply(tcp_encode(frame.transaction, plan.unit, plan.pdu), plan, rng_));
        send_shaped(socket_, timer_, now + plan.delay, reply, [self = shared_from_this()](bool ok) {
            if (!ok) return self->finish();
            self->process_next();
        });
    }

    void finish() {
        if (closed_) return;
        close();
        on_close_(shared_from_this());
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    Simulator& sim_;
    std::mt19937_64& rng_;
    std::function<void(std::shared_ptr<TcpSession>)> on_close_;
    std::array<std::uint8_t, 512> buffer_{};
    TcpDecoder decoder_;
    std::deque<Frame> queue_;
    bool busy_ = false;
    bool closed_ = false;
};

TcpServer::TcpServer(asio::io_context& io, Simulator& sim, const TcpEndpoint& endpoint)
    : sim_(sim), acceptor_(io) {
    boost::system::error_code ec;
    const auto host = endpoint.host == "localhost" ? std::string("127.0.0.1") : endpoint.host;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("bad TCP host \"" + endpoint.host + "\": " + ec.message());
    const tcp::endpoint ep(address, endpoint.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + endpoint.host + ":" +
                                 std::to_string(endpoint.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
}

TcpServer::~TcpServer() {
    close();
}

void TcpServer::close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (const auto& s : sessions_) s->close();
    sessions_.clear();
}

void TcpServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec) return;  // closed
        socket.set_option(tcp::no_delay(true));
        auto session = std::make_shared<TcpSession>(
            std::move(socket), sim_, rng_,
            [this](std::shared_ptr<TcpSession> s) { sessions_.erase(s); });
        sessions_.insert(session);
        session->start();
        accept();
    });
}

}  // namespace treadmill::sim
