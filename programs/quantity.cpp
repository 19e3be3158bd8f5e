// Parsers of single quantities: time, distance, speed, pace, incline, rates, frequency, mass.
#include "programs/quantity.hpp"

#include <array>
#include <cmath>

#include "programs/quantity_scan.hpp"
#include "programs/suggest.hpp"

namespace treadmill::programs {

using scan::quoted;

namespace {

constexpr double km_per_mile = 1.609344;
constexpr double m_per_yard = 0.9144;

Unexpected<std::string> fail(std::string_view expected, std::string_view text) {
    std::string message = "expected " + std::string(expected);
    if (is_bare_number(scan::trim(text)))
        return Unexpected{message + "; a bare number needs a unit"};
    return Unexpected{message + "; got " + quoted(scan::trim(text))};
}

// Reads "digits" or "digits.digits" exactly; with two_digits, exactly two integer digits.
std::optional<double> clock_field(std::string_view s, bool two_digits, bool fraction) {
    std::size_t int_digits = 0;
    while (int_digits < s.size() && scan::is_digit(s[int_digits])) ++int_digits;
    if (int_digits == 0 || (two_digits && int_digits != 2)) return std::nullopt;
    if (!fraction && int_digits != s.size()) return std::nullopt;
    std::string_view rest = s;
    auto value = scan::number(rest);
    if (!value || !rest.empty()) return std::nullopt;
    return value;
}

// "m:ss" or "h:mm:ss" -> seconds.
std::optional<double> clock_seconds(std::string_view s) {
    std::array<std::string_view, 3> parts{};
    std::size_t count = 0;
    while (count < 3) {
        const std::size_t colon = s.find(':');
        parts[count++] = s.substr(0, colon);
        if (colon == std::string_view::npos) break;
        s.remove_prefix(colon + 1);
        if (count == 3) return std::nullopt;
    }
    if (count == 2) {
        auto m = clock_field(parts[0], false, false);
        auto sec = clock_field(parts[1], true, true);
        if (!m || !sec || *sec >= 60) return std::nullopt;
        return *m * 60 + *sec;
    }
    if (count == 3) {
        auto h = clock_field(parts[0], false, false);
        auto m = clock_field(parts[1], true, false);
        auto sec = clock_field(parts[2], true, true);
        if (!h || !m || !sec || *m >= 60 || *sec >= 60) return std::nullopt;
        return *h * 3600 + *m * 60 + *sec;
    }
    return std::nullopt;
}

int time_unit_rank(std::string_view u) {
    if (u == "h") return 0;
    if (u == "min") return 1;
    if (u == "s") return 2;
    if (u == "ms") return 3;
    return -1;
}

constexpr std::array<double, 4> time_unit_seconds{3600.0, 60.0, 1.0, 0.001};

const std::vector<std::string>& time_units() {
    static const std::vector<std::string> units{"h", "min", "s", "ms"};
    return units;
}

// Symbols first, then the words (workout-format.md); a near miss is matched against all.
const std::vector<std::string>& distance_units() {
    static const std::vector<std::string> units{"m",         "km",         "mi",   "yd",
                                                "meter",     "meters",     "mile", "miles",
                                                "kilometer", "kilometers", "yard", "yards"};
    return units;
}

std::optional<double> distance_unit_metres(std::string_view u);

// " ('mile' is a distance)" when `u` is a unit of another kind than the one expected.
std::string unit_kind_hint(std::string_view u) {
    std::string kind;
    if (distance_unit_metres(u))
        kind = "a distance";
    else if (time_unit_rank(u) >= 0)
        kind = "a time";
    else if (u == "km/h" || u == "kph" || u == "mph" || u == "m/s")
        kind = "a speed";
    return kind.empty() ? "" : " (" + quoted(u) + " is " + kind + ")";
}

// What to add to the message about a unit `u` that is not one of `units`: its kind when it is
// a unit of another kind, else the closest of `units`.
std::string unit_hint(std::string_view u, const std::vector<std::string>& units) {
    if (std::string kind = unit_kind_hint(u); !kind.empty()) return kind;
    return did_you_mean(u, units);
}

constexpr std::string_view time_expected =
    "a time like '90 s', '2 min', '1 h 5 min', '500 ms' or \"1:30\"";

// Unit-word form: "1 h 5 min", "90 s".
Parsed<double> unit_time(std::string_view text) {
    std::string_view s = text;
    double total = 0;
    int last_rank = -1;
    bool any = false;
    while (!s.empty()) {
        auto value = scan::number(s);
        if (!value) return fail(time_expected, text);
        scan::skip_spaces(s);
        const std::string_view u = scan::unit(s);
        scan::skip_spaces(s);
        if (u == "m")
            return Unexpected{std::string("'m' is metres in a time; write 'min' for minutes")};
        const int rank = time_unit_rank(u);
        if (rank < 0) {
            auto failure = fail(time_expected, text);
            if (!u.empty()) failure.error += unit_hint(u, time_units());
            return failure;
        }
        if (rank <= last_rank)
            return Unexpected{
                "units of a time go from hours down to milliseconds, each once; got " +
                quoted(text)};
        last_rank = rank;
        total += *value * time_unit_seconds[static_cast<std::size_t>(rank)];
        any = true;
    }
    if (!any) return fail(time_expected, text);
    return total;
}

constexpr std::string_view distance_expected =
    "a distance like '400 m', '1.2 km', '1 mi' or '800 yd'";

std::optional<double> distance_unit_metres(std::string_view u) {
    if (u == "m" || u == "meter" || u == "meters") return 1.0;
    if (u == "km" || u == "kilometer" || u == "kilometers") return 1000.0;
    if (u == "mi" || u == "mile" || u == "miles") return km_per_mile * 1000.0;
    if (u == "yd" || u == "yard" || u == "yards") return m_per_yard;
    return std::nullopt;
}

constexpr std::string_view speed_expected =
    "a speed like '12 km/h', '7.5 mph', '3.5 m/s' or a pace like '4:30/km', '7:15/mi', "
    "'1:36/400m'";

Parsed<double> pace_kmh(std::string_view text) {
    const std::size_t slash = text.find('/');
    auto seconds = clock_seconds(scan::trim(text.substr(0, slash)));
    auto metres = parse_per_distance_m(text.substr(slash + 1));
    if (!seconds || !metres) return fail(speed_expected, text);
    if (*seconds <= 0) return Unexpected{"a pace must be more than 0:00; got " + quoted(text)};
    return *metres / 1000.0 / (*seconds / 3600.0);
}

// A number and exactly one unit word; the unit's factor comes from `factor_of`.
template <typename F>
Parsed<double> number_with_unit(std::string_view text, std::string_view expected, F factor_of,
                                const std::vector<std::string>& units, bool allow_sign = false) {
    std::string_view s = scan::trim(text);
    auto value = scan::number(s, allow_sign);
    if (!value) return fail(expected, text);
    scan::skip_spaces(s);
    auto factor = factor_of(s);
    if (!factor) {
        auto failure = fail(expected, text);
        if (!s.empty()) failure.error += unit_hint(s, units);
        return failure;
    }
    return *value * *factor;
}

}  // namespace

Parsed<double> parse_time_s(std::string_view text) {
    const std::string_view s = scan::trim(text);
    if (s.find(':') != std::string_view::npos) {
        auto seconds = clock_seconds(s);
        if (!seconds) return fail(time_expected, text);
        return *seconds;
    }
    return unit_time(s);
}

Parsed<double> parse_distance_m(std::string_view text) {
    return number_with_unit(text, distance_expected, distance_unit_metres, distance_units());
}

Parsed<double> parse_per_distance_m(std::string_view text) {
    const std::string_view s = scan::trim(text);
    if (auto per = distance_unit_metres(s)) return *per;
    auto d = parse_distance_m(s);
    if (!d || *d <= 0) return fail("a distance after '/' like 'km', 'mi' or '400m'", text);
    return *d;
}

Parsed<double> parse_speed_kmh(std::string_view text) {
    const std::string_view s = scan::trim(text);
    if (s.find(':') != std::string_view::npos && s.find('/') != std::string_view::npos)
        return pace_kmh(s);
    return number_with_unit(s, speed_expected,
                            [](std::string_view u) -> std::optional<double> {
                                if (u == "km/h" || u == "kph") return 1.0;
                                if (u == "mph") return km_per_mile;
                                if (u == "m/s") return 3.6;
                                return std::nullopt;
                            },
                            {"km/h", "kph", "mph", "m/s"});
}

Parsed<double> parse_incline_pct(std::string_view text) {
    const std::string_view s = scan::trim(text);
    if (s.find("deg") != std::string_view::npos || s.find("\u00b0") != std::string_view::npos)
        return Unexpected{"degrees are not accepted; give the grade in percent, e.g. '6%'; got " +
                          quoted(s)};
    return number_with_unit(
        s, "an incline like '6%', '0%' or '-1%'",
        [](std::string_view u) -> std::optional<double> {
            if (u == "%") return 1.0;
            return std::nullopt;
        },
        {"%"}, true);
}

Parsed<double> parse_speed_rate_kmh_per_s(std::string_view text) {
    return number_with_unit(text, "a rate like '1 km/h/s'",
                            [](std::string_view u) -> std::optional<double> {
                                if (u == "km/h/s" || u == "kph/s") return 1.0;
                                if (u == "mph/s") return km_per_mile;
                                return std::nullopt;
                            },
                            {"km/h/s", "kph/s", "mph/s"});
}

Parsed<double> parse_incline_rate_pct_per_s(std::string_view text) {
    return number_with_unit(text, "a rate like '0.6 %/s'",
                            [](std::string_view u) -> std::optional<double> {
                                if (u == "%/s") return 1.0;
                                return std::nullopt;
                            },
                            {"%/s"});
}

Parsed<double> parse_frequency_hz(std::string_view text) {
    return number_with_unit(text, "a frequency like '60 Hz'",
                            [](std::string_view u) -> std::optional<double> {
                                if (u == "Hz") return 1.0;
                                return std::nullopt;
                            },
                            {"Hz"});
}

Parsed<double> parse_mass_kg(std::string_view text) {
    return number_with_unit(text, "a mass like '70 kg' or '154 lb'",
                            [](std::string_view u) -> std::optional<double> {
                                if (u == "kg") return 1.0;
                                if (u == "lb") return 0.45359237;
                                return std::nullopt;
                            },
                            {"kg", "lb"});
}

Parsed<Extent> parse_extent(std::string_view text) {
    const std::string_view s = scan::trim(text);
    if (auto d = parse_distance_m(s)) return Extent{ExtentKind::distance, *d};
    auto t = parse_time_s(s);
    if (t) return Extent{ExtentKind::time, *t};
    if (t.error().find("'m' is metres") != std::string::npos) return Unexpected{t.error()};
    auto failure =
        fail("a time like '90 s', '2 min' or \"1:30\", or a distance like '400 m', '1.2 km'", text);
    std::string_view rest = s;
    if (scan::number(rest)) {
        scan::skip_spaces(rest);
        const std::string_view u = scan::unit(rest);
        if (!u.empty()) {
            std::vector<std::string> units = time_units();
            units.insert(units.end(), distance_units().begin(), distance_units().end());
            failure.error += did_you_mean(u, units);
        }
    }
    return failure;
}

bool is_bare_number(std::string_view text) {
    std::string_view s = scan::trim(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    auto value = scan::number(s, true);
    return value.has_value() && s.empty();
}

bool is_clock(std::string_view text) {
    return clock_seconds(scan::trim(text)).has_value();
}

bool is_reference_name(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        const bool ok = scan::is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return !scan::is_digit(text.back()) || !is_bare_number(text);
}

}  // namespace treadmill::programs
