// No suspend while a session is active: a logind "sleep" inhibitor lock in block mode, taken
// and released on a thread of its own, so that the D-Bus calls never hold up the loop. Best
// effort: when it cannot be taken (no logind, no bus, not permitted) it says so once through
// the log and the daemon goes on; the loop's boot-clock check still stops the belt after a
// suspend (loop_stall).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <chrono>

namespace treadmill::daemon {

class SleepInhibitor {
  public:
    struct Options {
        std::optional<std::string> bus_address;  // default: the system bus (as sd-bus finds it)
        std::function<void(std::string)> log;    // must not block (the AsyncLog)
        std::chrono::milliseconds call_timeout{2000};
    };

    explicit SleepInhibitor(Options options);
    // Releases the lock and ends the thread.
    ~SleepInhibitor();
    SleepInhibitor(const SleepInhibitor&) = delete;
    SleepInhibitor& operator=(const SleepInhibitor&) = delete;

    // Called by the loop every cycle: hold the lock while `active`. A store and, on a change,
    // a futex wake: never blocks.
    void want(bool active);
    // The lock is held now.
    bool held() const { return held_.load(); }
    // Attempts to take it that failed so far.
    std::uint64_t failures() const { return failures_.load(); }

  private:
    // A request: what is wanted, and a count of requests so that a release and a hold in
    // quick succession still wake the thread (the hold retries a failed attempt).
    enum Want : std::uint32_t { release = 0, hold = 1, quit = 2 };
    void request(Want w);
    void run();
    void take();
    void give_back();
    void failed(const std::string& why);

    Options options_;
    std::atomic<std::uint32_t> request_{release};  // (count << 2) | Want
    // The loop's side: only changes wake the thread.
    bool last_want_ = false;
    std::uint32_t requests_ = 0;
    std::atomic<bool> held_{false};
    std::atomic<std::uint64_t> failures_{0};
    // The helper thread's own.
    int fd_ = -1;
    bool failure_logged_ = false;
    bool success_logged_ = false;
    std::thread thread_;
};

}  // namespace treadmill::daemon
