#include "controller/daemon/control_loop.hpp"

#include <algorithm>

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
    // The boot clock also counts a suspend.
    guard_.run("the control cycle", [&] { cycle_.cycle(now, BootClock::now()); });
    heartbeat_.beat(SteadyClock::now());  // stamped when the cycle is done, not when it began
    if (after_cycle_) guard_.run("the after-cycle hook", after_cycle_, now);
    const TimePoint done = SteadyClock::now();
    count(timer_.expiry(), now, done);
    if (!running_) return;
    TimePoint next = timer_.expiry() + period_;
    if (next < done) next = done;  // fell behind: no burst of catch-up cycles
    timer_.expires_at(next);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) on_timer();
    });
}

void ControlLoop::count(TimePoint scheduled, TimePoint started, TimePoint done) {
    ++stats_.cycles;
    const Duration lateness = started - scheduled;
    if (lateness > period_ / 2) ++stats_.late;
    stats_.max_late = std::max(stats_.max_late, lateness);
    ++stats_.lateness[lateness_bucket(lateness)];
    stats_.max_cycle = std::max(stats_.max_cycle, done - started);
    ++stats_.length[latency_bucket(done - started)];
}

}  // namespace treadmill::daemon
