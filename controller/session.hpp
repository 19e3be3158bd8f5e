// The session state machine (controller.md, "States and transitions"): start, countdown,
// running, pause, resume, stop, skip, program end, user changes, fault and reset. Pure: the
// control cycle feeds it time, distance and measurements, and applies the targets it returns
// through the rate limiter. Program time runs on the workout clock; the countdown and max
// pause on the wall clock.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "controller/command_result.hpp"
#include "controller/config.hpp"
#include "controller/setpoint_log.hpp"
#include "programs/runner.hpp"
#include "programs/timeline.hpp"

namespace treadmill::controller {

enum class State { connecting, idle, countdown, running, paused, stopping, fault };

constexpr std::string_view to_string(State s) {
    switch (s) {
        case State::connecting:
            return "connecting";
        case State::idle:
            return "idle";
        case State::countdown:
            return "countdown";
        case State::running:
            return "running";
        case State::paused:
            return "paused";
        case State::stopping:
            return "stopping";
        case State::fault:
            return "fault";
    }
    return "unknown";
}

// What the session sees in one cycle.
struct SessionInputs {
    TimePoint now{};                    // wall clock
    double workout_dt_s = 0;            // workout clock advance since the previous tick
    double distance_m = 0;              // belt distance added since the previous tick
    double roller_kmh = 0;              // measured belt speed
    std::optional<double> incline_pct;  // measured deck incline
    double speed_command_kmh = 0;       // what the rate limiter commands now
};

// What the session asks of the belt and the deck.
struct SessionTargets {
    double speed_kmh = 0;               // 0 stops the belt
    std::optional<double> incline_pct;  // empty: the deck holds where it is
};

// A finished (or aborted) session, for the history.
struct SessionSummary {
    std::string program_id;
    double elapsed_s = 0;
    double distance_m = 0;
    bool completed = false;  // the program ran to its end
};

class Session {
  public:
    Session(const ControlConfig& config, SetpointLog& log);

    State state() const { return state_; }
    void connected();                 // connecting -> idle
    void enter_fault(TimePoint now);  // any -> fault; aborts a session
    void fault_cleared();             // fault -> idle (after a reset, belt at 0)
    void reconnect() { state_ = State::connecting; }

    CommandResult start(std::unique_ptr<programs::Timeline> timeline, TimePoint now);
    CommandResult pause(TimePoint now);
    CommandResult resume(TimePoint now);
    CommandResult stop(TimePoint now);
    CommandResult skip();
    CommandResult user_speed(double kmh, TimePoint now);
    CommandResult user_speed_delta(double delta_kmh, TimePoint now);
    CommandResult user_incline(double pct, TimePoint now);

    // Advances the session by one cycle and returns its targets.
    SessionTargets tick(const SessionInputs& in);

    // For the status.
    const programs::Timeline* timeline() const { return timeline_.get(); }
    const std::optional<programs::RunnerState>& runner_state() const { return runner_state_; }
    double elapsed_s() const { return elapsed_s_; }
    double distance_m() const { return distance_m_; }
    std::optional<double> program_speed() const { return program_speed_; }
    std::optional<double> program_incline() const { return program_incline_; }
    const SessionTargets& targets() const { return targets_; }
    bool in_session() const { return timeline_ != nullptr; }
    std::optional<double> countdown_remaining_s(TimePoint now) const;
    // The summary of the last session that ended, once.
    std::optional<SessionSummary> take_finished();

  private:
    void tick_countdown(const SessionInputs& in);
    void tick_running(const SessionInputs& in);
    void tick_paused(const SessionInputs& in);
    void tick_stopping(const SessionInputs& in);
    void follow_program(const SessionInputs& in);
    void begin_stopping(TimePoint now, SetpointCause cause, std::string detail);
    void finish(bool completed);
    void set_speed(double kmh, TimePoint now, SetpointCause cause, std::string detail);
    void set_incline(std::optional<double> pct, TimePoint now, SetpointCause cause,
                     std::string detail);
    CommandResult check_requires(const programs::Timeline& t) const;

    ControlConfig config_;
    SetpointLog& log_;
    State state_ = State::connecting;
    State countdown_from_ = State::idle;
    TimePoint countdown_end_{};
    TimePoint pause_since_{};
    bool lowering_ = false;  // stopping: the belt is at 0, the deck goes down

    std::unique_ptr<programs::Timeline> timeline_;
    std::unique_ptr<programs::Runner> runner_;
    std::optional<programs::RunnerState> runner_state_;
    double elapsed_s_ = 0;
    double distance_m_ = 0;
    bool ever_ran_ = false;
    bool completed_ = false;  // the program reached its end (stopping after it)
    double last_incline_setpoint_ = 0;
    std::optional<double> program_speed_, program_incline_;
    std::optional<double> user_speed_, user_incline_;  // hold until the step ends
    std::size_t step_index_ = 0;
    SessionTargets targets_;
    std::optional<SessionSummary> finished_;
};

}  // namespace treadmill::controller
