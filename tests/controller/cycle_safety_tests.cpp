// Rules S1-S11 through the whole control cycle on the FakeTreadmill, under virtual time.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "tests/controller/rig.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using controller::SetpointCause;

namespace {

// The log records of the cycle at `t`.
std::vector<FakeTreadmill::Record> at_time(const FakeTreadmill& hw, TimePoint t) {
    std::vector<FakeTreadmill::Record> out;
    for (const auto& r : hw.log())
        if (r.at == t) out.push_back(r);
    return out;
}

bool is_write(Call c) {
    return c == Call::write_drive || c == Call::write_incline || c == Call::reset;
}

// Transactions that take time, about as at 19200 8E1 with the default 50 ms response time-out:
// a good one 10 ms, a time-out 55 ms (request and time-out), then 14 ms of late-reply guard.
void time_the_bus(FakeTreadmill& hw) {
    hw.transaction_time = 10ms;
    hw.timeout_time = 55ms;
    hw.late_reply_guard = 14ms;
}

}  // namespace

TEST_CASE("S1: STOP is the first write of the cycle that read the key out; the lift halts") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0, 3.0}}));
    rig.run_for(4s);  // the deck is moving
    REQUIRE(rig.hw.lift_moving);
    rig.hw.key_present = false;
    rig.tick();
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.fault_code() == "safety_key");
    const auto cycle = at_time(rig.hw, rig.now);
    std::vector<FakeTreadmill::Record> writes;
    for (const auto& r : cycle)
        if (is_write(r.call)) writes.push_back(r);
    REQUIRE(writes.size() >= 2);
    CHECK(writes[0].call == Call::write_drive);
    CHECK_FALSE(writes[0].drive.run);
    CHECK(writes[1].call == Call::write_incline);
    CHECK(writes[1].incline.kind == InclineWrite::Kind::stop);
    // No motion until the key is back, reset, start.
    rig.run_for(2s);
    for (const auto& r : rig.hw.calls(Call::write_drive))
        if (r.at > rig.now - 2s) CHECK_FALSE(r.drive.run);
    CHECK_FALSE(rig.cycle.start(make_timeline({{60, 8.0}}), rig.now).ok);
}

TEST_CASE("S2: a dead bus latches comm_loss within 0.5 s and a best-effort STOP is sent") {
    Rig rig;
    time_the_bus(rig.hw);
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(12s);
    const TimePoint died = rig.now;
    rig.hw.kill_bus();
    CHECK(rig.reach(State::fault, 1s));
    CHECK(rig.fault_code() == "comm_loss");
    const TimePoint since = rig.cycle.supervisor().fault()->since;
    CHECK(since - died <= 500ms);
    const auto& log = rig.hw.log();
    CHECK(std::any_of(log.begin(), log.end(), [&](const auto& r) {
        return r.at >= since && r.call == Call::write_drive && !r.drive.run;  // though dead
    }));
}

TEST_CASE(
    "S2: the bus dies mid-cycle: comm_loss latches as the third failure is seen, stamped "
    "then, with STOP on the wire at once") {
    Rig rig;
    time_the_bus(rig.hw);
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(3s);
    const TimePoint next = rig.now + rig.config.period;
    REQUIRE(rig.hw.busy_until() <= next);  // a good cycle's I/O fits in the period
    const TimePoint died = next + 5ms;     // after the drive's read, before the incline board's
    rig.hw.kill_bus_at(died);
    rig.hw.clear_log();
    REQUIRE(rig.reach(State::fault, 1s));
    CHECK(rig.fault_code() == "comm_loss");
    const auto& log = rig.hw.log();
    std::size_t third = 0;
    int failures = 0;
    for (std::size_t i = 0; i < log.size() && failures < 3; ++i)
        if (!log[i].ok && ++failures == 3) third = i;
    REQUIRE(failures == 3);
    // Stamped when the third failure was seen (not at its cycle's start), within the bound.
    const TimePoint since = rig.cycle.supervisor().fault()->since;
    CHECK(since == log[third].end);
    CHECK(since - died <= 500ms);
    // The very next transaction is the STOP, as soon as the late-reply guard allows.
    REQUIRE(third + 1 < log.size());
    CHECK(log[third + 1].call == Call::write_drive);
    CHECK_FALSE(log[third + 1].drive.run);
    CHECK(log[third + 1].at - since <= rig.hw.late_reply_guard);
    // Each dead-bus cycle ends within the period plus one time-out (the trip cycle included).
    for (const auto& r : log)
        if (r.at >= next) {
            const TimePoint cycle_start =
                next + (r.at - next) / rig.config.period * rig.config.period;
            CHECK(r.end - cycle_start <= rig.config.period + rig.hw.timeout_time);
        }
}

TEST_CASE("S2: after a time-out the cycle skips the other board on that bus, not on its own bus") {
    Rig shared;
    shared.start(make_timeline({{600, 10.0}}));
    shared.run_for(3s);
    shared.hw.fail(Call::read_drive, LinkError{LinkError::Kind::timeout, 0, ""}, 1);
    shared.hw.clear_log();
    shared.tick();
    CHECK(shared.cycle.state() == State::running);  // one failure is not a fault
    REQUIRE(shared.hw.log().size() == 1);           // the drive's read, nothing after it
    CHECK(shared.hw.log()[0].call == Call::read_drive);
    CHECK(shared.cycle.status(shared.now).motor.errors == 1);
    CHECK(shared.cycle.status(shared.now).incline_link.errors == 0);

    ControlConfig apart;
    apart.shared_bus = false;
    Rig own(apart);
    own.start(make_timeline({{600, 10.0}}));
    own.run_for(3s);
    own.hw.fail(Call::read_drive, LinkError{LinkError::Kind::timeout, 0, ""}, 1);
    own.hw.clear_log();
    own.tick();
    CHECK(own.hw.calls(Call::read_incline).size() == 1);
    CHECK(own.hw.calls(Call::write_drive).empty());
}

TEST_CASE("S2: one silent board on a shared bus: no good reply for 300 ms -> comm_loss") {
    Rig rig;
    rig.connect();
    rig.hw.fail(Call::read_drive, LinkError{LinkError::Kind::timeout, 0, ""});
    const TimePoint died = rig.now;
    CHECK(rig.reach(State::fault, 1s));
    CHECK(rig.now - died <= 500ms);
    CHECK(rig.fault_code() == "comm_loss");
}

TEST_CASE("S2: three lost drive polls in a row on a shared bus latch, though the lift answers") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(3s);
    rig.hw.fail(Call::read_drive, LinkError{LinkError::Kind::timeout, 0, ""}, 3);
    for (int i = 0; i < 3; ++i) rig.tick();
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.fault_code() == "comm_loss");
}

TEST_CASE("S2: two lost drive polls in a row do not latch") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(3s);
    rig.hw.fail(Call::read_drive, LinkError{LinkError::Kind::timeout, 0, ""}, 2);
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::running);
}

TEST_CASE("S2: after another failure the cycle skips that board's remaining transactions") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(3s);
    rig.hw.fail(Call::read_drive, LinkError{LinkError::Kind::crc, 0, ""}, 1);
    rig.tick();
    CHECK(rig.cycle.state() == State::running);  // one failure is not a fault
    const auto cycle = at_time(rig.hw, rig.now);
    CHECK(std::none_of(cycle.begin(), cycle.end(), [](const auto& r) {
        return r.call == Call::write_drive ||
               (r.call == Call::verify_part && r.board == Board::motor);
    }));
    CHECK(std::any_of(cycle.begin(), cycle.end(),
                      [](const auto& r) { return r.call == Call::read_incline; }));
    CHECK(rig.cycle.status(rig.now).motor.errors == 1);
}

TEST_CASE("S2: exception 06 counts as a failure; 02 is `protocol` at once; 04 `board_failure`") {
    Rig busy;
    busy.connect();
    busy.hw.fail(Call::read_drive, LinkError{LinkError::Kind::exception, 6, ""});
    busy.hw.fail(Call::read_incline, LinkError{LinkError::Kind::exception, 6, ""});
    busy.tick();
    CHECK(busy.cycle.state() == State::idle);
    busy.tick();
    CHECK(busy.fault_code() == "comm_loss");  // 3 consecutive failures on the bus
    Rig wrong;
    wrong.connect();
    wrong.hw.fail(Call::read_incline, LinkError{LinkError::Kind::exception, 2, ""}, 1);
    wrong.tick();
    CHECK(wrong.fault_code() == "protocol");
    Rig dev;
    dev.connect();
    dev.hw.fail(Call::read_drive, LinkError{LinkError::Kind::exception, 4, ""}, 1);
    dev.tick();
    CHECK(dev.fault_code() == "board_failure");
    Rig late;  // an exception in the S4 read-back, after the cycle's decision: seen next cycle
    late.connect();
    late.hw.fail(Call::verify_part, LinkError{LinkError::Kind::exception, 3, ""}, 1);
    CHECK(late.reach(State::fault, 3s));
    CHECK(late.fault_code() == "protocol");
}

TEST_CASE("S3: every board is polled every cycle") {
    Rig rig;
    rig.connect();
    rig.hw.clear_log();
    rig.run_for(2s);
    CHECK(rig.hw.calls(Call::read_drive).size() == 20);
    CHECK(rig.hw.calls(Call::read_incline).size() == 20);
    CHECK(rig.hw.calls(Call::write_drive).size() == 20);  // the drive's command every cycle
}

TEST_CASE("S5: a runaway belt -> overspeed; the drive in reverse -> reverse") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(15s);
    rig.hw.runaway = true;
    CHECK(rig.reach(State::fault, 3s));
    CHECK(rig.fault_code() == "overspeed");
    Rig rev;
    rev.start(make_timeline({{600, 8.0}}));
    rev.hw.reverse = true;
    rev.tick();
    CHECK(rev.fault_code() == "reverse");
}

TEST_CASE("S5: a normal stop from speed (decel ramp) and a key-out coast do not trip overspeed") {
    Rig rig;
    rig.start(make_timeline({{600, 16.0}}));
    rig.run_for(25s);
    rig.cycle.stop(rig.now);
    CHECK(rig.reach(State::idle, 30s));
    CHECK_FALSE(rig.cycle.supervisor().latched());
    Rig key;
    key.start(make_timeline({{600, 16.0}}));
    key.run_for(25s);
    key.hw.key_present = false;
    key.run_for(15s);
    CHECK(key.fault_code() == "safety_key");
    CHECK(key.cycle.supervisor().later_faults().empty());
}

TEST_CASE("S6: belt commanded but the roller stands still for 5 s -> belt_stall") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.hw.belt_stall = true;
    rig.run_for(4800ms);
    CHECK(rig.cycle.state() == State::running);
    CHECK(rig.reach(State::fault, 2s));
    CHECK(rig.fault_code() == "belt_stall");
}

TEST_CASE("S7: the incline not at its target in time -> incline_stall") {
    Rig rig;
    rig.start(make_timeline({{600, 6.0, 3.0}}));
    rig.hw.incline_stall = true;
    // 3 % at 0.6 %/s = 5 s; allowed 5 * 1.25 + 2 = 8.25 s.
    rig.run_for(8s);
    CHECK(rig.cycle.state() == State::running);
    CHECK(rig.reach(State::fault, 2s));
    CHECK(rig.fault_code() == "incline_stall");
}

TEST_CASE("S5-S7 durations run on the workout clock (time_scale)") {
    ControlConfig c;
    c.time_scale = 10.0;
    Rig rig(c);
    rig.start(make_timeline({{600, 8.0}}));
    rig.hw.belt_stall = true;
    CHECK(rig.reach(State::fault, 1s));  // 5 s of workout time = 0.5 s of wall time
    CHECK(rig.fault_code() == "belt_stall");
}

TEST_CASE("S8: a board's own fault code -> a fault with that code and its name") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(5s);
    rig.hw.drive_fault = 3;
    rig.tick();
    const auto f = rig.cycle.status(rig.now).fault;
    REQUIRE(f.has_value());
    CHECK(f->code == "drive_fault");
    CHECK(f->board_code == 3);
    CHECK(f->message.find("over-heat") != std::string::npos);
    rig.hw.incline_fault = 4;  // a later fault is recorded, the first stays the cause
    rig.tick();
    CHECK(rig.cycle.status(rig.now).fault->code == "drive_fault");
    REQUIRE(rig.cycle.status(rig.now).later_faults.size() == 1);
    CHECK(rig.cycle.status(rig.now).later_faults[0].code == "incline_fault");
}

TEST_CASE("S9: written speeds never step beyond the rates or the limits, whatever is asked") {
    Rig rig;
    rig.start(make_timeline({{30, 30.0, 40.0}, {30, 2.0}, {30, 18.0}}));
    rig.run_for(10s);
    rig.cycle.speed(50.0, rig.now);
    rig.cycle.incline(-10.0, rig.now);
    rig.reach(State::idle, 200s);
    double prev = 0;
    bool started = false;
    for (const auto& r : rig.hw.calls(Call::write_drive)) {
        const double v = r.drive.run ? r.drive.speed_kmh : 0.0;
        CHECK(v <= 20.0 + 1e-9);
        if (!started && v > 0) {
            CHECK(v == doctest::Approx(0.8));  // the single step 0 -> minimum speed
            started = true;
        } else {
            CHECK(v - prev <= 0.1 + 1e-9);  // accel 1 km/h/s at 10 Hz
            CHECK(prev - v <= 0.2 + 1e-9);  // decel 1.5 km/h/s on the 0.1 grid
        }
        prev = v;
    }
    for (const auto& r : rig.hw.calls(Call::write_incline))
        if (r.incline.kind == InclineWrite::Kind::move) {
            CHECK(r.incline.target_pct <= 15.0 + 1e-9);
            CHECK(r.incline.target_pct >= 0.0 - 1e-9);
        }
}

TEST_CASE("S10 side: a cycle later than control.watchdog writes only STOP and halt: loop_stall") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(12s);
    rig.now += 1500ms;  // the process was stopped
    rig.cycle.cycle(rig.now);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.fault_code() == "loop_stall");
    const auto cycle = at_time(rig.hw, rig.now);
    REQUIRE(cycle.size() == 2);
    CHECK(cycle[0].call == Call::write_drive);
    CHECK_FALSE(cycle[0].drive.run);
    CHECK(cycle[1].call == Call::write_incline);
    CHECK(cycle[1].incline.kind == InclineWrite::Kind::stop);
}

TEST_CASE("internal: an escaped exception writes STOP and halt before anything is logged") {
    Rig rig;
    std::size_t writes_before_first_log = 0;
    bool logged = false;
    rig.cycle.set_event_sink([&](TimePoint, const std::string&) {
        if (!logged) writes_before_first_log = rig.hw.log().size();
        logged = true;
    });
    rig.cycle.set_setpoint_sink([&](const controller::SetpointChange&) {
        if (!logged) writes_before_first_log = rig.hw.log().size();
        logged = true;
    });
    rig.start(make_timeline({{600, 10.0, 3.0}}));
    rig.run_for(8s);
    REQUIRE(rig.hw.run);
    rig.hw.clear_log();
    logged = false;
    rig.now += 20ms;  // between cycles, as a throwing API handler or signal handler would be
    rig.cycle.internal_fault(rig.now, "an API request", "boom");
    REQUIRE(rig.hw.log().size() >= 2);
    CHECK(rig.hw.log()[0].call == Call::write_drive);
    CHECK_FALSE(rig.hw.log()[0].drive.run);
    CHECK(rig.hw.log()[1].call == Call::write_incline);
    CHECK(rig.hw.log()[1].incline.kind == InclineWrite::Kind::stop);
    CHECK(logged);
    CHECK(writes_before_first_log >= 2);
    CHECK(rig.cycle.state() == State::fault);
    const auto fault = rig.cycle.status(rig.now).fault;
    REQUIRE(fault);
    CHECK(fault->code == "internal");
    CHECK(fault->message == "exception in an API request: boom");
    // Later cycles keep the belt stopped; reset works as for any fault once the cause is gone.
    rig.run_for(5s);
    for (const auto& r : rig.hw.calls(Call::write_drive)) CHECK_FALSE(r.drive.run);
    CHECK(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 10s));
}

// The daemon passes CLOCK_BOOTTIME beside the steady clock; a suspend moves only the former.
TEST_CASE("S10 side: a suspend (boot clock jumps, steady clock does not) trips loop_stall: STOP") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0, 2.0}}));
    BootTimePoint boot = BootTimePoint{} + 7000s;
    const auto cycle_both = [&](Duration boot_extra) {
        rig.now += rig.config.period;
        boot += rig.config.period + boot_extra;
        rig.cycle.cycle(rig.now, boot);
    };
    for (int i = 0; i < 100; ++i) cycle_both(Duration{});
    cycle_both(800ms);  // a boot-clock gap under control.watchdog (1 s) is ridden through
    REQUIRE(rig.cycle.state() == State::running);
    REQUIRE(rig.hw.calls(Call::write_drive).back().drive.run);

    cycle_both(30s);  // suspended for 30 s: the steady clock moved one period
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.fault_code() == "loop_stall");
    CHECK(rig.cycle.status(rig.now).fault->message.find("suspended") != std::string::npos);
    const auto cycle = at_time(rig.hw, rig.now);
    REQUIRE(cycle.size() == 2);  // no reads: only STOP and halt
    CHECK(cycle[0].call == Call::write_drive);
    CHECK_FALSE(cycle[0].drive.run);
    CHECK(cycle[1].call == Call::write_incline);
    CHECK(cycle[1].incline.kind == InclineWrite::Kind::stop);
    const TimePoint tripped = rig.now;
    for (int i = 0; i < 30; ++i) cycle_both(Duration{});
    for (const auto& r : rig.hw.calls(Call::write_drive))
        if (r.at >= tripped) CHECK_FALSE(r.drive.run);
}

TEST_CASE("S10 side: a boot-clock gap while connecting, or cycles without it, trip nothing") {
    Rig rig;
    rig.hw.fail(Call::configure, LinkError{LinkError::Kind::timeout, 0, "no reply"}, 2);
    BootTimePoint boot = BootTimePoint{} + 7000s;
    for (int i = 0; i < 3; ++i) {
        rig.now += rig.config.period;
        rig.cycle.cycle(rig.now, boot += rig.config.period);
    }
    REQUIRE(rig.cycle.state() == State::connecting);
    rig.now += rig.config.period;
    rig.cycle.cycle(rig.now, boot += 30s);  // suspended while connecting: no session to stop
    CHECK(rig.cycle.state() == State::connecting);
    rig.connect();
    CHECK(rig.cycle.state() == State::idle);
    // A cycle without the boot clock forgets the previous reading: no stale comparison.
    rig.now += rig.config.period;
    rig.cycle.cycle(rig.now, boot + 60s);
    rig.tick();
    rig.now += rig.config.period;
    rig.cycle.cycle(rig.now, boot + 600s);
    CHECK(rig.cycle.state() == State::idle);
}

TEST_CASE("S11: every set-point change is logged with its cause, in the ring and the sink") {
    Rig rig;
    std::vector<controller::SetpointChange> sunk;
    rig.cycle.set_setpoint_sink([&](const controller::SetpointChange& c) { sunk.push_back(c); });
    rig.start(make_timeline({{20, 8.0, 1.0}, {600, 10.0}}));
    rig.run_for(25s);
    rig.cycle.speed(11.0, rig.now);
    rig.cycle.incline(2.0, rig.now);
    rig.run_for(3s);
    rig.cycle.pause(rig.now);
    rig.run_for(1s);
    rig.cycle.estop(rig.now);
    rig.tick();
    std::set<SetpointCause> causes;
    for (const auto& c : rig.cycle.setpoint_log().entries()) causes.insert(c.cause);
    CHECK(causes.count(SetpointCause::program) == 1);
    CHECK(causes.count(SetpointCause::user) == 1);
    CHECK(causes.count(SetpointCause::api) == 1);
    CHECK(causes.count(SetpointCause::safety) == 1);
    CHECK(sunk.size() == rig.cycle.setpoint_log().entries().size());
    const auto& first = rig.cycle.setpoint_log().entries().front();
    CHECK(first.kind == controller::SetpointKind::speed);
    CHECK(first.to == doctest::Approx(8.0));
    CHECK(first.detail == "step 1");
}
