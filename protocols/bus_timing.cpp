// Modbus RTU wire timing.
#include "protocols/bus_timing.hpp"

#include <algorithm>
#include <chrono>

namespace treadmill::bus {

namespace {
// Above this baud rate the Modbus serial-line spec fixes the inter-frame and inter-char gaps.
constexpr int kFixedGapAboveBaud = 19200;

Duration from_seconds(double s) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
}  // namespace

Duration char_time(const SerialFormat& f) {
    if (f.baud <= 0) return Duration::zero();
    return from_seconds(static_cast<double>(bits_per_char(f)) / f.baud);
}

Duration frame_time(const SerialFormat& f, int chars) {
    if (f.baud <= 0 || chars <= 0) return Duration::zero();
    return from_seconds(static_cast<double>(bits_per_char(f)) * chars / f.baud);
}

Duration t35(const SerialFormat& f) {
    if (f.baud > kFixedGapAboveBaud) return std::chrono::microseconds(1750);
    if (f.baud <= 0) return Duration::zero();
    return from_seconds(3.5 * bits_per_char(f) / f.baud);
}

Duration t15(const SerialFormat& f) {
    if (f.baud > kFixedGapAboveBaud) return std::chrono::microseconds(750);
    if (f.baud <= 0) return Duration::zero();
    return from_seconds(1.5 * bits_per_char(f) / f.baud);
}

Duration transaction_time(const SerialFormat& f, int request_bytes, int reply_bytes) {
    return frame_time(f, request_bytes) + t35(f) + frame_time(f, reply_bytes) + t35(f);
}

Duration late_reply_guard(const SerialFormat& f, int reply_bytes) {
    return std::min<Duration>(t35(f) + frame_time(f, reply_bytes), std::chrono::seconds(1));
}

}  // namespace treadmill::bus
