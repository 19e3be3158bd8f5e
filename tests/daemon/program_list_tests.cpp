// What `programs` lists of each program beside its name: the duration, distance and small chart
// of the program as `show` expands it (with the runner's profile as it is now), the error of one
// that does not load, and the bounds that keep the list's reply small with many programs.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "common/json_text.hpp"
#include "controller/api/program_catalog.hpp"
#include "controller/api/program_chart.hpp"
#include "controller/api/server.hpp"
#include "programs/timeline_render.hpp"
#include "tests/support/test_support.hpp"

using nlohmann::json;
namespace api = treadmill::api;
namespace programs = treadmill::programs;

namespace {

json entry(const json& list, const std::string& id) {
    for (const auto& item : list)
        if (item["id"] == id) return item;
    return nullptr;
}

// The document `show` answers for `id` (render_json of the loaded timeline).
json shown(const api::ProgramCatalog& catalog, const std::string& id) {
    const auto loaded = catalog.load(id, {});
    REQUIRE(loaded.timeline);
    return json::parse(programs::render_json(*loaded.timeline, -1));
}

// A program of `steps` steps of 30 s, alternating 8 and 12 km/h.
std::string alternating(const std::string& name, int steps) {
    std::string text = "schema: treadmill-workout/1\nname: \"" + name + "\"\nsteps:\n";
    for (int i = 0; i < steps; ++i)
        text += "  - run: 30 s\n    speed: " + std::string(i % 2 ? "12" : "8") + " km/h\n";
    return text;
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("programs lists the duration and distance show finds, and a chart of the profile") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const api::ProgramCatalog catalog({dir}, std::nullopt, {});
    const json list = catalog.list();
    for (const std::string id : {"8x400m", "easy-run", "hill-repeats"}) {
        CAPTURE(id);
        const json item = entry(list, id);
        const json show = shown(catalog, id);
        CHECK(item["error"].is_null());
        CHECK(item["duration_s"] == show["total_s"]);
        CHECK(item["distance_m"] == show["total_m"]);
        const json& chart = item["chart"];
        REQUIRE(chart.is_array());
        CHECK(chart.size() >= 2);
        CHECK(chart.size() <= api::kMaxChartPoints);
        CHECK(chart.front()[0] == 0.0);
        CHECK(chart.back()[0].get<double>() ==
              doctest::Approx(show["total_s"].get<double>()).epsilon(0.001));
        // The chart's highest speed is the program's (when it has no more corners than fit).
        double top = 0, chart_top = 0;
        for (const auto& step : show["steps"])
            if (step["speed_kmh"].is_number())
                top = std::max(
                    {top, step["speed_kmh"].get<double>(), step["speed_end_kmh"].get<double>()});
        for (const auto& point : chart)
            if (point[1].is_number()) chart_top = std::max(chart_top, point[1].get<double>());
        if (chart.size() < api::kMaxChartPoints) CHECK(chart_top == doctest::Approx(top));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("program_chart: flat stretches merge, jumps are two points, many steps become slices") {
    const api::ProgramCatalog catalog({}, std::nullopt, {});
    const auto load = [&](const std::string& yaml) {
        auto loaded = catalog.load_text(yaml, {});
        REQUIRE(loaded.timeline);
        return *loaded.timeline;
    };
    const json steady = api::program_chart(
        load("schema: treadmill-workout/1\nname: S\nsteps:\n"
             "  - run: 60 s\n    speed: 8 km/h\n  - run: 60 s\n    speed: 8 km/h\n"
             "  - run: 60 s\n    speed: 10 km/h\n    incline: 2%\n"));
    CHECK(steady == json::parse("[[0,8,0],[120,8,0],[120,10,2],[180,10,2]]"));

    const json sliced = api::program_chart(load(alternating("Many", 100)));
    CHECK(sliced.size() == api::kMaxChartPoints);
    CHECK(sliced.front()[0] == 0.0);
    CHECK(sliced.back()[0] == 3000.0);
    for (const auto& point : sliced) {  // each slice averages fast and slow steps
        CHECK(point[1].get<double>() > 8.0);
        CHECK(point[1].get<double>() < 12.0);
    }
}

TEST_CASE(
    "a program that does not load is listed with its error; one lacking a reference keeps "
    "its name") {
    const std::string dir = treadmill::testing::make_temp_dir();
    write(dir + "/broken.yaml",
          "schema: treadmill-workout/1\nname: B\nsteps:\n  - run: 10 parsecs\n");
    write(dir + "/needs-pace.yaml",
          "schema: treadmill-workout/1\nname: \"Needs a pace\"\ntags: [tempo]\nsteps:\n"
          "  - run: 1 km\n    pace: threshold\n");
    const api::ProgramCatalog catalog({dir}, std::nullopt, {});
    const json list = catalog.list();

    const json broken = entry(list, "broken");
    CHECK(broken["name"].is_null());
    CHECK(broken["duration_s"].is_null());
    CHECK(broken["distance_m"].is_null());
    CHECK(broken["chart"].is_null());
    REQUIRE(broken["error"].is_string());
    CHECK(broken["error"].get<std::string>().find("broken.yaml:4:") != std::string::npos);
    CHECK(broken["source"] == dir + "/broken.yaml");

    const json needs = entry(list, "needs-pace");
    CHECK(needs["name"] == "Needs a pace");
    CHECK(needs["tags"] == json({"tempo"}));
    CHECK(needs["duration_s"].is_null());
    REQUIRE(needs["error"].is_string());
    CHECK(needs["error"].get<std::string>().find("threshold") != std::string::npos);
    CHECK_FALSE(catalog.load("needs-pace", {}).timeline);  // as start would find it
    CHECK(catalog.list() == list);
    std::filesystem::remove_all(dir);
}

TEST_CASE("programs expands again when the profile changes, and only then") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string profile = dir + "/profile.yaml";
    std::filesystem::create_directory(dir + "/programs");
    write(dir + "/programs/easy-km.yaml",
          "schema: treadmill-workout/1\nname: E\nsteps:\n  - run: 1 km\n    pace: easy\n");
    int reads = 0;
    api::ProgramCatalog catalog({dir + "/programs"}, std::nullopt, {},
                                [&reads](const std::string& path, programs::Diagnostics& d) {
                                    ++reads;
                                    return programs::read_text_file(path, d);
                                });
    catalog.read_profile_at_each_load({profile, {}});
    const auto easy = [&](const std::string& pace) {
        write(profile, "schema: treadmill-profile/1\npaces: {easy: \"" + pace + "\"}\n");
    };

    easy("6:00/km");
    json list = catalog.list();
    CHECK(entry(list, "easy-km")["duration_s"] == 360.0);
    CHECK(entry(list, "easy-km")["duration_s"] == shown(catalog, "easy-km")["total_s"]);
    const int after_first = reads;
    CHECK(catalog.list() == list);
    CHECK(reads == after_first);  // neither the file nor the profile changed: from the cache

    easy("5:00/km");  // as `profile update-from-mile --yes` would
    list = catalog.list();
    CHECK(entry(list, "easy-km")["duration_s"] == 300.0);
    CHECK(entry(list, "easy-km")["duration_s"] == shown(catalog, "easy-km")["total_s"]);
    CHECK(entry(list, "easy-km")["chart"][0][1] == 12.0);

    // An invalid profile: every program is listed with the profile's error, as start fails.
    write(profile, "schema: treadmill-profile/1\npaces: {easy: fast}\n");
    list = catalog.list();
    CHECK(entry(list, "easy-km")["duration_s"].is_null());
    CHECK(entry(list, "easy-km")["error"].get<std::string>().find("profile.yaml") !=
          std::string::npos);
    CHECK(entry(list, "easy-km")["name"] == "E");

    std::filesystem::remove(profile);  // no profile: the built-in references' own defaults
    list = catalog.list();
    CHECK(entry(list, "easy-km")["error"].is_null() ==
          catalog.load("easy-km", {}).timeline.has_value());
    std::filesystem::remove_all(dir);
}

TEST_CASE("with many programs the list stays far below the API's reply limit") {
    const std::string dir = treadmill::testing::make_temp_dir();
    constexpr int many = 400;
    for (int i = 0; i < many; ++i) {
        const std::string id = "p" + std::to_string(1000 + i);
        if (i % 8 == 7) {  // a broken one with a long error line
            write(dir + "/" + id + ".yaml",
                  "schema: treadmill-workout/1\nname: X\nsteps:\n  - run: " +
                      std::string(3000, 'z') + "\n");
        } else {
            write(dir + "/" + id + ".yaml", alternating("Program " + id, 40));
        }
    }
    const api::ProgramCatalog catalog({dir}, std::nullopt, {});
    const json list = catalog.list();
    const std::size_t bytes =
        treadmill::json_text(json{{"id", 1}, {"ok", true}, {"programs", list}}).size();
    CAPTURE(bytes);
    CHECK(bytes < api::ServerOptions{}.max_queued_bytes / 2);
    std::size_t points = 0, charted = 0, listed = 0, loaded = 0;
    for (const auto& item : list) {
        if (item["source"] == "builtin") continue;
        ++listed;
        if (item["error"].is_string()) {
            CHECK(item["error"].get<std::string>().size() <=
                  api::ProgramCatalog::kMaxListedErrorChars);
            continue;
        }
        ++loaded;
        CHECK(item["duration_s"] == 1200.0);  // listed even where the chart is left out
        if (item["chart"].is_array()) {
            ++charted;
            points += item["chart"].size();
        }
    }
    CHECK(listed == many);
    CHECK(points <= api::ProgramCatalog::kMaxListedChartPoints);
    CHECK(charted > 0);
    CHECK(loaded == many - many / 8);
    CHECK(charted < loaded);  // the bound was reached
    std::filesystem::remove_all(dir);
}
