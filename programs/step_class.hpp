// Step class names as written in programs ("warmup", "run", …).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "programs/timeline.hpp"

namespace treadmill::programs {

std::optional<StepClass> step_class_from_name(std::string_view name);
const std::vector<std::string>& step_class_names();

}  // namespace treadmill::programs
