// The daemon's metrics: the counters read from metrics.file at start (one more start, an
// unclean exit when the last run did not end cleanly, a `watchdog` safety stop when the
// watchdog left its mark (watchdog_mark.hpp) before it aborted), counted after every cycle on the
// loop thread without I/O, saved every 10 s by the off-loop worker, and saved "clean" at shutdown.
// Answers the `metrics` command. Used on the io_context thread only (save_final() after it).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "controller/api/dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/api/session_tracker.hpp"
#include "controller/metrics/maintenance_view.hpp"
#include "controller/metrics/metric_counters.hpp"

namespace treadmill::daemon {

class MetricsKeeper {
  public:
    using Links = std::function<std::map<std::string, metrics::ModbusCounts>()>;
    using Log = std::function<void(std::string)>;

    // Reads `path` now (the daemon's start). `links`: the Modbus links' counts of this run.
    MetricsKeeper(boost::asio::io_context& io, api::OffLoopWorker& worker, std::string path,
                  Links links, Log log, metrics::MaintenanceIntervals maintenance = {},
                  std::chrono::milliseconds save_period = std::chrono::seconds(10));

    // Saves now, synchronously ("clean": false, so a crash from now on is counted; call it
    // before the loop starts), then every period through the worker.
    void start();
    // After a cycle: its status, the drive's telemetry of that cycle, and the session tracker
    // (a session that ended since the last call is counted by how it ended).
    void observe(TimePoint now, const controller::Status& status,
                 const std::optional<DriveTelemetry>& drive, const api::SessionTracker& sessions);
    // The `metrics` reply body.
    nlohmann::json to_json() const;
    // Stops the timer; writes the file with "clean": true, synchronously (after the loop ended).
    void save_final();
    // status.maintenance_due: the maintenance items due now.
    nlohmann::json maintenance_due() const;
    // Adds `metrics`, `service` (the maintenance view) and `service_done` {"item"} to the table.
    void add_command(api::CommandTable& table);

  private:
    // Saves through the worker; `saved` (if any) gets the error ("" when written) on this thread.
    void save_later(std::function<void(const std::string&)> saved = {});
    api::json maintenance_view() const;
    void service_done(const api::json& request, api::Respond respond);
    void arm_timer();
    void forget_mark(const std::string& error);

    api::OffLoopWorker& worker_;
    std::string path_;
    Links links_;
    Log log_;
    metrics::MaintenanceIntervals maintenance_;
    std::chrono::milliseconds period_;
    boost::asio::steady_timer timer_;
    // Set by the constructor (before recorder_, which reads the file): a watchdog mark was
    // counted at this start and is not removed yet.
    bool mark_pending_ = false;
    metrics::MetricsRecorder recorder_;
    std::uint64_t sessions_seen_ = 0;
    bool failing_ = false;  // the last save failed (logged once until one succeeds)
};

}  // namespace treadmill::daemon
