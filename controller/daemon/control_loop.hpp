// Runs the control cycle on the io_context thread from one steady_timer, every period: the
// cycle, then the heartbeat the watchdog thread checks, then the caller's after-cycle hook.
// API handlers run on the same io_context between cycles.
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/control_cycle.hpp"
#include "controller/daemon/watchdog.hpp"

namespace treadmill::daemon {

class ControlLoop {
  public:
    using AfterCycle = std::function<void(TimePoint now)>;

    ControlLoop(boost::asio::io_context& io, controller::ControlCycle& cycle, Heartbeat& heartbeat,
                Duration period, AfterCycle after_cycle);

    // Runs the first cycle at once, then every period (a late cycle does not cause a burst).
    void start();
    // No more cycles after the current one.
    void stop();

  private:
    void on_timer();

    boost::asio::steady_timer timer_;
    controller::ControlCycle& cycle_;
    Heartbeat& heartbeat_;
    Duration period_;
    AfterCycle after_cycle_;
    bool running_ = false;
};

}  // namespace treadmill::daemon
