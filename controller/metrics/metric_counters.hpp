// The treadmill's own counters (belt time and distance, motor starts, incline moves, sessions,
// faults, safety stops, Modbus transactions) and its gauges, kept by the daemon and reported by
// the `metrics` command (docs/fleet.md). The counters survive restarts: the daemon saves them
// (metrics_file.hpp) and starts from what it saved. Counting is plain arithmetic on the
// status of each cycle, on the loop thread, without I/O.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "controller/metrics/metric_labels.hpp"
#include "controller/status.hpp"
#include "protocols/link_statistics.hpp"
#include "protocols/telemetry.hpp"

namespace treadmill::metrics {

using ModbusCounts = std::array<std::uint64_t, kModbusResults.size()>;

// A link's transactions by result (ok, timeout, crc, exception, other).
ModbusCounts modbus_counts(const LinkStatistics& s);

// Where the belt stood when a maintenance item was last done.
struct MaintenanceMark {
    double belt_running_s = 0;
    double belt_distance_m = 0;
    std::int64_t done_at = 0;  // Unix time, seconds
};

struct Counters {
    double belt_running_s = 0;
    double belt_distance_m = 0;
    std::uint64_t motor_starts = 0;
    std::uint64_t incline_moves = 0;
    std::map<std::string, std::uint64_t> sessions;      // by how they ended
    std::map<std::string, std::uint64_t> faults;        // by fault code
    std::map<std::string, std::uint64_t> safety_stops;  // by source
    std::map<std::string, ModbusCounts> modbus;         // by board (or "bus" when shared)
    std::uint64_t starts = 0;                           // daemon starts
    std::uint64_t unclean_exits = 0;  // a start that found the last run had not ended cleanly
    std::map<std::string, MaintenanceMark> maintenance;  // by item (lubrication, service)

    nlohmann::json to_json() const;
    // Reads what to_json() wrote; unknown keys are ignored, a wrong type throws.
    static Counters from_json(const nlohmann::json& j);
};

struct Gauges {
    std::optional<double> motor_current_a;
    std::optional<double> dc_bus_v;
    double speed_kmh = 0;  // the roller's (measured) speed
    std::optional<double> incline_pct;
    std::string state = "connecting";
};

// Counts from the status of each cycle.
class MetricsRecorder {
  public:
    explicit MetricsRecorder(Counters start = {}) : counters_(std::move(start)) {}

    // After a cycle: the cycle's status and the drive's last telemetry (null before the first).
    void observe(TimePoint now, const controller::Status& status,
                 const std::optional<DriveTelemetry>& drive);
    // A session ended (`completed`, `stopped`, `fault`).
    void session_ended(const std::string& how) { ++counters_.sessions[how]; }
    // A maintenance item was done now (`unix_time`): its hours and distance start again.
    void maintenance_done(const std::string& item, std::int64_t unix_time) {
        counters_.maintenance[item] = {counters_.belt_running_s, counters_.belt_distance_m,
                                       unix_time};
    }

    // The counters with the Modbus links' counts of this run added to those saved before it.
    // `links`: board name → that link's statistics since the daemon started.
    Counters totals(const std::map<std::string, ModbusCounts>& links) const;
    const Counters& counters() const { return counters_; }
    const Gauges& gauges() const { return gauges_; }

  private:
    void count_fault(const std::string& code);

    Counters counters_;
    Gauges gauges_;
    std::optional<TimePoint> last_;
    bool moving_ = false;
    std::optional<double> incline_target_;
    std::optional<std::string> fault_code_;  // the latched fault counted last
    std::size_t later_seen_ = 0;             // its later faults counted
};

// The `metrics` reply body: {"counters":{…},"gauges":{…}}.
nlohmann::json metrics_json(const Counters& counters, const Gauges& gauges);

}  // namespace treadmill::metrics
