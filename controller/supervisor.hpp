// The safety supervisor (rules S1, S2, S4-S8 and drive_state), PX4 style: a function of time
// and observations that returns an action ordered by severity. Faults latch (Klipper style):
// trip() is idempotent, the first fault stays the reported cause, later ones are recorded, only
// clear() forgets them.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "controller/config.hpp"
#include "controller/fault.hpp"
#include "controller/link_monitor.hpp"
#include "protocols/telemetry.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

// Ordered by severity; `stop` never clears by itself.
enum class SafetyAction {
    none,  // all good
    warn,  // something degraded (a failed transaction) but no rule tripped
    stop,  // a fault is latched: STOP the belt, halt the lift, refuse motion
};

// What was commanded in the previous write.
struct Commanded {
    bool run = false;                        // RUN forward written (else STOP)
    double speed_kmh = 0;                    // the rate-limited speed written with it
    std::optional<double> incline_goal_pct;  // where the deck is sent; empty while it holds
};

// What the drive acknowledged of the writes so far, for the drive_state rule.
struct DriveAcknowledged {
    // 0x2001 of the last write the drive acknowledged (its echo 0x2102 must read the same);
    // empty when unknown: none since connect or a reset, or a write failed (applied or not).
    std::optional<std::uint16_t> frequency_counts;
    // RUN acknowledged at this time and not followed by a STOP since.
    std::optional<TimePoint> run_since;

    // After a drive write: `counts` is its frequency register, `ok` whether it was acknowledged.
    void note_write(TimePoint now, bool run, std::uint16_t counts, bool ok) {
        if (!run) run_since.reset();
        frequency_counts.reset();
        if (!ok) return;
        frequency_counts = counts;
        if (run && !run_since) run_since = now;
    }
    void forget() { *this = DriveAcknowledged{}; }
};

// Everything the supervisor looks at in one cycle.
struct Observations {
    double workout_s = 0;                 // the workout clock: S5-S7 durations run on it
    std::optional<DriveTelemetry> drive;  // this cycle's reads, when they succeeded
    std::optional<InclineTelemetry> incline;
    LinkObservation motor_link;
    LinkObservation incline_link;
    std::optional<std::pair<Board, ConfigCheck>> config_check;  // an S4 read-back, when done
    Commanded commanded;
    DriveAcknowledged drive_acknowledged;
    bool board_faults_stale = false;  // fault resets were just written: skip S8 this cycle
};

class Supervisor {
  public:
    explicit Supervisor(const ControlConfig& config) : config_(config) {}

    // Applies every rule to this cycle's observations; returns the most severe action.
    SafetyAction update(TimePoint now, const Observations& obs);
    // Rule S2 alone, right after a failed transaction (`now`: when it was seen to fail).
    SafetyAction update_links(TimePoint now, const LinkObservation& motor,
                              const LinkObservation& incline);

    // Latches a fault; returns true when it became the reported cause (nothing was latched).
    bool trip(Fault fault);
    bool latched() const { return first_.has_value(); }
    // Whether a fault with this code is latched, as the cause or a later fault.
    bool latched(FaultCode code) const;
    const std::optional<Fault>& fault() const { return first_; }
    const std::vector<Fault>& later_faults() const { return later_; }
    // Forgets the latched faults and every timer (after an accepted reset).
    void clear();

  private:
    void check_key(TimePoint now, const Observations& obs);
    void check_link(TimePoint now, Board board, const LinkObservation& link);
    void check_config(TimePoint now, const Observations& obs);
    void check_speed(TimePoint now, const Observations& obs);
    double allowed_speed(const Observations& obs, double roller_kmh);
    void check_belt_stall(TimePoint now, const Observations& obs);
    void check_incline(TimePoint now, const Observations& obs);
    void check_board_faults(TimePoint now, const Observations& obs);
    void check_drive_state(TimePoint now, const Observations& obs);  // supervisor_drive_state.cpp
    void trip(TimePoint now, FaultCode code, std::string message,
              std::optional<int> board_code = std::nullopt);

    ControlConfig config_;
    std::optional<Fault> first_;
    std::vector<Fault> later_;

    // S5: since when the roller exceeds the envelope; the stopping envelope's start.
    std::optional<double> over_since_;
    struct StopEnvelope {
        double t0 = 0;
        double v0 = 0;
    };
    std::optional<StopEnvelope> stopping_;
    double last_run_speed_ = 0;
    // S6
    std::optional<double> stall_since_;
    // S7: the goal being tracked, its deadline, whether it was reached.
    std::optional<double> incline_goal_;
    double incline_deadline_ = 0;
    bool incline_reached_ = false;
    std::optional<double> last_incline_pct_;
};

}  // namespace treadmill::controller
