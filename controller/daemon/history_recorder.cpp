#include "controller/daemon/history_recorder.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"

namespace treadmill::daemon {

namespace {

using controller::State;

bool moving_state(State s) {
    return s == State::running || s == State::paused || s == State::stopping ||
           s == State::countdown;
}

// A step that still had more than two cycles' worth of both time and distance left when it
// ended was skipped (a time-scaled cycle covers several seconds of workout).
bool ended_early(double remaining_s, double remaining_m, double cycle_s, double cycle_m) {
    return remaining_s > 2 * cycle_s + 1.0 && remaining_m > 2 * cycle_m + 5.0;
}

std::string seeds_json(const std::vector<std::uint64_t>& seeds) {
    return json_text(nlohmann::json(seeds));
}

}  // namespace

HistoryRecorder::HistoryRecorder(Push push, double time_scale, std::string software_version,
                                 std::optional<double> body_mass_kg)
    : push_(std::move(push)),
      simulated_(time_scale != 1.0),
      version_(std::move(software_version)),
      body_mass_kg_(body_mass_kg) {}

void HistoryRecorder::observe(const controller::Status& s, WallTime wall,
                              const std::optional<controller::SessionSummary>& finished) {
    if (!open_ && s.state == State::running && s.program) begin(s, wall);
    if (!open_) {
        state_ = s.state;
        return;
    }
    const double elapsed_before = elapsed_s_;
    const std::int64_t mm_before = distance_mm_;
    if (s.elapsed_s) elapsed_s_ = *s.elapsed_s;
    distance_mm(s);
    cycle_s_ = elapsed_s_ - elapsed_before;
    cycle_m_ = static_cast<double>(distance_mm_ - mm_before) / 1000;
    follow_state(s, wall);
    if (!moving_state(s.state) || finished) {
        end(s, wall, finished);
        return;
    }
    follow_step(s, wall);
    sample(s, wall, false);
}

void HistoryRecorder::begin(const controller::Status& s, WallTime wall) {
    open_ = true;
    state_ = State::running;
    start_utc_ms_ = wall.utc_ms;
    elapsed_s_ = 0;
    distance_mm_ = 0;
    last_sample_s_.reset();
    step_.reset();
    max_speed_kmh_ = 0;
    history::SessionStart start;
    start.program_id = s.program->id;
    start.name = s.program->name;
    start.seeds_json = seeds_json(s.program->seeds);
    start.source = s.program->source;  // a pointer: the writer thread stores the text
    start.start_utc_ms = wall.utc_ms;
    start.utc_offset_s = wall.utc_offset_s;
    start.simulated = simulated_;
    start.software_version = version_;
    push_(std::move(start));
}

std::int64_t HistoryRecorder::distance_mm(const controller::Status& s) {
    if (s.distance_m) {
        distance_mm_ = std::max<std::int64_t>(distance_mm_, std::llround(*s.distance_m * 1000));
    }
    return distance_mm_;
}

void HistoryRecorder::follow_state(const controller::Status& s, WallTime wall) {
    if (s.state == state_) return;
    if (s.state == State::paused) event("pause", "", wall);
    if (s.state == State::running && (state_ == State::paused || state_ == State::countdown)) {
        event("resume", "", wall);
    }
    if (s.state == State::fault && s.fault) {
        event("fault", s.fault->code + ": " + s.fault->message, wall);
    }
    state_ = s.state;
}

void HistoryRecorder::follow_step(const controller::Status& s, WallTime wall) {
    if (!s.step) return;
    const std::pair<std::size_t, int> key{s.step->index, s.step->rep.value_or(0)};
    if (step_ == key) {
        step_remaining_s_ = s.step->remaining_s;
        step_remaining_m_ = s.step->remaining_m;
        return;
    }
    if (step_ && ended_early(step_remaining_s_, step_remaining_m_, cycle_s_, cycle_m_)) {
        event("skip", "step " + std::to_string(step_->first + 1), wall);
    }
    // A sample at the boundary closes the lap before with its true end.
    if (step_) sample(s, wall, true);
    step_ = key;
    step_remaining_s_ = s.step->remaining_s;
    step_remaining_m_ = s.step->remaining_m;
    history::LapStart lap;
    lap.kind = s.step->step_class;
    lap.active = s.step->step_class != "recover";
    lap.step = static_cast<int>(key.first);
    lap.rep = key.second;
    lap.start_s = elapsed_s_;
    lap.start_distance_mm = distance_mm_;
    push_(std::move(lap));
}

// A sample when the workout clock reached a new whole second (or `force`d, at a boundary).
void HistoryRecorder::sample(const controller::Status& s, WallTime wall, bool force) {
    if (last_sample_s_ && elapsed_s_ <= *last_sample_s_) return;
    if (!force && last_sample_s_ && std::floor(elapsed_s_) <= std::floor(*last_sample_s_)) return;
    history::Sample out;
    out.elapsed_s = elapsed_s_;
    out.utc_ms = utc_at(elapsed_s_, wall);
    out.distance_mm = distance_mm_;
    out.target_speed_kmh = s.speed.program_kmh.value_or(s.speed.target_kmh);
    out.speed_kmh = s.speed.actual_kmh.value_or(0);
    out.target_incline_pct = s.incline.target_pct.value_or(0);
    out.incline_pct = s.incline.actual_pct.value_or(0);
    out.step = s.step ? static_cast<int>(s.step->index) : 0;
    out.rep = s.step ? s.step->rep.value_or(0) : 0;
    max_speed_kmh_ = std::max(max_speed_kmh_, out.speed_kmh);
    last_sample_s_ = elapsed_s_;
    push_(std::move(out));
}

void HistoryRecorder::end(const controller::Status& s, WallTime wall,
                          const std::optional<controller::SessionSummary>& finished) {
    if (finished) {
        elapsed_s_ = std::max(elapsed_s_, finished->elapsed_s);
        distance_mm_ =
            std::max<std::int64_t>(distance_mm_, std::llround(finished->distance_m * 1000));
    }
    sample(s, wall, true);
    history::SessionEnd end;
    if (s.state == State::fault) {
        end.ended = history::Ended::fault;
        if (s.fault) end.fault_code = s.fault->code;
    } else {
        end.ended =
            finished && finished->completed ? history::Ended::completed : history::Ended::stopped;
    }
    end.duration_s = elapsed_s_;
    end.distance_mm = distance_mm_;
    end.body_mass_kg = body_mass_kg_;
    const double km = static_cast<double>(distance_mm_) / 1e6;
    nlohmann::json summary = {{"time_s", elapsed_s_}, {"distance_m", km * 1000}};
    summary["avg_pace_s_per_km"] = km > 0 ? nlohmann::json(elapsed_s_ / km) : nullptr;
    summary["best_pace_s_per_km"] =
        max_speed_kmh_ > 0 ? nlohmann::json(3600 / max_speed_kmh_) : nullptr;
    end.summary_json = json_text(summary);
    push_(std::move(end));
    open_ = false;
    state_ = s.state;
}

void HistoryRecorder::setpoint(const controller::SetpointChange& c, WallTime wall) {
    if (!open_) return;
    // Pause and stop are API changes too, recorded as their own events.
    if (c.cause != controller::SetpointCause::user) return;
    char text[64];
    std::snprintf(text, sizeof text, "%.1f -> %.1f", c.from, c.to);
    event(std::string(controller::to_string(c.kind)), text + std::string(" (") + c.detail + ")",
          wall);
}

void HistoryRecorder::event(std::string kind, std::string detail, WallTime wall) {
    push_(history::Event{elapsed_s_, utc_at(elapsed_s_, wall), std::move(kind), std::move(detail)});
}

// A simulated session's wall time is synthesised: its start plus the workout clock.
std::int64_t HistoryRecorder::utc_at(double elapsed_s, WallTime wall) const {
    if (!simulated_) return wall.utc_ms;
    return start_utc_ms_ + std::llround(elapsed_s * 1000);
}

}  // namespace treadmill::daemon
