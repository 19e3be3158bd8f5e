#include "controller/daemon/control_loop.hpp"

namespace treadmill::daemon {

ControlLoop::ControlLoop(boost::asio::io_context& io, controller::ControlCycle& cycle,
                         Heartbeat& heartbeat, Duration period, AfterCycle after_cycle)
    : timer_(io),
      cycle_(cycle),
      heartbeat_(heartbeat),
      period_(period),
      after_cycle_(std::move(after_cycle)) {}

void ControlLoop::start() {
    running_ = true;
    timer_.expires_at(SteadyClock::now());
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) on_timer();
    });
}

void ControlLoop::stop() {
    running_ = false;
    timer_.cancel();
}

void ControlLoop::on_timer() {
    if (!running_) return;
    const TimePoint now = SteadyClock::now();
    cycle_.cycle(now);
    heartbeat_.beat(now);
    if (after_cycle_) after_cycle_(now);
    if (!running_) return;
    const TimePoint done = SteadyClock::now();
    TimePoint next = timer_.expiry() + period_;
    if (next < done) next = done;  // fell behind: no burst of catch-up cycles
    timer_.expires_at(next);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) on_timer();
    });
}

}  // namespace treadmill::daemon
