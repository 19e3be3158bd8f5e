#include "controller/daemon/watchdog.hpp"

#include <pthread.h>

#include <cstdlib>
#include <iostream>

#include "controller/daemon/sd_notify.hpp"
#include "controller/daemon/watchdog_mark.hpp"

namespace treadmill::daemon {

namespace {

WatchdogHooks with_defaults(WatchdogHooks hooks) {
    if (!hooks.notify) hooks.notify = [](std::string_view s) { sd_notify(s); };
    if (!hooks.abort) {
        hooks.abort = [](const std::string& reason) {
            std::cerr << "treadmilld: watchdog: " << reason << "; aborting" << std::endl;
            std::abort();
        };
    }
    if (!hooks.now) hooks.now = [] { return SteadyClock::now(); };
    return hooks;
}

}  // namespace

WatchdogOptions watchdog_options_from_environment(Duration stall_limit) {
    WatchdogOptions options;
    options.stall_limit = stall_limit;
    if (const auto interval = watchdog_interval()) {
        options.ping_period = std::chrono::duration_cast<Duration>(*interval) / 2;
    }
    return options;
}

WatchdogThread::WatchdogThread(const Heartbeat& heartbeat, WatchdogOptions options,
                               WatchdogHooks hooks)
    : heartbeat_(heartbeat), options_(options), hooks_(with_defaults(std::move(hooks))) {
    thread_ = std::thread([this] { run(); });
}

WatchdogThread::~WatchdogThread() {
    stop();
}

void WatchdogThread::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void WatchdogThread::run() {
    pthread_setname_np(pthread_self(), "watchdog");
    TimePoint next_ping = hooks_.now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const bool alive = check(hooks_.now(), next_ping);
        lock.lock();
        if (!alive) return;
        wake_.wait_for(lock, options_.check_period, [this] { return stopping_; });
    }
}

bool WatchdogThread::check(TimePoint now, TimePoint& next_ping) {
    const Duration age = now - heartbeat_.last();
    if (age > options_.stall_limit) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(age).count();
        std::string reason = "control loop stalled: no heartbeat for " + std::to_string(ms) + " ms";
        if (!options_.mark_file.empty()) {
            const std::string error =
                write_watchdog_mark(options_.mark_file, reason, options_.mark_limit);
            if (!error.empty()) reason += " (no mark for the metrics: " + error + ")";
        }
        hooks_.abort(reason);
        return false;
    }
    if (options_.ping_period && now >= next_ping) {
        hooks_.notify("WATCHDOG=1");
        next_ping = now + *options_.ping_period;
    }
    return true;
}

}  // namespace treadmill::daemon
