// Decoded telemetry of both boards, in engineering units, as the controller sees it.
#pragma once

#include <cstdint>

namespace treadmill {

// Unit 1: one read of 0x2100..0x2106.
struct DriveTelemetry {
    std::uint8_t fault_code = 0;    // regmap::motor::kFault*
    std::uint8_t warning_code = 0;  // regmap::motor::kWarning*
    std::uint16_t status = 0;       // raw 0x2101
    bool running = false;           // status bits1-0 == 11
    bool decelerating = false;      // status bits1-0 == 01
    bool reverse = false;           // status bits4-3 == 11
    double frequency_command_hz = 0;
    std::uint16_t frequency_command_counts = 0;  // raw 0x2102: the echo of 0x2001
    double output_frequency_hz = 0;
    double output_speed_kmh = 0;  // output frequency converted with the drive profile
    double current_a = 0;
    double dc_bus_v = 0;
    double output_v = 0;
};

// Unit 2: one read of 0x0100..0x0107.
struct InclineTelemetry {
    std::uint16_t status = 0;  // raw 0x0100
    bool key_present = false;  // status bit8
    bool moving = false;
    bool at_target = false;
    bool calibrated = false;
    bool fault_bit = false;
    double incline_pct = 0;
    std::uint16_t raw_position = 0;
    std::uint16_t fault_code = 0;  // regmap::incline::kFault*
    double lift_current_a = 0;
    double roller_speed_kmh = 0;    // measured belt speed
    std::uint32_t odometer_cm = 0;  // belt odometer, 0.01 m, wraps at 2^32
};

}  // namespace treadmill
