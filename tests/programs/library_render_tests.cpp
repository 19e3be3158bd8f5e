// The renderings of a timeline: the JSON document of `show --json`, the text table and the SVG.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"
#include "programs/timeline_render.hpp"

namespace {

using namespace treadmill::programs;

TimelineStep make_step(StepClass c, double seconds, double metres, double v0, double v1,
                       double incline) {
    TimelineStep s;
    s.step_class = c;
    s.extent_kind = ExtentKind::time;
    s.extent = seconds;
    s.duration_s = seconds;
    s.distance_m = metres;
    s.speed_kmh = v0;
    s.speed_end_kmh = v1;
    s.incline_pct = incline;
    s.incline_end_pct = incline;
    return s;
}

// A small hand-made timeline: warm-up ramp, one rep of a repeat, a cool-down with a cue.
Timeline sample() {
    Timeline t;
    t.id = "sample";
    t.name = "Sample <&> \"test\"";
    t.seeds = {18446744073709551615ull, 42};
    t.steps.push_back(make_step(StepClass::warmup, 600, 1500, 8.0, 10.0, 1));
    t.steps.push_back(make_step(StepClass::run, 120, 400, 12.0, 12.0, 6));
    t.steps.back().rep = 1;
    t.steps.back().reps = 8;
    t.steps.back().cue = "Rep 1/8";
    t.steps.push_back(make_step(StepClass::cooldown, 300, 2000.0 / 3, 8.0, 8.0, 0));
    for (std::size_t i = 0; i < t.steps.size(); ++i) t.steps[i].index = i;
    t.total_s = 1020;
    t.total_m = 1500 + 400 + 2000.0 / 3;
    return t;
}

// Loaded on a machine that meets the graded tests' `requires:` (up to 25 %).
Timeline load_builtin(std::string_view id) {
    ResolveOptions options;
    options.limits.max_incline_pct = 25;
    auto result = load_program(find_builtin(id)->yaml, std::string(id) + ".yaml", id, options);
    REQUIRE(result.timeline.has_value());
    return std::move(*result.timeline);
}

// Every opened element is closed in order (comments, <?xml?> and self-closing tags allowed).
bool tags_balanced(const std::string& xml) {
    std::vector<std::string> open;
    for (std::size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
        const std::size_t end = xml.find('>', at);
        if (end == std::string::npos) return false;
        const std::string tag = xml.substr(at + 1, end - at - 1);
        if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
        const bool closing = tag[0] == '/', self_closing = tag.back() == '/';
        const std::string name = tag.substr(closing, tag.find_first_of(" /", closing) - closing);
        if (closing) {
            if (open.empty() || open.back() != name) return false;
            open.pop_back();
        } else if (!self_closing) {
            open.push_back(name);
        }
    }
    return open.empty();
}

}  // namespace

TEST_CASE("render_json: the document of show --json") {
    const auto doc = nlohmann::json::parse(render_json(sample()));
    CHECK(doc["id"] == "sample");
    CHECK(doc["name"] == "Sample <&> \"test\"");
    CHECK(doc["total_s"] == doctest::Approx(1020));
    CHECK(doc["total_m"].get<double>() == doctest::Approx(2566.667).epsilon(1e-6));
    // Seeds are strings: a 64-bit seed does not survive a double.
    CHECK(doc["seeds"] == nlohmann::json::array({"18446744073709551615", "42"}));
    REQUIRE(doc["steps"].size() == 3);
    const auto& warm = doc["steps"][0];
    for (const char* key :
         {"index", "class", "duration_s", "distance_m", "speed_kmh", "speed_end_kmh", "incline_pct",
          "incline_end_pct", "rep", "reps", "cue"})
        CHECK_MESSAGE(warm.contains(key), key);
    CHECK(warm.size() == 11);
    CHECK(warm["index"] == 0);
    CHECK(warm["class"] == "warmup");
    CHECK(warm["speed_kmh"] == 8.0);
    CHECK(warm["speed_end_kmh"] == 10.0);
    CHECK(warm["rep"].is_null());
    CHECK(warm["reps"].is_null());
    const auto& rep = doc["steps"][1];
    CHECK(rep["rep"] == 1);
    CHECK(rep["reps"] == 8);
    CHECK(rep["cue"] == "Rep 1/8");
    CHECK(rep["incline_pct"] == 6.0);
    CHECK(doc["steps"][2]["class"] == "cooldown");
    CHECK(doc["steps"][2]["distance_m"].get<double>() == doctest::Approx(666.667));
    CHECK(render_json(sample(), -1).find('\n') == render_json(sample(), -1).size() - 1);
}

TEST_CASE("render_json: a built-in (bruce) as JSON") {
    const auto doc = nlohmann::json::parse(render_json(load_builtin("bruce")));
    CHECK(doc["id"] == "bruce");
    CHECK(doc["total_s"] == 1260.0);
    CHECK(doc["seeds"].empty());
    REQUIRE(doc["steps"].size() == 7);
    CHECK(doc["steps"][6]["incline_pct"] == 22.0);
    CHECK(doc["steps"][6]["rep"] == 7);
    CHECK(doc["steps"][6]["reps"] == 7);
}

TEST_CASE("render_table: columns, ramps, cumulative totals") {
    const std::string table = render_table(sample());
    for (const char* text : {"class", "extent", "km/h", "min/km", "incline", "time", "distance"})
        CHECK_MESSAGE(table.find(text) != std::string::npos, text);
    CHECK(table.find("8.0->10.0") != std::string::npos);   // the warm-up's ramp
    CHECK(table.find("7:30->6:00") != std::string::npos);  // as paces
    CHECK(table.find("12:00") != std::string::npos);       // cumulative time after the rep
    CHECK(table.find("1.90 km") != std::string::npos);     // and distance
    CHECK(table.find("1/8") != std::string::npos);
    CHECK(table.find("total: 17:00, 2.57 km, 3 steps") != std::string::npos);
    CHECK(table.find("seeds: 18446744073709551615, 42") != std::string::npos);
}

TEST_CASE("render_table: the mile-time-trial reads in miles where it was written in miles") {
    const std::string table = render_table(load_builtin("mile-time-trial"));
    CHECK(table.rfind("Mile time trial (mile-time-trial)", 0) == 0);
    CHECK_MESSAGE(table.find("  run       1 mi        13.3 ") != std::string::npos, table);
    CHECK(table.find("Time trial: 1 mile at 4:31/km (13.3 km/h)") != std::string::npos);
    CHECK(table.find("1.61 km   ") == std::string::npos);  // the extent is not shown in km
    CHECK(table.find("total: 34:16, 5.31 km, 12 steps") != std::string::npos);
    // Whole quarter miles only: other distances stay metric.
    Timeline t = sample();
    t.steps[1].extent_kind = ExtentKind::distance;
    for (const auto& row : std::vector<std::pair<double, std::string>>{
             {3218.688, "2 mi"}, {2414.016, "1.5 mi"}, {400, "400 m"}, {1600, "1.60 km"}}) {
        const std::string& text = row.second;  // (clang 14 cannot capture a structured binding)
        t.steps[1].extent = row.first;
        CHECK_MESSAGE(render_table(t).find(" " + text + " ") != std::string::npos, text);
    }
}

TEST_CASE("render helpers") {
    CHECK(render_clock(0) == "0:00");
    CHECK(render_clock(89.6) == "1:30");
    CHECK(render_clock(3725) == "1:02:05");
    CHECK(render_pace(12.0) == "5:00");
    CHECK(render_pace(0) == "-");
    CHECK(render_distance(400) == "400 m");
    CHECK(render_distance(7533.3) == "7.53 km");
}

TEST_CASE("render_svg: a self-contained, well-formed chart with labelled axes and a legend") {
    for (const std::string id : {"8x400m", "balke", "fartlek"}) {
        CAPTURE(id);
        const Timeline t = load_builtin(id);
        const std::string svg = render_svg(t);
        CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
        CHECK(svg.find("</svg>") != std::string::npos);
        CHECK(tags_balanced(svg));
        for (const char* label : {"Time (min)", "Speed (km/h)", "Incline (%)", "speed (km/h)"})
            CHECK_MESSAGE(svg.find(label) != std::string::npos, label);
        CHECK(svg.find(t.name) != std::string::npos);
        CHECK(svg.find("<polyline class=\"speed\"") != std::string::npos);
        CHECK(svg.find("<polygon class=\"incline\"") != std::string::npos);
        // Self-contained: no scripts, no external references.
        CHECK(svg.find("<script") == std::string::npos);
        CHECK(svg.find("href") == std::string::npos);
        CHECK(svg.find("@import") == std::string::npos);
    }
    const std::string escaped = render_svg(sample());
    CHECK(escaped.find("Sample &lt;&amp;&gt; &quot;test&quot;") != std::string::npos);
    CHECK(tags_balanced(escaped));
    CHECK(escaped.find(">warmup<") != std::string::npos);  // legend entries of the classes used
    CHECK(escaped.find(">cooldown<") != std::string::npos);
    CHECK(escaped.find(">recover<") == std::string::npos);
}
