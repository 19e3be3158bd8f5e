// Modbus RTU server: one serial port (tty or pty) serving units 1 and 2, with wire-time
// emulation and byte-level fault injection.
#pragma once

#include <boost/asio.hpp>
#include <deque>
#include <random>

#include "sim/embedded_simulator.hpp"
#include "sim/framing.hpp"
#include "sim/simulator.hpp"

namespace treadmill::sim {

class RtuServer {
  public:
    // Opens the port at once; throws std::runtime_error when it cannot.
    RtuServer(boost::asio::io_context& io, Simulator& sim, const RtuEndpoint& endpoint);
    ~RtuServer();
    void close();
    // A note about settings the port refused (empty when none).
    const std::string& warning() const { return warning_; }

  private:
    struct Pending {
        Frame frame;
        TimePoint arrived;
    };
    void read();
    void reopen();
    void process_next();
    Duration wire_wait(std::size_t request_bytes, std::size_t reply_bytes) const;

    Simulator& sim_;
    RtuEndpoint endpoint_;
    std::string warning_;
    boost::asio::posix::stream_descriptor port_;
    boost::asio::steady_timer timer_;
    RtuDecoder decoder_;
    std::array<std::uint8_t, 512> buffer_{};
    std::deque<Pending> queue_;
    bool busy_ = false;
    bool closed_ = false;
    std::mt19937_64 rng_{11};
};

}  // namespace treadmill::sim
