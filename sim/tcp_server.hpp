// Modbus TCP server for the simulator: several clients at once, unit id from the MBAP header.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <random>
#include <set>

#include "sim/embedded_simulator.hpp"
#include "sim/simulator.hpp"

namespace treadmill::sim {

class TcpSession;

class TcpServer {
  public:
    // Binds and listens at once; throws std::runtime_error when it cannot.
    TcpServer(boost::asio::io_context& io, Simulator& sim, const TcpEndpoint& endpoint);
    ~TcpServer();
    std::uint16_t port() const { return port_; }
    void close();

  private:
    void accept();

    Simulator& sim_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::set<std::shared_ptr<TcpSession>> sessions_;
    std::mt19937_64 rng_{7};
};

}  // namespace treadmill::sim
