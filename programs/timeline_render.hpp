// Renderings of an expanded program (Timeline): the text table of `treadmillctl show`, the JSON
// document of `show --json` and an SVG profile chart (`show --svg`).
#pragma once

#include <string>

#include "programs/timeline.hpp"

namespace treadmill::programs {

// "m:ss", or "h:mm:ss" from one hour on (seconds rounded to the nearest second).
std::string render_clock(double seconds);
// A pace in min/km ("4:30") for a speed in km/h; "-" below 0.1 km/h.
std::string render_pace(double speed_kmh);
// "400 m" below 1 km, else "7.53 km".
std::string render_distance(double metres);

// The expanded timeline as a table: step, class, extent, km/h, min/km, incline, rep, cumulative
// time and distance at the step's end, cue; then the totals. Ends with a newline.
std::string render_table(const Timeline& timeline);

// The JSON document of `show --json` ({"id","name","total_s","total_m","seeds","steps"}),
// pretty-printed with `indent` spaces (-1: one line). Ends with a newline.
std::string render_json(const Timeline& timeline, int indent = 2);

// A self-contained SVG chart of speed and incline over time, steps shaded by class.
std::string render_svg(const Timeline& timeline);

}  // namespace treadmill::programs
