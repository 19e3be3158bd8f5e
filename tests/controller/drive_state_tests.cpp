// The drive's own state checked against what was commanded, through the whole control cycle on
// the FakeTreadmill under virtual time: each trigger latches drive_state, STOP is written in the
// same cycle and no RUN follows; a normal session never trips it.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/controller/rig.hpp"

using namespace treadmill;
using namespace treadmill::testing;

namespace {

std::string fault_message(const Rig& rig) {
    const auto f = rig.cycle.status(rig.now).fault;
    return f ? f->message : std::string();
}

// The drive writes of the cycle at `t`.
std::vector<FakeTreadmill::Record> drive_writes_at(const FakeTreadmill& hw, TimePoint t) {
    std::vector<FakeTreadmill::Record> out;
    for (const auto& r : hw.calls(Call::write_drive))
        if (r.at == t) out.push_back(r);
    return out;
}

// No RUN written after `t`.
bool no_run_after(const FakeTreadmill& hw, TimePoint t) {
    const auto writes = hw.calls(Call::write_drive);
    return std::none_of(writes.begin(), writes.end(),
                        [t](const auto& r) { return r.at > t && r.drive.run; });
}

// Latched in the cycle that read it, STOP in that cycle, no RUN for 3 s after, the belt at rest.
void check_stopped_for_good(Rig& rig) {
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.fault_code() == "drive_state");
    const auto trip = drive_writes_at(rig.hw, rig.now);
    REQUIRE(trip.size() == 1);
    CHECK_FALSE(trip[0].drive.run);
    const TimePoint tripped = rig.now;
    rig.run_for(3s);
    CHECK(no_run_after(rig.hw, tripped - 1ms));
    CHECK(rig.hw.belt_kmh < 0.05);
    CHECK_FALSE(rig.hw.run);
}

}  // namespace

TEST_CASE("drive_state: the drive leaves RUN by itself -> fault in the next cycle, not a restart") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(10s);
    REQUIRE(rig.hw.belt_kmh > 7.0);
    rig.hw.dropout();  // a fault it cleared itself between two polls: STOP, ramping down
    rig.tick();
    check_stopped_for_good(rig);
    CHECK(fault_message(rig).find("left RUN") != std::string::npos);
}

TEST_CASE("drive_state: the frequency command echo changes by itself -> fault at once") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(10s);
    rig.hw.change_frequency_command(0);  // a brown-out of the drive's control board
    rig.tick();
    check_stopped_for_good(rig);
    CHECK(fault_message(rig).find("0x2102") != std::string::npos);
}

TEST_CASE("drive_state: the comm-loss warning -> fault at once, running or idle") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(5s);
    rig.hw.drive_warning = 1;
    rig.tick();
    check_stopped_for_good(rig);
    Rig idle;
    idle.connect();
    idle.run_for(1s);
    idle.hw.drive_warning = 1;
    idle.tick();
    CHECK(idle.fault_code() == "drive_state");
}

TEST_CASE("drive_state: a drive still stopped 300 ms after RUN was written -> fault") {
    Rig rig;
    rig.hw.ignores_run = true;  // run source on the keypad: RS-485 RUN is not taken
    rig.connect();
    rig.cycle.start(make_timeline({{600, 8.0}}), rig.now);
    REQUIRE(rig.run_until([&] {
        const auto w = rig.hw.calls(Call::write_drive);
        return !w.empty() && w.back().drive.run;
    }));
    const TimePoint run_written = rig.now;
    CHECK(rig.reach(State::fault, 1s));
    CHECK(rig.fault_code() == "drive_state");
    CHECK(rig.now - run_written >= 300ms);
    CHECK(rig.now - run_written <= 400ms);  // the first read at or after 300 ms
    const auto trip = drive_writes_at(rig.hw, rig.now);
    REQUIRE(trip.size() == 1);
    CHECK_FALSE(trip[0].drive.run);
    CHECK(no_run_after(rig.hw, rig.now - 1ms));
}

TEST_CASE("drive_state: no false trip through start, ramps, pause, resume, speed, stop, reset") {
    Rig rig;
    rig.start(make_timeline({{20, 6.0, 1.0}, {20, 12.0, 3.0}, {600, 9.0}}));
    rig.run_for(30s);
    rig.cycle.pause(rig.now);
    rig.run_for(12s);
    REQUIRE(rig.cycle.state() == State::paused);
    REQUIRE(rig.cycle.resume(rig.now).ok);
    CHECK(rig.reach(State::running, 5s));
    rig.run_for(5s);
    rig.cycle.speed(14.0, rig.now);
    rig.run_for(10s);
    rig.cycle.stop(rig.now);
    CHECK(rig.reach(State::idle, 30s));
    CHECK_FALSE(rig.cycle.supervisor().latched());
    // A fault and its reset (the drive's fault reset), then a new session: still no trip.
    rig.cycle.start(make_timeline({{600, 10.0}}), rig.now);
    rig.reach(State::running, 5s);
    rig.run_for(5s);
    rig.hw.drive_fault = 1;  // over-current: S8, and the drive leaves RUN with it
    rig.tick();
    CHECK(rig.fault_code() == "drive_fault");
    rig.run_for(5s);
    REQUIRE(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 5s));
    rig.cycle.start(make_timeline({{600, 10.0}}), rig.now);
    CHECK(rig.reach(State::running, 5s));
    rig.run_for(10s);
    CHECK(rig.cycle.state() == State::running);
    CHECK_FALSE(rig.cycle.supervisor().latched());
}

TEST_CASE("drive_state: a write whose reply is lost is not judged (it may have been applied)") {
    Rig rig;
    rig.start(make_timeline({{600, 12.0}}));
    rig.run_for(3s);  // still ramping: every write carries a new frequency
    rig.hw.failed_drive_writes_applied = true;
    rig.hw.fail(Call::write_drive, LinkError{LinkError::Kind::timeout, 0, ""}, 2);
    rig.run_for(3s);
    CHECK(rig.cycle.state() == State::running);
    CHECK_FALSE(rig.cycle.supervisor().latched());
}

TEST_CASE("drive_state: no false trip after a comm_loss, its reset and a new session") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(5s);
    rig.hw.kill_bus();
    CHECK(rig.reach(State::fault, 1s));
    REQUIRE(rig.fault_code() == "comm_loss");
    rig.run_for(5s);
    rig.hw.revive_bus();
    rig.run_for(500ms);
    REQUIRE(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 5s));
    rig.cycle.start(make_timeline({{600, 10.0}}), rig.now);
    CHECK(rig.reach(State::running, 5s));
    rig.run_for(10s);
    CHECK(rig.cycle.state() == State::running);
    CHECK_FALSE(rig.cycle.supervisor().latched());
}
