// The daemon's side of the history: opens the database named by `history.database` (a refusal
// is logged and the daemon runs on without recording), feeds the recorder from the control
// loop (which only queues records), reports the writer's state in `status.history`, logs
// new bests, and serves `history`, `history_show`, `bests`, `progress` and `export` off the
// loop thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/api/dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/control_cycle.hpp"
#include "controller/daemon/history_recorder.hpp"
#include "history/history_writer.hpp"
#include "programs/profile_location.hpp"

namespace treadmill::daemon {

class HistoryHook {
  public:
    using Log = std::function<void(std::string)>;

    // `profile`: the runner's profile, read once here for its body mass (the energy
    // estimate); a missing or invalid one leaves the estimate out.
    HistoryHook(std::string database, double time_scale, programs::ProfileLocation profile,
                Log log);

    // On the loop thread, after each cycle: only queues records.
    void after_cycle(controller::ControlCycle& cycle, TimePoint now);
    // The cycle's set-point sink: user and API changes become events.
    void on_setpoint(const controller::SetpointChange& change);
    // status.history: {"database","recording","ok","session","queued","samples_merged","lost",
    // "write_errors","last_error","last_session"}.
    nlohmann::json status_json() const;
    // `history`, `history_show`, `bests` (their reads run on `worker`).
    void add_commands(api::CommandTable& table, api::OffLoopWorker& worker);
    // Waits until every queued record is written (shutdown).
    void flush();

  private:
    void on_ended(std::int64_t id, const std::vector<history::NewBest>& beaten);

    std::string database_;
    programs::ProfileLocation profile_;
    Log log_;
    std::string open_error_;
    std::optional<HistoryRecorder> recorder_;
    mutable std::mutex last_mutex_;
    nlohmann::json last_session_;  // {"id","new_bests":[text]} of the last session written
    // Last: torn down first, so its thread's final callbacks still find the members above.
    std::unique_ptr<history::HistoryWriter> writer_;
};

}  // namespace treadmill::daemon
