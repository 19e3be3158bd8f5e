// Rule S10: a thread that watches the control loop's heartbeat. It alone sends WATCHDOG=1 (at
// half of $WATCHDOG_USEC) and only while the heartbeat is fresh; a heartbeat older than the
// stall limit stops the pings, leaves a durable mark (counted at the next start) and aborts the
// process (systemd then restarts it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/clock.hpp"

namespace treadmill::daemon {

// The control loop's sign of life: an atomic time stamp it bumps every cycle.
class Heartbeat {
  public:
    explicit Heartbeat(TimePoint now) { beat(now); }
    void beat(TimePoint now) { ticks_.store(now.time_since_epoch().count()); }
    TimePoint last() const { return TimePoint(Duration(ticks_.load())); }

  private:
    std::atomic<Duration::rep> ticks_{0};
};

struct WatchdogOptions {
    Duration stall_limit = std::chrono::seconds(1);  // control.watchdog
    std::optional<Duration> ping_period;             // half of $WATCHDOG_USEC; none: no pings
    Duration check_period = std::chrono::milliseconds(20);
    // Before it aborts, the reason goes to this file (watchdog_mark.hpp), waiting for the disk
    // at most mark_limit; "" writes none.
    std::string mark_file;
    std::chrono::milliseconds mark_limit = std::chrono::milliseconds(200);
};

// The watchdog's effects, injectable for tests.
struct WatchdogHooks {
    std::function<void(std::string_view)> notify;   // default: sd_notify
    std::function<void(const std::string&)> abort;  // default: log, then std::abort()
    std::function<TimePoint()> now;                 // default: steady_clock::now
};

// Options for the daemon: ping at half of $WATCHDOG_USEC when systemd asks for it.
WatchdogOptions watchdog_options_from_environment(Duration stall_limit);

class WatchdogThread {
  public:
    WatchdogThread(const Heartbeat& heartbeat, WatchdogOptions options, WatchdogHooks hooks = {});
    ~WatchdogThread();
    WatchdogThread(const WatchdogThread&) = delete;
    WatchdogThread& operator=(const WatchdogThread&) = delete;

    // Ends the thread (no more pings); also done by the destructor.
    void stop();
    // The thread, for its scheduling priority (see realtime.hpp).
    std::thread::native_handle_type native_handle() { return thread_.native_handle(); }

  private:
    void run();
    // One check: ping when due; false once the heartbeat is stale (after calling abort).
    bool check(TimePoint now, TimePoint& next_ping);

    const Heartbeat& heartbeat_;
    WatchdogOptions options_;
    WatchdogHooks hooks_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace treadmill::daemon
