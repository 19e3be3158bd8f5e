// Every simulator-control command does what it says, under virtual time.
#include <doctest/doctest.h>

#include "tests/sim/sim_test_helpers.hpp"

using namespace treadmill;
using namespace treadmill::sim::testing;
using nlohmann::json;
namespace m = treadmill::regmap::motor;
namespace in = treadmill::regmap::incline;

namespace {
bool ok(const json& reply) {
    return reply.value("ok", false);
}

void run_belt(VirtualBench& b, std::uint16_t freq) {
    b.write(1, m::kAccelTime, 10);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, freq});
    b.run_for(3s);
}
}  // namespace

TEST_CASE("bad commands are answered with an error") {
    VirtualBench b;
    CHECK_FALSE(ok(b.control(json::array())));
    CHECK_FALSE(ok(b.control({{"cmd", "nope"}})));
    CHECK_FALSE(ok(b.control({{"cmd", "key"}})));
    CHECK_FALSE(ok(b.control({{"cmd", "drop"}, {"unit", 3}})));
    CHECK_FALSE(ok(b.control({{"cmd", "delay"}, {"unit", 1}})));
    CHECK_FALSE(ok(b.control({{"cmd", "stall"}, {"what", "deck"}, {"on", true}})));
    CHECK(b.control({{"cmd", "fault"}, {"unit", 1}})["error"].get<std::string>().find("code") !=
          std::string::npos);
}

TEST_CASE("drop: N requests of a unit go unanswered and unapplied") {
    VirtualBench b;
    CHECK(ok(b.control({{"cmd", "drop"}, {"unit", 1}, {"count", 2}})));
    CHECK(b.read(2, in::kStatus, 1).replied);
    CHECK_FALSE(b.write(1, m::kAccelTime, 33).replied);
    CHECK_FALSE(b.read(1, m::kStatus, 1).replied);
    CHECK(b.read(1, m::kStatus, 1).replied);
    CHECK(b.reg(1, m::kAccelTime) == m::kDefaultAccelTime);
}

TEST_CASE("silence: the whole bus is quiet for S seconds, and the boards hear nothing") {
    VirtualBench b;
    b.write(1, m::kCommLossTreatment, m::kCommLossRampStop);
    b.write(1, m::kCommLossTimeout, 5);
    CHECK(ok(b.control({{"cmd", "silence"}, {"seconds", 1.0}})));
    b.run_for(300ms);
    CHECK_FALSE(b.read(1, m::kStatus, 1).replied);
    CHECK_FALSE(b.read(2, in::kStatus, 1).replied);
    b.run_for(300ms);
    CHECK(b.sim.drive().fault() == m::kFaultCommTimeout);
    b.run_for(500ms);
    CHECK(b.read(1, m::kStatus, 1).replied);
}

TEST_CASE("delay, corrupt_crc, truncate, gap, garbage, wrong_unit shape the next replies") {
    VirtualBench b;
    b.control({{"cmd", "delay"}, {"unit", 1}, {"ms", 120}, {"count", 2}});
    b.read(2, in::kStatus, 1);
    CHECK(b.last_plan.delay == 0ms);
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.delay == 120ms);
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.delay == 120ms);
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.delay == 0ms);

    b.control({{"cmd", "corrupt_crc"}, {"unit", 2}});
    b.read(2, in::kStatus, 1);
    CHECK(b.last_plan.corrupt_crc);
    b.read(2, in::kStatus, 1);
    CHECK_FALSE(b.last_plan.corrupt_crc);

    b.control({{"cmd", "truncate"}, {"unit", 1}, {"bytes", 3}, {"count", 1}});
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.truncate_bytes == 3);

    b.control({{"cmd", "gap"}, {"unit", 1}, {"ms", 15}, {"count", 1}});
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.gap == 15ms);

    b.control({{"cmd", "garbage"}, {"bytes", 5}});
    b.read(2, in::kStatus, 1);
    CHECK(b.last_plan.garbage_bytes == 5);
    b.read(2, in::kStatus, 1);
    CHECK(b.last_plan.garbage_bytes == 0);

    b.control({{"cmd", "wrong_unit"}, {"count", 1}});
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.unit == 2);
    b.read(1, m::kStatus, 1);
    CHECK(b.last_plan.unit == 1);
}

TEST_CASE("exception: N requests answered with the code and not applied") {
    VirtualBench b;
    b.control({{"cmd", "exception"}, {"unit", 1}, {"code", 6}, {"count", 1}});
    CHECK(b.write(1, m::kAccelTime, 33).exception == 6);
    CHECK(b.reg(1, m::kAccelTime) == m::kDefaultAccelTime);
    CHECK(b.write(1, m::kAccelTime, 33).exception == 0);
}

TEST_CASE("fault: a board fault code, latched until reset") {
    VirtualBench b;
    run_belt(b, 3000);
    b.control({{"cmd", "fault"}, {"unit", 1}, {"code", 1}});
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == 1);
    CHECK_FALSE(b.sim.drive().output_active());  // over-current coasts
    b.control({{"cmd", "fault"}, {"unit", 2}, {"code", 4}});
    CHECK(b.reg(2, in::kFaultCode) == 4);
    CHECK((b.reg(2, in::kStatus) & in::kStatusFault) != 0);
    b.write(2, in::kControl, in::kControlFaultReset);
    CHECK(b.reg(2, in::kFaultCode) == 0);
}

TEST_CASE("runaway: the belt ignores the command and speeds up; clear ends it") {
    VirtualBench b;
    run_belt(b, 1800);  // 6 km/h
    const double before = roller_kmh(b);
    b.control({{"cmd", "runaway"}, {"on", true}});
    b.run_for(3s);
    CHECK(roller_kmh(b) > before + 2.5);
    CHECK(b.reg(1, m::kOutputFrequency) == 1800);  // the drive thinks all is well
    b.control({{"cmd", "runaway"}, {"on", false}});
    b.run_for(2s);
    CHECK(roller_kmh(b) == doctest::Approx(before).epsilon(0.02));
}

TEST_CASE("stall: belt reads 0 while driven; incline driven but not moving") {
    VirtualBench b;
    run_belt(b, 3000);
    const double current = b.reg(1, m::kOutputCurrent);
    b.control({{"cmd", "stall"}, {"what", "belt"}, {"on", true}});
    b.run_for(500ms);
    CHECK(roller_kmh(b) == 0.0);
    CHECK(b.reg(1, m::kOutputFrequency) == 3000);
    CHECK(b.reg(1, m::kOutputCurrent) > current);
    b.control({{"cmd", "stall"}, {"what", "incline"}, {"on", true}});
    b.write(2, in::kTarget, 50);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(3s);
    CHECK(b.reg(2, in::kActualIncline) == 0);
    CHECK((b.reg(2, in::kStatus) & in::kStatusMoving) != 0);
    b.control({{"cmd", "clear"}});
    b.run_for(2s);
    CHECK(roller_kmh(b) > 9.0);
    CHECK(b.reg(2, in::kActualIncline) > 5);
}

TEST_CASE("reboot: silent about 1 s, back stopped with faults cleared, parameters kept") {
    VirtualBench b;
    b.write(1, m::kAccelTime, 10);
    b.write(1, m::kDecelTime, 77);
    run_belt(b, 3000);
    b.control({{"cmd", "fault"}, {"unit", 1}, {"code", 3}});
    b.control({{"cmd", "reboot"}, {"unit", 1}});
    b.run_for(500ms);
    CHECK_FALSE(b.read(1, m::kStatus, 1).replied);
    CHECK(b.read(2, in::kStatus, 1).replied);
    b.run_for(600ms);
    CHECK(b.read(1, m::kStatus, 1).replied);
    CHECK(b.reg(1, m::kFaultWarning) == 0);
    CHECK(b.reg(1, m::kCommand) == m::kCommandStop);
    CHECK(b.reg(1, m::kFrequencyCommand) == 0);
    CHECK(b.reg(1, m::kDecelTime) == 77);
    // The incline board's reboot restarts its odometer.
    b.control({{"cmd", "reboot"}, {"unit", 2}});
    b.run_for(1100ms);
    CHECK(b.reg(2, in::kOdometerLow) == 0);
}

TEST_CASE("factory_reset: settings back to factory (dead-man off, sources keypad)") {
    VirtualBench b;
    b.write(1, m::kCommLossTimeout, 5);
    b.write(1, m::kCommLossTreatment, 1);
    b.write(2, in::kCommLossTimeout, 5);
    b.control({{"cmd", "factory_reset"}, {"unit", 1}});
    CHECK(b.reg(1, m::kCommLossTimeout) == 0);
    CHECK(b.reg(1, m::kCommLossTreatment) == 3);
    CHECK(b.reg(1, m::kFrequencySource) != m::kFrequencySourceRs485);
    CHECK(b.reg(1, m::kReverseDisable) != m::kReverseDisabled);
    CHECK(b.reg(2, in::kCommLossTimeout) == 5);
    b.control({{"cmd", "factory_reset"}, {"unit", 2}});
    CHECK(b.reg(2, in::kCommLossTimeout) == 0);
}

TEST_CASE("clear: all injected faults off, the key back") {
    VirtualBench b;
    b.control({{"cmd", "drop"}, {"count", 5}});
    b.control({{"cmd", "silence"}, {"seconds", 10}});
    b.control({{"cmd", "key"}, {"present", false}});
    CHECK(ok(b.control({{"cmd", "clear"}})));
    CHECK(b.read(1, m::kStatus, 1).replied);
    CHECK((b.reg(2, in::kStatus) & in::kStatusKeyPresent) != 0);
}

TEST_CASE("state: physical state and the write record with times") {
    VirtualBench b;
    b.run_for(250ms);
    b.write(1, m::kAccelTime, 42);
    b.run_for(250ms);
    b.write_many(2, in::kTarget, {20});
    const json reply = b.control({{"cmd", "state"}});
    REQUIRE(ok(reply));
    const json& st = reply["state"];
    CHECK(st["key_present"] == true);
    CHECK(st["drive"]["params"]["accel_time"] == 42);
    REQUIRE(st["writes"].size() == 2);
    CHECK(st["writes"][0]["unit"] == 1);
    CHECK(st["writes"][0]["address"] == m::kAccelTime);
    CHECK(st["writes"][0]["values"] == json::array({42}));
    CHECK(st["writes"][0]["t"].get<double>() == doctest::Approx(0.25));
    CHECK(st["writes"][1]["t"].get<double>() == doctest::Approx(0.5));
    CHECK(st.contains("belt_kmh"));
    CHECK(st["incline"]["target"] == 20);
}
