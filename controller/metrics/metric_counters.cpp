#include "controller/metrics/metric_counters.hpp"

#include <algorithm>
#include <chrono>

#include "controller/fault.hpp"
#include "controller/session.hpp"

namespace treadmill::metrics {

using nlohmann::json;

namespace {

constexpr double kMovingKmh = 0.1;                      // the roller below this: the belt stands
constexpr Duration kMaxStep = std::chrono::seconds(1);  // a gap longer than this counts as this

// The safety-stop source a fault code stands for, or "" (not a safety stop).
std::string safety_source(const std::string& code) {
    using controller::FaultCode;
    if (code == to_string(FaultCode::safety_key)) return "key";
    if (code == to_string(FaultCode::estop)) return "estop";
    if (code == to_string(FaultCode::comm_loss)) return "comm_loss";
    if (code == to_string(FaultCode::loop_stall)) return "watchdog";
    return "";
}

json or_null(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

}  // namespace

ModbusCounts modbus_counts(const LinkStatistics& s) {
    const std::uint64_t timeout = s.failures_of(LinkError::Kind::timeout);
    const std::uint64_t crc = s.failures_of(LinkError::Kind::crc);
    const std::uint64_t exception = s.failures_of(LinkError::Kind::exception);
    const std::uint64_t other = s.failures - std::min(s.failures, timeout + crc + exception);
    return {s.good, timeout, crc, exception, other};
}

json Counters::to_json() const {
    json modbus_j = json::object();
    for (const auto& [board, counts] : modbus) {
        json by_result = json::object();
        for (std::size_t i = 0; i < kModbusResults.size(); ++i)
            by_result[kModbusResults[i]] = counts[i];
        modbus_j[board] = std::move(by_result);
    }
    json maintenance_j = json::object();
    for (const auto& [item, mark] : maintenance) {
        maintenance_j[item] = {{"belt_running_s", mark.belt_running_s},
                               {"belt_distance_m", mark.belt_distance_m},
                               {"done_at", mark.done_at}};
    }
    return {{"belt_running_s", belt_running_s},
            {"belt_distance_m", belt_distance_m},
            {"motor_starts", motor_starts},
            {"incline_moves", incline_moves},
            {"sessions", sessions},
            {"faults", faults},
            {"safety_stops", safety_stops},
            {"modbus_transactions", std::move(modbus_j)},
            {"starts", starts},
            {"unclean_exits", unclean_exits},
            {"maintenance", std::move(maintenance_j)}};
}

Counters Counters::from_json(const json& j) {
    Counters c;
    if (!j.is_object()) throw std::runtime_error("the counters are not a JSON object");
    c.belt_running_s = j.value("belt_running_s", 0.0);
    c.belt_distance_m = j.value("belt_distance_m", 0.0);
    c.motor_starts = j.value("motor_starts", std::uint64_t{0});
    c.incline_moves = j.value("incline_moves", std::uint64_t{0});
    c.sessions = j.value("sessions", std::map<std::string, std::uint64_t>{});
    c.faults = j.value("faults", std::map<std::string, std::uint64_t>{});
    c.safety_stops = j.value("safety_stops", std::map<std::string, std::uint64_t>{});
    const json modbus_j = j.value("modbus_transactions", json::object());
    for (const auto& [board, by_result] : modbus_j.items()) {
        ModbusCounts counts{};
        for (std::size_t i = 0; i < kModbusResults.size(); ++i)
            counts[i] = by_result.value(kModbusResults[i], std::uint64_t{0});
        c.modbus[board] = counts;
    }
    c.starts = j.value("starts", std::uint64_t{0});
    c.unclean_exits = j.value("unclean_exits", std::uint64_t{0});
    const json maintenance_j = j.value("maintenance", json::object());
    for (const auto& [item, mark] : maintenance_j.items()) {
        c.maintenance[item] = {mark.at("belt_running_s").get<double>(),
                               mark.at("belt_distance_m").get<double>(),
                               mark.at("done_at").get<std::int64_t>()};
    }
    if (c.belt_running_s < 0 || c.belt_distance_m < 0)
        throw std::runtime_error("negative belt time or distance");
    return c;
}

void MetricsRecorder::observe(TimePoint now, const controller::Status& s,
                              const std::optional<DriveTelemetry>& drive) {
    const double roller = s.speed.actual_kmh.value_or(0.0);
    if (last_) {
        const double dt =
            std::chrono::duration<double>(
                std::min(std::max(now - *last_, Duration::zero()), Duration(kMaxStep)))
                .count();
        if (roller >= kMovingKmh) {
            counters_.belt_running_s += dt;
            counters_.belt_distance_m += roller / 3.6 * dt;
        }
    }
    last_ = now;
    const bool commanded = s.speed.target_kmh > 0;
    if (commanded && !moving_) ++counters_.motor_starts;
    moving_ = commanded;
    if (s.incline.target_pct && incline_target_ && *s.incline.target_pct != *incline_target_)
        ++counters_.incline_moves;
    if (s.incline.target_pct) incline_target_ = s.incline.target_pct;

    // Each latched fault once: the first cause while it stays latched, and the later ones.
    const std::optional<std::string> code =
        s.fault ? std::optional<std::string>(s.fault->code) : std::nullopt;
    if (code && code != fault_code_) {
        count_fault(*code);
        later_seen_ = 0;
    }
    if (code) {
        for (std::size_t i = later_seen_; i < s.later_faults.size(); ++i)
            count_fault(s.later_faults[i].code);
        later_seen_ = s.later_faults.size();
    }
    fault_code_ = code;

    gauges_.motor_current_a = drive ? std::optional<double>(drive->current_a) : std::nullopt;
    gauges_.dc_bus_v = drive ? std::optional<double>(drive->dc_bus_v) : std::nullopt;
    gauges_.speed_kmh = roller;
    gauges_.incline_pct = s.incline.actual_pct;
    gauges_.state = std::string(controller::to_string(s.state));
}

void MetricsRecorder::count_fault(const std::string& code) {
    ++counters_.faults[code];
    if (const std::string source = safety_source(code); !source.empty())
        ++counters_.safety_stops[source];
}

Counters MetricsRecorder::totals(const std::map<std::string, ModbusCounts>& links) const {
    Counters total = counters_;
    for (const auto& [board, counts] : links) {
        auto& sum = total.modbus[board];
        for (std::size_t i = 0; i < counts.size(); ++i) sum[i] += counts[i];
    }
    return total;
}

json metrics_json(const Counters& counters, const Gauges& gauges) {
    return {{"counters", counters.to_json()},
            {"gauges",
             {{"motor_current_a", or_null(gauges.motor_current_a)},
              {"dc_bus_v", or_null(gauges.dc_bus_v)},
              {"speed_kmh", gauges.speed_kmh},
              {"incline_pct", or_null(gauges.incline_pct)},
              {"state", gauges.state}}}};
}

}  // namespace treadmill::metrics
