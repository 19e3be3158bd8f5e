// The simulator served over Asio on one thread.
#include "sim/sim_runtime.hpp"

#include "sim/control_server.hpp"
#include "sim/rtu_server.hpp"
#include "sim/tcp_server.hpp"

namespace treadmill::sim {

namespace {
constexpr auto kTickPeriod = std::chrono::milliseconds(10);
}

SimRuntime::SimRuntime(boost::asio::io_context& io, const SimOptions& options)
    : io_(io), sim_(SteadyClock::now(), options), start_(SteadyClock::now()), ticker_(io) {
    tick();
}

SimRuntime::~SimRuntime() {
    shutdown();
}

void SimRuntime::tick() {
    if (stopped_) return;
    sim_.advance(SteadyClock::now());
    ticker_.expires_after(kTickPeriod);
    ticker_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

void SimRuntime::serve_tcp(const TcpEndpoint& endpoint) {
    tcp_ = std::make_unique<TcpServer>(io_, sim_, endpoint);
}

void SimRuntime::serve_rtu(const RtuEndpoint& endpoint) {
    rtu_ = std::make_unique<RtuServer>(io_, sim_, endpoint);
}

void SimRuntime::serve_control(const std::string& socket_path) {
    control_ = std::make_unique<ControlServer>(
        io_, socket_path, [this](const nlohmann::json& c) { return control(c); });
}

void SimRuntime::run_scenario(const std::vector<ScenarioStep>& steps) {
    for (const auto& step : steps) {
        auto timer = std::make_unique<boost::asio::steady_timer>(io_, start_ + step.at);
        const nlohmann::json command = step.command;
        timer->async_wait([this, command](const boost::system::error_code& ec) {
            if (!ec) control(command);
        });
        scenario_timers_.push_back(std::move(timer));
    }
}

std::uint16_t SimRuntime::tcp_port() const {
    return tcp_ ? tcp_->port() : 0;
}

std::string SimRuntime::rtu_warning() const {
    return rtu_ ? rtu_->warning() : std::string();
}

nlohmann::json SimRuntime::control(const nlohmann::json& command) {
    return sim_.control(SteadyClock::now(), command);
}

void SimRuntime::shutdown() {
    stopped_ = true;
    ticker_.cancel();
    for (auto& t : scenario_timers_) t->cancel();
    if (tcp_) tcp_->close();
    if (rtu_) rtu_->close();
    if (control_) control_->close();
}

}  // namespace treadmill::sim
