// Quantities with units in the configuration ("50 ms", "20 km/h", "0.6 %/s").
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace treadmill::daemon {

enum class Dimension { duration, speed, frequency, percent, acceleration, incline_rate };

// The value in the dimension's base unit: seconds, km/h, Hz, %, km/h/s, %/s.
// The error names the expected units ("expected a speed like '12 km/h'").
Result<double, std::string> parse_quantity(std::string_view text, Dimension dimension);

// What the dimension is called and an example, for messages.
std::string_view dimension_example(Dimension dimension);

}  // namespace treadmill::daemon
