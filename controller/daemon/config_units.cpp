#include "controller/daemon/config_units.hpp"

#include "programs/quantity.hpp"

namespace treadmill::daemon {

std::string_view dimension_example(Dimension dimension) {
    switch (dimension) {
        case Dimension::duration:
            return "a duration like '500 ms' or '3 s'";
        case Dimension::speed:
            return "a speed like '12 km/h'";
        case Dimension::frequency:
            return "a frequency like '60 Hz'";
        case Dimension::percent:
            return "an incline like '6%'";
        case Dimension::acceleration:
            return "an acceleration like '1 km/h/s'";
        case Dimension::incline_rate:
            return "an incline rate like '0.6 %/s'";
    }
    return "a quantity";
}

// The workout format's quantity grammar (programs/quantity.hpp), one parser per dimension.
Result<double, std::string> parse_quantity(std::string_view text, Dimension dimension) {
    switch (dimension) {
        case Dimension::duration:
            return programs::parse_time_s(text);
        case Dimension::speed:
            return programs::parse_speed_kmh(text);
        case Dimension::frequency:
            return programs::parse_frequency_hz(text);
        case Dimension::percent:
            return programs::parse_incline_pct(text);
        case Dimension::acceleration:
            return programs::parse_speed_rate_kmh_per_s(text);
        case Dimension::incline_rate:
            return programs::parse_incline_rate_pct_per_s(text);
    }
    return Unexpected{std::string("unknown quantity")};
}

}  // namespace treadmill::daemon
