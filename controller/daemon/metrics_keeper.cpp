#include "controller/daemon/metrics_keeper.hpp"

#include <utility>

#include "controller/metrics/metrics_file.hpp"

namespace treadmill::daemon {

namespace {

// The file's counters plus this start (and an unclean end of the last run), logged.
metrics::Counters starting_counters(const std::string& path, const MetricsKeeper::Log& log) {
    auto loaded = metrics::load_metrics_file(path);
    for (auto& line : loaded.log) log("warning: " + line);
    ++loaded.counters.starts;
    if (!loaded.clean) {
        ++loaded.counters.unclean_exits;
        log("the last run did not end cleanly (watchdog abort, kill or power loss): counted");
    }
    return loaded.counters;
}

}  // namespace

MetricsKeeper::MetricsKeeper(boost::asio::io_context& io, api::OffLoopWorker& worker,
                             std::string path, Links links, Log log,
                             std::chrono::milliseconds save_period)
    : worker_(worker),
      path_(std::move(path)),
      links_(std::move(links)),
      log_(std::move(log)),
      period_(save_period),
      timer_(io),
      recorder_(starting_counters(path_, log_)) {}

void MetricsKeeper::start() {
    save_later();
    arm_timer();
}

void MetricsKeeper::arm_timer() {
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        save_later();
        arm_timer();
    });
}

// A copy of the counters goes to the worker, which serialises and writes it.
void MetricsKeeper::save_later() {
    worker_.run(
        [path = path_, counters = recorder_.totals(links_())] {
            return metrics::write_metrics_file(path, counters, false);
        },
        [this](auto result) {
            std::string error;
            if (!result) {
                error = result.error();
            } else if (!*result) {
                error = result->error();
            }
            if (!error.empty() && !failing_) log_("warning: cannot save the metrics: " + error);
            if (error.empty() && failing_) log_("the metrics are saved again");
            failing_ = !error.empty();
        });
}

void MetricsKeeper::observe(TimePoint now, const controller::Status& status,
                            const std::optional<DriveTelemetry>& drive,
                            const api::SessionTracker& sessions) {
    recorder_.observe(now, status, drive);
    if (sessions.ended_count() != sessions_seen_) {
        sessions_seen_ = sessions.ended_count();
        if (const auto& end = sessions.last_end()) recorder_.session_ended(end->ended);
    }
}

nlohmann::json MetricsKeeper::to_json() const {
    return metrics::metrics_json(recorder_.totals(links_()), recorder_.gauges());
}

void MetricsKeeper::save_final() {
    timer_.cancel();
    if (auto written = metrics::write_metrics_file(path_, recorder_.totals(links_()), true);
        !written) {
        log_("warning: cannot save the metrics: " + written.error());
    }
}

void MetricsKeeper::add_command(api::CommandTable& table) {
    table.add("metrics", [this](const api::json&) {
        return api::Reply(api::json{{"metrics", to_json()}});
    });
}

}  // namespace treadmill::daemon
