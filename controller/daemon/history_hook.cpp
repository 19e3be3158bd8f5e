#include "controller/daemon/history_hook.hpp"

#include <chrono>
#include <ctime>

#include "controller/daemon/history_commands.hpp"
#include "controller/daemon/profile_update.hpp"
#include "controller/daemon/realtime.hpp"
#include "history/best_text.hpp"

#ifndef TREADMILL_VERSION
#define TREADMILL_VERSION "unknown"
#endif

namespace treadmill::daemon {

namespace {

constexpr std::size_t kQueueCapacity = 600;  // ten minutes of samples behind a stalled disk

WallTime wall_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&t, &local);
    return {std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count(),
            static_cast<int>(local.tm_gmtoff)};
}

}  // namespace

HistoryHook::HistoryHook(std::string database, double time_scale, programs::ProfileLocation profile,
                         Log log)
    : database_(std::move(database)),
      profile_(std::move(profile)),
      log_(std::move(log)),
      last_session_(nullptr) {
    auto opened = history::HistoryStore::open(database_);
    if (!opened) {
        open_error_ = opened.error();
        log_("warning: not recording workouts: " + open_error_);
        return;
    }
    for (const auto& note : opened->notes) log_(note);
    writer_ = std::make_unique<history::HistoryWriter>(
        std::move(opened->store), kQueueCapacity, log_,
        [this](std::int64_t id, const std::vector<history::NewBest>& beaten) {
            on_ended(id, beaten);
        },
        [] { run_at_normal_priority(); });
    recorder_.emplace([this](history::Record r) { writer_->push(std::move(r)); }, time_scale,
                      TREADMILL_VERSION, profile_body_mass(profile_));
    log_("recording workouts in " + database_);
}

void HistoryHook::after_cycle(controller::ControlCycle& cycle, TimePoint now) {
    const auto finished = cycle.take_finished_session();
    if (!recorder_) return;
    recorder_->observe(cycle.status(now), wall_now(), finished);
}

void HistoryHook::on_setpoint(const controller::SetpointChange& change) {
    if (recorder_) recorder_->setpoint(change, wall_now());
}

// On the writer thread: the announcements go to the log and into status.history.
void HistoryHook::on_ended(std::int64_t id, const std::vector<history::NewBest>& beaten) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& b : beaten) {
        lines.push_back(history::best_announcement(b.distance, b.time_s, b.previous_s));
        log_("session " + std::to_string(id) + ": " + lines.back().get<std::string>());
    }
    nlohmann::json last = {{"id", id}, {"new_bests", std::move(lines)}};
    // The summary's paces, ascent and energy estimate, for the end-of-workout summary of `watch`.
    try {
        const auto summary = summary_of(database_, id);
        for (const char* key : {"avg_pace_s_per_km", "best_pace_s_per_km", "ascent_m",
                                "energy_kcal", "energy_note"}) {
            if (summary.is_object() && summary.contains(key)) last[key] = summary[key];
        }
    } catch (const std::exception& e) {
        log_("history: cannot read the summary of session " + std::to_string(id) + ": " + e.what());
    }
    std::lock_guard lock(last_mutex_);
    last_session_ = std::move(last);
}

nlohmann::json HistoryHook::status_json() const {
    nlohmann::json j{{"database", database_}};
    if (!writer_) {
        j["recording"] = false;
        j["ok"] = false;
        j["last_error"] = open_error_;
        return j;
    }
    const auto s = writer_->status();
    j["recording"] = recorder_->recording();
    j["ok"] = s.ok;
    j["session"] = s.session ? nlohmann::json(*s.session) : nlohmann::json(nullptr);
    j["queued"] = s.queued;
    j["samples_merged"] = s.samples_merged;
    j["lost"] = s.lost;
    j["write_errors"] = s.write_errors;
    j["last_error"] = s.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.last_error);
    std::lock_guard lock(last_mutex_);
    j["last_session"] = last_session_;
    return j;
}

void HistoryHook::add_commands(api::CommandTable& table, api::OffLoopWorker& worker) {
    add_history_commands(table, worker, database_, profile_);
    add_profile_update_command(table, worker, database_, profile_);
}

void HistoryHook::flush() {
    if (writer_) writer_->flush();
}

}  // namespace treadmill::daemon
