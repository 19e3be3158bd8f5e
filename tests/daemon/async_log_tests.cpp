// The log writer thread: a sink that blocks never blocks the producer; a full queue drops and
// counts lines and says how many; everything queued is written, in order, at exit.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/daemon/async_log.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
namespace d = treadmill::daemon;
namespace t = treadmill::testing;

namespace {

// A sink that records lines and, while closed, holds the writer inside its first call.
struct GatedSink {
    std::mutex mutex;
    std::condition_variable opened_cv;
    bool open = false;
    std::atomic<bool> entered{false};
    std::vector<std::string> lines;

    d::AsyncLog::Sink sink() {
        return [this](std::string_view line) {
            entered = true;
            std::unique_lock lock(mutex);
            opened_cv.wait(lock, [this] { return open; });
            lines.emplace_back(line);
        };
    }
    void open_gate() {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        opened_cv.notify_all();
    }
};

}  // namespace

TEST_CASE("a blocked sink never blocks the producer: the overflow is dropped, counted, reported") {
    GatedSink gate;
    std::vector<std::string> written;
    {
        d::AsyncLog log({4, gate.sink(), ""});
        REQUIRE(log.log("line 0"));
        REQUIRE(t::wait_until([&] { return gate.entered.load(); }, 5000ms));  // the writer is stuck

        // The producer, on a thread of its own: if log() waited for the sink it would never end.
        std::atomic<bool> done{false};
        std::vector<bool> accepted;
        std::thread producer([&] {
            for (int i = 1; i <= 10; ++i) accepted.push_back(log.log("line " + std::to_string(i)));
            done = true;
        });
        const bool finished = t::wait_until([&] { return done.load(); }, 5000ms);
        CHECK_MESSAGE(finished, "log() blocked while the sink was blocked");
        if (finished) {
            CHECK(accepted == std::vector<bool>{true, true, true, true, false, false, false, false,
                                                false, false});
            CHECK(log.dropped() == 6);
        }
        gate.open_gate();
        producer.join();
    }  // the destructor writes out what was queued
    CHECK(gate.lines == std::vector<std::string>{"line 0", "line 1", "line 2", "line 3", "line 4",
                                                 "6 log lines dropped: the log queue was full"});
}

TEST_CASE("everything queued is written, in order, before the destructor returns") {
    std::vector<std::string> lines;
    {
        d::AsyncLog log({512, [&](std::string_view l) { lines.emplace_back(l); }, ""});
        for (int i = 0; i < 300; ++i) REQUIRE(log.log(std::to_string(i)));
        CHECK(log.dropped() == 0);
    }
    REQUIRE(lines.size() == 300);
    for (int i = 0; i < 300; ++i) CHECK(lines[static_cast<std::size_t>(i)] == std::to_string(i));
}

TEST_CASE("several producers: every line is either written or counted as dropped") {
    std::vector<std::string> lines;
    std::uint64_t dropped = 0;
    {
        d::AsyncLog log({16, [&](std::string_view l) { lines.emplace_back(l); }, ""});
        std::vector<std::thread> producers;
        for (int p = 0; p < 4; ++p)
            producers.emplace_back([&log] {
                for (int i = 0; i < 500; ++i) log.log("x");
            });
        for (auto& p : producers) p.join();
        dropped = log.dropped();
    }
    std::size_t written = 0;
    std::uint64_t reported = 0;
    for (const auto& l : lines) {
        if (l == "x")
            ++written;
        else
            reported += std::stoull(l);  // "N log lines dropped: ..."
    }
    CHECK(written + dropped == 2000);
    CHECK(reported == dropped);
}
