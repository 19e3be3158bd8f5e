// What the API's `session` command reports: the running session (or the last one, until the
// next start) as the control loop saw it — its program, the laps done (one per step that ran
// to its end) and, once it ended, its summary. Fed by the daemon after every control cycle with
// that cycle's status; cheap (no I/O, no parsing; the program is copied once per session, and
// rendered only when asked, off the loop). Used on the io_context thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/status.hpp"
#include "programs/timeline.hpp"

namespace treadmill::api {

struct Lap {
    std::size_t step = 0;  // 0-based, as status.step.index
    std::optional<int> rep;
    std::string kind;  // the step's class: warmup, run, recover, walk, cooldown
    double time_s = 0;
    double distance_m = 0;
};

struct SessionEnd {
    double time_s = 0;
    double distance_m = 0;
    double ascent_m = 0;
    std::string ended;  // completed | stopped | fault
};

class SessionTracker {
  public:
    // After each cycle: its status and the session's program (null when none runs).
    void observe(const controller::Status& status, const programs::Timeline* timeline);

    // The program of the running or last session (null before the first).
    std::shared_ptr<const programs::Timeline> program() const { return program_; }
    // {"step","rep","laps","summary"} of that session (no "program": the caller renders it).
    nlohmann::json to_json() const;
    const std::vector<Lap>& laps() const { return laps_; }

  private:
    void begin(const programs::Timeline& timeline);
    void follow(const controller::Status& status);
    void end(const controller::Status& status);

    std::shared_ptr<const programs::Timeline> program_;
    const programs::Timeline* running_ = nullptr;  // the session's own copy, while it runs
    std::optional<controller::StepStatus> step_;   // the current step, while the session runs
    double lap_start_s_ = 0, lap_start_m_ = 0;
    std::vector<Lap> laps_;
    double elapsed_s_ = 0, distance_m_ = 0, ascent_m_ = 0;
    bool done_ = false;  // the program ran to its end
    std::optional<SessionEnd> end_;
};

}  // namespace treadmill::api
