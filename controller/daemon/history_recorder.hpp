// Turns the control cycle's status, one cycle at a time, into history records: a session
// from its first `running` to its end, a sample each whole second of the workout clock, a lap
// at each step and rep, events (pause, resume, user speed and incline changes, skips, faults)
// and how it ended. Pure: the caller passes the wall clock in and takes the records through
// `push` (the writer's queue); nothing here touches SQLite.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "controller/session.hpp"
#include "controller/setpoint_log.hpp"
#include "controller/status.hpp"
#include "history/history_writer.hpp"

namespace treadmill::daemon {

struct WallTime {
    std::int64_t utc_ms = 0;
    int utc_offset_s = 0;
};

class HistoryRecorder {
  public:
    using Push = std::function<void(history::Record)>;

    // `time_scale` other than 1 flags sessions simulated (their sample times are synthesised
    // from the start and the workout clock).
    HistoryRecorder(Push push, double time_scale, std::string software_version,
                    std::optional<double> body_mass_kg = std::nullopt);

    // Once per cycle, after it; `finished` is the cycle's summary of a session that just ended.
    void observe(const controller::Status& status, WallTime wall,
                 const std::optional<controller::SessionSummary>& finished);
    // A set-point change (the cycle's set-point log): the user's speed and incline changes.
    void setpoint(const controller::SetpointChange& change, WallTime wall);
    bool recording() const { return open_; }

  private:
    void begin(const controller::Status& s, WallTime wall);
    void follow_state(const controller::Status& s, WallTime wall);
    void follow_step(const controller::Status& s, WallTime wall);
    void sample(const controller::Status& s, WallTime wall, bool force);
    void end(const controller::Status& s, WallTime wall,
             const std::optional<controller::SessionSummary>& finished);
    void event(std::string kind, std::string detail, WallTime wall);
    std::int64_t utc_at(double elapsed_s, WallTime wall) const;
    std::int64_t distance_mm(const controller::Status& s);

    Push push_;
    bool simulated_;
    std::string version_;
    std::optional<double> body_mass_kg_;
    bool open_ = false;
    controller::State state_ = controller::State::idle;
    std::int64_t start_utc_ms_ = 0;
    double elapsed_s_ = 0;
    std::int64_t distance_mm_ = 0;
    std::optional<double> last_sample_s_;
    std::optional<std::pair<std::size_t, int>> step_;  // (index, rep) of the open lap
    double step_remaining_s_ = 0;
    double step_remaining_m_ = 0;
    double cycle_s_ = 0;  // the workout clock's and the belt's advance in the last cycle
    double cycle_m_ = 0;
    double max_speed_kmh_ = 0;
};

}  // namespace treadmill::daemon
