// sd_notify against a test NOTIFY_SOCKET, and the watchdog thread (rule S10).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "controller/daemon/sd_notify.hpp"
#include "controller/daemon/watchdog.hpp"
#include "controller/daemon/watchdog_mark.hpp"
#include "tests/daemon/notify_socket.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using treadmill::testing::NotifySocket;
namespace d = treadmill::daemon;

TEST_CASE("sd_notify is a no-op without NOTIFY_SOCKET") {
    unsetenv("NOTIFY_SOCKET");
    CHECK_FALSE(d::sd_notify("READY=1"));
}

TEST_CASE("sd_notify sends each state as one datagram to a path socket") {
    NotifySocket sink(treadmill::testing::make_temp_dir() + "/notify");
    setenv("NOTIFY_SOCKET", sink.name().c_str(), 1);
    CHECK(d::sd_notify("READY=1"));
    CHECK(d::sd_notify("STATUS=connecting: no answer from unit 1"));
    CHECK(sink.receive(1s) == std::optional<std::string>("READY=1"));
    CHECK(sink.receive(1s) ==
          std::optional<std::string>("STATUS=connecting: no answer from unit 1"));
    unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("sd_notify reaches an abstract socket named with '@'") {
    NotifySocket sink("@treadmilld-test-" + std::to_string(getpid()));
    setenv("NOTIFY_SOCKET", sink.name().c_str(), 1);
    CHECK(d::sd_notify("STOPPING=1"));
    CHECK(sink.receive(1s) == std::optional<std::string>("STOPPING=1"));
    unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("watchdog_interval reads WATCHDOG_USEC for this process only") {
    unsetenv("WATCHDOG_PID");
    unsetenv("WATCHDOG_USEC");
    CHECK_FALSE(d::watchdog_interval().has_value());
    setenv("WATCHDOG_USEC", "2000000", 1);
    CHECK(d::watchdog_interval() == std::optional(std::chrono::microseconds(2000000)));
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    CHECK(d::watchdog_interval().has_value());
    setenv("WATCHDOG_PID", "1", 1);
    CHECK_FALSE(d::watchdog_interval().has_value());
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "garbage", 1);
    CHECK_FALSE(d::watchdog_interval().has_value());
    unsetenv("WATCHDOG_USEC");
    auto options = d::watchdog_options_from_environment(1s);
    CHECK_FALSE(options.ping_period.has_value());
    setenv("WATCHDOG_USEC", "2000000", 1);
    options = d::watchdog_options_from_environment(1s);
    CHECK(options.ping_period == std::optional<treadmill::Duration>(1s));
    unsetenv("WATCHDOG_USEC");
}

// Records the abort instead of dying.
struct AbortRecorder {
    std::atomic<bool> aborted{false};
    std::mutex mutex;
    std::string reason;
    std::function<void(const std::string&)> hook() {
        return [this](const std::string& r) {
            std::lock_guard lock(mutex);
            reason = r;
            aborted = true;
        };
    }
};

TEST_CASE("watchdog pings at its period while the heartbeat is fresh, then aborts") {
    NotifySocket sink(treadmill::testing::make_temp_dir() + "/notify");
    setenv("NOTIFY_SOCKET", sink.name().c_str(), 1);
    d::Heartbeat heartbeat(treadmill::SteadyClock::now());
    std::atomic<bool> beating{true};
    std::thread loop([&] {  // the "control loop": beats every 10 ms while told to
        while (beating) {
            heartbeat.beat(treadmill::SteadyClock::now());
            std::this_thread::sleep_for(10ms);
        }
    });
    AbortRecorder recorder;
    const std::string mark = treadmill::testing::make_temp_dir() + "/metrics.json.watchdog";
    d::WatchdogOptions options{300ms, 50ms, 10ms, mark, 200ms};
    d::WatchdogThread watchdog(heartbeat, options, {{}, recorder.hook(), {}});

    // About one ping per 50 ms while the loop beats.
    const auto start = std::chrono::steady_clock::now();
    int pings = 0;
    while (std::chrono::steady_clock::now() - start < 500ms) {
        if (auto m = sink.receive(100ms)) {
            CHECK(*m == "WATCHDOG=1");
            ++pings;
        }
    }
    CHECK(pings >= 7);
    CHECK(pings <= 12);
    CHECK_FALSE(recorder.aborted);

    // The loop stops: pings stop, and the process is aborted after the stall limit.
    beating = false;
    loop.join();
    const auto stopped = std::chrono::steady_clock::now();
    CHECK(treadmill::testing::wait_until([&] { return recorder.aborted.load(); }, 2s));
    const auto waited = std::chrono::steady_clock::now() - stopped;
    CHECK(waited >= 250ms);
    CHECK(waited < 600ms);
    while (sink.receive(0ms)) {
    }  // pings sent before the stall was noticed
    CHECK_FALSE(sink.receive(200ms).has_value());
    CHECK(recorder.reason.find("no heartbeat") != std::string::npos);
    // The mark was on disk before the abort, with the same reason.
    CHECK(d::read_watchdog_mark(mark) == std::optional(recorder.reason));
    CHECK(d::remove_watchdog_mark(mark).empty());
    CHECK_FALSE(d::read_watchdog_mark(mark).has_value());
    unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("a mark that cannot be written, or hangs, never keeps the watchdog from aborting") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const auto stalled_watchdog = [](const std::string& mark, AbortRecorder& recorder) {
        d::Heartbeat heartbeat(treadmill::SteadyClock::now());
        d::WatchdogThread watchdog(heartbeat, {100ms, std::nullopt, 5ms, mark, 200ms},
                                   {{}, recorder.hook(), {}});
        const auto start = std::chrono::steady_clock::now();
        CHECK(treadmill::testing::wait_until([&] { return recorder.aborted.load(); }, 2s));
        return std::chrono::steady_clock::now() - start;
    };
    {  // A directory that does not exist: the abort says why there is no mark.
        AbortRecorder recorder;
        stalled_watchdog(dir + "/absent/metrics.json.watchdog", recorder);
        CHECK(recorder.reason.find("no heartbeat") != std::string::npos);
        CHECK(recorder.reason.find("no mark for the metrics: cannot open") != std::string::npos);
    }
    {  // A FIFO with no reader: open() blocks; the watchdog waits 200 ms, then aborts anyway.
        const std::string fifo = dir + "/fifo";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        AbortRecorder recorder;
        const auto took = stalled_watchdog(fifo, recorder);
        CHECK(took < 1s);
        CHECK(recorder.reason.find("took longer than 200 ms") != std::string::npos);
        // A reader frees the helper thread: its line arrives, then it ends.
        const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
        REQUIRE(reader >= 0);
        char buffer[256];
        CHECK(treadmill::testing::wait_until([&] { return ::read(reader, buffer, 256) > 0; }, 2s));
        ::close(reader);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("watchdog decides on its injected clock") {
    const treadmill::TimePoint t0{};
    std::atomic<treadmill::Duration::rep> fake_now{0};
    d::Heartbeat heartbeat(t0);
    std::atomic<int> pings{0};
    AbortRecorder recorder;
    d::WatchdogHooks hooks{[&](std::string_view s) { pings += s == "WATCHDOG=1"; }, recorder.hook(),
                           [&] { return t0 + treadmill::Duration(fake_now.load()); }};
    d::WatchdogThread watchdog(heartbeat, {1s, 500ms, 1ms, {}, 200ms}, hooks);
    CHECK(treadmill::testing::wait_until([&] { return pings >= 1; }, 1s));
    fake_now = treadmill::Duration(900ms).count();  // 0.9 s since the beat: still fresh
    CHECK(treadmill::testing::wait_until([&] { return pings >= 2; }, 1s));
    CHECK_FALSE(recorder.aborted);
    fake_now = treadmill::Duration(1001ms).count();
    CHECK(treadmill::testing::wait_until([&] { return recorder.aborted.load(); }, 1s));
    const int after = pings;
    std::this_thread::sleep_for(20ms);
    CHECK(pings == after);
}
