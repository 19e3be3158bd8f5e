// Runs the control cycle on the io_context thread from one steady_timer, every period: the
// cycle (given both clocks: steady, and boot time, which a suspend moves too), then the
// heartbeat the watchdog thread checks, then the caller's after-cycle hook.
// The commands the API thread hands over (LoopDispatcher) run on the same io_context between
// cycles. With a guard set, an exception in the
// cycle or the hook goes to the guard's handler and the loop goes on (heartbeat included).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/callback_guard.hpp"
#include "common/latency_histogram.hpp"
#include "controller/control_cycle.hpp"
#include "controller/daemon/watchdog.hpp"

namespace treadmill::daemon {

// The start-delay and cycle-length histograms' buckets (common/latency_histogram.hpp).
inline constexpr const auto& kLatenessBoundsMs = kLatencyBoundsMs;
using LatenessHistogram = LatencyHistogram;

// The bucket of a start delay: the first whose bound it does not exceed (the last: above all).
inline std::size_t lateness_bucket(Duration lateness) {
    return latency_bucket(lateness);
}

// How punctually the loop ran: a cycle is late when it starts more than half a period after
// its scheduled time (API handlers, a slow bus or a stopped process held it up).
struct LoopStats {
    std::uint64_t cycles = 0;
    std::uint64_t late = 0;
    Duration max_late{};           // the worst start delay of any cycle
    Duration max_cycle{};          // the longest cycle (read, decide, write, after-cycle hook)
    LatenessHistogram lateness{};  // every cycle's start delay, by kLatenessBoundsMs
    LatenessHistogram length{};    // every cycle's length (how long it held the io_context)
};

class ControlLoop {
  public:
    using AfterCycle = std::function<void(TimePoint now)>;

    ControlLoop(boost::asio::io_context& io, controller::ControlCycle& cycle, Heartbeat& heartbeat,
                Duration period, AfterCycle after_cycle);

    // Runs the first cycle at once, then every period (a late cycle does not cause a burst).
    void start();
    // No more cycles after the current one.
    void stop();
    // Where exceptions from the cycle and the after-cycle hook go (set before start()).
    void set_guard(CallbackGuard guard) { guard_ = std::move(guard); }
    // Read on the io_context thread (API handlers run there between cycles).
    const LoopStats& stats() const { return stats_; }
    // When the current cycle was due (valid in the after-cycle hook).
    TimePoint scheduled() const { return timer_.expiry(); }

  private:
    void on_timer();
    void count(TimePoint scheduled, TimePoint started, TimePoint done);

    boost::asio::steady_timer timer_;
    controller::ControlCycle& cycle_;
    Heartbeat& heartbeat_;
    Duration period_;
    AfterCycle after_cycle_;
    CallbackGuard guard_;
    bool running_ = false;
    LoopStats stats_;
};

}  // namespace treadmill::daemon
