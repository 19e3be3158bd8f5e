// Expansion: simple steps, repeats, per-rep lists, skip_last, ramps, open steps, references,
// cues and clamping, with hand-computed totals.
#include <doctest/doctest.h>

#include "program_test_helpers.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

namespace {

const std::string head = "schema: treadmill-workout/1\nname: test\n";

}  // namespace

TEST_CASE("expand: simple steps and totals") {
    auto t = load_ok(head + R"(steps:
  - warmup: 10 min
    speed: 10 km/h
  - run: 400 m
    speed: 12 km/h
  - cooldown: "5:00"
    speed: 8 km/h
)");
    REQUIRE(t.steps.size() == 3);
    CHECK(t.id == "test");
    CHECK(t.name == "test");
    CHECK(t.steps[0].step_class == StepClass::warmup);
    CHECK(t.steps[1].extent_kind == ExtentKind::distance);
    CHECK(t.steps[1].duration_s == doctest::Approx(120));
    CHECK(t.steps[2].extent == 300);
    CHECK(t.total_s == doctest::Approx(1020));
    CHECK(t.total_m == doctest::Approx(6000.0 / 3.6 + 400 + 2400.0 / 3.6));
    CHECK(t.steps[1].source_line == 6);
}

TEST_CASE("expand: 8 x 400 m with skip_last") {
    auto t = load_ok(head + R"(steps:
  - repeat: 8
    skip_last: recover
    steps:
      - run: 400 m
        speed: 15 km/h
      - recover: 200 m
        speed: 9 km/h
)");
    REQUIRE(t.steps.size() == 15);
    CHECK(t.steps.back().step_class == StepClass::run);
    CHECK(t.total_s == doctest::Approx(8 * 96 + 7 * 80));
    CHECK(t.total_m == doctest::Approx(4600));
    CHECK(t.steps[14].rep == 8);
    CHECK(t.steps[14].reps == 8);
    for (std::size_t i = 0; i < t.steps.size(); ++i) CHECK(t.steps[i].index == i);
}

TEST_CASE("expand: nested repeats take the innermost rep") {
    auto t = load_ok(head + R"(steps:
  - repeat: 2
    steps:
      - run: 1 min
        speed: 12 km/h
      - repeat: 3
        steps:
          - run: 30 s
            speed: 15 km/h
          - walk: 30 s
            speed: 6 km/h
)");
    REQUIRE(t.steps.size() == 14);
    CHECK(t.total_s == doctest::Approx(480));
    CHECK(t.total_m == doctest::Approx(2 * (200 + 3 * (125 + 50))));
    CHECK(t.steps[0].rep == 1);
    CHECK(t.steps[0].reps == 2);
    CHECK(t.steps[7].rep == 2);
    CHECK(t.steps[1].reps == 3);
    CHECK(t.steps[5].rep == 3);
    CHECK(t.steps[13].step_class == StepClass::walk);
}

TEST_CASE("expand: per-rep lists (a ladder) and skip_last") {
    auto t = load_ok(head + R"(steps:
  - repeat: 4
    skip_last: recover
    steps:
      - run: [200 m, 400 m, 600 m, 800 m]
        pace: "4:00/km"
        incline: [1%, 2%, 3%, 4%]
        cue: "Rung {rep} of {reps}: {pace}"
      - recover: 1 min
        speed: 6 km/h
)");
    REQUIRE(t.steps.size() == 7);
    CHECK(t.steps[4].extent == 600);
    CHECK(t.steps[4].incline_pct == 3);
    CHECK(t.steps[6].extent == 800);
    CHECK(t.steps[6].cue == "Rung 4 of 4: 4:00/km");
    CHECK(t.total_s == doctest::Approx(480 + 180));
    CHECK(t.total_m == doctest::Approx(2000 + 300));
}

TEST_CASE("expand: ramps by time and by distance") {
    auto t = load_ok(head + R"(steps:
  - run: 10 min
    speed: 10 km/h -> 13 km/h
    incline: 1% -> 6%
  - run: 1 km
    speed: 10 km/h -> 14 km/h
)");
    REQUIRE(t.steps.size() == 2);
    CHECK(t.steps[0].speed_kmh == doctest::Approx(10));
    CHECK(t.steps[0].speed_end_kmh == doctest::Approx(13));
    CHECK(t.steps[0].incline_end_pct == 6);
    CHECK(t.steps[0].distance_m == doctest::Approx(600 * 11.5 / 3.6));
    CHECK(t.steps[1].duration_s == doctest::Approx(300));
}

TEST_CASE("expand: open step with max and manual speed") {
    auto t = load_ok(head + R"(steps:
  - warmup: 5 min
    speed: 10 km/h
  - run: open
    max: 10 min
    speed: manual
)");
    REQUIRE(t.steps.size() == 2);
    CHECK(t.steps[1].open);
    CHECK(t.steps[1].manual_speed);
    CHECK(t.steps[1].extent == 600);
    CHECK(t.steps[1].speed_kmh == doctest::Approx(10));
    CHECK(t.total_s == doctest::Approx(900));
}

TEST_CASE("expand: references from file, profile and --pace") {
    const std::string yaml = head + R"(references: {5k: "4:00/km", tempo: "90% 5k"}
steps:
  - run: 1 km
    pace: tempo
  - run: 1 km
    pace: 5k + 15 s/km
)";
    auto t = load_ok(yaml);
    CHECK(t.steps[0].speed_kmh == doctest::Approx(13.5));
    CHECK(t.steps[1].speed_kmh == doctest::Approx(14.1));  // 3600/255 = 14.12 -> 14.1

    auto p = load_profile("schema: treadmill-profile/1\npaces: {5k: 18 km/h}\n", "me.yaml");
    INFO(joined(p.diagnostics));
    REQUIRE(p.profile);
    ResolveOptions options;
    options.profile = &*p.profile;
    auto tp = load_ok(yaml, options);
    CHECK(tp.steps[0].speed_kmh == doctest::Approx(16.2));

    options.pace_overrides["5k"] = "20 km/h";
    auto to = load_ok(yaml, options);
    CHECK(to.steps[0].speed_kmh == doctest::Approx(18.0));
}

TEST_CASE("expand: standard references need a value to load, not to validate") {
    const std::string yaml = head + "steps:\n  - run: 1 km\n    pace: 5k\n";
    CHECK(errors_only(validate_program(yaml, "a.yaml")).empty());
    auto r = load_program(yaml, "a.yaml", "a", {});
    CHECK_FALSE(r.timeline);
    REQUIRE_FALSE(r.diagnostics.empty());
    CHECK(r.diagnostics[0].to_string() ==
          "a.yaml:5:11: error: reference '5k' has no value: give a profile (--profile), --pace "
          "5k=4:30/km, or define it under references:");
}

TEST_CASE("expand: defaults, clamping, cues") {
    ResolveOptions options;
    auto r = load_program(head + R"(defaults: {incline: 1%, pace: "6:00/km"}
steps:
  - run: 1 min
    speed: 25 km/h
    cue: "{speed} at {incline}"
  - walk: 1 min
  - run: 1 min
    speed: 12 km/h
    incline: 20%
)",
                          "c.yaml", "c", options);
    INFO(joined(r.diagnostics));
    REQUIRE(r.timeline);
    const auto& t = *r.timeline;
    CHECK(t.steps[0].speed_kmh == doctest::Approx(20));
    CHECK(t.steps[0].cue == "20.0 km/h at 1%");
    CHECK(t.steps[1].speed_kmh == doctest::Approx(10));
    CHECK(t.steps[1].incline_pct == 1);
    CHECK(t.steps[2].incline_pct == 15);
    REQUIRE(t.warnings.size() == 2);
    CHECK(t.warnings[0].to_string() ==
          "c.yaml:6:12: warning: speed 25.0 km/h is above the machine's maximum 20.0 km/h; "
          "clamped");
    CHECK(t.warnings[1].message.find("clamped to 15%") != std::string::npos);
}

TEST_CASE("expand: runner limits from the profile") {
    auto p = load_profile(R"(schema: treadmill-profile/1
name: Ann
paces: {easy: "6:00/km", 5k: "4:30/km", threshold: "95% 5k"}
limits: {max_speed: 14 km/h, max_incline: 8%}
body_mass: 60 kg
units: imperial
)",
                          "ann.yaml");
    INFO(joined(p.diagnostics));
    REQUIRE(p.profile);
    CHECK(p.profile->units == Units::imperial);
    CHECK(*p.profile->body_mass_kg == 60);
    ResolveOptions options;
    options.profile = &*p.profile;
    auto t =
        load_ok(head + "steps:\n  - run: 1 km\n    speed: 16 km/h\n    cue: \"{pace}\"\n", options);
    CHECK(t.steps[0].speed_kmh == doctest::Approx(14));
    CHECK(t.steps[0].cue == "6:54/mi");
    REQUIRE(t.warnings.size() == 1);
    CHECK(t.warnings[0].message.find("the runner's maximum") != std::string::npos);
}

TEST_CASE("expand: requires is checked, never clamped") {
    const std::string yaml =
        head +
        "requires: {max_incline: 22%}\nsteps:\n  - walk: 3 min\n    speed: 2.7 km/h\n"
        "    incline: 10%\n";
    auto ds = validate_program(yaml, "bruce.yaml");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].severity == Diagnostic::Severity::warning);
    CHECK(ds[0].message.find("max_incline 22% is above the machine's 15%") != std::string::npos);
    auto t = load_ok(yaml);
    CHECK(*t.requires_.max_incline_pct == 22);
    CHECK(unmet_requirements(t.requires_, MachineLimits{}).size() == 1);
    MachineLimits big;
    big.max_incline_pct = 25;
    CHECK(unmet_requirements(t.requires_, big).empty());
}

TEST_CASE("expand: program ids from paths") {
    CHECK(program_id_from_path("/etc/treadmilld/programs/8x400m.yaml") == "8x400m");
    CHECK(program_id_from_path("fartlek-random.yml") == "fartlek-random");
    CHECK(program_id_from_path("plain") == "plain");
}

TEST_CASE("expand: 4 h at nominal paces is a warning in validation, an error once resolved") {
    const std::string yaml = head + "steps:\n  - run: 45 km\n    pace: easy\n";
    const auto ds = validate_program(yaml, "long.yaml");  // easy taken as 10 km/h: 4.5 h
    CHECK_FALSE(has_errors(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("(at nominal paces)") != std::string::npos);
    ResolveOptions options;
    options.pace_overrides["easy"] = "6:00/km";
    auto r = load_program(yaml, "long.yaml", "long", options);
    CHECK_FALSE(r.timeline);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].to_string() ==
          "long.yaml:4:5: error: the program passes 4 h at this run step (step 1, running total "
          "4:30:00); programs are limited to 4 h");
    options.pace_overrides["easy"] = "4:00/km";
    CHECK(load_program(yaml, "long.yaml", "long", options).timeline);
}

TEST_CASE("expand: a per-rep list can give an inner repeat's count") {
    auto t = load_ok(head + R"(steps:
  - repeat: 3
    steps:
      - repeat: [1, 2, 3]
        steps:
          - run: 100 m
            speed: 12 km/h
      - walk: 1 min
        speed: 5 km/h
)");
    CHECK(t.steps.size() == 1 + 1 + 2 + 1 + 3 + 1);
    CHECK(t.total_m == doctest::Approx(600 + 3 * 5000.0 / 60));
}

TEST_CASE("expand: the example of docs/workout-format.md") {
    auto t = load_ok(R"(schema: treadmill-workout/1
name: "6 x 800 m"
references: {5k: "4:20/km", easy: "6:00/km"}   # used when your profile has no value
defaults: {incline: 1%}
steps:
  - warmup: 10 min
    pace: easy
  - repeat: 6
    skip_last: recover
    steps:
      - run: 800 m
        pace: 5k
        cue: "Rep {rep} of {reps} at {pace}"
      - recover: 2 min
        pace: easy + 30 s/km
  - cooldown: 10 min
    pace: easy -> easy + 1:00/km
)");
    REQUIRE(t.steps.size() == 1 + 11 + 1);
    CHECK(t.steps[1].cue == "Rep 1 of 6 at 4:21/km");          // the belt's 13.8 km/h, as a pace
    CHECK(t.steps[1].speed_kmh == doctest::Approx(13.8));      // 3600/260 = 13.85 -> 13.8
    CHECK(t.steps[2].speed_kmh == doctest::Approx(9.2));       // 6:30/km = 9.23
    CHECK(t.steps[12].speed_end_kmh == doctest::Approx(8.6));  // 7:00/km = 8.57
    CHECK(t.steps[0].incline_pct == 1);
    CHECK(t.total_s == doctest::Approx(600 + 6 * 800 / (13.8 / 3.6) + 5 * 120 + 600));
}
