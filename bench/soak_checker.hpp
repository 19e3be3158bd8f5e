// The soak's safety invariants, judged on the simulator's record of drive writes (unit 1,
// 0x2000: command word and frequency) against the events the soak caused or saw: explicit
// starts, and moments from which the belt must be stopped (key out, board fault, a trip).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace treadmill::soak {

struct DriveWrite {
    double t = 0;        // simulator wall seconds (arrival)
    int command = 0;     // 0x0012 RUN forward, 0x0001 STOP
    int frequency = -1;  // 0.01 Hz units; -1 when only the command word was written
};

struct CheckLimits {
    double units_per_kmh = 300;  // 20 km/h = 60.00 Hz
    double min_kmh = 0.8;
    double max_kmh = 20;
    double accel_kmh_per_s = 1.0;
    double decel_kmh_per_s = 1.5;
    double arrival_jitter_s = 0.1;  // a write is stamped when it arrives: up to a period late
    int rounding_units = 31;        // one speed step (0.1 km/h = 30 units) and rounding
    double stop_allowance_s = 0.3;  // the cycle that sees a stop condition, and its arrival
};

class SoakChecker {
  public:
    explicit SoakChecker(CheckLimits limits) : limits_(limits) {}

    // An explicit start accepted at `t`: one standstill → RUN transition may follow.
    void start_accepted(double t) { events_.emplace(t, Event{Event::start, "start"}); }
    // From `t` (plus the allowance) on, no RUN until the next accepted start.
    void must_stop_from(double t, const std::string& why) {
        events_.emplace(t, Event{Event::must_stop, why});
    }
    // Checks writes (in time order) up to their times; events up to then must be known.
    void check(const std::vector<DriveWrite>& writes);

    const std::vector<std::string>& violations() const { return violations_; }
    std::size_t run_writes() const { return run_writes_; }
    // The latest RUN seen after a must-stop moment (within the allowance), in seconds.
    double worst_stop_lag_s() const { return worst_stop_lag_s_; }

  private:
    struct Event {
        enum Kind { start, must_stop } kind;
        std::string why;
    };
    void apply_events_until(double t);
    void check_one(const DriveWrite& w);
    void check_rate(const DriveWrite& a, const DriveWrite& b);
    void violation(const DriveWrite& w, const std::string& what);

    CheckLimits limits_;
    std::multimap<double, Event> events_;  // not yet applied
    bool start_armed_ = false;
    std::optional<double> must_stop_at_;
    std::string must_stop_why_;
    std::optional<DriveWrite> last_;
    std::vector<std::string> violations_;
    std::size_t run_writes_ = 0;
    double worst_stop_lag_s_ = 0;
};

}  // namespace treadmill::soak
