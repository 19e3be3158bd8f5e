// The quantity grammar, as a table: text -> value in base units, or an error substring.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "programs/quantity.hpp"

using namespace treadmill::programs;

namespace {

struct Case {
    const char* text;
    std::function<Parsed<double>(std::string_view)> parse;
    double expected;         // when error is empty
    const char* error = "";  // substring of the message
};

void check(const Case& c) {
    CAPTURE(c.text);
    auto r = c.parse(c.text);
    if (std::string(c.error).empty()) {
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
        CHECK(*r == doctest::Approx(c.expected).epsilon(1e-12));
    } else {
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(r.error().find(c.error) != std::string::npos, r.error());
    }
}

// Not `time`: ::time (<ctime>, which <memory> brings in) would make the name ambiguous.
const auto seconds = [](std::string_view s) { return parse_time_s(s); };
const auto dist = [](std::string_view s) { return parse_distance_m(s); };
const auto speed = [](std::string_view s) { return parse_speed_kmh(s); };
const auto incline = [](std::string_view s) { return parse_incline_pct(s); };
const auto rate = [](std::string_view s) { return parse_speed_rate_kmh_per_s(s); };
const auto irate = [](std::string_view s) { return parse_incline_rate_pct_per_s(s); };
const auto hz = [](std::string_view s) { return parse_frequency_hz(s); };

}  // namespace

TEST_CASE("quantities: values and errors") {
    const std::vector<Case> cases{
        {"90 s", seconds, 90},
        {"90s", seconds, 90},
        {"2 min", seconds, 120},
        {"1 h", seconds, 3600},
        {"1 h 5 min", seconds, 3900},
        {"1 min 30 s", seconds, 90},
        {"500 ms", seconds, 0.5},
        {"1.5 min", seconds, 90},
        {"1:30", seconds, 90},
        {"1:05:00", seconds, 3900},
        {"0:45", seconds, 45},
        {"10:00.5", seconds, 600.5},
        {"5 m", seconds, 0, "'m' is metres"},
        {"90", seconds, 0, "bare number needs a unit"},
        {"1:75", seconds, 0, "expected a time"},
        {"1:5", seconds, 0, "expected a time"},
        {"5 s 1 min", seconds, 0, "from hours down"},
        {"1,5 min", seconds, 0, "expected a time"},
        {"1e3 s", seconds, 0, "expected a time"},
        {"inf s", seconds, 0, "expected a time"},
        {"2 minutes", seconds, 0, "expected a time"},
        {"2 mins", seconds, 0, "(did you mean 'min'?)"},
        {"12 kmh", speed, 0, "(did you mean 'km/h'?)"},
        {"400 mtr", dist, 0, "expected a distance"},
        {"400 m", dist, 400},
        {"1.2 km", dist, 1200},
        {"1 mi", dist, 1609.344},
        {"800 yd", dist, 731.52},
        {"400", dist, 0, "needs a unit"},
        {"400 M", dist, 0, "expected a distance"},
        {"12 km/h", speed, 12},
        {"12 kph", speed, 12},
        {"7.5 mph", speed, 7.5 * 1.609344},
        {"3.5 m/s", speed, 12.6},
        {"4:30/km", speed, 3600.0 / 270},
        {"4:00 / km", speed, 15},
        {"7:15/mi", speed, 1.609344 * 3600 / 435},
        {"1:36/400m", speed, 0.4 * 3600 / 96},
        {"1:36/400 m", speed, 0.4 * 3600 / 96},
        {"12 KM/H", speed, 0, "expected a speed"},
        {"4:30", speed, 0, "expected a speed"},
        {"0:00/km", speed, 0, "more than 0:00"},
        {"6%", incline, 6},
        {"-1%", incline, -1},
        {"0 %", incline, 0},
        {"1.5%", incline, 1.5},
        {"5 deg", incline, 0, "degrees are not accepted"},
        {"5\u00b0", incline, 0, "degrees are not accepted"},
        {"6", incline, 0, "needs a unit"},
        {"1 km/h/s", rate, 1},
        {"1.5 kph/s", rate, 1.5},
        {"1 km/h", rate, 0, "expected a rate"},
        {"0.6 %/s", irate, 0.6},
        {"60 Hz", hz, 60},
        {"60 hz", hz, 0, "expected a frequency like '60 Hz'; got '60 hz' (did you mean 'Hz'?)"},
    };
    for (const auto& c : cases) check(c);
}

TEST_CASE("quantities: extents") {
    auto a = parse_extent("400 m");
    REQUIRE(a.ok());
    CHECK(a->kind == treadmill::programs::ExtentKind::distance);
    CHECK(a->value == 400);
    auto b = parse_extent("2 min");
    REQUIRE(b.ok());
    CHECK(b->kind == treadmill::programs::ExtentKind::time);
    CHECK(b->value == 120);
    auto c = parse_extent("3 m s");
    CHECK_FALSE(c.ok());
    auto d = parse_extent("5 m");
    CHECK(d.ok());  // a distance: 'm' is metres
}

TEST_CASE("quantities: speed expressions") {
    auto ref = parse_speed_expr("5k");
    REQUIRE(ref.ok());
    CHECK(ref->reference == "5k");
    CHECK_FALSE(ref->absolute_kmh);

    auto scaled = parse_speed_expr("95% 5k");
    REQUIRE(scaled.ok());
    CHECK(*scaled->percent == 95);
    CHECK(*apply_speed_expr(*scaled, 16.0) == doctest::Approx(15.2));

    auto slower = parse_speed_expr("5k + 10 s/km");
    REQUIRE(slower.ok());
    CHECK(slower->offset_s_per_km == 10);
    CHECK(*apply_speed_expr(*slower, 15.0) == doctest::Approx(3600.0 / 250));

    auto faster = parse_speed_expr("marathon - 15 s/mi");
    REQUIRE(faster.ok());
    CHECK(faster->offset_s_per_km == doctest::Approx(-15 / 1.609344));

    auto absolute = parse_speed_expr("4:00/km");
    REQUIRE(absolute.ok());
    CHECK(*absolute->absolute_kmh == doctest::Approx(15));

    auto named = parse_speed_expr("race-pace");
    REQUIRE(named.ok());
    CHECK(named->reference == "race-pace");

    CHECK_FALSE(parse_speed_expr("95%").ok());
    CHECK_FALSE(parse_speed_expr("95% 5k + 10 s/km").ok());
    CHECK_FALSE(parse_speed_expr("5k + 10").ok());
    CHECK_FALSE(parse_speed_expr("12").ok());
    CHECK_FALSE(parse_speed_expr("fast!").ok());
    CHECK(parse_speed_expr("5 kmh").error().find("(did you mean 'km/h'?)") != std::string::npos);
    CHECK(parse_extent("3 mni").error().find("(did you mean 'min'?)") != std::string::npos);
    CHECK_FALSE(apply_speed_expr(*parse_speed_expr("5k - 5:00/km"), 15.0).ok());
}

TEST_CASE("quantities: distance words (meter(s), kilometer(s), mile(s), yard(s))") {
    const std::vector<Case> cases{
        {"1 mile", dist, 1609.344},
        {"2 miles", dist, 3218.688},
        {"1.5 miles", dist, 2414.016},
        {"800 yards", dist, 731.52},
        {"1 yard", dist, 0.9144},
        {"400 meters", dist, 400},
        {"1 meter", dist, 1},
        {"1 kilometer", dist, 1000},
        {"1.2 kilometers", dist, 1200},
        {"1mile", dist, 1609.344},
        {"7:15/mile", speed, 1.609344 * 3600 / 435},
        {"1 Mile", dist, 0, "expected a distance"},  // case sensitive, as every unit
        // A near miss gets the closest unit of the kind expected.
        {"1 mils", dist, 0, "(did you mean 'mile'?)"},
        {"400 metres", dist, 0, "(did you mean 'meters'?)"},
        {"3 kilometre", dist, 0, "(did you mean 'kilometer'?)"},
        {"800 yrds", dist, 0, "(did you mean 'yards'?)"},
        // A unit of another kind is named as such, never "corrected" to a near unit.
        {"1 mile", seconds, 0, "('mile' is a distance)"},
        {"2 min", dist, 0, "('min' is a time)"},
        {"12 km/h", dist, 0, "('km/h' is a speed)"},
        {"1 mile", speed, 0, "('mile' is a distance)"},
    };
    for (const auto& c : cases) check(c);
    CHECK(parse_time_s("1 mile").error().find("'min'") == std::string::npos);
}

TEST_CASE("quantities: a number and 'mile' is a distance; 'mile' alone is the pace reference") {
    auto extent = parse_extent("1 mile");
    REQUIRE_MESSAGE(extent.ok(), (extent.ok() ? "" : extent.error()));
    CHECK(extent->kind == treadmill::programs::ExtentKind::distance);
    CHECK(extent->value == doctest::Approx(1609.344));
    CHECK(parse_extent("2 miles")->value == doctest::Approx(3218.688));
    CHECK(parse_extent("800 yards")->value == doctest::Approx(731.52));

    auto ref = parse_speed_expr("mile");
    REQUIRE(ref.ok());
    CHECK(ref->reference == "mile");
    CHECK_FALSE(ref->absolute_kmh);
    CHECK(parse_speed_expr("95% mile")->reference == "mile");
    CHECK(parse_speed_span("5k..mile")->to.reference == "mile");
    auto offset = parse_speed_expr("mile + 5 s/mile");
    REQUIRE(offset.ok());
    CHECK(offset->reference == "mile");
    CHECK(offset->offset_s_per_km == doctest::Approx(5 / 1.609344));
    auto distance_as_pace = parse_speed_expr("1 mile");
    REQUIRE_FALSE(distance_as_pace.ok());
    CHECK_MESSAGE(distance_as_pace.error().find("the mile pace is 'mile'") != std::string::npos,
                  distance_as_pace.error());
    CHECK_FALSE(parse_extent("mile").ok());  // an extent needs its number

    // Extents take times or distances: a near miss gets the closest of both, ties to the unit
    // that starts like the word — never 'min' for a distance word.
    const auto hint = [](const char* text) { return parse_extent(text).error(); };
    CHECK_MESSAGE(hint("1 mils").find("(did you mean 'mile'?)") != std::string::npos,
                  hint("1 mils"));
    CHECK_MESSAGE(hint("1 mil").find("(did you mean 'mile'?)") != std::string::npos, hint("1 mil"));
    CHECK_MESSAGE(hint("2 kms").find("(did you mean 'km'?)") != std::string::npos, hint("2 kms"));
    CHECK_MESSAGE(hint("2 mins").find("(did you mean 'min'?)") != std::string::npos,
                  hint("2 mins"));
    CHECK(hint("3 mni").find("(did you mean 'min'?)") != std::string::npos);
}

TEST_CASE("quantities: ramps and ranges") {
    auto ramp = parse_speed_span("10 km/h -> 13 km/h");
    REQUIRE(ramp.ok());
    CHECK(ramp->shape == Shape::ramp);
    CHECK(*ramp->from.absolute_kmh == 10);
    CHECK(*ramp->to.absolute_kmh == 13);

    auto refs = parse_speed_span("easy -> 5k + 30 s/km");
    REQUIRE(refs.ok());
    CHECK(refs->to.offset_s_per_km == 30);

    auto range = parse_speed_span("5k..mile");
    REQUIRE(range.ok());
    CHECK(range->shape == Shape::range);

    auto inclines = parse_incline_span("-1% -> 6%");
    REQUIRE(inclines.ok());
    CHECK(inclines->from == -1);
    CHECK(inclines->to == 6);

    auto times = parse_extent_span("20 s..1.5 min");
    REQUIRE(times.ok());
    CHECK(times->from.value == 20);
    CHECK(times->to.value == 90);
    CHECK_FALSE(parse_extent_span("20 s..400 m").ok());
    CHECK_FALSE(parse_incline_span("1% -> 2% -> 3%").ok());
    CHECK(parse_incline_span("1%").value().shape == Shape::single);
}

TEST_CASE("quantities: helpers and formats") {
    CHECK(is_bare_number("90"));
    CHECK(is_bare_number("-1.5"));
    CHECK_FALSE(is_bare_number("90 s"));
    CHECK(is_clock("1:30"));
    CHECK(is_clock("1:05:00"));
    CHECK_FALSE(is_clock("4:30/km"));
    CHECK(format_pace(15.0) == "4:00/km");
    CHECK(format_pace(15.0, true) == "6:26/mi");
    CHECK(format_speed(12.25) == "12.2 km/h");  // to_chars rounds the binary value
    CHECK(format_incline(1.5) == "1.5%");
    CHECK(format_incline(2.0) == "2%");
    CHECK(format_duration(45) == "45 s");
    CHECK(format_duration(150) == "2:30");
    CHECK(format_duration(3900) == "1:05:00");
}
