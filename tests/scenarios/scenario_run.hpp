// Runs one scenario on one transport: starts the boards and treadmilld as real processes, plays
// the timeline, watches the board's write record and the daemon's status, then checks the
// expectation and the universal invariant (no motion without an explicit start).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/scenarios/scenario_rig.hpp"
#include "tests/scenarios/scenario_spec.hpp"

namespace treadmill::e2e {
class DaemonProcess;
}

namespace treadmill::scenarios {

// An event on the runner's clock that decides whether motion is allowed.
struct MotionEvent {
    enum Kind { explicit_start, trip, freeze } kind;
    double t;
    std::string what;
};

// What the runner saw, on its own clock (seconds since it started).
struct Observations {
    std::optional<double> mark_t;         // the fault instant
    std::optional<double> mark_epoch;     // the same on the system clock
    std::optional<std::string> fault;     // the first fault code the daemon reported
    std::optional<double> fault_t;        // the first status reply that showed it latched
    std::optional<double> fault_stamp_t;  // its `since` stamp, on our clock (for the log)
    std::optional<double> first_stop_t;   // first STOP write after the mark
    std::optional<double> rest_t;         // belt first seen below 0.05 km/h after the mark
    std::optional<int> exit_code;         // the daemon's, once it exited
    bool ever_fault = false;
    int link_errors_at_mark = -1;
    int link_errors_last = -1;
    std::string last_state;
    std::vector<MotionEvent> events;
};

class ScenarioRun {
  public:
    ScenarioRun(Scenario scenario, Transport transport);
    ~ScenarioRun();
    ScenarioRun(const ScenarioRun&) = delete;
    ScenarioRun& operator=(const ScenarioRun&) = delete;

    // Plays the scenario; the failures found (empty = passed).
    std::vector<std::string> run();
    // One line with the outcome and the timings, for docs/reliability.md.
    std::string timing_line(bool passed) const;
    // The end of the daemon's and the board's logs and the drive writes after the mark.
    std::string logs() const;

  private:
    bool set_up();
    bool play_step(std::size_t index, const Step& step);
    bool perform(const Step& step);
    bool perform_pty(const std::string& what);
    void poll();
    void poll_daemon();
    bool condition_met(const Condition& c) const;
    void finish();
    void check_expectation();
    void check_no_motion_without_start();
    void fail(const std::string& message);

    Scenario scenario_;
    Transport transport_;
    std::string dir_;
    std::unique_ptr<testing::PtyPair> pty_;
    std::unique_ptr<Board> board_;
    std::unique_ptr<e2e::DaemonProcess> daemon_;
    bool daemon_frozen_ = false;
    bool daemon_exited_ = false;
    nlohmann::json status_;
    double zero_t_ = 0.0;
    double last_step_t_ = 0.0;
    double started_t_ = 0.0;
    Observations seen_;
    std::vector<std::string> failures_;
};

}  // namespace treadmill::scenarios
