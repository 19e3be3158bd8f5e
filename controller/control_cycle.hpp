// One control cycle (ros2_control style read -> update -> write, time passed in): reads each
// board once, runs the supervisor, the session and the rate limiter, then writes the drive
// (command + frequency in one FC16) and the incline board (when its target changes). Also the
// `connecting` sequence, the S4 read-back (one transaction per cycle), the set-point log (S11),
// the API commands and the status snapshot. Never sleeps and never reads a clock itself: the
// event loop calls cycle(now) every control.period, and the clock it is given (the daemon's
// steady clock, a virtual one in tests) says when a decision within the cycle is taken (rule
// S2: after each failed transaction; faults are stamped when they are decided).
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "controller/command_result.hpp"
#include "controller/config.hpp"
#include "controller/config_readback.hpp"
#include "controller/link_monitor.hpp"
#include "controller/odometer.hpp"
#include "controller/rate_limiter.hpp"
#include "controller/session.hpp"
#include "controller/setpoint_log.hpp"
#include "controller/status.hpp"
#include "controller/supervisor.hpp"
#include "programs/timeline.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

class ControlCycle {
  public:
    using EventSink = std::function<void(TimePoint, const std::string&)>;
    // The time now. Empty: time stands still within a cycle (every stamp is the cycle's `now`).
    using Clock = std::function<TimePoint()>;

    // The hardware must outlive the cycle.
    ControlCycle(TreadmillHardware& hardware, const ControlConfig& config, Clock clock = {});
    ControlCycle(const ControlCycle&) = delete;
    ControlCycle& operator=(const ControlCycle&) = delete;

    // One period's work.
    void cycle(TimePoint now);
    // The same with CLOCK_BOOTTIME's reading beside it: a gap on the boot clock alone (the
    // system was suspended, the steady clock stood still) counts as a stall too.
    void cycle(TimePoint now, BootTimePoint boot_now);

    // API commands: ok, or a refusal with its reason.
    CommandResult start(programs::Timeline timeline, TimePoint now);
    CommandResult pause(TimePoint now);
    CommandResult resume(TimePoint now);
    CommandResult stop(TimePoint now);
    CommandResult skip(TimePoint now);
    CommandResult speed(double kmh, TimePoint now);
    CommandResult speed_delta(double delta_kmh, TimePoint now);
    CommandResult incline(double pct, TimePoint now);
    CommandResult estop(TimePoint now);
    // An exception escaped a callback of the event loop (`where`): STOP and halt are written at
    // once (best effort, before anything is logged), then `internal` latches. Never throws.
    void internal_fault(TimePoint now, const char* where, const char* what) noexcept;
    CommandResult reset(TimePoint now);
    // Incline calibration (drive to the lower limit, zero): only in idle with the belt at 0.
    CommandResult calibrate(TimePoint now);

    // SIGTERM: ends any session with a ramped stop (countdown: back to idle). Poll at_rest().
    void shutdown(TimePoint now);
    // No session moves the belt and the roller reads 0 (safe to exit).
    bool at_rest() const;

    Status status(TimePoint now) const;
    State state() const { return session_.state(); }
    // The running session's program (null when none).
    const programs::Timeline* timeline() const { return session_.timeline(); }
    bool ready() const { return ready_; }
    const Supervisor& supervisor() const { return supervisor_; }
    const SetpointLog& setpoint_log() const { return setpoint_log_; }
    void set_setpoint_sink(SetpointLog::Sink sink) { setpoint_log_.set_sink(std::move(sink)); }
    // Notable events (connect steps, faults, resets) as text, also kept in a short ring.
    void set_event_sink(EventSink sink) { event_sink_ = std::move(sink); }
    const std::deque<std::string>& events() const { return events_; }
    // The last session that ended (for the history), once.
    std::optional<SessionSummary> take_finished_session() { return session_.take_finished(); }
    const ControlConfig& config() const { return config_; }

  private:
    // control_cycle.cpp
    bool check_loop_stall(TimePoint now);
    void advance_clock(TimePoint now);
    void read_boards(TimePoint now);
    Observations observe() const;
    void supervise(TimePoint now);
    void decide(TimePoint now);
    void write_boards(TimePoint now);
    void write_fault_stop(TimePoint now, bool best_effort);
    void write_drive(TimePoint now, const DriveWrite& w, bool best_effort = false);
    void write_incline(TimePoint now, const InclineWrite& w);
    void verify_config(TimePoint now);
    // The clock's time, never before `at_least` (the cycle's start or the caller's time).
    TimePoint time_now(TimePoint at_least) const;
    // A failed transaction: counted, then rule S2 at once; a latch sends the best-effort STOP
    // right away, to whatever board is still reachable.
    void link_failed(TimePoint now, Board board, const LinkError& e);
    // A fault that just latched: a reset under way is abandoned, the session enters `fault`.
    void on_new_fault(TimePoint now);
    void rewrite_settings(TimePoint now);
    void enter_fault(TimePoint now);
    void log_event(TimePoint now, std::string text);
    // A link lost or re-opened since the last look: logged; a re-open means configure again.
    void note_links(TimePoint now);
    void trip_on_reopen(TimePoint now, const std::string& link);
    // control_connect.cpp
    void connect_step(TimePoint now);
    bool connect_configure(TimePoint now);
    void connect_failed(TimePoint now, Board board, const LinkError& e);
    bool connect_check_limits(TimePoint now, const BoardLimits& limits);
    bool connect_clear_leftovers(TimePoint now, const DriveTelemetry& d, const InclineTelemetry& i);
    void connect_done(TimePoint now, const InclineTelemetry& i);
    // control_reset.cpp
    std::optional<std::string> reset_blocker(TimePoint now) const;
    void apply_reset(TimePoint now);
    void finish_reset(TimePoint now);

    TreadmillHardware& hw_;
    ControlConfig config_;
    Clock clock_;
    SetpointLog setpoint_log_;
    Supervisor supervisor_;
    Session session_;
    RateLimiter limiter_;
    LinkMonitor links_;
    Odometer odometer_;

    // Clocks.
    std::optional<TimePoint> last_cycle_;
    std::optional<BootTimePoint> boot_now_;   // this cycle's boot clock, when given
    std::optional<BootTimePoint> last_boot_;  // the previous cycle's, when given
    double workout_s_ = 0;
    double workout_dt_s_ = 0;
    // This cycle's reads and the latest good ones.
    std::optional<DriveTelemetry> drive_now_, drive_last_;
    std::optional<InclineTelemetry> incline_now_, incline_last_;
    double distance_step_m_ = 0;
    // What was written.
    Commanded commanded_;
    std::optional<InclineWrite> incline_written_;
    bool incline_write_failed_ = false;
    // S4 read-back, and the settings written again while board_config is latched.
    ConfigReadback readback_;
    std::optional<std::pair<Board, ConfigCheck>> config_check_;
    std::string rewrite_outcome_;  // logged when it changes
    // What the drive acknowledged (the drive_state rule).
    DriveAcknowledged drive_acknowledged_;
    // Connecting.
    TimePoint next_connect_{};
    std::optional<std::string> connect_reason_;
    std::optional<BoardLimits> board_limits_;
    bool ready_ = false;
    // Fault and reset.
    bool reset_requested_ = false;
    bool resetting_ = false;  // reset applied, waiting for the roller to read 0
    bool board_faults_stale_ = false;
    std::optional<Fault> clearing_fault_;
    bool trip_cycle_ = false;          // the cycle in which the fault latched (best-effort STOP)
    bool fault_stop_written_ = false;  // this cycle's STOP already went out when S2 latched
    bool calibrate_requested_ = false;

    EventSink event_sink_;
    std::deque<std::string> events_;
};

}  // namespace treadmill::controller
