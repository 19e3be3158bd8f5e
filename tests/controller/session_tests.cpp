// Every transition of the state table after `connecting`, through ControlCycle on the fake.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/controller/rig.hpp"

using namespace treadmill;
using namespace treadmill::testing;

namespace {

// The first RUN write after `from` (index into the log), if any.
std::optional<FakeTreadmill::Record> first_run_after(const FakeTreadmill& hw, std::size_t from) {
    for (std::size_t i = from; i < hw.log().size(); ++i) {
        const auto& r = hw.log()[i];
        if (r.call == Call::write_drive && r.ok && r.drive.run) return r;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("idle -> countdown on start; countdown (wall clock) -> running at minimum speed") {
    Rig rig;
    rig.connect();
    REQUIRE(rig.cycle.start(make_timeline({{60, 10.0}}), rig.now).ok);
    CHECK(rig.cycle.state() == State::countdown);
    const auto mark = rig.hw.log().size();
    rig.run_for(2900ms);
    CHECK(rig.cycle.state() == State::countdown);
    CHECK_FALSE(first_run_after(rig.hw, mark).has_value());  // nothing moves in the countdown
    rig.run_for(200ms);
    CHECK(rig.cycle.state() == State::running);
    const auto run = first_run_after(rig.hw, mark);
    REQUIRE(run.has_value());
    CHECK(run->drive.speed_kmh == doctest::Approx(0.8));  // RUN at minimum speed first
    rig.run_for(20s);
    CHECK(rig.hw.belt_kmh == doctest::Approx(10.0).epsilon(0.02));
}

TEST_CASE("start is refused while faulted, with the key out, when requires: is not met") {
    Rig rig;
    rig.connect();
    auto t = make_timeline({{60, 10.0}});
    t.requires_.max_incline_pct = 22.0;
    auto r = rig.cycle.start(t, rig.now);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("requires") != std::string::npos);
    rig.hw.key_present = false;
    rig.run_for(300ms);
    CHECK(rig.cycle.state() == State::fault);
    r = rig.cycle.start(make_timeline({{60, 10.0}}), rig.now);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("fault") != std::string::npos);
    Rig connecting;
    connecting.hw.kill_bus();
    connecting.tick();
    CHECK_FALSE(connecting.cycle.start(make_timeline({{60, 10.0}}), connecting.now).ok);
}

TEST_CASE("countdown -> stop or pause -> back where it came from") {
    Rig rig;
    rig.connect();
    rig.cycle.start(make_timeline({{60, 10.0}}), rig.now);
    CHECK(rig.cycle.stop(rig.now).ok);
    CHECK(rig.cycle.state() == State::idle);
    rig.cycle.start(make_timeline({{60, 10.0}}), rig.now);
    CHECK(rig.cycle.pause(rig.now).ok);
    CHECK(rig.cycle.state() == State::idle);
    // From paused: resume -> countdown, then stop -> paused again.
    rig.cycle.start(make_timeline({{60, 10.0}}), rig.now);
    rig.reach(State::running, 5s);
    rig.cycle.pause(rig.now);
    CHECK(rig.cycle.resume(rig.now).ok);
    CHECK(rig.cycle.state() == State::countdown);
    CHECK(rig.cycle.stop(rig.now).ok);
    CHECK(rig.cycle.state() == State::paused);
    CHECK(rig.cycle.resume(rig.now).ok);
    CHECK(rig.cycle.pause(rig.now).ok);
    CHECK(rig.cycle.state() == State::paused);
}

TEST_CASE("running -> paused: the belt ramps to 0, the program clock freezes") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(20s);
    REQUIRE(rig.cycle.pause(rig.now).ok);
    const double frozen = rig.cycle.status(rig.now).elapsed_s.value();
    CHECK(rig.cycle.state() == State::paused);
    double prev = rig.hw.speed_cmd_kmh;
    for (int i = 0; i < 100; ++i) {
        rig.tick();
        CHECK(rig.hw.speed_cmd_kmh <= prev + 1e-9);        // ramps down, never up
        CHECK(prev - rig.hw.speed_cmd_kmh <= 0.2 + 1e-9);  // decel 1.5 km/h/s on a 0.1 grid
        prev = rig.hw.speed_cmd_kmh;
    }
    CHECK(rig.hw.belt_kmh < 0.05);
    CHECK_FALSE(rig.hw.run);
    CHECK(rig.cycle.status(rig.now).elapsed_s.value() == doctest::Approx(frozen));
}

TEST_CASE("paused -> resume -> countdown -> running from minimum speed, never the old set-point") {
    Rig rig;
    rig.start(make_timeline({{600, 12.0}}));
    rig.run_for(30s);
    rig.cycle.pause(rig.now);
    rig.run_for(15s);
    const double frozen = rig.cycle.status(rig.now).elapsed_s.value();
    const auto mark = rig.hw.log().size();
    REQUIRE(rig.cycle.resume(rig.now).ok);
    CHECK(rig.cycle.state() == State::countdown);
    CHECK(rig.reach(State::running, 4s));
    rig.tick();
    const auto run = first_run_after(rig.hw, mark);
    REQUIRE(run.has_value());
    CHECK(run->drive.speed_kmh == doctest::Approx(0.8));
    CHECK(rig.cycle.status(rig.now).elapsed_s.value() ==
          doctest::Approx(frozen + 0.1).epsilon(0.01));
}

TEST_CASE("resume at once after pause: countdown until the belt stands, then minimum, then accel") {
    Rig rig;
    rig.start(make_timeline({{600, 7.5}}));
    REQUIRE(rig.run_until([&] { return rig.hw.speed_cmd_kmh == doctest::Approx(7.5); }, 20s));
    rig.run_for(2s);
    REQUIRE(rig.cycle.pause(rig.now).ok);
    REQUIRE(rig.cycle.resume(rig.now).ok);  // before the belt could ramp down
    const auto mark = rig.hw.log().size();
    // The countdown (3 s, wall clock) ends only once the belt stands: 7.5 km/h at 1.5 km/h/s.
    double prev = 7.5;
    while (rig.cycle.state() == State::countdown) {
        rig.tick();
        if (rig.cycle.state() != State::countdown) break;
        CHECK(rig.cycle.status(rig.now).speed.target_kmh <= prev + 1e-9);  // never speeds up
        prev = rig.cycle.status(rig.now).speed.target_kmh;
        REQUIRE(rig.now - rig.hw.log()[mark].at < 20s);
    }
    CHECK(rig.cycle.state() == State::running);
    CHECK(rig.hw.log().back().at - rig.hw.log()[mark].at >= 3s);
    // Every drive write while counting down ramps down; the belt stood before the first RUN.
    std::vector<FakeTreadmill::Record> runs;
    for (std::size_t i = mark; i < rig.hw.log().size(); ++i) {
        const auto& r = rig.hw.log()[i];
        if (r.call == Call::write_drive && r.ok) runs.push_back(r);
    }
    REQUIRE(runs.size() >= 2);
    std::size_t first_start = 0;  // the first RUN after a STOP
    for (std::size_t i = 1; i < runs.size() && first_start == 0; ++i)
        if (runs[i].drive.run && !runs[i - 1].drive.run) first_start = i;
    REQUIRE(first_start > 0);
    CHECK(runs[first_start].drive.speed_kmh == doctest::Approx(0.8));  // RUN at minimum speed
    CHECK(first_start + 1 == runs.size());  // written in the cycle that entered `running`
    // Then up at accel (1 km/h/s: at most 0.1 km/h per 100 ms cycle on the 0.1 grid).
    prev = 0.8;
    for (int i = 0; i < 30; ++i) {
        rig.tick();
        const double cmd = rig.hw.speed_cmd_kmh;
        CHECK(rig.hw.run);
        CHECK(cmd >= prev - 1e-9);
        CHECK(cmd - prev <= 0.1 + 1e-9);
        prev = cmd;
    }
    CHECK(prev == doctest::Approx(0.8 + 3.0).epsilon(0.05));
}

TEST_CASE("paused -> max_pause elapsed (wall clock) -> stopping -> idle") {
    ControlConfig c;
    c.max_pause = 10s;
    c.time_scale = 5.0;  // max pause stays on the wall clock
    Rig rig(c);
    rig.start(make_timeline({{600, 8.0}}));
    rig.cycle.pause(rig.now);
    rig.run_for(9800ms);
    CHECK(rig.cycle.state() == State::paused);
    rig.run_for(300ms);
    CHECK(rig.cycle.state() != State::paused);
    CHECK(rig.reach(State::idle, 10s));
    const auto summary = rig.cycle.take_finished_session();
    REQUIRE(summary.has_value());
    CHECK_FALSE(summary->completed);
}

TEST_CASE("paused -> stop -> stopping; running -> stop -> stopping -> idle, deck lowered") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.cycle.pause(rig.now);
    CHECK(rig.cycle.stop(rig.now).ok);
    CHECK(rig.cycle.state() == State::stopping);
    CHECK(rig.reach(State::idle, 20s));

    Rig r2;
    r2.start(make_timeline({{600, 8.0, 4.0}}));
    r2.run_for(15s);
    CHECK(r2.hw.incline_pct == doctest::Approx(4.0).epsilon(0.05));
    CHECK(r2.cycle.stop(r2.now).ok);
    CHECK(r2.cycle.state() == State::stopping);
    CHECK(r2.reach(State::idle, 30s));
    CHECK(r2.hw.belt_kmh < 0.05);
    CHECK(r2.hw.incline_pct == doctest::Approx(0.0).epsilon(0.3));
    // The deck went down only once the belt stood still.
    bool belt_stopped = false;
    for (const auto& r : r2.hw.log()) {
        if (r.call == Call::write_drive && !r.drive.run) belt_stopped = true;
        if (r.call == Call::write_incline && r.incline.kind == InclineWrite::Kind::move &&
            r.incline.target_pct < 3.9)
            CHECK(belt_stopped);
    }
}

TEST_CASE("running -> the program ends -> stopping: a finished program always stops the belt") {
    Rig rig;
    rig.start(make_timeline({{10, 6.0}, {10, 8.0}}));
    CHECK(rig.reach(State::stopping, 25s));
    CHECK(rig.reach(State::idle, 20s));
    CHECK(rig.hw.belt_kmh < 0.05);
    CHECK_FALSE(rig.hw.run);
    const auto s = rig.cycle.take_finished_session();
    REQUIRE(s.has_value());
    CHECK(s->completed);
    CHECK(s->elapsed_s == doctest::Approx(20.0).epsilon(0.02));
}

TEST_CASE("skip ends the current step") {
    Rig rig;
    rig.start(make_timeline({{600, 6.0}, {600, 9.0}}));
    rig.run_for(5s);
    CHECK(rig.cycle.status(rig.now).step->index == 0);
    CHECK(rig.cycle.skip(rig.now).ok);
    rig.tick();
    CHECK(rig.cycle.status(rig.now).step->index == 1);
    CHECK(rig.cycle.status(rig.now).speed.program_kmh.value() == doctest::Approx(9.0));
    CHECK_FALSE(Rig().cycle.skip(rig.now).ok);  // nothing to skip outside a session
}

TEST_CASE("user speed and incline: clamped, rate limited, held until the step ends") {
    Rig rig;
    rig.start(make_timeline({{60, 8.0}, {600, 6.0}}));
    rig.run_for(10s);
    auto r = rig.cycle.speed(35.0, rig.now);
    REQUIRE(r.ok);
    CHECK(*r.value == doctest::Approx(20.0));  // clamped to max speed
    double prev = rig.hw.speed_cmd_kmh;
    for (int i = 0; i < 20; ++i) {
        rig.tick();
        CHECK(rig.hw.speed_cmd_kmh - prev <= 0.1 + 1e-9);  // accel 1 km/h/s
        prev = rig.hw.speed_cmd_kmh;
    }
    r = rig.cycle.speed_delta(-1.0, rig.now);
    REQUIRE(r.ok);
    CHECK(*r.value == doctest::Approx(19.0));
    r = rig.cycle.incline(40.0, rig.now);
    REQUIRE(r.ok);
    CHECK(*r.value == doctest::Approx(15.0));
    CHECK(rig.cycle.status(rig.now).speed.program_kmh.value() == doctest::Approx(8.0));
    rig.run_for(50s);  // the next step's target applies
    CHECK(rig.cycle.status(rig.now).step->index == 1);
    rig.run_for(30s);
    CHECK(rig.hw.speed_cmd_kmh == doctest::Approx(6.0));
    CHECK_FALSE(rig.cycle.speed(0.0, rig.now).ok);
    CHECK(rig.cycle.speed(0.0, rig.now).code == "bad_value");
    Rig idle;
    idle.connect();
    CHECK_FALSE(idle.cycle.speed(8.0, idle.now).ok);
}

TEST_CASE("a manual step starts at the current speed") {
    Rig rig;
    rig.start(make_timeline({{20, 9.0}, {600, 0.0, 0.0, false, true}}));
    rig.run_for(25s);
    CHECK(rig.cycle.status(rig.now).step->index == 1);
    CHECK_FALSE(rig.cycle.status(rig.now).speed.program_kmh.has_value());
    CHECK(rig.hw.speed_cmd_kmh == doctest::Approx(9.0));
}

TEST_CASE("any -> fault; reset refused while the cause remains; idle once the roller reads 0") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(15s);
    rig.hw.key_present = false;
    rig.tick();
    CHECK(rig.cycle.state() == State::fault);
    auto r = rig.cycle.reset(rig.now);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("key") != std::string::npos);
    rig.run_for(500ms);
    rig.hw.key_present = true;  // the key is back; the drive still shows EF until a reset
    rig.tick();
    REQUIRE(rig.cycle.reset(rig.now).ok);  // accepted while the belt still slows
    const auto mark = rig.hw.log().size();
    rig.tick();
    // STOP stays written, then both boards' faults are reset.
    std::vector<Call> after;
    for (std::size_t i = mark; i < rig.hw.log().size(); ++i) after.push_back(rig.hw.log()[i].call);
    REQUIRE(after.size() >= 6);
    CHECK(after[2] == Call::write_drive);
    CHECK(rig.hw.log()[mark + 2].drive.run == false);
    CHECK(std::count(after.begin(), after.end(), Call::reset) == 2);
    CHECK(rig.hw.drive_fault == 0);
    CHECK(rig.cycle.state() == State::fault);  // until the roller reads 0
    CHECK(rig.reach(State::idle, 10s));
    CHECK(rig.hw.belt_kmh < 0.05);
    for (int i = 0; i < 30; ++i) {
        rig.tick();
        CHECK(rig.cycle.state() == State::idle);  // never running
        CHECK_FALSE(rig.hw.run);
    }
    CHECK_FALSE(rig.cycle.status(rig.now).fault.has_value());
    CHECK(rig.cycle.start(make_timeline({{60, 8.0}}), rig.now).ok);
}

TEST_CASE("estop -> fault; reset refused outside fault") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0}}));
    rig.run_for(12s);
    CHECK_FALSE(rig.cycle.reset(rig.now).ok);
    CHECK(rig.cycle.estop(rig.now).ok);
    rig.tick();
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "estop");
    CHECK_FALSE(rig.hw.run);
    CHECK_FALSE(rig.cycle.resume(rig.now).ok);
    CHECK(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 10s));
}

TEST_CASE("time_scale: program time runs N x the wall clock, the countdown does not") {
    ControlConfig c;
    c.time_scale = 10.0;
    Rig rig(c);
    rig.connect();
    rig.cycle.start(make_timeline({{100, 8.0}, {100, 6.0}}), rig.now);
    rig.run_for(2900ms);
    CHECK(rig.cycle.state() == State::countdown);  // 3 s of wall clock
    rig.reach(State::running, 1s);
    rig.run_for(5s);  // 50 s of workout time
    CHECK(rig.cycle.status(rig.now).elapsed_s.value() == doctest::Approx(50.0).epsilon(0.02));
    CHECK(rig.hw.speed_cmd_kmh == doctest::Approx(8.0));  // reached in 0.72 s of wall time
    rig.run_for(6s);
    CHECK(rig.cycle.status(rig.now).step->index == 1);
}

TEST_CASE("distance steps end on the belt odometer, across its wrap") {
    Rig rig;
    rig.hw.odometer_offset_cm = 0xFFFFFFFFu - 5000;  // wraps 50 m into the run
    rig.start(make_timeline({{200, 12.0, 0.0, true}, {600, 6.0}}));
    CHECK(rig.run_until([&] { return rig.cycle.status(rig.now).step->index == 1; }, 120s));
    const auto st = rig.cycle.status(rig.now);
    CHECK(st.distance_m.value() == doctest::Approx(200.0).epsilon(0.01));
    CHECK(rig.hw.odometer_m == doctest::Approx(200.0).epsilon(0.01));
}

TEST_CASE("status: everything the API needs") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0, 2.0}}));
    rig.run_for(30s);
    const auto s = rig.cycle.status(rig.now);
    CHECK(s.state == State::running);
    CHECK(s.program->id == "test");
    CHECK(s.program->seeds.size() == 1);
    CHECK(s.step->count == 1);
    CHECK(s.step->step_class == "run");
    CHECK(s.step->remaining_s == doctest::Approx(570.0).epsilon(0.01));
    CHECK(s.speed.target_kmh == doctest::Approx(10.0));
    CHECK(s.speed.actual_kmh.value() == doctest::Approx(10.0).epsilon(0.01));
    CHECK(s.pace_s_per_km.value() == doctest::Approx(360.0).epsilon(0.01));
    CHECK(s.incline.program_pct.value() == doctest::Approx(2.0));
    CHECK(s.incline.target_pct.value() == doctest::Approx(2.0));
    CHECK(s.key_present.value());
    CHECK(s.motor.ok);
    CHECK(s.motor.last_good_s_ago.value() == doctest::Approx(0.0));
    CHECK(s.motor.errors == 0);
}

TEST_CASE("shutdown (SIGTERM): a ramped stop, then at rest") {
    Rig rig;
    rig.start(make_timeline({{600, 12.0}}));
    rig.run_for(20s);
    CHECK_FALSE(rig.cycle.at_rest());
    rig.cycle.shutdown(rig.now);
    CHECK(rig.cycle.state() == State::stopping);
    CHECK(rig.run_until([&] { return rig.cycle.at_rest(); }, 30s));
    CHECK(rig.hw.belt_kmh < 0.05);
    CHECK_FALSE(rig.cycle.supervisor().latched());
    Rig countdown;
    countdown.connect();
    countdown.cycle.start(make_timeline({{60, 8.0}}), countdown.now);
    countdown.cycle.shutdown(countdown.now);
    CHECK(countdown.cycle.state() == State::idle);
    CHECK(countdown.cycle.at_rest());
}

TEST_CASE("distance is robust to missed polls of the incline board") {
    Rig rig;
    rig.start(make_timeline({{100, 12.0, 0.0, true}, {600, 6.0}}));
    rig.run_for(10s);
    rig.hw.fail(Call::read_incline, LinkError{LinkError::Kind::crc, 0, ""}, 1);
    rig.tick();
    rig.tick();  // the missed advance is counted at the next good read
    CHECK(rig.cycle.state() == State::running);
    const double d = rig.cycle.status(rig.now).distance_m.value();
    CHECK(d == doctest::Approx(rig.hw.odometer_m).epsilon(0.01));
    CHECK(rig.run_until([&] { return rig.cycle.status(rig.now).step->index == 1; }, 60s));
    CHECK(rig.cycle.status(rig.now).distance_m.value() == doctest::Approx(100.0).epsilon(0.01));
}

TEST_CASE("the incline moves only in running, paused and stopping") {
    Rig rig;
    rig.connect();
    rig.cycle.start(make_timeline({{600, 6.0, 5.0}}), rig.now);
    rig.run_for(2s);                                       // countdown
    CHECK(rig.hw.calls(Call::write_incline).size() == 1);  // only connect's STOP
    rig.reach(State::running, 2s);
    rig.run_for(3s);
    const auto moves = rig.hw.calls(Call::write_incline).size();
    CHECK(moves > 1);
    rig.cycle.pause(rig.now);
    rig.cycle.resume(rig.now);
    rig.run_for(2s);  // countdown from paused: the deck holds
    CHECK(rig.hw.calls(Call::write_incline).size() == moves);
}

TEST_CASE("any state -> fault when a rule trips (idle, countdown, running, paused, stopping)") {
    for (State where :
         {State::idle, State::countdown, State::running, State::paused, State::stopping}) {
        CAPTURE(controller::to_string(where));
        Rig rig;
        rig.connect();
        if (where != State::idle) {
            rig.cycle.start(make_timeline({{600, 10.0}}), rig.now);
            if (where != State::countdown) rig.reach(State::running, 5s);
            if (where != State::countdown) rig.run_for(8s);
            if (where == State::paused) rig.cycle.pause(rig.now);
            if (where == State::stopping) rig.cycle.stop(rig.now);
        }
        REQUIRE(rig.cycle.state() == where);
        rig.hw.drive_fault = 1;  // over-current
        rig.tick();
        CHECK(rig.cycle.state() == State::fault);
        CHECK_FALSE(rig.hw.run);
        CHECK_FALSE(rig.cycle.status(rig.now).program.has_value());  // the session ended
    }
}

TEST_CASE("calibration runs only on command in idle with the belt at 0") {
    Rig rig;
    rig.connect();
    REQUIRE(rig.cycle.calibrate(rig.now).ok);
    rig.tick();
    const auto writes = rig.hw.calls(Call::write_incline);
    REQUIRE_FALSE(writes.empty());
    CHECK(writes.back().incline.kind == InclineWrite::Kind::calibrate);
    rig.cycle.start(make_timeline({{600, 8.0}}), rig.now);
    CHECK_FALSE(rig.cycle.calibrate(rig.now).ok);  // countdown
    rig.reach(State::running, 5s);
    CHECK_FALSE(rig.cycle.calibrate(rig.now).ok);
    rig.cycle.stop(rig.now);
    rig.tick();
    CHECK_FALSE(rig.cycle.calibrate(rig.now).ok);  // stopping, belt still moving
}

TEST_CASE(
    "fault: every motion command is refused with the reason; the first fault stays the cause") {
    Rig rig;
    rig.start(make_timeline({{600, 10.0, 2.0}}));
    rig.run_for(12s);
    rig.hw.drive_fault = 1;  // over-current
    rig.tick();
    REQUIRE(rig.cycle.state() == State::fault);
    const auto start = rig.cycle.start(make_timeline({{60, 8.0}}), rig.now);
    CHECK_FALSE(start.ok);
    CHECK(start.message.find("drive_fault") != std::string::npos);
    CHECK(start.message.find("reset first") != std::string::npos);
    const auto resume = rig.cycle.resume(rig.now);
    CHECK_FALSE(resume.ok);
    CHECK(resume.message.find("drive_fault") != std::string::npos);
    for (const auto& r : {rig.cycle.pause(rig.now), rig.cycle.stop(rig.now),
                          rig.cycle.skip(rig.now), rig.cycle.speed(8.0, rig.now),
                          rig.cycle.speed_delta(1.0, rig.now), rig.cycle.incline(3.0, rig.now)}) {
        CHECK_FALSE(r.ok);
        CHECK(r.code == "refused");
        CHECK_MESSAGE(!r.message.empty(), "a refusal says why");
    }
    // A later cause (the key) is recorded; the first stays the reported one.
    rig.hw.key_present = false;
    rig.run_for(300ms);
    const auto st = rig.cycle.status(rig.now);
    REQUIRE(st.fault.has_value());
    CHECK(st.fault->code == "drive_fault");
    REQUIRE(st.later_faults.size() == 1);
    CHECK(st.later_faults[0].code == "safety_key");
    CHECK_FALSE(rig.hw.run);
    const auto refused = rig.cycle.start(make_timeline({{60, 8.0}}), rig.now);
    CHECK_FALSE(refused.ok);
}

TEST_CASE(
    "key out at idle: start refused and the reason names the key; reset only once it is back") {
    Rig rig;
    rig.connect();
    rig.hw.key_present = false;
    rig.tick();
    REQUIRE(rig.cycle.state() == State::fault);
    const auto start = rig.cycle.start(make_timeline({{60, 8.0}}), rig.now);
    CHECK_FALSE(start.ok);
    CHECK(start.message.find("key") != std::string::npos);
    CHECK_FALSE(rig.cycle.reset(rig.now).ok);
    rig.hw.key_present = true;
    rig.tick();
    REQUIRE(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 5s));
    CHECK(rig.cycle.start(make_timeline({{60, 8.0}}), rig.now).ok);
}
