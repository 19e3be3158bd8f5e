#include "controller/daemon/metrics_keeper.hpp"

#include <utility>

#include "controller/daemon/watchdog_mark.hpp"
#include "controller/metrics/metrics_file.hpp"

namespace treadmill::daemon {

namespace {

// The file's counters plus this start (and an unclean end of the last run, and a watchdog
// abort when the watchdog left its mark), logged. `marked`: whether a mark was found.
metrics::Counters starting_counters(const std::string& path, const MetricsKeeper::Log& log,
                                    bool& marked) {
    auto loaded = metrics::load_metrics_file(path);
    for (auto& line : loaded.log) log("warning: " + line);
    ++loaded.counters.starts;
    if (!loaded.clean) {
        ++loaded.counters.unclean_exits;
        log("the last run did not end cleanly (watchdog abort, kill or power loss): counted");
    }
    const auto mark = read_watchdog_mark(watchdog_mark_path(path));
    marked = mark.has_value();
    if (marked) {
        ++loaded.counters.safety_stops["watchdog"];
        log("the last run was aborted by the watchdog (" +
            (mark->empty() ? std::string("no reason recorded") : *mark) +
            "): counted as a safety stop (watchdog)");
    }
    return loaded.counters;
}

}  // namespace

MetricsKeeper::MetricsKeeper(boost::asio::io_context& io, api::OffLoopWorker& worker,
                             std::string path, Links links, Log log,
                             metrics::MaintenanceIntervals maintenance,
                             std::chrono::milliseconds save_period)
    : worker_(worker),
      path_(std::move(path)),
      links_(std::move(links)),
      log_(std::move(log)),
      maintenance_(std::move(maintenance)),
      period_(save_period),
      timer_(io),
      recorder_(starting_counters(path_, log_, mark_pending_)) {}

// Written here, before the loop starts, so that even a crash in the first cycle is counted.
// A watchdog mark is removed only once the counters holding it are on disk.
void MetricsKeeper::start() {
    if (auto written = metrics::write_metrics_file(path_, recorder_.totals(links_()), false);
        !written) {
        log_("warning: cannot save the metrics: " + written.error());
        failing_ = true;
    } else {
        forget_mark(remove_watchdog_mark(watchdog_mark_path(path_)));
    }
    arm_timer();
}

// After the mark's removal was tried: `error` "" when it is gone.
void MetricsKeeper::forget_mark(const std::string& error) {
    if (!mark_pending_) return;
    if (!error.empty()) return log_("warning: the watchdog's mark stays: " + error);
    mark_pending_ = false;
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
void MetricsKeeper::save_later(std::function<void(const std::string&)> saved) {
    worker_.run(
        [path = path_, counters = recorder_.totals(links_()), mark = mark_pending_] {
            auto written = metrics::write_metrics_file(path, counters, false);
            std::string mark_error;
            if (written && mark) mark_error = remove_watchdog_mark(watchdog_mark_path(path));
            return std::pair{std::move(written), std::move(mark_error)};
        },
        [this, saved = std::move(saved)](auto result) {
            std::string error;
            if (!result) {
                error = result.error();
            } else if (!result->first) {
                error = result->first.error();
            } else {
                forget_mark(result->second);
            }
            if (!error.empty() && !failing_) log_("warning: cannot save the metrics: " + error);
            if (error.empty() && failing_) log_("the metrics are saved again");
            failing_ = !error.empty();
            if (saved) saved(error);
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
    } else {
        forget_mark(remove_watchdog_mark(watchdog_mark_path(path_)));
    }
}

nlohmann::json MetricsKeeper::maintenance_due() const {
    return metrics::maintenance_due(recorder_.counters(), maintenance_);
}

api::json MetricsKeeper::maintenance_view() const {
    return metrics::maintenance_json(recorder_.counters(), maintenance_);
}

// The item's hours start again; the reply comes once that is on disk (or says it is not).
void MetricsKeeper::service_done(const api::json& request, api::Respond respond) {
    const auto item = api::required_string(request, "item");
    if (!item) return respond(Unexpected{item.error()});
    if (maintenance_.count(*item) == 0) {
        std::string known;
        for (const auto& [name, interval] : maintenance_)
            known += (known.empty() ? "" : ", ") + name;
        return respond(api::fail(api::ErrorCode::bad_value,
                                 "no maintenance item '" + *item + "' in the config (" +
                                     (known.empty() ? std::string("none configured") : known) +
                                     ")"));
    }
    const auto now = std::chrono::system_clock::now();
    recorder_.maintenance_done(
        *item, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    log_("maintenance: " + *item + " done");
    save_later([this, respond](const std::string& error) {
        if (!error.empty())
            return respond(api::fail(api::ErrorCode::internal,
                                     "recorded, but not saved: " + error + " (kept in memory)"));
        respond(api::json{{"service", maintenance_view()}});
    });
}

void MetricsKeeper::add_command(api::CommandTable& table) {
    table.add("metrics", [this](const api::json&) {
        return api::Reply(api::json{{"metrics", to_json()}});
    });
    table.add("service", [this](const api::json&) {
        return api::Reply(api::json{{"service", maintenance_view()}});
    });
    table.add_deferred("service_done", [this](const api::json& request, api::Respond respond) {
        service_done(request, std::move(respond));
    });
}

}  // namespace treadmill::daemon
