// EmbeddedSimulator: a SimRuntime on its own thread.
#include "sim/embedded_simulator.hpp"

#include <future>
#include <thread>

#include "sim/sim_runtime.hpp"

namespace treadmill::sim {

namespace {

class ThreadedSimulator final : public EmbeddedSimulator {
  public:
    explicit ThreadedSimulator(const SimOptions& options) : runtime_(io_, options) {}
    ~ThreadedSimulator() override { stop(); }

    // Serving set up on the caller's thread (before the loop runs), then the loop starts.
    template <class Setup>
    void start(Setup setup) {
        setup(runtime_);
        thread_ = std::thread([this] { io_.run(); });
    }

    std::uint16_t port() const override { return port_; }
    void set_port(std::uint16_t port) { port_ = port; }

    nlohmann::json control(const nlohmann::json& command) override {
        if (!thread_.joinable()) return {{"ok", false}, {"error", "simulator stopped"}};
        auto promise = std::make_shared<std::promise<nlohmann::json>>();
        auto answer = promise->get_future();
        boost::asio::post(
            io_, [this, promise, command] { promise->set_value(runtime_.control(command)); });
        if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
            return {{"ok", false}, {"error", "simulator did not answer"}};
        }
        return answer.get();
    }

    void stop() override {
        if (!thread_.joinable()) return;
        io_.stop();
        thread_.join();
        runtime_.shutdown();
    }

  private:
    boost::asio::io_context io_;
    SimRuntime runtime_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    std::thread thread_;
    std::uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<EmbeddedSimulator> EmbeddedSimulator::start_tcp(const TcpEndpoint& ep,
                                                                const SimOptions& opt) {
    auto sim = std::make_unique<ThreadedSimulator>(opt);
    std::uint16_t port = 0;
    sim->start([&](SimRuntime& runtime) {
        runtime.serve_tcp(ep);
        port = runtime.tcp_port();
    });
    sim->set_port(port);
    return sim;
}

std::unique_ptr<EmbeddedSimulator> EmbeddedSimulator::start_rtu(const RtuEndpoint& ep,
                                                                const SimOptions& opt) {
    auto sim = std::make_unique<ThreadedSimulator>(opt);
    sim->start([&](SimRuntime& runtime) { runtime.serve_rtu(ep); });
    return sim;
}

}  // namespace treadmill::sim
