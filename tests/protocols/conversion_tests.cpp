// Speed <-> frequency, drive profile, parameters and command registers.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "protocols/drive_profile.hpp"
#include "protocols/incline_board.hpp"
#include "protocols/motor_drive.hpp"
#include "protocols/register_map.hpp"

using namespace treadmill;
namespace m = treadmill::regmap::motor;

namespace {
const SpeedScale kScale{60.0, 20.0};  // 60 Hz -> 20 km/h
const DriveProfile kProfile = reference_drive_profile();
}  // namespace

TEST_CASE("speed is speed_at_max x f / max_f") {
    CHECK(speed_for_frequency(kScale, 60.0) == doctest::Approx(20.0));
    CHECK(speed_for_frequency(kScale, 30.0) == doctest::Approx(10.0));
    CHECK(speed_for_frequency(kScale, 0.0) == doctest::Approx(0.0));
    CHECK(speed_for_frequency(SpeedScale{0, 20}, 30) == 0.0);
}

TEST_CASE("frequency for a speed is the inverse, clamped to Pr.01-00 and the config") {
    CHECK(frequency_for_speed(kScale, 10.0, 60.0) == doctest::Approx(30.0));
    CHECK(frequency_for_speed(kScale, 0.8, 60.0) == doctest::Approx(2.4));
    // Never above Pr.01-00.
    CHECK(frequency_for_speed(kScale, 20.0, 50.0) == doctest::Approx(50.0));
    CHECK(frequency_for_speed(kScale, 25.0, 60.0) == doctest::Approx(60.0));
    // Nor above the config's max_frequency when the drive allows more.
    CHECK(frequency_for_speed(kScale, 25.0, 100.0) == doctest::Approx(60.0));
    // Negative and NaN speeds are 0.
    CHECK(frequency_for_speed(kScale, -3.0, 60.0) == 0.0);
    CHECK(frequency_for_speed(kScale, std::numeric_limits<double>::quiet_NaN(), 60.0) == 0.0);
}

TEST_CASE("frequency counts are 0.01 Hz, rounded and clamped") {
    CHECK(frequency_to_counts(kProfile, 30.0) == 3000);
    CHECK(frequency_to_counts(kProfile, 2.4) == 240);
    CHECK(frequency_to_counts(kProfile, 2.406) == 241);  // nearest
    CHECK(frequency_to_counts(kProfile, -1.0) == 0);
    CHECK(frequency_to_counts(kProfile, 1e9) == 65535);
    CHECK(counts_to_frequency(kProfile, 6000) == doctest::Approx(60.0));
}

TEST_CASE("ramp times: 0 -> Pr.01-00 at the configured acceleration, in 0.1 s") {
    // 60 Hz = 20 km/h: at 1 km/h/s that is 20.0 s, at 3.5 km/h/s 5.7 s.
    CHECK(ramp_time_counts(kProfile, kScale, 60.0, 1.0) == 200);
    CHECK(ramp_time_counts(kProfile, kScale, 60.0, 3.5) == 57);
    // Pr.01-00 of 50 Hz: top speed 16.67 km/h.
    CHECK(ramp_time_counts(kProfile, kScale, 50.0, 1.0) == 167);
    CHECK(ramp_time_counts(kProfile, kScale, 60.0, 0.0) == 1);
    CHECK(ramp_time_counts(kProfile, kScale, 60.0, 1000.0) == 1);
}

TEST_CASE("tenths of seconds") {
    CHECK(tenth_seconds_counts(0.5) == 5);
    CHECK(tenth_seconds_counts(0.0) == 0);
    CHECK(tenth_seconds_counts(1.26) == 13);
}

TEST_CASE("drive parameters: required sources, ramps, dead-man, sorted by address") {
    BoardSettings s;  // 0.5 s, ramp stop, accel 1, estop 3.5
    const auto params = drive_parameters(s, kProfile, kScale, 60.0);
    const std::vector<ParameterValue> expected{
        {m::kFrequencySource, 1}, {m::kRunSource, 2},  {m::kReverseDisable, 1},
        {m::kAccelTime, 200},     {m::kDecelTime, 57}, {m::kCommLossTreatment, 1},
        {m::kCommLossTimeout, 5},
    };
    CHECK(params == expected);
    for (std::size_t i = 1; i < params.size(); ++i)
        CHECK(params[i - 1].address < params[i].address);
}

TEST_CASE("incline parameters") {
    BoardSettings s;
    s.incline_comm_timeout_s = 0.7;
    const auto params = incline_parameters(s);
    REQUIRE(params.size() == 2);
    CHECK(params[0] == ParameterValue{regmap::incline::kCommLossTimeout, 7});
    CHECK(params[1] == ParameterValue{regmap::incline::kCommLossTreatment, 1});
}

TEST_CASE("drive command registers: only STOP or RUN forward, frequency clamped") {
    auto stop = drive_command_registers(DriveWrite{false, 12.0}, kProfile, kScale, 60.0);
    CHECK(stop[0] == m::kCommandStop);
    CHECK(stop[1] == 0);
    auto run = drive_command_registers(DriveWrite{true, 10.0}, kProfile, kScale, 60.0);
    CHECK(run[0] == m::kCommandRunForward);
    CHECK(run[1] == 3000);
    auto fast = drive_command_registers(DriveWrite{true, 99.0}, kProfile, kScale, 45.0);
    CHECK(fast[1] == 4500);
    auto backwards = drive_command_registers(DriveWrite{true, -5.0}, kProfile, kScale, 60.0);
    CHECK(backwards[0] == m::kCommandRunForward);
    CHECK(backwards[1] == 0);
    CHECK((run[0] & m::kCommandDirectionMask) != m::kCommandDirectionReverse);
}

TEST_CASE("fault and warning names come from the profile, else the register map") {
    CHECK(drive_fault_name(kProfile, m::kFaultCommTimeout) == "comm time-out (CE10)");
    CHECK(drive_fault_name(kProfile, m::kFaultExternal) == "external fault (EF)");
    CHECK(drive_fault_name(kProfile, 200) == "unknown");
    CHECK(drive_warning_name(kProfile, m::kWarningComm) == "comm warning");
    DriveProfile custom;
    custom.fault_name = [](std::uint8_t) -> std::string_view { return "custom"; };
    CHECK(drive_fault_name(custom, 1) == "custom");
    CHECK(drive_fault_name(DriveProfile{}, 49) == "comm time-out (CE10)");
}
