// The drive's own state changing by itself (drive_dropout) and a drive on keypad control after
// a factory reset, under virtual time.
#include <doctest/doctest.h>

#include "tests/sim/sim_test_helpers.hpp"

using namespace treadmill;
using namespace treadmill::sim::testing;
using nlohmann::json;
namespace m = treadmill::regmap::motor;

namespace {

bool ok(const json& reply) {
    return reply.value("ok", false);
}

std::uint16_t run_bits(VirtualBench& b) {
    return b.reg(1, m::kStatus) & m::kStatusRunMask;
}

// RUN forward at `freq` (0.01 Hz) with a 1 s ramp, for 3 s.
void run_belt(VirtualBench& b, std::uint16_t freq) {
    b.write(1, m::kAccelTime, 10);
    b.write(1, m::kDecelTime, 10);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, freq});
    b.run_for(3s);
}

json dropout(std::string what) {
    return json{{"cmd", "drive_dropout"}, {"unit", 1}, {"what", std::move(what)}};
}

}  // namespace

TEST_CASE("drive_dropout run: the drive leaves RUN by itself, no fault, ramps to 0") {
    VirtualBench b;
    run_belt(b, 3000);
    REQUIRE(run_bits(b) == m::kStatusRunning);
    CHECK(ok(b.control({{"cmd", "drive_dropout"}, {"unit", 1}})));  // "run" is the default
    CHECK(run_bits(b) == m::kStatusDecelerating);
    CHECK(b.reg(1, m::kFaultWarning) == 0);
    CHECK(b.reg(1, m::kFrequencyEcho) == 3000);  // its frequency command is kept
    b.run_for(2s);
    CHECK(run_bits(b) == m::kStatusStopped);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
    // A start lockout: RUN re-sent as before is ignored; a STOP, then RUN, starts it again.
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    CHECK(run_bits(b) == m::kStatusStopped);
    b.write_many(1, m::kCommand, {m::kCommandStop, 0});
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    CHECK(run_bits(b) == m::kStatusRunning);
}

TEST_CASE("drive_dropout frequency: the frequency command changes by itself") {
    VirtualBench b;
    run_belt(b, 3000);
    CHECK(ok(b.control(dropout("frequency"))));
    CHECK(b.reg(1, m::kFrequencyEcho) == 0);
    CHECK(ok(
        b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", "frequency"}, {"hz", 12.5}})));
    CHECK(b.reg(1, m::kFrequencyEcho) == 1250);
    b.run_for(2s);
    CHECK(b.reg(1, m::kOutputFrequency) == 1250);  // and the drive follows it
    // The brown-out swallows the next frequency write, so a poll after it still sees the change;
    // the write after that is taken again.
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    CHECK(b.reg(1, m::kFrequencyEcho) == 1250);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    CHECK(b.reg(1, m::kFrequencyEcho) == 3000);
}

TEST_CASE("drive_dropout comm_warning: warning 1 shows for `ms`, polled or not; clear ends it") {
    VirtualBench b;
    CHECK(ok(
        b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", "comm_warning"}, {"ms", 500}})));
    for (int i = 0; i < 4; ++i) {
        CHECK((b.reg(1, m::kFaultWarning) >> 8) == m::kWarningComm);
        b.run_for(100ms);
    }
    b.run_for(200ms);
    CHECK(b.reg(1, m::kFaultWarning) == 0);
    b.control(dropout("comm_warning"));  // 1000 ms by default
    b.run_for(500ms);
    CHECK((b.reg(1, m::kFaultWarning) >> 8) == m::kWarningComm);
    CHECK(b.control({{"cmd", "state"}})["state"]["drive"]["warning"] == m::kWarningComm);
    b.control({{"cmd", "clear"}});
    CHECK(b.reg(1, m::kFaultWarning) == 0);
}

TEST_CASE("drive_dropout: bad arguments are refused") {
    VirtualBench b;
    CHECK_FALSE(ok(b.control({{"cmd", "drive_dropout"}})));
    CHECK_FALSE(ok(b.control({{"cmd", "drive_dropout"}, {"unit", 2}})));
    CHECK_FALSE(ok(b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", "reboot"}})));
    CHECK_FALSE(ok(b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", 3}})));
    CHECK_FALSE(
        ok(b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", "frequency"}, {"hz", -1}})));
    CHECK_FALSE(ok(
        b.control({{"cmd", "drive_dropout"}, {"unit", 1}, {"what", "comm_warning"}, {"ms", 0}})));
}

TEST_CASE("factory_reset: on keypad control the drive runs on and ignores RS-485 until restored") {
    VirtualBench b;
    run_belt(b, 3000);
    b.control({{"cmd", "factory_reset"}, {"unit", 1}});
    CHECK((b.reg(1, m::kStatus) & m::kStatusRunFromComm) == 0);
    CHECK(b.write_many(1, m::kCommand, {m::kCommandStop, 0}).exception == 0);  // taken, ignored
    b.run_for(3s);
    CHECK(run_bits(b) == m::kStatusRunning);
    CHECK(b.reg(1, m::kOutputFrequency) == 3000);  // at the keypad's frequency, not the 0 sent
    // The sources (and the factory's slow ramp) back as configured: the next STOP stops it.
    b.write(1, m::kFrequencySource, m::kFrequencySourceRs485);
    b.write(1, m::kRunSource, m::kRunSourceRs485);
    b.write(1, m::kDecelTime, 10);
    b.write_many(1, m::kCommand, {m::kCommandStop, 0});
    b.run_for(3s);
    CHECK(run_bits(b) == m::kStatusStopped);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
}
