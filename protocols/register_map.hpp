// The Modbus register map of both boards: addresses, scales, bits and fault names.
// Shared by the drivers (protocols/), the simulator (sim/) and the tests, so the three can
// never disagree. All registers are 16-bit holding registers at zero-based PDU addresses.
#pragma once

#include <cstdint>
#include <string_view>

namespace treadmill::regmap {

// Default unit ids on the shared bus.
inline constexpr int kMotorUnit = 1;
inline constexpr int kInclineUnit = 2;

// Modbus exception codes used on this bus.
namespace exception {
inline constexpr std::uint8_t kIllegalFunction = 0x01;
inline constexpr std::uint8_t kIllegalAddress = 0x02;
inline constexpr std::uint8_t kIllegalValue = 0x03;
inline constexpr std::uint8_t kDeviceFailure = 0x04;
inline constexpr std::uint8_t kBusy = 0x06;
}  // namespace exception

// Unit 1: the motor drive (Delta MS300 / VFD-E style; Pr.GG-nn is register 0xGGnn).
namespace motor {
inline constexpr std::uint16_t kFrequencySource = 0x0014;    // Pr.00-20, 1 = RS-485
inline constexpr std::uint16_t kRunSource = 0x0015;          // Pr.00-21, 2 = RS-485
inline constexpr std::uint16_t kReverseDisable = 0x0017;     // Pr.00-23, 1 = reverse disabled
inline constexpr std::uint16_t kMaxFrequency = 0x0100;       // Pr.01-00, 0.01 Hz
inline constexpr std::uint16_t kAccelTime = 0x010C;          // Pr.01-12, 0.1 s (0 -> max freq)
inline constexpr std::uint16_t kDecelTime = 0x010D;          // Pr.01-13, 0.1 s (max freq -> 0)
inline constexpr std::uint16_t kCommLossTreatment = 0x0902;  // Pr.09-02
inline constexpr std::uint16_t kCommLossTimeout = 0x0903;    // Pr.09-03, 0.1 s, 0 = off
inline constexpr std::uint16_t kCommand = 0x2000;
inline constexpr std::uint16_t kFrequencyCommand = 0x2001;  // 0.01 Hz
inline constexpr std::uint16_t kControl = 0x2002;           // write-only bits
inline constexpr std::uint16_t kFaultWarning = 0x2100;      // low byte fault, high byte warning
inline constexpr std::uint16_t kStatus = 0x2101;
inline constexpr std::uint16_t kFrequencyEcho = 0x2102;    // 0.01 Hz
inline constexpr std::uint16_t kOutputFrequency = 0x2103;  // 0.01 Hz
inline constexpr std::uint16_t kOutputCurrent = 0x2104;    // 0.01 A
inline constexpr std::uint16_t kDcBusVoltage = 0x2105;     // 0.1 V
inline constexpr std::uint16_t kOutputVoltage = 0x2106;    // 0.1 V

// The telemetry block: exactly 0x2100..0x2106, read in one transaction.
inline constexpr std::uint16_t kTelemetryStart = kFaultWarning;
inline constexpr std::uint16_t kTelemetryCount = 7;

// Values of the command register 0x2000. The driver writes only these two.
inline constexpr std::uint16_t kCommandStop = 0x0001;
inline constexpr std::uint16_t kCommandRunForward = 0x0012;
inline constexpr std::uint16_t kCommandDirectionMask = 0x0030;  // bits5-4
inline constexpr std::uint16_t kCommandDirectionReverse = 0x0020;

// Bits of the control register 0x2002.
inline constexpr std::uint16_t kControlExternalFault = 0x0001;
inline constexpr std::uint16_t kControlFaultReset = 0x0002;
inline constexpr std::uint16_t kControlBaseBlock = 0x0004;

// Status register 0x2101.
inline constexpr std::uint16_t kStatusRunMask = 0x0003;  // bits1-0
inline constexpr std::uint16_t kStatusStopped = 0x0000;
inline constexpr std::uint16_t kStatusDecelerating = 0x0001;
inline constexpr std::uint16_t kStatusStandby = 0x0002;
inline constexpr std::uint16_t kStatusRunning = 0x0003;
inline constexpr std::uint16_t kStatusDirectionMask = 0x0018;  // bits4-3
inline constexpr std::uint16_t kStatusReverse = 0x0018;
inline constexpr std::uint16_t kStatusRunFromComm = 0x0400;  // bit10

// Required values of the source/direction parameters.
inline constexpr std::uint16_t kFrequencySourceRs485 = 1;
inline constexpr std::uint16_t kRunSourceRs485 = 2;
inline constexpr std::uint16_t kReverseDisabled = 1;

// Comm-loss treatments of Pr.09-02.
inline constexpr std::uint16_t kCommLossWarnContinue = 0;
inline constexpr std::uint16_t kCommLossRampStop = 1;
inline constexpr std::uint16_t kCommLossCoastStop = 2;
inline constexpr std::uint16_t kCommLossIgnore = 3;

// Defaults at power-on / factory.
inline constexpr std::uint16_t kDefaultMaxFrequency = 6000;  // 60.00 Hz
inline constexpr std::uint16_t kDefaultAccelTime = 100;      // 10.0 s
inline constexpr std::uint16_t kDefaultDecelTime = 100;      // 10.0 s

// Fault codes (low byte of 0x2100) of the reference drive.
inline constexpr std::uint8_t kFaultNone = 0;
inline constexpr std::uint8_t kFaultOverCurrent = 1;
inline constexpr std::uint8_t kFaultOverVoltage = 2;
inline constexpr std::uint8_t kFaultOverHeat = 3;
inline constexpr std::uint8_t kFaultOverload = 4;
inline constexpr std::uint8_t kFaultExternal = 6;  // EF: safety key or 0x2002 bit0
inline constexpr std::uint8_t kFaultUnderVoltage = 14;
inline constexpr std::uint8_t kFaultCommTimeout = 49;  // keypad CE10
// Warning codes (high byte of 0x2100).
inline constexpr std::uint8_t kWarningNone = 0;
inline constexpr std::uint8_t kWarningComm = 1;

// Name of a drive fault code, "unknown" for codes outside the reference list.
constexpr std::string_view fault_name(std::uint8_t code) {
    switch (code) {
        case kFaultNone:
            return "none";
        case kFaultOverCurrent:
            return "over-current";
        case kFaultOverVoltage:
            return "over-voltage";
        case kFaultOverHeat:
            return "over-heat";
        case kFaultOverload:
            return "overload";
        case kFaultExternal:
            return "external fault (EF)";
        case kFaultUnderVoltage:
            return "under-voltage";
        case kFaultCommTimeout:
            return "comm time-out (CE10)";
        default:
            return "unknown";
    }
}

// Name of a drive warning code.
constexpr std::string_view warning_name(std::uint8_t code) {
    switch (code) {
        case kWarningNone:
            return "none";
        case kWarningComm:
            return "comm warning";
        default:
            return "unknown";
    }
}
}  // namespace motor

// Unit 2: the incline board (lift, roller speed sensor, safety-key input).
namespace incline {
inline constexpr std::uint16_t kCommand = 0x0000;
inline constexpr std::uint16_t kTarget = 0x0001;               // int16, 0.1 % grade
inline constexpr std::uint16_t kControl = 0x0002;              // write-only, bit1 fault reset
inline constexpr std::uint16_t kMaxIncline = 0x0010;           // int16, 0.1 % (default 150)
inline constexpr std::uint16_t kCommLossTimeout = 0x0011;      // 0.1 s, 0 = off
inline constexpr std::uint16_t kCommLossTreatment = 0x0012;    // 0, 1, 3 (2 -> exception 03)
inline constexpr std::uint16_t kMinIncline = 0x0013;           // int16, 0.1 % (default 0)
inline constexpr std::uint16_t kRollerCircumference = 0x0014;  // 0.1 mm (default 2000)
inline constexpr std::uint16_t kStatus = 0x0100;
inline constexpr std::uint16_t kActualIncline = 0x0101;  // int16, 0.1 %
inline constexpr std::uint16_t kRawPosition = 0x0102;    // ADC 0..1023
inline constexpr std::uint16_t kFaultCode = 0x0103;
inline constexpr std::uint16_t kLiftCurrent = 0x0104;   // 0.01 A
inline constexpr std::uint16_t kRollerSpeed = 0x0105;   // unsigned, 0.01 km/h
inline constexpr std::uint16_t kOdometerHigh = 0x0106;  // uint32 high word, 0.01 m
inline constexpr std::uint16_t kOdometerLow = 0x0107;

// The telemetry block: 0x0100..0x0107, read in one transaction.
inline constexpr std::uint16_t kTelemetryStart = kStatus;
inline constexpr std::uint16_t kTelemetryCount = 8;

// Values of the command register 0x0000.
inline constexpr std::uint16_t kCommandNone = 0;
inline constexpr std::uint16_t kCommandStop = 1;
inline constexpr std::uint16_t kCommandMove = 2;
inline constexpr std::uint16_t kCommandCalibrate = 3;

inline constexpr std::uint16_t kControlFaultReset = 0x0002;

// Status bits of 0x0100.
inline constexpr std::uint16_t kStatusMoving = 1u << 0;
inline constexpr std::uint16_t kStatusDirectionUp = 1u << 1;
inline constexpr std::uint16_t kStatusAtTarget = 1u << 2;
inline constexpr std::uint16_t kStatusCalibrated = 1u << 3;
inline constexpr std::uint16_t kStatusLowerLimit = 1u << 4;
inline constexpr std::uint16_t kStatusUpperLimit = 1u << 5;
inline constexpr std::uint16_t kStatusCommWarning = 1u << 6;
inline constexpr std::uint16_t kStatusFault = 1u << 7;
inline constexpr std::uint16_t kStatusKeyPresent = 1u << 8;

// Comm-loss treatments of 0x0012.
inline constexpr std::uint16_t kCommLossWarnContinue = 0;
inline constexpr std::uint16_t kCommLossStopLift = 1;
inline constexpr std::uint16_t kCommLossIgnore = 3;

// Defaults at power-on / factory.
inline constexpr std::int16_t kDefaultMaxIncline = 150;  // 15.0 %
inline constexpr std::int16_t kDefaultMinIncline = 0;
inline constexpr std::uint16_t kDefaultRollerCircumference = 2000;  // 200.0 mm

// Fault codes of 0x0103.
inline constexpr std::uint16_t kFaultNone = 0;
inline constexpr std::uint16_t kFaultCommTimeout = 1;
inline constexpr std::uint16_t kFaultStall = 2;
inline constexpr std::uint16_t kFaultSensorRange = 3;
inline constexpr std::uint16_t kFaultOverCurrent = 4;
inline constexpr std::uint16_t kFaultNotCalibrated = 5;

// Name of an incline board fault code.
constexpr std::string_view fault_name(std::uint16_t code) {
    switch (code) {
        case kFaultNone:
            return "none";
        case kFaultCommTimeout:
            return "comm time-out";
        case kFaultStall:
            return "lift stall";
        case kFaultSensorRange:
            return "position sensor out of range";
        case kFaultOverCurrent:
            return "lift over-current";
        case kFaultNotCalibrated:
            return "not calibrated";
        default:
            return "unknown";
    }
}
}  // namespace incline

}  // namespace treadmill::regmap
