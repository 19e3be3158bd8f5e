// The simulator served over Asio on one thread: the core, a physics tick every 10 ms, the TCP
// or RTU server, the --control socket and the scenario timers. Every method runs on the
// io_context's thread.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sim/embedded_simulator.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"

namespace treadmill::sim {

class TcpServer;
class RtuServer;
class ControlServer;

class SimRuntime {
  public:
    SimRuntime(boost::asio::io_context& io, const SimOptions& options);
    ~SimRuntime();

    void serve_tcp(const TcpEndpoint& endpoint);         // throws std::runtime_error
    void serve_rtu(const RtuEndpoint& endpoint);         // throws std::runtime_error
    void serve_control(const std::string& socket_path);  // throws std::runtime_error
    void run_scenario(const std::vector<ScenarioStep>& steps);
    std::uint16_t tcp_port() const;
    std::string rtu_warning() const;
    nlohmann::json control(const nlohmann::json& command);
    // Closes every server and timer (the io_context may then run out of work).
    void shutdown();

  private:
    void tick();

    boost::asio::io_context& io_;
    Simulator sim_;
    TimePoint start_;
    boost::asio::steady_timer ticker_;
    std::unique_ptr<TcpServer> tcp_;
    std::unique_ptr<RtuServer> rtu_;
    std::unique_ptr<ControlServer> control_;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> scenario_timers_;
    bool stopped_ = false;
};

}  // namespace treadmill::sim
