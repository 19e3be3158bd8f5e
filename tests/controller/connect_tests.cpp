// The `connecting` state: every transition out of it, through ControlCycle on a FakeTreadmill.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/controller/rig.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using controller::FaultCode;

TEST_CASE("connecting -> idle: STOP to both boards, dead-man configured (S3), limits read") {
    Rig rig;
    CHECK(rig.cycle.state() == State::connecting);
    CHECK_FALSE(rig.cycle.ready());
    rig.tick();
    CHECK(rig.cycle.state() == State::idle);
    CHECK(rig.cycle.ready());
    const auto& log = rig.hw.log();
    REQUIRE(log.size() >= 3);
    CHECK(log[0].call == Call::write_drive);
    CHECK_FALSE(log[0].drive.run);
    CHECK(log[1].call == Call::write_incline);
    CHECK(log[1].incline.kind == InclineWrite::Kind::stop);
    CHECK(log[2].call == Call::configure);
    // S3: each board's comm-loss time-out (500 ms) and treatment (drive ramp stop, lift stop).
    CHECK(rig.hw.settings.drive_comm_timeout_s == doctest::Approx(0.5));
    CHECK(rig.hw.settings.drive_comm_treatment == 1);
    CHECK(rig.hw.settings.incline_comm_timeout_s == doctest::Approx(0.5));
    CHECK(rig.hw.settings.incline_comm_treatment == 1);
    CHECK(rig.hw.settings.estop_decel_kmh_per_s == doctest::Approx(3.5));
    const auto st = rig.cycle.status(rig.now);
    CHECK_FALSE(st.reason.has_value());
    CHECK(st.motor.ok);
    CHECK(st.incline_link.ok);
}

TEST_CASE("connecting: no answer -> stays, with the reason, retrying each second") {
    Rig rig;
    rig.hw.kill_bus();
    rig.run_for(5s);
    CHECK(rig.cycle.state() == State::connecting);
    const auto st = rig.cycle.status(rig.now);
    REQUIRE(st.reason.has_value());
    CHECK(st.reason->find("no answer") != std::string::npos);
    const auto attempts = rig.hw.calls(Call::write_drive).size();
    CHECK(attempts >= 4);
    CHECK(attempts <= 6);  // about once a second, not every cycle
    rig.hw.revive_bus();
    CHECK(rig.reach(State::idle, 2s));
}

TEST_CASE("connecting: a leftover drive comm fault (49) and incline comm fault (1) are reset") {
    Rig rig;
    rig.hw.drive_fault = 49;
    rig.hw.incline_fault = 1;
    std::vector<std::string> events;
    rig.cycle.set_event_sink([&](TimePoint, const std::string& e) { events.push_back(e); });
    CHECK(rig.reach(State::idle, 3s));
    CHECK(rig.hw.calls(Call::reset).size() == 2);
    CHECK(std::any_of(events.begin(), events.end(),
                      [](const std::string& e) { return e.find("(49)") != std::string::npos; }));
    CHECK(std::any_of(events.begin(), events.end(),
                      [](const std::string& e) { return e.find("(1)") != std::string::npos; }));
}

TEST_CASE("connecting: any other board fault -> fault") {
    Rig rig;
    rig.hw.drive_fault = 3;
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "drive_fault");
    Rig inc;
    inc.hw.incline_fault = 5;
    inc.run_for(1s);
    CHECK(inc.cycle.state() == State::fault);
    CHECK(inc.cycle.status(inc.now).fault->code == "incline_fault");
}

TEST_CASE("connecting: the key out -> fault safety_key") {
    Rig rig;
    rig.hw.key_present = false;
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "safety_key");
}

TEST_CASE("connecting: a configuration beyond the boards' limits -> board_config") {
    Rig rig;
    rig.hw.limits.max_speed_kmh = 16.0;  // the drive's Pr.01-00 allows less than the config
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "board_config");
}

TEST_CASE("connecting: an exception 02 while connecting -> fault protocol") {
    Rig rig;
    rig.hw.fail(Call::configure, LinkError{LinkError::Kind::exception, 2, "illegal address"});
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "protocol");
}

TEST_CASE("connecting: a configure failure on the incline board is blamed on the incline board") {
    SUBCASE("an exception 03 -> fault protocol, naming the incline board") {
        Rig rig;
        rig.hw.configure_fails_on = Board::incline;
        rig.hw.fail(Call::configure, LinkError{LinkError::Kind::exception, 3, "illegal value"});
        rig.run_for(1s);
        REQUIRE(rig.cycle.state() == State::fault);
        const auto fault = rig.cycle.status(rig.now).fault;
        CHECK(fault->code == "protocol");
        CHECK_MESSAGE(fault->message.rfind("incline board: exception 3", 0) == 0, fault->message);
    }
    SUBCASE("no answer -> the reason names the incline board; its link counts the error") {
        ControlConfig c;
        c.shared_bus = false;  // one link per board: the error must land on the incline's
        Rig rig(c);
        rig.hw.configure_fails_on = Board::incline;
        rig.hw.fail(Call::configure, LinkError{LinkError::Kind::timeout, 0, "no reply"}, 1);
        rig.tick();
        CHECK(rig.cycle.state() == State::connecting);
        const auto st = rig.cycle.status(rig.now);
        REQUIRE(st.reason.has_value());
        CHECK_MESSAGE(st.reason->find("no answer from the incline board") != std::string::npos,
                      *st.reason);
        CHECK(st.incline_link.errors == 1);
        CHECK(st.motor.errors == 0);
        CHECK(rig.reach(State::idle, 3s));  // retried a second later
    }
}

TEST_CASE("connecting: waits for the roller to read 0") {
    Rig rig;
    rig.hw.belt_kmh = 5.0;  // coasting from a previous run; the drive ramps it down
    rig.tick();
    CHECK(rig.cycle.state() == State::connecting);
    CHECK(rig.cycle.status(rig.now).reason->find("belt") != std::string::npos);
    CHECK(rig.reach(State::idle, 5s));
    CHECK(rig.hw.belt_kmh < 0.05);
}

TEST_CASE("connecting: settings that do not read back as written -> board_config") {
    Rig rig;
    ConfigCheck bad;
    bad.mismatch_address = 0x0902;
    bad.expected = 1;
    bad.actual = 3;
    rig.hw.verify_result[0] = bad;
    rig.hw.settings_stick = false;
    rig.run_for(1s);
    CHECK(rig.cycle.state() == State::fault);
    CHECK(rig.cycle.status(rig.now).fault->code == "board_config");
    CHECK(rig.hw.calls(Call::verify).size() >= 1);
}

TEST_CASE("connecting -> fault before the boards were configured: reset connects again") {
    Rig rig;
    rig.hw.limits.max_speed_kmh = 16.0;
    rig.run_for(1s);
    REQUIRE(rig.cycle.state() == State::fault);
    REQUIRE(rig.cycle.reset(rig.now).ok);
    rig.run_for(500ms);
    CHECK(rig.cycle.state() == State::fault);  // the limits still do not fit
    rig.hw.limits.max_speed_kmh = 20.0;
    REQUIRE(rig.cycle.reset(rig.now).ok);
    CHECK(rig.reach(State::idle, 3s));
}
