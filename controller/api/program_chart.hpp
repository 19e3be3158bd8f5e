// The small profile chart of an expanded program that `programs` lists with each entry: the
// speed and incline over the workout as at most kMaxChartPoints points, so a list of many
// programs stays small. Pure: a Timeline in, JSON out.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "programs/timeline.hpp"

namespace treadmill::api {

// At most this many points per chart.
inline constexpr std::size_t kMaxChartPoints = 64;

// [[t_s, speed_kmh, incline_pct], …]: the corners of the speed and incline lines over time
// (t from 0 to the total; two points at one t where a value jumps; speed null where the runner
// sets it). A program with more corners than kMaxChartPoints is drawn as kMaxChartPoints / 2
// equal slices of time, each at its mean speed and incline. Times rounded to 0.1 s, speeds
// and inclines to 0.01.
nlohmann::json program_chart(const programs::Timeline& timeline);

}  // namespace treadmill::api
