// The supervisor as a pure function of time (PX4 style): rules S1, S2, S4-S8 and the latch.
#include <doctest/doctest.h>

#include "controller/supervisor.hpp"

using namespace treadmill;
using namespace treadmill::controller;
using namespace std::chrono_literals;

namespace {

struct World {
    ControlConfig config;
    Supervisor sup{config};
    TimePoint now = TimePoint{} + 100s;
    Observations obs;

    World() {
        obs.drive = DriveTelemetry{};
        obs.incline = InclineTelemetry{};
        obs.incline->key_present = true;
        obs.motor_link.last_good = now;
        obs.incline_link.last_good = now;
    }
    // `seconds` later (wall and workout clock alike), with good links.
    SafetyAction after(double seconds) {
        now += std::chrono::duration_cast<Duration>(Seconds(seconds));
        obs.workout_s += seconds;
        obs.motor_link.last_good = obs.incline_link.last_good = now;
        return sup.update(now, obs);
    }
    void running_at(double kmh, double roller) {
        obs.commanded = Commanded{true, kmh, std::nullopt};
        obs.incline->roller_speed_kmh = roller;
    }
    FaultCode code() const { return sup.fault().value().code; }
};

}  // namespace

TEST_CASE("actions are ordered by severity") {
    CHECK(SafetyAction::none < SafetyAction::warn);
    CHECK(SafetyAction::warn < SafetyAction::stop);
    World w;
    CHECK(w.after(0.1) == SafetyAction::none);
    w.obs.motor_link.errors_this_cycle = {LinkError{LinkError::Kind::timeout, 0, ""}};
    w.obs.motor_link.bus_consecutive_failures = 1;
    CHECK(w.after(0.1) == SafetyAction::warn);
}

TEST_CASE("S1: key out on the incline board (bit8) or the drive (fault 6) trips at once") {
    World a;
    a.obs.incline->key_present = false;
    CHECK(a.after(0.1) == SafetyAction::stop);
    CHECK(a.code() == FaultCode::safety_key);
    World b;
    b.obs.drive->fault_code = 6;
    CHECK(b.after(0.1) == SafetyAction::stop);
    CHECK(b.code() == FaultCode::safety_key);
    CHECK(b.sup.fault()->board_code == 6);
}

TEST_CASE("S2: three consecutive failures on a bus latch comm_loss") {
    World w;
    w.obs.motor_link.bus_consecutive_failures = 2;
    CHECK(w.after(0.1) != SafetyAction::stop);
    w.obs.motor_link.bus_consecutive_failures = 3;
    CHECK(w.after(0.1) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::comm_loss);
}

TEST_CASE("S2: three consecutive failures of one board latch, whatever the other board did") {
    World w;
    w.obs.motor_link.bus_consecutive_failures = 1;  // the lift answered in between
    w.obs.motor_link.board_consecutive_failures = 2;
    CHECK(w.after(0.1) != SafetyAction::stop);
    w.obs.motor_link.board_consecutive_failures = 3;
    CHECK(w.after(0.1) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::comm_loss);
}

TEST_CASE("S2: no good reply from a board for 300 ms latches comm_loss") {
    World w;
    w.obs.incline_link.last_good = w.now;
    w.now += 299ms;
    CHECK(w.sup.update(w.now, w.obs) == SafetyAction::none);
    w.now += 1ms;
    CHECK(w.sup.update(w.now, w.obs) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::comm_loss);
}

TEST_CASE("S2: exceptions 01/02/03 -> protocol, 04 -> board_failure, 06 only counts") {
    for (int c = 1; c <= 3; ++c) {
        const auto code = static_cast<std::uint8_t>(c);
        World w;
        w.obs.motor_link.errors_this_cycle = {LinkError{LinkError::Kind::exception, code, ""}};
        CHECK(w.after(0.1) == SafetyAction::stop);
        CHECK(w.code() == FaultCode::protocol);
    }
    World f;
    f.obs.incline_link.errors_this_cycle = {LinkError{LinkError::Kind::exception, 4, ""}};
    CHECK(f.after(0.1) == SafetyAction::stop);
    CHECK(f.code() == FaultCode::board_failure);
    World busy;
    busy.obs.incline_link.errors_this_cycle = {LinkError{LinkError::Kind::exception, 6, ""}};
    busy.obs.incline_link.bus_consecutive_failures = 1;
    CHECK(busy.after(0.1) == SafetyAction::warn);
}

TEST_CASE("S4: a configuration read-back that differs -> board_config") {
    World w;
    ConfigCheck c;
    c.mismatch_address = 0x0903;
    c.expected = 5;
    c.actual = 0;
    w.obs.config_check = std::make_pair(Board::motor, c);
    CHECK(w.after(0.1) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::board_config);
    CHECK(w.sup.fault()->message.find("0x0903") != std::string::npos);
}

TEST_CASE("S5: roller above the command by more than 1 km/h for 1 s -> overspeed") {
    World w;
    w.running_at(8.0, 9.5);
    for (int i = 0; i < 9; ++i) CHECK(w.after(0.1) == SafetyAction::none);
    w.after(0.1);
    w.after(0.1);
    CHECK(w.sup.latched());
    CHECK(w.code() == FaultCode::overspeed);
}

TEST_CASE("S5: a short excursion does not trip") {
    World w;
    w.running_at(8.0, 9.5);
    for (int i = 0; i < 8; ++i) w.after(0.1);
    w.running_at(8.0, 8.5);
    for (int i = 0; i < 30; ++i) CHECK(w.after(0.1) == SafetyAction::none);
}

TEST_CASE("S5: above max speed by 0.5 km/h trips at once") {
    World w;
    w.running_at(20.0, 20.6);
    CHECK(w.after(0.1) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::overspeed);
}

TEST_CASE("S5: while stopping, the drive's decel ramp is allowed, a belt that keeps going is not") {
    World ok;
    ok.running_at(12.0, 12.0);
    ok.after(0.1);
    ok.obs.commanded = Commanded{};  // STOP written
    double v = 12.0;
    for (int i = 0; i < 60; ++i) {
        v = std::max(0.0, v - 3.5 * 0.1);
        ok.obs.incline->roller_speed_kmh = v;
        CHECK(ok.after(0.1) == SafetyAction::none);
    }
    World bad;
    bad.running_at(12.0, 12.0);
    bad.after(0.1);
    bad.obs.commanded = Commanded{};
    for (int i = 0; i < 60 && !bad.sup.latched(); ++i) bad.after(0.1);  // roller stays at 12
    CHECK(bad.sup.latched());
    CHECK(bad.code() == FaultCode::overspeed);
}

TEST_CASE("S5: the drive reporting reverse -> reverse") {
    World w;
    w.obs.drive->reverse = true;
    CHECK(w.after(0.1) == SafetyAction::stop);
    CHECK(w.code() == FaultCode::reverse);
}

TEST_CASE("S6: commanded >= minimum speed but roller below 0.2 km/h for 5 s -> belt_stall") {
    World w;
    w.running_at(5.0, 0.1);
    for (int i = 0; i < 49; ++i) CHECK(w.after(0.1) == SafetyAction::none);
    w.after(0.1);
    w.after(0.1);
    CHECK(w.sup.latched());
    CHECK(w.code() == FaultCode::belt_stall);
}

TEST_CASE("S7: incline not at target within travel time + 2 s + 25 % -> incline_stall") {
    World w;
    w.obs.incline->incline_pct = 0.0;
    w.obs.commanded.incline_goal_pct = 6.0;
    // Travel 6 % at 0.6 %/s = 10 s; allowed 10 * 1.25 + 2 = 14.5 s.
    for (int i = 0; i < 144; ++i) CHECK(w.after(0.1) == SafetyAction::none);
    for (int i = 0; i < 3; ++i) w.after(0.1);
    CHECK(w.sup.latched());
    CHECK(w.code() == FaultCode::incline_stall);
}

TEST_CASE("S7: an incline that arrives in time does not trip") {
    World w;
    w.obs.commanded.incline_goal_pct = 3.0;
    for (int i = 0; i < 300; ++i) {
        w.obs.incline->incline_pct = std::min(3.0, 0.06 * i);
        CHECK(w.after(0.1) == SafetyAction::none);
    }
}

TEST_CASE("S8: a board's own fault code -> a fault with the code and its name") {
    World d;
    d.obs.drive->fault_code = 3;
    CHECK(d.after(0.1) == SafetyAction::stop);
    CHECK(d.code() == FaultCode::drive_fault);
    CHECK(d.sup.fault()->board_code == 3);
    CHECK(d.sup.fault()->message.find("over-heat") != std::string::npos);
    World i;
    i.obs.incline->fault_code = 2;
    CHECK(i.after(0.1) == SafetyAction::stop);
    CHECK(i.code() == FaultCode::incline_fault);
    CHECK(i.sup.fault()->message.find("lift stall") != std::string::npos);
}

TEST_CASE("faults latch: the first stays the cause, later ones are recorded once") {
    World w;
    w.obs.incline->key_present = false;
    w.after(0.1);
    w.obs.incline->key_present = true;
    w.obs.drive->fault_code = 3;
    w.after(0.1);
    w.after(0.1);
    CHECK(w.after(0.1) == SafetyAction::stop);  // never clears by itself
    CHECK(w.code() == FaultCode::safety_key);
    REQUIRE(w.sup.later_faults().size() == 1);
    CHECK(w.sup.later_faults()[0].code == FaultCode::drive_fault);
    CHECK_FALSE(w.sup.trip(Fault{FaultCode::estop, std::nullopt, "x", w.now}));
    CHECK_FALSE(w.sup.trip(Fault{FaultCode::estop, std::nullopt, "x", w.now}));  // idempotent
    CHECK(w.sup.later_faults().size() == 2);
    w.sup.clear();
    w.obs.drive->fault_code = 0;
    CHECK(w.after(0.1) == SafetyAction::none);
}
