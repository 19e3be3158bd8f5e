// The quantity grammar of workout files, profiles and the daemon's config: a number, optional
// spaces and a unit from a closed list ("90 s", "1.2 km", "12 km/h", "4:30/km", "6%", "5k + 10
// s/km", "1 km/h/s", "60 Hz"). Locale independent ('.' decimal, std::from_chars). Every parser
// returns the value in base units or a message that says what would be right.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "programs/timeline.hpp"

namespace treadmill::programs {

template <typename T>
using Parsed = treadmill::Result<T, std::string>;

// "90 s", "2 min", "1 h 5 min", "500 ms", "1:30" (m:ss), "1:05:00" (h:mm:ss) -> seconds.
Parsed<double> parse_time_s(std::string_view text);
// "400 m", "1.2 km", "1 mi", "800 yd" -> metres.
Parsed<double> parse_distance_m(std::string_view text);
// "12 km/h", "12 kph", "7.5 mph", "3.5 m/s", or a pace "4:30/km", "7:15/mi", "1:36/400m".
Parsed<double> parse_speed_kmh(std::string_view text);
// "6%", "-1%", "0%" -> percent grade. Degrees are refused.
Parsed<double> parse_incline_pct(std::string_view text);
// "1 km/h/s" (also kph/s, mph/s) -> km/h per second.
Parsed<double> parse_speed_rate_kmh_per_s(std::string_view text);
// "0.6 %/s" -> percent per second.
Parsed<double> parse_incline_rate_pct_per_s(std::string_view text);
// The distance after the '/' of a pace or offset: "km", "mi", "400m", "400 m" -> metres.
Parsed<double> parse_per_distance_m(std::string_view text);
// "60 Hz" -> hertz.
Parsed<double> parse_frequency_hz(std::string_view text);
// "70 kg", "154 lb" -> kilograms (runner profiles).
Parsed<double> parse_mass_kg(std::string_view text);

// A step's extent: a time or a belt distance.
struct Extent {
    ExtentKind kind = ExtentKind::time;
    double value = 0;  // seconds or metres
};
Parsed<Extent> parse_extent(std::string_view text);

// A speed as written: absolute, or a reference scaled by a percentage or offset in pace.
struct SpeedExpr {
    std::optional<double> absolute_kmh;  // set when no reference is named
    std::string reference;               // "5k", "easy", or a name defined by file/profile
    std::optional<double> percent;       // "95% 5k": percent of the speed
    double offset_s_per_km = 0;          // "5k + 10 s/km": + is slower
};
Parsed<SpeedExpr> parse_speed_expr(std::string_view text);
// Applies a percentage and pace offset to a base speed; an error when the pace is not positive.
Parsed<double> apply_speed_expr(const SpeedExpr& expr, double base_kmh);

// A value, a ramp "a -> b" or a range "a..b".
enum class Shape { single, ramp, range };
template <typename T>
struct Span {
    Shape shape = Shape::single;
    T from{};
    T to{};  // == from when single
};
Parsed<Span<SpeedExpr>> parse_speed_span(std::string_view text);
Parsed<Span<double>> parse_incline_span(std::string_view text);
Parsed<Span<Extent>> parse_extent_span(std::string_view text);

// True for a bare number ("90", "1.5", "-2"): refused where a quantity is expected.
bool is_bare_number(std::string_view text);
// True for a clock form without a suffix ("1:30", "1:05:00"): must be quoted in YAML.
bool is_clock(std::string_view text);
// True for a name that may be a reference ("5k", "easy", "long_run", "race-pace").
bool is_reference_name(std::string_view text);

// Display helpers: "4:30/km" or "7:15/mi", "12.5 km/h", "1.5%".
std::string format_pace(double kmh, bool imperial = false);
std::string format_speed(double kmh);
std::string format_incline(double pct);
std::string format_duration(double seconds);  // "45 s", "2:30", "1:05:00"

}  // namespace treadmill::programs
