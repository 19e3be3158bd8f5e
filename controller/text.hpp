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

inline const char* board_name(Board b) {
    return b == Board::motor ? "motor drive" : "incline board";
}

}  // namespace treadmill::controller
