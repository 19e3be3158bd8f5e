// Modbus RTU server.
#include "sim/rtu_server.hpp"

#include <unistd.h>

#include <iostream>

#include "sim/reply_sender.hpp"
#include "sim/serial_port.hpp"

namespace treadmill::sim {

namespace asio = boost::asio;

namespace {
int bits_per_char(const RtuEndpoint& ep) {
    return 1 + ep.data_bits + (ep.parity == 'N' ? 0 : 1) + ep.stop_bits;
}
}  // namespace

RtuServer::RtuServer(asio::io_context& io, Simulator& sim, const RtuEndpoint& endpoint)
    : sim_(sim),
      endpoint_(endpoint),
      port_(io, open_serial_port(endpoint, warning_)),
      timer_(io),
      decoder_(rtu_t35(endpoint.baud, bits_per_char(endpoint))) {
    read();
}

RtuServer::~RtuServer() {
    close();
}

void RtuServer::close() {
    closed_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    port_.close(ec);
}

// The emulated bus time before a reply: both frames' characters plus t3.5.
Duration RtuServer::wire_wait(std::size_t request_bytes, std::size_t reply_bytes) const {
    if (!endpoint_.wire_baud) return Duration::zero();
    const int baud = *endpoint_.wire_baud;
    const int bits = endpoint_.wire_bits_per_char;
    return rtu_char_time(baud, bits, request_bytes + reply_bytes) + rtu_t35(baud, bits);
}

void RtuServer::read() {
    port_.async_read_some(
        asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
            if (closed_) return;
            if (ec) {
                // A pty whose other side is gone reads as end of file (or EIO): keep listening,
                // gently, reopening the device by its path (a pty pair made again there).
                auto retry = std::make_shared<asio::steady_timer>(port_.get_executor());
                retry->expires_after(std::chrono::milliseconds(20));
                retry->async_wait([this, retry](const boost::system::error_code& e) {
                    if (e || closed_) return;
                    reopen();
                    read();
                });
                return;
            }
            const TimePoint now = SteadyClock::now();
            for (auto& f : decoder_.feed(now, std::span(buffer_.data(), n))) {
                queue_.push_back(Pending{std::move(f), now});
            }
            if (!busy_) process_next();
            read();
        });
}

// Swaps the port for a fresh open of the device path; keeps the old one when that fails.
void RtuServer::reopen() {
    std::string warning;
    int fd = -1;
    try {
        fd = open_serial_port(endpoint_, warning);
    } catch (const std::runtime_error&) {
        return;  // the device is not there (yet)
    }
    boost::system::error_code ec;
    port_.close(ec);
    port_.assign(fd, ec);
    if (ec) ::close(fd);
}

// Answers the oldest request after its emulated wire time, then the next.
void RtuServer::process_next() {
    if (queue_.empty() || closed_) {
        busy_ = false;
        return;
    }
    busy_ = true;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    ReplyPlan plan = sim_.handle(SteadyClock::now(), p.frame.unit, p.frame.pdu);
    if (!plan.send) return process_next();
    Bytes frame = rtu_encode(plan.unit, plan.pdu, plan.corrupt_crc);
    const TimePoint when = p.arrived + wire_wait(p.frame.wire_bytes, frame.size()) + plan.delay;
    auto reply = std::make_shared<ShapedReply>(shape_reply(std::move(frame), plan, rng_));
    send_shaped(port_, timer_, when, reply, [this](bool) {
        if (!closed_) process_next();
    });
}

}  // namespace treadmill::sim
