// libFuzzer target: arbitrary bytes as the daemon's treadmilld.yaml, through parse_config().
// It must answer with diagnostics (never crash, hang or leak), and a config it accepts must be
// one the daemon can run with: sane limits and timings, values in their ranges.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "controller/daemon/config_loader.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

using treadmill::Duration;
using treadmill::daemon::BusConfig;
using treadmill::daemon::Config;
using treadmill::fuzz::require;
using treadmill::programs::Diagnostic;

bool finite_positive(double v) {
    return std::isfinite(v) && v > 0;
}

void check_bus(const BusConfig& bus) {
    require(bus.baud >= 1200 && bus.baud <= 1000000, "baud out of range");
    require(bus.parity == 'N' || bus.parity == 'E' || bus.parity == 'O', "parity not N/E/O");
    require(bus.stop_bits == 1 || bus.stop_bits == 2, "stop_bits not 1 or 2");
    require(bus.port >= 1 && bus.port <= 65535, "port out of range");
    require(bus.response_timeout >= Duration::zero(), "negative response_timeout");
}

// What an accepted config promises the daemon.
void check_accepted(const Config& c) {
    const auto& l = c.limits;
    require(finite_positive(l.min_speed_kmh), "min_speed not finite and > 0");
    require(std::isfinite(l.max_speed_kmh) && l.min_speed_kmh < l.max_speed_kmh,
            "min_speed >= max_speed");
    require(finite_positive(c.motor.speed_at_max_frequency_kmh) &&
                l.max_speed_kmh <= c.motor.speed_at_max_frequency_kmh,
            "max_speed above speed_at_max_frequency");
    require(finite_positive(c.motor.max_frequency_hz), "max_frequency not finite and > 0");
    require(std::isfinite(l.min_incline_pct) && std::isfinite(l.max_incline_pct) &&
                l.min_incline_pct <= l.max_incline_pct,
            "min_incline above max_incline");
    require(finite_positive(l.accel_kmh_per_s) && finite_positive(l.decel_kmh_per_s) &&
                finite_positive(l.estop_decel_kmh_per_s) &&
                finite_positive(l.incline_rate_pct_per_s) && finite_positive(l.speed_step_kmh),
            "a rate or speed_step not finite and > 0");
    require(c.control.period > Duration::zero(), "control.period not > 0");
    require(c.control.watchdog > c.control.period, "watchdog not longer than period");
    require(c.control.countdown >= Duration::zero() && c.control.max_pause >= Duration::zero(),
            "negative countdown or max_pause");
    require(c.control.comm_loss_failures >= 1 && c.control.comm_loss_failures <= 100,
            "comm_loss_failures out of range");
    require(
        c.motor.unit >= 1 && c.motor.unit <= 247 && c.incline.unit >= 1 && c.incline.unit <= 247,
        "unit id out of range");
    for (const Duration t : {c.motor.comm_timeout, c.incline.comm_timeout}) {
        require(t % std::chrono::milliseconds(100) == Duration::zero(),
                "comm_timeout not in the boards' 0.1 s unit");
        require(t >= std::max(2 * c.control.period + c.bus.response_timeout,
                              Duration(std::chrono::milliseconds(200))) ||
                    c.motor.bus || c.incline.bus,
                "comm_timeout shorter than two periods and a time-out");
        require(t <= c.control.watchdog - std::chrono::milliseconds(100),
                "comm_timeout not 100 ms shorter than the watchdog");
    }
    check_bus(c.bus);
    check_bus(c.motor_bus());
    check_bus(c.incline_bus());
    require((c.motor_bus().transport == BusConfig::Transport::sim) ==
                (c.incline_bus().transport == BusConfig::Transport::sim),
            "sim mixed with hardware");
}

// Every diagnostic names the file, says something, and is located 1-based (or not at all).
void check_diagnostics(const treadmill::daemon::ConfigLoad& load) {
    for (const Diagnostic& d : load.diagnostics) {
        require(d.file == "fuzz.yaml", "diagnostic names another file");
        require(!d.message.empty(), "empty diagnostic message");
        require(d.line >= 0 && d.column >= 0, "negative diagnostic position");
        require(d.line > 0 || d.column == 0 || d.column == 1, "column without a line");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto load = treadmill::daemon::parse_config(text, "fuzz.yaml");
    check_diagnostics(load);
    if (load.ok()) check_accepted(load.config);
    return 0;
}
