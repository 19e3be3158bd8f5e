// ControlLoop: the heartbeat the watchdog thread checks is stamped when a cycle is done, so a
// cycle held up by its bus I/O shows in the heartbeat's age (rule S10).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "controller/daemon/control_loop.hpp"
#include "tests/controller/fake_treadmill.hpp"

using namespace std::chrono_literals;
namespace d = treadmill::daemon;
using treadmill::SteadyClock;
using treadmill::TimePoint;

namespace {

// Boards whose every write takes `delay` of real time (a slow or dying bus).
class SlowTreadmill : public treadmill::testing::FakeTreadmill {
  public:
    explicit SlowTreadmill(treadmill::Duration delay) : delay_(delay) {}
    treadmill::Result<treadmill::Done, treadmill::LinkError> write_drive(
        TimePoint now, const treadmill::DriveWrite& w) override {
        std::this_thread::sleep_for(delay_);
        return FakeTreadmill::write_drive(now, w);
    }

  private:
    treadmill::Duration delay_;
};

}  // namespace

TEST_CASE("the heartbeat is stamped when the cycle is done, not when it began") {
    boost::asio::io_context io;
    SlowTreadmill hw(120ms);
    treadmill::controller::ControlCycle cycle(hw, {}, [] { return SteadyClock::now(); });
    const TimePoint before = SteadyClock::now();
    d::Heartbeat heartbeat(before - 10s);
    d::ControlLoop loop(io, cycle, heartbeat, 100ms, [&](TimePoint) { loop.stop(); });
    loop.start();
    io.run();  // one cycle (connecting writes STOP to the drive first), then stopped
    CHECK(hw.calls(treadmill::testing::FakeTreadmill::Call::write_drive).size() >= 1);
    CHECK(heartbeat.last() - before >= 120ms);
    CHECK(heartbeat.last() <= SteadyClock::now());
    // The cycle's length is counted too (status.loop.cycle_hist): one cycle, in its bucket.
    CHECK(loop.stats().max_cycle >= 120ms);
    std::uint64_t lengths = 0;
    for (const auto n : loop.stats().length) lengths += n;
    CHECK(lengths == 1);
    CHECK(loop.stats().length[d::lateness_bucket(loop.stats().max_cycle)] == 1);
}

TEST_CASE("a start delay goes to the first bucket whose bound it does not exceed") {
    CHECK(d::lateness_bucket(0ms) == 0);
    CHECK(d::lateness_bucket(50us) == 0);
    CHECK(d::lateness_bucket(51us) == 1);
    CHECK(d::lateness_bucket(2ms) == 8);  // bound 2 ms
    CHECK(d::lateness_bucket(2001us) == 9);
    CHECK(d::lateness_bucket(500ms) == d::kLatenessBoundsMs.size() - 1);
    CHECK(d::lateness_bucket(501ms) == d::kLatenessBoundsMs.size());
    CHECK(d::lateness_bucket(10s) == d::kLatenessBoundsMs.size());
}

TEST_CASE("every cycle's start delay is counted in the histogram") {
    boost::asio::io_context io;
    treadmill::testing::FakeTreadmill hw;
    treadmill::controller::ControlCycle cycle(hw, {}, [] { return SteadyClock::now(); });
    d::Heartbeat heartbeat(SteadyClock::now());
    int cycles = 0;
    d::ControlLoop loop(io, cycle, heartbeat, 10ms, [&](TimePoint) {
        if (++cycles == 5) loop.stop();
    });
    loop.start();
    io.run();
    std::uint64_t counted = 0;
    for (const auto n : loop.stats().lateness) counted += n;
    CHECK(loop.stats().cycles == 5);
    CHECK(counted == 5);
    CHECK(loop.stats().lateness[d::lateness_bucket(loop.stats().max_late)] >= 1);
}
