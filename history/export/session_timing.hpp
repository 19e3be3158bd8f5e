// What every exporter derives the same way from a record: the wall clock at a moment of workout
// time (pauses freeze the workout clock, not the wall clock), the pauses, which lap a moment
// belongs to, whether the session is a walk, the synthesised altitude and the energy estimate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/energy.hpp"
#include "history/session_record.hpp"

namespace treadmill::history {

// A pause: the workout clock stands at `at_s` from wall `begin_utc_ms` to `end_utc_ms`
// (end == begin - 1 when the session ended while paused).
struct Pause {
    double at_s = 0.0;
    std::int64_t begin_utc_ms = 0;
    std::int64_t end_utc_ms = 0;
    bool resumed = false;
};

std::vector<Pause> pauses_of(const SessionRecord& record);

// Wall clock (Unix ms) at workout time t; at the instant of a pause, `after_pause` chooses the
// resume (lap starts) rather than the pause (lap ends).
std::int64_t wall_ms_at(const SessionRecord& record, const std::vector<Pause>& pauses, double t,
                        bool after_pause);

// The session's end on the wall clock: its last sample, event or lap end, whichever is latest.
std::int64_t end_wall_ms(const SessionRecord& record, const std::vector<Pause>& pauses);

// Index of the lap a sample at workout time t belongs to: start < t <= end (a sample closes the
// second before it); before the first lap the first, after the last the last; 0 without laps.
std::size_t lap_index_at(const SessionRecord& record, double t);

// A walk: every measured speed below walk_run_transition_kmh (history/energy.hpp).
bool is_walk(const SessionRecord& record);

// Altitude (m above the start) after each sample: the sum of distance x measured incline.
std::vector<double> synthesised_altitude(const SessionRecord& record);

// Energy of each lap (kcal): the estimate of history/energy.hpp (the summary's energy_kcal)
// over the intervals between samples, each interval in the lap of its later sample; whole kcal
// that add up to the session's total rounded. All 0 without a body mass.
std::vector<int> lap_calories(const SessionRecord& record, std::optional<double> body_mass_kg);

// The text with each byte that is not part of well-formed UTF-8 replaced by U+FFFD (XML and
// spreadsheets need valid UTF-8; the name came from a user's YAML).
std::string with_valid_utf8(std::string_view text);

// ISO 8601 UTC with a Z: 2026-12-07T07:00:00Z (milliseconds when not whole).
std::string iso8601_utc(std::int64_t utc_ms);

}  // namespace treadmill::history
