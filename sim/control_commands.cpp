// Simulator-control commands ("Simulator control" in controller.md) and the state report.
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "sim/simulator.hpp"

namespace treadmill::sim {

namespace {

using nlohmann::json;

struct BadCommand : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An integer argument in [lo, hi]; `fallback` when absent (absent and no fallback: error).
int int_arg(const json& c, const char* key, std::optional<int> fallback, int lo, int hi) {
    if (!c.contains(key)) {
        if (fallback) return *fallback;
        throw BadCommand(std::string("missing \"") + key + "\"");
    }
    const json& v = c.at(key);
    if (!v.is_number_integer()) throw BadCommand(std::string("\"") + key + "\" must be an integer");
    const auto n = v.get<long long>();
    if (n < lo || n > hi) {
        throw BadCommand(std::string("\"") + key + "\" out of range " + std::to_string(lo) + ".." +
                         std::to_string(hi));
    }
    return static_cast<int>(n);
}

bool bool_arg(const json& c, const char* key) {
    if (!c.contains(key) || !c.at(key).is_boolean()) {
        throw BadCommand(std::string("\"") + key + "\" must be true or false");
    }
    return c.at(key).get<bool>();
}

double number_arg(const json& c, const char* key, double lo, double hi) {
    if (!c.contains(key) || !c.at(key).is_number()) {
        throw BadCommand(std::string("\"") + key + "\" must be a number");
    }
    const double v = c.at(key).get<double>();
    if (!(v >= lo && v <= hi)) throw BadCommand(std::string("\"") + key + "\" out of range");
    return v;
}

std::optional<int> unit_arg(const json& c, bool required) {
    if (!required && !c.contains("unit")) return std::nullopt;
    return int_arg(c, "unit", std::nullopt, 1, 2);
}

// Adds a counted bus injection of `kind`; `amount_key` names its size argument, if any.
void counted(Simulator& sim, const json& c, FaultInjector::Kind kind, const char* amount_key,
             int amount_max, bool with_unit = true) {
    FaultInjector::Counted injection;
    injection.unit = with_unit ? unit_arg(c, false) : std::nullopt;
    injection.count = int_arg(c, "count", 1, 1, 1000000);
    if (amount_key) injection.amount = int_arg(c, amount_key, std::nullopt, 1, amount_max);
    sim.injector().add(kind, injection);
}

// A command that changes the simulator; the reply is {"ok":true}.
using Action = std::function<void(Simulator&, TimePoint, const json&)>;

void silence(Simulator& s, TimePoint now, const json& c) {
    const double seconds = number_arg(c, "seconds", 0.0, 86400.0);
    s.injector().silence_until(now + std::chrono::duration_cast<Duration>(Seconds(seconds)));
}

void board_fault(Simulator& s, TimePoint, const json& c) {
    const int unit = *unit_arg(c, true);
    const int code = int_arg(c, "code", std::nullopt, 1, unit == 1 ? 255 : 65535);
    if (unit == 1) {
        s.drive().inject_fault(static_cast<std::uint8_t>(code));
    } else {
        s.incline().inject_fault(static_cast<std::uint16_t>(code));
    }
}

void stall(Simulator& s, TimePoint, const json& c) {
    const bool on = bool_arg(c, "on");
    const std::string what = c.contains("what") && c["what"].is_string() ? c["what"] : "";
    if (what == "belt") {
        s.physics().set_stalled(on);
    } else if (what == "incline") {
        s.incline().set_stalled(on);
    } else {
        throw BadCommand("\"what\" must be \"belt\" or \"incline\"");
    }
}

void factory_reset(Simulator& s, TimePoint, const json& c) {
    if (*unit_arg(c, true) == 1) {
        s.drive().factory_reset();
    } else {
        s.incline().factory_reset();
    }
}

// The drive's own state changes by itself: it leaves RUN ("run", the default), its frequency
// command changes ("frequency", to `hz`, default 0), or it shows its comm-loss warning for `ms`
// ("comm_warning", default 1000 ms).
void drive_dropout(Simulator& s, TimePoint now, const json& c) {
    if (*unit_arg(c, true) != 1) throw BadCommand("\"unit\" must be 1 (the drive)");
    const json what = c.value("what", json("run"));
    if (what == "run") {
        s.drive().leave_run();
    } else if (what == "frequency") {
        const double hz = c.contains("hz") ? number_arg(c, "hz", 0.0, 600.0) : 0.0;
        s.drive().lose_frequency_command(static_cast<std::uint16_t>(std::lround(hz * 100.0)));
    } else if (what == "comm_warning") {
        const int ms = int_arg(c, "ms", 1000, 1, 3600000);
        s.drive().hold_comm_warning(now + std::chrono::milliseconds(ms));
    } else {
        throw BadCommand("\"what\" must be \"run\", \"frequency\" or \"comm_warning\"");
    }
}

// Injections on the bus: lost, late, damaged or refused replies.
const std::map<std::string, Action>& bus_actions() {
    using K = FaultInjector::Kind;
    static const std::map<std::string, Action> table{
        {"drop",
         [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::drop, nullptr, 0); }},
        {"silence", silence},
        {"delay",
         [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::delay, "ms", 600000); }},
        {"corrupt_crc",
         [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::corrupt_crc, nullptr, 0); }},
        {"garbage",
         [](Simulator& s, TimePoint, const json& c) {
             s.injector().add_garbage(int_arg(c, "bytes", std::nullopt, 1, 4096));
         }},
        {"wrong_unit", [](Simulator& s, TimePoint,
                          const json& c) { counted(s, c, K::wrong_unit, nullptr, 0, false); }},
        {"exception",
         [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::exception, "code", 255); }},
        {"truncate",
         [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::truncate, "bytes", 255); }},
        {"gap", [](Simulator& s, TimePoint, const json& c) { counted(s, c, K::gap, "ms", 60000); }},
    };
    return table;
}

// Physical events and board faults.
const std::map<std::string, Action>& board_actions() {
    static const std::map<std::string, Action> table{
        {"key", [](Simulator& s, TimePoint now,
                   const json& c) { s.set_key(bool_arg(c, "present"), now); }},
        {"fault", board_fault},
        {"runaway", [](Simulator& s, TimePoint,
                       const json& c) { s.physics().set_runaway(bool_arg(c, "on")); }},
        {"stall", stall},
        {"reboot",
         [](Simulator& s, TimePoint now, const json& c) { s.reboot(*unit_arg(c, true), now); }},
        {"factory_reset", factory_reset},
        {"drive_dropout", drive_dropout},
        {"clear", [](Simulator& s, TimePoint now, const json&) { s.clear_injections(now); }},
    };
    return table;
}

const Action* find_action(const std::string& name) {
    for (const auto* table : {&bus_actions(), &board_actions()}) {
        const auto it = table->find(name);
        if (it != table->end()) return &it->second;
    }
    return nullptr;
}

}  // namespace

json Simulator::control(TimePoint now, const json& command) {
    advance(now);
    if (!command.is_object() || !command.contains("cmd") || !command.at("cmd").is_string()) {
        return json{{"ok", false}, {"error", "expected {\"cmd\":NAME,...}"}};
    }
    const auto name = command.at("cmd").get<std::string>();
    try {
        if (name == "state") {
            const double since = command.value("writes_since", -1.0);
            return json{{"ok", true}, {"state", state(now, since)}};
        }
        const Action* action = find_action(name);
        if (!action) return json{{"ok", false}, {"error", "unknown command \"" + name + "\""}};
        (*action)(*this, now, command);
        return json{{"ok", true}};
    } catch (const std::exception& e) {
        return json{{"ok", false}, {"error", name + ": " + e.what()}};
    }
}

}  // namespace treadmill::sim
