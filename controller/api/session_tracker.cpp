#include "controller/api/session_tracker.hpp"

#include <algorithm>

namespace treadmill::api {

using nlohmann::json;

namespace {

constexpr double kMinPaceDistanceM = 1;       // below this, a pace means nothing
constexpr double kMinBestLapDistanceM = 100;  // a lap shorter than this is no best pace

std::optional<double> pace(double time_s, double distance_m) {
    if (distance_m < kMinPaceDistanceM) return std::nullopt;
    return time_s / distance_m * 1000.0;
}

json or_null(const std::optional<double>& value) {
    return value ? json(*value) : json(nullptr);
}

}  // namespace

void SessionTracker::observe(const controller::Status& status, const programs::Timeline* timeline) {
    if (running_ != nullptr && timeline != running_) end(status);
    if (timeline != nullptr && running_ == nullptr) begin(*timeline);
    if (running_ != nullptr) {
        running_ = timeline;
        follow(status);
    }
}

// A new session: the program is copied (once), what the last one left is forgotten.
void SessionTracker::begin(const programs::Timeline& timeline) {
    program_ = std::make_shared<const programs::Timeline>(timeline);
    running_ = &timeline;
    step_.reset();
    laps_.clear();
    elapsed_s_ = distance_m_ = ascent_m_ = 0;
    done_ = false;
    end_.reset();
}

void SessionTracker::follow(const controller::Status& s) {
    const double elapsed = s.elapsed_s.value_or(elapsed_s_);
    const double distance = s.distance_m.value_or(distance_m_);
    const double grade = std::max(0.0, s.incline.actual_pct.value_or(0.0)) / 100.0;
    ascent_m_ += std::max(0.0, distance - distance_m_) * grade;
    elapsed_s_ = elapsed;
    distance_m_ = distance;
    const bool changed = !s.step || !step_ || s.step->index != step_->index;
    if (step_ && changed) {  // the step ran to its end (or was skipped): a lap
        laps_.push_back(Lap{step_->index, step_->rep, step_->step_class, elapsed - lap_start_s_,
                            distance - lap_start_m_});
    }
    if (s.step && changed) {
        lap_start_s_ = elapsed;
        lap_start_m_ = distance;
    }
    if (!s.step && step_) done_ = true;  // the last step ended: the program is done
    step_ = s.step;
}

void SessionTracker::end(const controller::Status& s) {
    running_ = nullptr;
    step_.reset();  // a step cut short is no lap
    const std::string ended = s.state == controller::State::fault ? "fault"
                              : done_                             ? "completed"
                                                                  : "stopped";
    end_ = SessionEnd{elapsed_s_, distance_m_, ascent_m_, ended};
}

json SessionTracker::to_json() const {
    json laps = json::array();
    std::optional<double> best;
    for (const auto& lap : laps_) {
        const auto lap_pace = pace(lap.time_s, lap.distance_m);
        if (lap_pace && lap.distance_m >= kMinBestLapDistanceM)
            best = best ? std::min(*best, *lap_pace) : *lap_pace;
        laps.push_back({{"step", lap.step},
                        {"rep", lap.rep ? json(*lap.rep) : json(nullptr)},
                        {"kind", lap.kind},
                        {"time_s", lap.time_s},
                        {"distance_m", lap.distance_m},
                        {"avg_pace_s_per_km", or_null(lap_pace)}});
    }
    json summary = nullptr;
    if (end_) {
        summary = {{"time_s", end_->time_s},
                   {"distance_m", end_->distance_m},
                   {"avg_pace_s_per_km", or_null(pace(end_->time_s, end_->distance_m))},
                   {"best_pace_s_per_km", or_null(best)},
                   {"ascent_m", end_->ascent_m},
                   {"ended", end_->ended}};
    }
    return {{"step", step_ ? json(step_->index) : json(nullptr)},
            {"rep", step_ && step_->rep ? json(*step_->rep) : json(nullptr)},
            {"laps", std::move(laps)},
            {"summary", std::move(summary)}};
}

}  // namespace treadmill::api
