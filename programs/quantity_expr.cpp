// Speed expressions (references, percentages, pace offsets), ramps, ranges and display formats.
#include <charconv>
#include <cmath>

#include "programs/quantity.hpp"
#include "programs/quantity_scan.hpp"

namespace treadmill::programs {

using scan::quoted;

namespace {

constexpr std::string_view speed_expr_expected =
    "a speed like '12 km/h', a pace like '4:30/km', a reference like '5k' or 'easy', "
    "'95% 5k' or '5k + 10 s/km'";

// Finds the '+' or ' -' of a pace offset; npos when there is none.
std::size_t offset_operator(std::string_view s) {
    const std::size_t plus = s.find('+');
    if (plus != std::string_view::npos) return plus;
    for (std::size_t i = 1; i + 1 < s.size(); ++i)
        if (s[i] == '-' && s[i - 1] == ' ') return i;
    return std::string_view::npos;
}

// "10 s/km", "15 s/mi" -> seconds per km.
Parsed<double> offset_s_per_km(std::string_view text) {
    const std::size_t slash = text.rfind('/');
    if (slash == std::string_view::npos)
        return Unexpected{"a pace offset needs a distance, e.g. '+ 10 s/km'; got " + quoted(text)};
    auto seconds = parse_time_s(text.substr(0, slash));
    if (!seconds) return Unexpected{"in pace offset: " + seconds.error()};
    auto metres = parse_per_distance_m(text.substr(slash + 1));
    if (!metres) return Unexpected{"in pace offset: " + metres.error()};
    return *seconds / *metres * 1000.0;
}

// "1 mile", "2 miles": a distance, where the reference `mile` may have been meant.
bool names_a_mile_distance(std::string_view text) {
    if (!scan::number(text)) return false;
    scan::skip_spaces(text);
    const std::string_view u = scan::unit(text);
    return (u == "mile" || u == "miles") && scan::trim(text).empty();
}

// The base of an expression: an absolute speed or pace, else a reference name.
Parsed<SpeedExpr> speed_base(std::string_view base, std::string_view whole) {
    SpeedExpr expr;
    if (auto v = parse_speed_kmh(base)) {
        if (*v <= 0) return Unexpected{"a speed must be more than 0; got " + quoted(whole)};
        expr.absolute_kmh = *v;
        return expr;
    }
    if (is_reference_name(base)) {
        expr.reference = std::string(base);
        return expr;
    }
    // A number with a wrong unit: the speed parser's message names the units (and a near miss).
    if (!base.empty() && scan::is_digit(base.front())) {
        std::string message = parse_speed_kmh(base).error();
        if (names_a_mile_distance(base)) message += "; the mile pace is 'mile', without a number";
        return Unexpected{message};
    }
    if (base.find('/') != std::string_view::npos) return Unexpected{parse_speed_kmh(base).error()};
    return Unexpected{"expected " + std::string(speed_expr_expected) + "; got " + quoted(whole)};
}

template <typename T, typename F>
Parsed<Span<T>> parse_span(std::string_view text, F parse_one) {
    const std::string_view s = scan::trim(text);
    Span<T> span;
    std::size_t split = s.find("->");
    std::size_t width = 2;
    if (split != std::string_view::npos) {
        span.shape = Shape::ramp;
    } else if ((split = s.find("..")) != std::string_view::npos) {
        span.shape = Shape::range;
    }
    if (span.shape == Shape::single) {
        auto one = parse_one(s);
        if (!one) return Unexpected{one.error()};
        span.from = span.to = *one;
        return span;
    }
    const std::string_view left = scan::trim(s.substr(0, split));
    const std::string_view right = scan::trim(s.substr(split + width));
    if (right.find("->") != std::string_view::npos || right.find("..") != std::string_view::npos)
        return Unexpected{"one '->' or '..' at most; got " + quoted(s)};
    auto from = parse_one(left);
    if (!from) return Unexpected{from.error()};
    auto to = parse_one(right);
    if (!to) return Unexpected{to.error()};
    span.from = *from;
    span.to = *to;
    return span;
}

std::string fixed(double value, int decimals) {
    char buffer[64];
    auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    if (ec != std::errc()) return "?";
    return std::string(buffer, end);
}

std::string two_digits(long value) {
    return (value < 10 ? "0" : "") + std::to_string(value);
}

}  // namespace

Parsed<SpeedExpr> parse_speed_expr(std::string_view text) {
    std::string_view s = scan::trim(text);
    if (s.empty()) return Unexpected{"expected " + std::string(speed_expr_expected)};
    std::optional<double> percent;
    std::string_view probe = s;
    if (auto pct = scan::number(probe); pct && !probe.empty()) {
        scan::skip_spaces(probe);
        if (!probe.empty() && probe.front() == '%') {
            probe.remove_prefix(1);
            probe = scan::trim(probe);
            if (probe.empty())
                return Unexpected{"a percentage of a speed needs a reference, e.g. '95% 5k'; got " +
                                  quoted(s)};
            if (*pct <= 0) return Unexpected{"a percentage must be more than 0; got " + quoted(s)};
            percent = *pct;
            s = probe;
        }
    }
    double offset = 0;
    if (const std::size_t op = offset_operator(s); op != std::string_view::npos) {
        if (percent)
            return Unexpected{"use a percentage or a pace offset, not both; got " + quoted(text)};
        auto off = offset_s_per_km(s.substr(op + 1));
        if (!off) return Unexpected{off.error()};
        offset = s[op] == '+' ? *off : -*off;
        s = scan::trim(s.substr(0, op));
    }
    auto expr = speed_base(s, scan::trim(text));
    if (!expr) return expr;
    expr->percent = percent;
    expr->offset_s_per_km = offset;
    return expr;
}

Parsed<double> apply_speed_expr(const SpeedExpr& expr, double base_kmh) {
    double v = base_kmh;
    if (expr.percent) v = v * *expr.percent / 100.0;
    if (expr.offset_s_per_km != 0) {
        const double pace_s_per_km = 3600.0 / v + expr.offset_s_per_km;
        if (!(pace_s_per_km > 0))
            return Unexpected{std::string("the pace offset leaves no positive pace")};
        v = 3600.0 / pace_s_per_km;
    }
    if (!(v > 0) || !std::isfinite(v))
        return Unexpected{std::string("the speed is not a positive number")};
    return v;
}

Parsed<Span<SpeedExpr>> parse_speed_span(std::string_view text) {
    return parse_span<SpeedExpr>(text, [](std::string_view s) { return parse_speed_expr(s); });
}

Parsed<Span<double>> parse_incline_span(std::string_view text) {
    return parse_span<double>(text, [](std::string_view s) { return parse_incline_pct(s); });
}

Parsed<Span<Extent>> parse_extent_span(std::string_view text) {
    auto span = parse_span<Extent>(text, [](std::string_view s) { return parse_extent(s); });
    if (span && span->from.kind != span->to.kind)
        return Unexpected{"both ends must be times or both distances; got " + quoted(text)};
    return span;
}

std::string format_pace(double kmh, bool imperial) {
    if (!(kmh > 0) || !std::isfinite(kmh)) return "-";
    const double per_unit_km = imperial ? 1.609344 : 1.0;
    const long seconds = std::lround(3600.0 * per_unit_km / kmh);
    return std::to_string(seconds / 60) + ":" + two_digits(seconds % 60) +
           (imperial ? "/mi" : "/km");
}

std::string format_speed(double kmh) {
    return fixed(kmh, 1) + " km/h";
}

std::string format_incline(double pct) {
    const double rounded = std::round(pct * 10.0) / 10.0;
    std::string s = fixed(rounded, 1);
    if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
    if (s == "-0") s = "0";
    return s + "%";
}

std::string format_duration(double seconds) {
    const long total = std::lround(seconds);
    if (total < 60) return std::to_string(total) + " s";
    if (total < 3600) return std::to_string(total / 60) + ":" + two_digits(total % 60);
    return std::to_string(total / 3600) + ":" + two_digits(total / 60 % 60) + ":" +
           two_digits(total % 60);
}

}  // namespace treadmill::programs
