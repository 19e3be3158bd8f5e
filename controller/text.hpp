// Small text helpers for fault messages, reasons and log lines.
#pragma once

#include <cstdio>
#include <string>

#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

// A quantity with one decimal, e.g. "12.3" (locale independent enough for %.1f of a double).
inline std::string one_decimal(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// A register value or address as four hex digits, e.g. "0x2101".
inline std::string hex16(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04X", v & 0xFFFFu);
    return buf;
}

inline const char* board_name(Board b) {
    return b == Board::motor ? "motor drive" : "incline board";
}

}  // namespace treadmill::controller
