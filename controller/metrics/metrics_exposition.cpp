#include "controller/metrics/metrics_exposition.hpp"

#include "controller/metrics/metric_labels.hpp"
#include "controller/metrics/prometheus_text.hpp"

namespace treadmill::metrics {

using nlohmann::json;
using Type = PrometheusText::Type;

namespace {

double number(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? 0.0 : it->get<double>();
}

// A counter family with one label: a sample per fixed value (0 when absent), then any other
// value the reply holds (fault codes).
template <std::size_t N>
void labelled_counter(PrometheusText& out, const std::string& name, const std::string& help,
                      const std::string& label, const json& by_value,
                      const std::array<const char*, N>& fixed) {
    out.family(name, Type::counter, help);
    for (const char* value : fixed) out.sample(number(by_value, value), {{label, value}});
    for (const auto& [value, count] : by_value.items()) {
        bool known = false;
        for (const char* f : fixed) known = known || value == f;
        if (!known) out.sample(count.template get<double>(), {{label, value}});
    }
}

}  // namespace

std::string prometheus_exposition(const json& metrics) {
    const json& c = metrics.at("counters");
    const json& g = metrics.at("gauges");
    PrometheusText out;
    out.family("treadmill_belt_running_seconds_total", Type::counter,
               "Time the belt moved, in seconds.");
    out.sample(number(c, "belt_running_s"));
    out.family("treadmill_belt_distance_metres_total", Type::counter,
               "Distance the belt moved, in metres.");
    out.sample(number(c, "belt_distance_m"));
    out.family("treadmill_motor_starts_total", Type::counter,
               "Times the motor was commanded from standstill to a speed.");
    out.sample(number(c, "motor_starts"));
    out.family("treadmill_incline_moves_total", Type::counter,
               "Times the incline was commanded to a new position.");
    out.sample(number(c, "incline_moves"));
    labelled_counter(out, "treadmill_sessions_total", "Workout sessions by how they ended.",
                     "ended", c.value("sessions", json::object()), kSessionEnds);
    labelled_counter(out, "treadmill_faults_total", "Latched faults by fault code.", "code",
                     c.value("faults", json::object()), std::array<const char*, 0>{});
    labelled_counter(out, "treadmill_safety_stops_total",
                     "Safety stops by source (key, estop, comm_loss, watchdog).", "source",
                     c.value("safety_stops", json::object()), kSafetySources);
    out.family("treadmill_modbus_transactions_total", Type::counter,
               "Modbus transactions by board (bus: one link shared by both) and result.");
    const json modbus = c.value("modbus_transactions", json::object());
    for (const auto& [board, by_result] : modbus.items()) {
        for (const char* result : kModbusResults)
            out.sample(number(by_result, result), {{"board", board}, {"result", result}});
    }
    out.family("treadmill_daemon_starts_total", Type::counter, "Times treadmilld started.");
    out.sample(number(c, "starts"));
    out.family("treadmill_unclean_exits_total", Type::counter,
               "Runs of treadmilld that ended without a clean shutdown (watchdog abort, kill, "
               "power loss), counted at the next start.");
    out.sample(number(c, "unclean_exits"));

    const auto gauge = [&](const char* name, const char* help, const json& value, double scale) {
        if (value.is_null()) return;  // not known now (no telemetry): no sample
        out.family(name, Type::gauge, help);
        out.sample(value.get<double>() * scale);
    };
    gauge("treadmill_motor_current_amperes", "The drive's output current, in amperes.",
          g.value("motor_current_a", json()), 1.0);
    gauge("treadmill_dc_bus_volts", "The drive's DC bus voltage, in volts.",
          g.value("dc_bus_v", json()), 1.0);
    gauge("treadmill_belt_speed_metres_per_second", "The belt's measured speed, in m/s.",
          g.value("speed_kmh", json()), 1.0 / 3.6);
    gauge("treadmill_incline_ratio", "The measured incline as a ratio (0.05 is 5 %).",
          g.value("incline_pct", json()), 0.01);
    out.family("treadmill_state", Type::gauge, "The controller's state: 1 for the current one.");
    const std::string state = g.value("state", "");
    for (const char* s : kStates) out.sample(state == s ? 1 : 0, {{"state", s}});
    return out.text();
}

}  // namespace treadmill::metrics
