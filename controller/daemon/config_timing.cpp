#include "controller/daemon/config_timing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocols/bus_timing.hpp"
#include "protocols/register_map.hpp"

namespace treadmill::daemon {

namespace {

using Path = std::vector<std::string>;

constexpr Duration kMinCommTimeout = std::chrono::milliseconds(200);
constexpr Duration kWatchdogMargin = std::chrono::milliseconds(100);

// "87.5 ms", or "50 ms" when whole (to the microsecond).
std::string ms(Duration d) {
    const double v = bus::to_ms(d);
    char text[32];
    std::snprintf(text, sizeof text, std::abs(v - std::round(v)) < 0.001 ? "%.0f ms" : "%.1f ms",
                  v);
    return text;
}

// The mark of `path` in the file, when every key of it was written.
std::optional<YAML::Mark> written(const YAML::Node& node, std::span<const std::string> path) {
    if (path.empty()) return node.Mark();
    if (!node.IsMap()) return std::nullopt;
    const YAML::Node next = node[path.front()];
    if (!next) return std::nullopt;
    return written(next, path.subspan(1));
}

// Where to report: the first of `paths` that the file has (else the whole file).
YAML::Mark first_written(const YAML::Node& root, std::initializer_list<Path> paths) {
    for (const Path& p : paths)
        if (auto mark = written(root, p)) return *mark;
    return YAML::Mark::null_mark();
}

Path under(Path path, const std::string& key) {
    path.push_back(key);
    return path;
}

// One bus and the boards the cycle reads on it.
struct BusUse {
    std::string name;  // as in the file: "bus", "motor.bus", "incline.bus"
    Path path;
    const BusConfig* bus;
    bool drive;
    bool incline;
};

std::vector<BusUse> buses_of(const Config& c) {
    const auto board_bus = [](bool own, const char* board) {
        return own ? BusUse{std::string(board) + ".bus", Path{board, "bus"}, nullptr, false, false}
                   : BusUse{"bus", Path{"bus"}, nullptr, false, false};
    };
    if (c.simulated() || c.motor_bus() == c.incline_bus()) {
        BusUse shared = board_bus(!c.simulated() && c.motor.bus.has_value(), "motor");
        shared.bus = c.simulated() ? &c.bus : &c.motor_bus();
        shared.drive = shared.incline = true;
        return {shared};
    }
    BusUse motor = board_bus(c.motor.bus.has_value(), "motor");
    motor.bus = &c.motor_bus();
    motor.drive = true;
    BusUse incline = board_bus(c.incline.bus.has_value(), "incline");
    incline.bus = &c.incline_bus();
    incline.incline = true;
    return {motor, incline};
}

std::string describe(const BusConfig& b) {
    switch (b.transport) {
        case BusConfig::Transport::sim:
            return "sim";
        case BusConfig::Transport::tcp:
            return "tcp";
        case BusConfig::Transport::rtu:
            break;
    }
    return "rtu " + std::to_string(b.baud) + " 8" + std::string(1, b.parity) +
           std::to_string(b.stop_bits);
}

bus::SerialFormat format_of(const BusConfig& b) {
    return bus::SerialFormat{b.baud, 8, b.parity != 'N', b.stop_bits};
}

// Bus time of one FC03 of `registers` (RTU; nothing is counted for TCP).
Duration read_time(const BusConfig& b, int registers) {
    if (b.transport != BusConfig::Transport::rtu) return Duration::zero();
    return bus::transaction_time(format_of(b), bus::read_request_bytes(),
                                 bus::read_reply_bytes(registers));
}

// The link's quiet time after a time-out of the longest reply a cycle expects on this bus.
Duration late_reply_guard(const BusUse& u) {
    if (u.bus->transport != BusConfig::Transport::rtu) return Duration::zero();
    const int registers = std::max(u.drive ? int{regmap::motor::kTelemetryCount} : 0,
                                   u.incline ? int{regmap::incline::kTelemetryCount} : 0);
    return bus::late_reply_guard(format_of(*u.bus), bus::read_reply_bytes(registers));
}

// A cycle whose reads meet a time-out on every bus still ends within the period.
void check_cycle_fits(ConfigReader& r, const YAML::Node& root, const Config& c,
                      const std::vector<BusUse>& buses) {
    Duration total{};
    std::string terms;
    for (const BusUse& u : buses) {
        const Duration drive =
            u.drive ? read_time(*u.bus, regmap::motor::kTelemetryCount) : Duration::zero();
        const Duration incline =
            u.incline ? read_time(*u.bus, regmap::incline::kTelemetryCount) : Duration::zero();
        std::string parts = u.drive ? "drive " + ms(drive) : "";
        if (u.incline) parts += (parts.empty() ? "" : " + ") + ("incline board " + ms(incline));
        total += drive + incline + u.bus->response_timeout;
        terms += (terms.empty() ? "" : "; ") + u.name + " (" + describe(*u.bus) +
                 "): the reads of a cycle take " + ms(drive + incline) + " on the wire (" + parts +
                 ") + response_timeout " + ms(u.bus->response_timeout);
    }
    if (total <= c.control.period) return;
    const Path& first = buses.front().path;
    r.error(
        first_written(
            root, {under(first, "response_timeout"), under(first, "baud"), {"control", "period"}}),
        terms + (buses.size() > 1 ? "; in all " : " = ") + ms(total) + " > control.period " +
            ms(c.control.period) +
            ": a dead bus would make every cycle late and comm_loss could miss its 0.5 s "
            "bound; raise the baud rate, shorten response_timeout or lengthen "
            "control.period");
}

// (failures - 1) polls a period apart, the last one's time-out and guard: within 0.5 s.
void check_latch_bound(ConfigReader& r, const YAML::Node& root, const Config& c, const BusUse& u) {
    const int n = c.control.comm_loss_failures;
    const Duration guard = late_reply_guard(u);
    const Duration latch = (n - 1) * c.control.period + u.bus->response_timeout + guard;
    if (latch <= kCommLossBound) return;
    r.error(first_written(root, {under(u.path, "response_timeout"),
                                 {"control", "period"},
                                 {"control", "comm_loss_failures"},
                                 under(u.path, "baud")}),
            u.name + " (" + describe(*u.bus) + "): (comm_loss_failures " + std::to_string(n) +
                " - 1) x control.period " + ms(c.control.period) + " + response_timeout " +
                ms(u.bus->response_timeout) + " + late-reply guard " + ms(guard) + " = " +
                ms(latch) + " > " + ms(kCommLossBound) +
                ": comm_loss could not latch within 0.5 s of the bus dying; shorten "
                "control.period or response_timeout, or lower comm_loss_failures");
}

Duration round_up_to_board_unit(Duration d) {
    const auto units = (d.count() + kBoardTimeoutUnit.count() - 1) / kBoardTimeoutUnit.count();
    return units * kBoardTimeoutUnit;
}

// The board's dead-man: never between two polls of a slow cycle, always before the watchdog.
void check_comm_timeout(ConfigReader& r, const YAML::Node& root, const Config& c,
                        const std::string& board, const BusConfig& bus, Duration& timeout) {
    const Duration asked = timeout;
    timeout = round_up_to_board_unit(timeout);
    std::string what = board + ".comm_timeout " + ms(asked);
    if (timeout != asked) what += ", rounded up to the board's 0.1 s unit: " + ms(timeout) + ",";
    const YAML::Mark at = first_written(root, {{board, "comm_timeout"}, {board}});
    const Duration low = std::max(2 * c.control.period + bus.response_timeout, kMinCommTimeout);
    const Duration high = c.control.watchdog - kWatchdogMargin;
    if (timeout < low)
        r.error(at, what + " is below max(2 x control.period " + ms(c.control.period) +
                        " + response_timeout " + ms(bus.response_timeout) + ", " +
                        ms(kMinCommTimeout) + ") = " + ms(low) +
                        ": the board's dead-man would stop the belt while the daemon is alive");
    else if (timeout > high)
        r.error(at, what + " is above control.watchdog " + ms(c.control.watchdog) + " - " +
                        ms(kWatchdogMargin) + " = " + ms(high) +
                        ": the board must stop the belt by itself before the watchdog aborts "
                        "the daemon");
}

}  // namespace

void apply_timing_rules(ConfigReader& reader, const YAML::Node& root, Config& config) {
    const std::vector<BusUse> buses = buses_of(config);
    check_cycle_fits(reader, root, config, buses);
    for (const BusUse& u : buses) check_latch_bound(reader, root, config, u);
    const bool sim = config.simulated();
    check_comm_timeout(reader, root, config, "motor", sim ? config.bus : config.motor_bus(),
                       config.motor.comm_timeout);
    check_comm_timeout(reader, root, config, "incline", sim ? config.bus : config.incline_bus(),
                       config.incline.comm_timeout);
}

}  // namespace treadmill::daemon
