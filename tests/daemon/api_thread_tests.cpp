// The API's sockets run on their own thread: with the control loop's thread held inside a cycle
// (as a Modbus time-out holds it), `status` is still answered, from the last completed cycle; a
// `stop` sent meanwhile runs on the loop as soon as it is free; a client that vanishes while its
// command waits for the loop harms nothing. The real Daemon in-process (embedded simulator, real
// Unix socket); the loop is held by the in_cycle test hook, on a condition, not for a time.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "tests/daemon/in_process_daemon.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

// The watchdog would abort a daemon whose loop is held for its 1 s: these tests hold it on a
// condition, for as long as the test's requests take on a crowded machine.
constexpr const char* kPatientWatchdog = ", watchdog: 60 s";

constexpr const char* kSteady =
    "schema: treadmill-workout/1\nname: held loop\nsteps:\n  - run: 10 min\n    speed: 8 km/h\n";

// Holds the control loop's thread inside its after-cycle hook until released.
class LoopHold {
  public:
    std::function<void()> hook() {
        return [this] {
            std::unique_lock lock(mutex_);
            if (!armed_) return;
            armed_ = false;
            held_ = true;
            changed_.notify_all();
            changed_.wait(lock, [&] { return released_; });
            held_ = false;
        };
    }
    // Arms the hold and waits until the loop is held in it (true) or 10 s passed.
    bool hold() {
        std::unique_lock lock(mutex_);
        armed_ = true;
        released_ = false;
        return changed_.wait_for(lock, 10s, [&] { return held_; });
    }
    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        armed_ = false;
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool armed_ = false;
    bool held_ = false;
    bool released_ = false;
};

// Releases the loop when the test ends, whatever failed (the daemon must be able to stop).
struct ReleaseAtEnd {
    LoopHold& hold;
    ~ReleaseAtEnd() { hold.release(); }
};

std::uint64_t cycles(const json& status) {
    return status["loop"]["cycles"].get<std::uint64_t>();
}

}  // namespace

TEST_CASE("status is answered while the control loop is held, from the last completed cycle") {
    LoopHold hold;
    t::ConfiguredDaemon daemon("", "", {.in_cycle = hold.hook()}, kPatientWatchdog);
    ReleaseAtEnd release{hold};
    REQUIRE(hold.hold());
    t::LineClient client(daemon.socket());
    const auto first = client.call({{"id", 1}, {"cmd", "status"}}, 5s);
    REQUIRE_MESSAGE(first, "no status reply while the loop is held");
    CHECK((*first)["ok"] == true);
    CHECK((*first)["status"]["state"] == "idle");
    const auto second = client.call({{"id", 2}, {"cmd", "status"}}, 5s);
    REQUIRE(second);
    CHECK(cycles((*second)["status"]) == cycles((*first)["status"]));  // no cycle completed
    // `watch` too: its first line comes at once from the same snapshot.
    t::LineClient watcher(daemon.socket());
    const auto watched = watcher.call({{"id", 3}, {"cmd", "watch"}}, 5s);
    REQUIRE(watched);
    CHECK((*watched)["ok"] == true);
    hold.release();
    CHECK(t::wait_until([&] { return cycles(daemon.status()) > cycles((*first)["status"]); }, 5s));
}

TEST_CASE("a stop sent while the loop is held runs as soon as the loop is free") {
    LoopHold hold;
    t::ConfiguredDaemon daemon("", "", {.in_cycle = hold.hook()}, kPatientWatchdog);
    ReleaseAtEnd release{hold};
    const auto started = daemon.call({{"id", 1}, {"cmd", "start"}, {"yaml", kSteady}});
    REQUIRE(started);
    REQUIRE((*started)["ok"] == true);
    REQUIRE(t::wait_until([&] { return daemon.state() == "running"; }, 20s));
    REQUIRE(hold.hold());
    t::LineClient client(daemon.socket());
    REQUIRE(client.send({{"id", 2}, {"cmd", "stop"}}));
    // The status client is served meanwhile; the stop waits for the loop (it acts on the belt).
    t::LineClient other(daemon.socket());
    const auto during = other.call({{"id", 3}, {"cmd", "status"}}, 5s);
    REQUIRE(during);
    CHECK((*during)["status"]["state"] == "running");
    hold.release();
    const auto stopped = client.read_json(5s);
    REQUIRE(stopped);
    CHECK((*stopped)["id"] == 2);
    CHECK((*stopped)["ok"] == true);
    // The reply came after the command ran on the loop: the snapshot published with it shows
    // the belt stopping (or already stopped), not running.
    const auto after = other.call({{"id", 4}, {"cmd", "status"}}, 5s);
    REQUIRE(after);
    CHECK((*after)["status"]["state"] != "running");
    CHECK(t::wait_until([&] { return daemon.state() == "idle"; }, 20s));
}

TEST_CASE("a client that vanishes while its command waits for the loop harms nothing") {
    LoopHold hold;
    t::ConfiguredDaemon daemon("", "", {.in_cycle = hold.hook()}, kPatientWatchdog);
    ReleaseAtEnd release{hold};
    const auto before = cycles(daemon.status());
    REQUIRE(hold.hold());
    {
        // One command the loop answers itself, one it answers after the worker's job.
        t::LineClient pausing(daemon.socket());
        REQUIRE(pausing.send({{"id", 1}, {"cmd", "pause"}}));
        t::LineClient listing(daemon.socket());
        REQUIRE(listing.send({{"id", 2}, {"cmd", "programs"}}));
        t::LineClient asking(daemon.socket());
        REQUIRE(asking.send({{"id", 3}, {"cmd", "status"}}));
        REQUIRE(asking.read_json(5s));
    }  // all three gone: the server reads each line before the end of its stream, so the two
       // commands were posted to the held loop, and their clients closed before the replies
    hold.release();
    CHECK(t::wait_until([&] { return cycles(daemon.status()) > before + 3; }, 5s));
    const auto reply = daemon.call({{"id", 4}, {"cmd", "programs"}});
    REQUIRE(reply);
    CHECK((*reply)["ok"] == true);
    CHECK(daemon.state() == "idle");
}
