// `treadmillctl progress`: the text and the SVG chart made from the daemon's `progress` reply —
// each session's mile best in date order, and the 12 weeks' distance, time and sessions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "controller/treadmillctl/progress_svg.hpp"

using nlohmann::json;
using treadmill::ctl::progress_svg;
using treadmill::ctl::progress_text;

namespace {

// 12 weeks, oldest first; week 11 (the last) ran 12.345 km in 1:02:03 over 2 sessions, week 5
// ran 6 km.
json reply(json mile) {
    json weeks = json::array();
    for (int i = 0; i < 12; ++i) {
        const double m = i == 11 ? 12345 : i == 5 ? 6000 : 0;
        weeks.push_back(
            {{"week", "2026-" + std::string(i < 9 ? "09-" : "10-") + std::to_string(10 + i)},
             {"distance_m", m},
             {"duration_s", i == 11 ? 3723.0 : m / 3},
             {"sessions", i == 11 ? 2
                          : m > 0 ? 1
                                  : 0}});
    }
    return {{"mile", std::move(mile)}, {"weeks", std::move(weeks)}};
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The y of each point of the mile line, in order.
std::vector<double> line_ys(const std::string& svg) {
    const auto at = svg.find("points=\"");
    REQUIRE(at != std::string::npos);
    std::string points = svg.substr(at + 8, svg.find('"', at + 8) - at - 8);
    std::vector<double> ys;
    for (std::size_t comma = points.find(','); comma != std::string::npos;
         comma = points.find(',', comma + 1)) {
        ys.push_back(std::stod(points.substr(comma + 1)));
    }
    return ys;
}

}  // namespace

TEST_CASE("progress as text: each mile best by date, then the 12 weeks' totals") {
    const json body = reply({{{"session", 3}, {"date", "2026-11-30"}, {"time_s", 401.2}},
                             {{"session", 7}, {"date", "2026-12-05"}, {"time_s", 394.6}}});
    const std::string text = progress_text(body);
    CHECK(text.find("2026-11-30  6:41  (session 3)") != std::string::npos);
    CHECK(text.find("2026-12-05  6:35  (session 7)") != std::string::npos);
    CHECK(text.find("6:41") < text.find("6:35"));  // oldest first
    CHECK(text.find("  12.35 km") != std::string::npos);
    CHECK(text.find("1:02:03") != std::string::npos);
    CHECK(count(text, " km ") == 12);
    CHECK(progress_text(reply(json::array())).find("no mile run yet") != std::string::npos);
}

TEST_CASE("progress as SVG: the mile line rises as the mile gets faster; one bar a week") {
    const json body = reply({{{"session", 1}, {"date", "2026-11-01"}, {"time_s", 420.0}},
                             {{"session", 2}, {"date", "2026-11-15"}, {"time_s", 400.0}},
                             {{"session", 3}, {"date", "2026-12-01"}, {"time_s", 410.0}}});
    const std::string svg = progress_svg(body);
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(svg.find("</svg>") != std::string::npos);
    const auto ys = line_ys(svg);
    REQUIRE(ys.size() == 3);
    CHECK(ys[1] < ys[2]);  // 6:40 is drawn above 6:50, which is above 7:00
    CHECK(ys[2] < ys[0]);
    CHECK(count(svg, "<circle") == 3);
    // A bar for each of the 12 weeks; the longest week's is the tallest (the full 140 px).
    CHECK(count(svg, "fill=\"#2c7fb8\"") == 12);
    CHECK(svg.find("height=\"140.0\" fill=\"#2c7fb8\"") != std::string::npos);
    CHECK(svg.find(">12.3</text>") != std::string::npos);  // its km above it
    CHECK(svg.find(">6.0</text>") != std::string::npos);
    const std::string empty = progress_svg(reply(json::array()));
    CHECK(empty.find("no mile run yet") != std::string::npos);
    CHECK(empty.find("<polyline") == std::string::npos);
}
