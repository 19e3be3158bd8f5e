// One recorded workout as the history keeps it and the exporters (FIT, TCX, CSV) read it: the
// shared vocabulary between the recorder (treadmilld) and everything that reads the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace treadmill::history {

// How a session ended.
enum class Ended { completed, stopped, fault, interrupted, running };

// One sample a second of workout time.
struct Sample {
    double elapsed_s = 0.0;        // workout clock since the start (pauses excluded)
    std::int64_t utc_ms = 0;       // wall clock (Unix ms, UTC); a time-scaled run's is synthesised
    std::int64_t distance_mm = 0;  // cumulative belt distance, never decreasing
    double target_speed_kmh = 0.0;
    double speed_kmh = 0.0;  // measured
    double target_incline_pct = 0.0;
    double incline_pct = 0.0;  // measured
    int step = 0;              // index into the program's timeline
    int rep = 0;               // 1-based rep within a repeat block, 0 outside one
};

// One lap: a program step, and a new one at each rep.
struct Lap {
    std::string kind;      // the step's class: warmup, run, recover, cooldown, ...
    bool active = true;    // false for rest/recovery laps (FIT intensity, TCX Resting)
    double start_s = 0.0;  // workout clock at the lap's start
    double time_s = 0.0;
    double distance_m = 0.0;
    double avg_speed_kmh = 0.0;
    double max_speed_kmh = 0.0;
    double avg_incline_pct = 0.0;
    double ascent_m = 0.0;
};

// Something that happened: a pause, a user change, a skip, a fault.
struct Event {
    double elapsed_s = 0.0;
    std::int64_t utc_ms = 0;  // wall clock (Unix ms, UTC) when it happened
    std::string kind;         // pause, resume, speed, incline, skip, fault, ...
    std::string detail;
};

struct SessionRecord {
    std::int64_t id = 0;
    std::string program_id;
    std::string name;
    std::int64_t start_utc_ms = 0;  // Unix ms, UTC
    int utc_offset_s = 0;           // the local offset at the start
    double duration_s = 0.0;        // workout time (pauses excluded)
    double distance_m = 0.0;
    Ended ended = Ended::running;
    std::optional<std::string> fault_code;
    bool simulated = false;  // run at a time scale other than 1
    std::vector<Sample> samples;
    std::vector<Lap> laps;
    std::vector<Event> events;
};

}  // namespace treadmill::history
