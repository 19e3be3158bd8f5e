// The drive_state rule as a pure function of time: the drive's report (0x2100 warning, 0x2101
// status, 0x2102 echo) against what it acknowledged.
#include <doctest/doctest.h>

#include "controller/supervisor.hpp"
#include "protocols/register_map.hpp"

using namespace treadmill;
using namespace treadmill::controller;
using namespace std::chrono_literals;
namespace m = treadmill::regmap::motor;

namespace {

// A drive that runs as told: RUN at 2640 counts acknowledged at t0.
struct DriveWorld {
    ControlConfig config;
    Supervisor sup{config};
    TimePoint t0 = TimePoint{} + 100s;
    TimePoint now = t0;
    Observations obs;

    DriveWorld() {
        obs.drive = DriveTelemetry{};
        obs.incline = InclineTelemetry{};
        obs.incline->key_present = true;
        obs.commanded = Commanded{true, 8.8, std::nullopt};
        obs.incline->roller_speed_kmh = 8.8;
        obs.drive_acknowledged.note_write(t0, true, 2640, true);
        report(m::kStatusRunning, 2640);
    }
    void report(std::uint16_t run_bits, std::uint16_t echo) {
        obs.drive->status = static_cast<std::uint16_t>(run_bits | m::kStatusRunFromComm);
        obs.drive->running = run_bits == m::kStatusRunning;
        obs.drive->decelerating = run_bits == m::kStatusDecelerating;
        obs.drive->frequency_command_counts = echo;
    }
    SafetyAction at(Duration since_t0) {
        now = t0 + since_t0;
        obs.workout_s = seconds_between(t0, now);
        obs.motor_link.last_good = obs.incline_link.last_good = now;
        return sup.update(now, obs);
    }
    bool tripped() const { return sup.latched(FaultCode::drive_state); }
    FaultCode code() const { return sup.fault().value().code; }
};

}  // namespace

TEST_CASE("drive_state: a drive that runs as told never trips") {
    DriveWorld w;
    for (auto t = 100ms; t <= 5s; t += 100ms) CHECK(w.at(t) == SafetyAction::none);
    CHECK_FALSE(w.sup.latched());
}

TEST_CASE("drive_state: the echo differs from the acknowledged frequency -> at once") {
    DriveWorld w;
    w.report(m::kStatusRunning, 0);  // a brown-out cleared the frequency command
    CHECK(w.at(100ms) == SafetyAction::stop);
    REQUIRE(w.tripped());
    CHECK(w.sup.fault()->message.find("0x2102") != std::string::npos);
    DriveWorld changed;
    changed.report(m::kStatusRunning, 2641);  // one count is a difference
    changed.at(100ms);
    CHECK(changed.tripped());
}

TEST_CASE("drive_state: stopped or decelerating 300 ms after RUN was acknowledged") {
    DriveWorld never;  // RUN never taken
    never.report(m::kStatusStopped, 2640);
    CHECK(never.at(100ms) == SafetyAction::none);
    CHECK(never.at(200ms) == SafetyAction::none);
    CHECK(never.at(299ms) == SafetyAction::none);
    REQUIRE(never.at(300ms) == SafetyAction::stop);
    CHECK(never.sup.fault()->message.find("stopped") != std::string::npos);
    DriveWorld left;  // ran, then left RUN by itself (ramps down)
    CHECK(left.at(3s) == SafetyAction::none);
    left.report(m::kStatusDecelerating, 2640);
    REQUIRE(left.at(3100ms) == SafetyAction::stop);
    CHECK(left.sup.fault()->message.find("decelerating") != std::string::npos);
}

TEST_CASE("drive_state: standby (RUN at 0 Hz) counts as RUN") {
    DriveWorld w;
    w.report(m::kStatusStandby, 2640);
    CHECK(w.at(1s) == SafetyAction::none);
}

TEST_CASE("drive_state: the drive's comm-loss warning -> at once, also at rest") {
    DriveWorld w;
    w.obs.drive->warning_code = m::kWarningComm;
    CHECK(w.at(100ms) == SafetyAction::stop);
    CHECK(w.tripped());
    DriveWorld idle;
    idle.obs.commanded = Commanded{};
    idle.obs.drive_acknowledged = DriveAcknowledged{};
    idle.obs.drive_acknowledged.note_write(idle.t0, false, 0, true);
    idle.report(m::kStatusStopped, 0);
    idle.obs.incline->roller_speed_kmh = 0;
    CHECK(idle.at(100ms) == SafetyAction::none);
    idle.obs.drive->warning_code = m::kWarningComm;
    CHECK(idle.at(200ms) == SafetyAction::stop);
    CHECK(idle.tripped());
}

TEST_CASE("drive_state: nothing judged when unknown, stale, or the drive reports its own fault") {
    DriveWorld unknown;  // the last write failed: it may or may not have been applied
    unknown.obs.drive_acknowledged.note_write(unknown.t0, true, 2700, false);
    unknown.report(m::kStatusRunning, 2700);
    CHECK(unknown.at(100ms) == SafetyAction::none);
    CHECK(unknown.obs.drive_acknowledged.run_since == unknown.t0);  // RUN still stands
    DriveWorld stale;  // fault resets were just written: this read predates them
    stale.obs.board_faults_stale = true;
    stale.report(m::kStatusStopped, 0);
    CHECK(stale.at(1s) == SafetyAction::none);
    DriveWorld faulted;  // S8 names it; drive_state adds nothing
    faulted.obs.drive->fault_code = m::kFaultOverCurrent;
    faulted.report(m::kStatusStopped, 2640);
    faulted.at(1s);
    CHECK(faulted.code() == FaultCode::drive_fault);
    CHECK_FALSE(faulted.tripped());
    DriveWorld no_read;
    no_read.obs.drive.reset();
    CHECK(no_read.at(1s) == SafetyAction::none);
}

TEST_CASE("DriveAcknowledged: RUN stands from its first acknowledgement until a STOP") {
    DriveAcknowledged a;
    const TimePoint t = TimePoint{} + 10s;
    a.note_write(t, true, 100, false);  // unacknowledged RUN: not counted
    CHECK_FALSE(a.run_since);
    CHECK_FALSE(a.frequency_counts);
    a.note_write(t + 100ms, true, 100, true);
    a.note_write(t + 200ms, true, 110, true);
    CHECK(a.run_since == t + 100ms);
    CHECK(a.frequency_counts == 110);
    a.note_write(t + 300ms, false, 0, false);  // a STOP, even unacknowledged, ends RUN
    CHECK_FALSE(a.run_since);
    CHECK_FALSE(a.frequency_counts);
    a.note_write(t + 400ms, false, 0, true);
    CHECK(a.frequency_counts == 0);
}
