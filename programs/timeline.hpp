// The expanded program: a flat list of steps with absolute targets. Preview (show, --json,
// --svg), the runner and the controller all read this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/run_source.hpp"
#include "programs/diagnostic.hpp"

namespace treadmill::programs {

enum class StepClass { warmup, run, recover, walk, cooldown };

// How a step ends: after a time, after a belt distance, or when skipped (open, bounded by max).
enum class ExtentKind { time, distance };

struct TimelineStep {
    std::size_t index = 0;  // 0-based position in the timeline
    StepClass step_class = StepClass::run;
    ExtentKind extent_kind = ExtentKind::time;
    double extent = 0;  // seconds or metres, per extent_kind (for open steps: their max)
    bool open = false;  // ends when the runner skips it, or at `extent` (its max)
    // Nominal duration and distance: one is the extent, the other estimated from the speed
    // (speed changes taken as instant; a ramp by its mean speed).
    double duration_s = 0;
    double distance_m = 0;
    bool manual_speed = false;  // `speed: manual`: the runner sets the speed
    double speed_kmh = 0;       // at the step's start: resolved, clamped, rounded to the step
    double speed_end_kmh = 0;   // at its end (== speed_kmh unless a ramp)
    double incline_pct = 0;
    double incline_end_pct = 0;
    std::optional<int> rep;   // 1-based rep of the innermost repeat, if inside one
    std::optional<int> reps;  // N of the innermost repeat
    std::string cue;          // placeholders filled
    int source_line = 0;      // where the step was written (1-based), for messages
};

// What a program says the machine must reach (never clamped).
struct Requirements {
    std::optional<double> max_speed_kmh;
    std::optional<double> max_incline_pct;
};

struct Timeline {
    std::string id;  // file stem
    std::string name;
    std::string description;
    std::vector<std::string> tags;
    Requirements requires_;
    std::vector<std::uint64_t> seeds;  // one per fartlek block, in order (given or drawn)
    std::vector<TimelineStep> steps;
    double total_s = 0;
    double total_m = 0;
    Diagnostics warnings;  // e.g. clamped targets
    // The text and references it was expanded from (set by the caller that read them).
    std::shared_ptr<const RunSource> source;
};

std::string_view to_string(StepClass c);

}  // namespace treadmill::programs
