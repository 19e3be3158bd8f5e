// Telemetry blocks -> engineering units.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include "protocols/register_map.hpp"
#include "protocols/telemetry_decode.hpp"

using namespace treadmill;

TEST_CASE("drive telemetry: fault/warning bytes, status bits, scales, speed") {
    const std::array<std::uint16_t, 7> block{
        0x0131,  // warning 1, fault 49
        0x0403,  // running, forward, run from comm
        3000,    // frequency command 30.00 Hz
        1500,    // output 15.00 Hz
        234,     // 2.34 A
        3105,    // 310.5 V
        1100,    // 110.0 V
    };
    const auto t = decode_drive_telemetry(block, reference_drive_profile(), SpeedScale{60, 20});
    CHECK(t.fault_code == 49);
    CHECK(t.warning_code == 1);
    CHECK(t.status == 0x0403);
    CHECK(t.running);
    CHECK_FALSE(t.decelerating);
    CHECK_FALSE(t.reverse);
    CHECK(t.frequency_command_hz == doctest::Approx(30.0));
    CHECK(t.output_frequency_hz == doctest::Approx(15.0));
    CHECK(t.output_speed_kmh == doctest::Approx(5.0));
    CHECK(t.current_a == doctest::Approx(2.34));
    CHECK(t.dc_bus_v == doctest::Approx(310.5));
    CHECK(t.output_v == doctest::Approx(110.0));
}

TEST_CASE("drive status: decelerating, reverse, stopped") {
    const auto profile = reference_drive_profile();
    std::array<std::uint16_t, 7> block{};
    block[1] = 0x0019;  // reverse + decelerating
    auto t = decode_drive_telemetry(block, profile, SpeedScale{});
    CHECK(t.decelerating);
    CHECK(t.reverse);
    CHECK_FALSE(t.running);
    block[1] = 0x0002;  // standby
    t = decode_drive_telemetry(block, profile, SpeedScale{});
    CHECK_FALSE(t.running);
    CHECK_FALSE(t.decelerating);
}

TEST_CASE("incline telemetry: status bits, signed incline, roller and odometer") {
    namespace i = regmap::incline;
    const std::array<std::uint16_t, 8> block{
        static_cast<std::uint16_t>(i::kStatusKeyPresent | i::kStatusCalibrated |
                                   i::kStatusAtTarget | i::kStatusMoving),
        static_cast<std::uint16_t>(-25),  // -2.5 %
        512,
        0,
        120,     // 1.20 A
        1234,    // 12.34 km/h
        0x0001,  // odometer high
        0x86A0,  // odometer low: 100000 cm
    };
    const auto t = decode_incline_telemetry(block);
    CHECK(t.key_present);
    CHECK(t.calibrated);
    CHECK(t.at_target);
    CHECK(t.moving);
    CHECK_FALSE(t.fault_bit);
    CHECK(t.incline_pct == doctest::Approx(-2.5));
    CHECK(t.raw_position == 512);
    CHECK(t.fault_code == 0);
    CHECK(t.lift_current_a == doctest::Approx(1.2));
    CHECK(t.roller_speed_kmh == doctest::Approx(12.34));
    CHECK(t.odometer_cm == 100000u);
}

TEST_CASE("incline telemetry: key out and a latched fault") {
    namespace i = regmap::incline;
    std::array<std::uint16_t, 8> block{};
    block[0] = i::kStatusFault;
    block[3] = i::kFaultCommTimeout;
    block[5] = 0xFFFF;  // unsigned: 655.35 km/h, not negative
    block[6] = 0xFFFF;
    block[7] = 0xFFFF;
    const auto t = decode_incline_telemetry(block);
    CHECK_FALSE(t.key_present);
    CHECK(t.fault_bit);
    CHECK(t.fault_code == 1);
    CHECK(t.roller_speed_kmh == doctest::Approx(655.35));
    CHECK(t.odometer_cm == 0xFFFFFFFFu);
}

TEST_CASE("a short block decodes as zeros, not out of bounds") {
    const std::array<std::uint16_t, 2> block{0x0006, 0x0003};
    const auto t = decode_drive_telemetry(block, reference_drive_profile(), SpeedScale{});
    CHECK(t.fault_code == 6);
    CHECK(t.running);
    CHECK(t.output_v == 0.0);
}

TEST_CASE("incline counts") {
    CHECK(incline_pct_to_counts(6.0) == 60);
    CHECK(incline_pct_to_counts(-3.0) == static_cast<std::uint16_t>(-30));
    CHECK(incline_pct_to_counts(1e9) == 32767);
    CHECK(incline_counts_to_pct(static_cast<std::uint16_t>(-30)) == doctest::Approx(-3.0));
}
