// Scenario files: a YAML list of {at: "5 s", do: {cmd: ..., ...}} run on the wall clock.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace treadmill::sim {

struct ScenarioStep {
    Duration at{};  // wall time after the simulator started
    nlohmann::json command;
};

// "500 ms", "5 s", "1.5 s", "1 min" → a duration; an error message otherwise.
Result<Duration, std::string> parse_duration(const std::string& text);

// Reads a scenario file; errors name the file and the step.
Result<std::vector<ScenarioStep>, std::string> load_scenario(const std::string& path);

}  // namespace treadmill::sim
