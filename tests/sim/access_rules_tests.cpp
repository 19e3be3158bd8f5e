// Register access rules of both boards (register-map.md), under virtual time.
#include <doctest/doctest.h>

#include "tests/sim/sim_test_helpers.hpp"

using namespace treadmill;
using namespace treadmill::sim::testing;
namespace m = treadmill::regmap::motor;
namespace in = treadmill::regmap::incline;
namespace ex = treadmill::regmap::exception;

namespace {
const std::vector<std::uint16_t> kDriveReadWrite{
    m::kFrequencySource, m::kRunSource,       m::kReverseDisable,    m::kMaxFrequency,
    m::kAccelTime,       m::kDecelTime,       m::kCommLossTreatment, m::kCommLossTimeout,
    m::kCommand,         m::kFrequencyCommand};
const std::vector<std::uint16_t> kDriveReadOnly{0x2100, 0x2101, 0x2102, 0x2103,
                                                0x2104, 0x2105, 0x2106};
const std::vector<std::uint16_t> kInclineReadWrite{0x0000, 0x0001, 0x0010, 0x0011,
                                                   0x0012, 0x0013, 0x0014};
const std::vector<std::uint16_t> kInclineReadOnly{0x0100, 0x0101, 0x0102, 0x0103,
                                                  0x0104, 0x0105, 0x0106, 0x0107};
}  // namespace

TEST_CASE("power-on state of the drive") {
    VirtualBench b;
    CHECK(b.reg(1, m::kFrequencySource) == 1);
    CHECK(b.reg(1, m::kRunSource) == 2);
    CHECK(b.reg(1, m::kReverseDisable) == 1);
    CHECK(b.reg(1, m::kMaxFrequency) == 6000);
    CHECK(b.reg(1, m::kCommLossTreatment) == 3);
    CHECK(b.reg(1, m::kCommLossTimeout) == 0);
    CHECK(b.reg(1, m::kFaultWarning) == 0);
    CHECK((b.reg(1, m::kStatus) & m::kStatusRunMask) == m::kStatusStopped);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
}

TEST_CASE("power-on state of the incline board") {
    VirtualBench b;
    const auto status = b.reg(2, in::kStatus);
    CHECK((status & in::kStatusKeyPresent) != 0);
    CHECK((status & in::kStatusCalibrated) != 0);
    CHECK((status & in::kStatusLowerLimit) != 0);
    CHECK(b.reg(2, in::kActualIncline) == 0);
    CHECK(b.reg(2, in::kMaxIncline) == 150);
    CHECK(b.reg(2, in::kCommLossTimeout) == 0);
    CHECK(b.reg(2, in::kCommLossTreatment) == 3);
    CHECK(b.reg(2, in::kRollerCircumference) == 2000);
}

TEST_CASE("every listed register reads; the telemetry blocks read in one request") {
    VirtualBench b;
    for (auto a : kDriveReadWrite) CHECK(b.read(1, a, 1).exception == 0);
    for (auto a : kInclineReadWrite) CHECK(b.read(2, a, 1).exception == 0);
    const auto drive = b.read(1, m::kTelemetryStart, m::kTelemetryCount);
    CHECK(drive.exception == 0);
    CHECK(drive.values.size() == 7);
    const auto incline = b.read(2, in::kTelemetryStart, in::kTelemetryCount);
    CHECK(incline.exception == 0);
    CHECK(incline.values.size() == 8);
}

TEST_CASE("unlisted addresses answer 02, also inside a block") {
    VirtualBench b;
    CHECK(b.read(1, 0x2107, 1).exception == ex::kIllegalAddress);
    CHECK(b.read(1, 0x2100, 8).exception == ex::kIllegalAddress);
    CHECK(b.read(1, 0x0016, 1).exception == ex::kIllegalAddress);
    CHECK(b.read(2, 0x0108, 1).exception == ex::kIllegalAddress);
    CHECK(b.read(2, 0x0000, 3).exception == 0);
    CHECK(b.read(2, 0x0000, 4).exception == ex::kIllegalAddress);
    CHECK(b.write(1, 0x2003, 0).exception == ex::kIllegalAddress);
    CHECK(b.write(2, 0x0003, 0).exception == ex::kIllegalAddress);
}

TEST_CASE("writes to read-only registers answer 02") {
    VirtualBench b;
    for (auto a : kDriveReadOnly) CHECK(b.write(1, a, 0).exception == ex::kIllegalAddress);
    for (auto a : kInclineReadOnly) CHECK(b.write(2, a, 0).exception == ex::kIllegalAddress);
}

TEST_CASE("write-only registers read as 0") {
    VirtualBench b;
    CHECK(b.write(1, m::kControl, m::kControlBaseBlock).exception == 0);
    CHECK(b.reg(1, m::kControl) == 0);
    CHECK(b.write(2, in::kControl, 0).exception == 0);
    CHECK(b.reg(2, in::kControl) == 0);
}

TEST_CASE("read-write registers keep what was written") {
    VirtualBench b;
    CHECK(b.write(1, m::kAccelTime, 55).exception == 0);
    CHECK(b.reg(1, m::kAccelTime) == 55);
    CHECK(b.write(2, in::kTarget, 40).exception == 0);
    CHECK(b.reg(2, in::kTarget) == 40);
    CHECK(b.write(2, in::kMinIncline, static_cast<std::uint16_t>(-30)).exception == 0);
    CHECK(static_cast<std::int16_t>(b.reg(2, in::kMinIncline)) == -30);
}

TEST_CASE("out-of-range values answer 03") {
    VirtualBench b;
    CHECK(b.write(1, m::kFrequencyCommand, 6001).exception == ex::kIllegalValue);
    CHECK(b.write(1, m::kFrequencyCommand, 6000).exception == 0);
    CHECK(b.write(1, m::kCommLossTreatment, 4).exception == ex::kIllegalValue);
    CHECK(b.write(1, m::kCommand, 0x0100).exception == ex::kIllegalValue);
    CHECK(b.write(1, m::kControl, 0x0008).exception == ex::kIllegalValue);
    CHECK(b.write(2, in::kTarget, 151).exception == ex::kIllegalValue);
    CHECK(b.write(2, in::kTarget, static_cast<std::uint16_t>(-1)).exception == ex::kIllegalValue);
    CHECK(b.write(2, in::kCommLossTreatment, 2).exception == ex::kIllegalValue);
    CHECK(b.write(2, in::kCommand, 4).exception == ex::kIllegalValue);
    CHECK(b.read(1, m::kTelemetryStart, 0).exception == ex::kIllegalValue);
    CHECK(b.read(1, m::kTelemetryStart, 126).exception == ex::kIllegalValue);
}

TEST_CASE("FC16 is validated whole, then applied at once") {
    VirtualBench b;
    // RUN + frequency in one request.
    CHECK(b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000}).exception == 0);
    CHECK(b.reg(1, m::kFrequencyCommand) == 3000);
    CHECK(b.reg(1, m::kCommand) == m::kCommandRunForward);
    // One bad value: nothing is applied.
    CHECK(b.write_many(1, m::kCommand, {m::kCommandStop, 9999}).exception == ex::kIllegalValue);
    CHECK(b.reg(1, m::kCommand) == m::kCommandRunForward);
    CHECK(b.reg(1, m::kFrequencyCommand) == 3000);
    // Running into an unlisted address: 02, nothing applied.
    CHECK(b.write_many(1, m::kFrequencyCommand, {1000, 0, 0}).exception == ex::kIllegalAddress);
    CHECK(b.reg(1, m::kFrequencyCommand) == 3000);
    // The record has all three attempts, with their outcome.
    REQUIRE(b.sim.writes().size() == 3);
    CHECK(b.sim.writes()[0].write.exception == 0);
    CHECK(b.sim.writes()[1].write.exception == ex::kIllegalValue);
    CHECK(b.sim.writes()[2].write.values.size() == 3);
}

TEST_CASE("REV is refused with 03 while Pr.00-23 = 1, accepted otherwise") {
    VirtualBench b;
    CHECK(b.write(1, m::kCommand, 0x0022).exception == ex::kIllegalValue);
    CHECK(b.write(1, m::kCommand, 0x0032).exception == ex::kIllegalValue);
    CHECK(b.write(1, m::kReverseDisable, 0).exception == 0);
    CHECK(b.write(1, m::kFrequencyCommand, 1000).exception == 0);
    CHECK(b.write(1, m::kCommand, 0x0022).exception == 0);
    b.run_for(2s);
    CHECK((b.reg(1, m::kStatus) & m::kStatusDirectionMask) == m::kStatusReverse);
}

TEST_CASE("unknown functions answer 01; other units get no reply") {
    VirtualBench b;
    CHECK(b.send(1, {0x04, 0x21, 0x00, 0x00, 0x01}).exception == ex::kIllegalFunction);
    CHECK(b.send(2, {0x2B, 0x0E, 0x01, 0x00}).exception == ex::kIllegalFunction);
    CHECK_FALSE(b.read(3, m::kStatus, 1).replied);
    CHECK_FALSE(b.read(0, m::kStatus, 1).replied);
}

TEST_CASE("a fault reset is applied before the reply and never restarts") {
    VirtualBench b;
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    b.run_for(1s);
    b.control({{"cmd", "fault"}, {"unit", 1}, {"code", 4}});
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == 4);
    CHECK(b.reg(1, m::kCommand) == m::kCommandStop);
    CHECK(b.write(1, m::kControl, m::kControlFaultReset).exception == 0);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == 0);
    b.run_for(1s);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
}

TEST_CASE("EF from 0x2002 bit0 holds while set; base block coasts") {
    VirtualBench b;
    b.write(1, m::kControl, m::kControlExternalFault);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == m::kFaultExternal);
    b.write(1, m::kControl, m::kControlExternalFault | m::kControlFaultReset);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == m::kFaultExternal);
    b.write(1, m::kControl, m::kControlFaultReset);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == 0);

    b.write_many(1, m::kCommand, {m::kCommandRunForward, 6000});
    b.run_for(3s);
    CHECK(b.reg(1, m::kOutputFrequency) > 1000);
    b.write(1, m::kControl, m::kControlBaseBlock);
    b.run_for(100ms);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
    CHECK(roller_kmh(b) > 2.0);  // coasting, not braked
}
