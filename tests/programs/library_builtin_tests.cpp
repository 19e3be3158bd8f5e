// The built-in library: every required id is there, validates cleanly and carries its metadata;
// the training programs expand to totals computed here by hand from their definitions.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"

namespace {

using namespace treadmill::programs;

// Speeds the files' `references:` resolve to (pace → km/h rounded to 0.1).
double pace_kmh(int minutes, int seconds) {
    return std::round(36000.0 / (minutes * 60 + seconds)) / 10.0;
}
const double kEasy = pace_kmh(6, 15);       // 9.6
const double kJog = pace_kmh(7, 30);        // 8.0
const double k5k = pace_kmh(5, 0);          // 12.0
const double kMile = pace_kmh(4, 30);       // 13.3
const double k10k = pace_kmh(5, 15);        // 11.4
const double kThreshold = pace_kmh(5, 25);  // 11.1
const double kMarathon = pace_kmh(5, 40);   // 10.6

// Metres covered in `seconds` ramping linearly from v0 to v1 km/h (by the mean speed).
double metres(double seconds, double v0, double v1) {
    return seconds * (v0 + v1) / 2 / 3.6;
}
double metres(double seconds, double v) {
    return metres(seconds, v, v);
}
// Seconds to cover `m` metres at v km/h.
double seconds(double m, double v) {
    return m / (v / 3.6);
}

Timeline load_builtin(std::string_view id, std::uint64_t drawn_seed = 1,
                      std::map<std::string, std::string> paces = {}) {
    const BuiltinProgram* program = find_builtin(id);
    REQUIRE(program != nullptr);
    ResolveOptions options;
    options.drawn_seed = drawn_seed;
    options.pace_overrides = std::move(paces);
    auto result = load_program(program->yaml, std::string(id) + ".yaml", id, options);
    for (const auto& d : result.diagnostics) INFO(d.to_string());
    REQUIRE(result.timeline.has_value());
    CHECK_FALSE(has_errors(result.diagnostics));
    return std::move(*result.timeline);
}

struct Totals {
    double s = 0, m = 0;
};

void check_totals(const Timeline& t, Totals expected) {
    CHECK(t.total_s == doctest::Approx(expected.s).epsilon(1e-6));
    CHECK(t.total_m == doctest::Approx(expected.m).epsilon(1e-6));
    double s = 0, m = 0;
    for (const auto& step : t.steps) s += step.duration_s, m += step.distance_m;
    CHECK(s == doctest::Approx(t.total_s));
    CHECK(m == doctest::Approx(t.total_m));
}

// The usual 10-minute warm-up (jog → easy) and its distance.
Totals warmup(double minutes) {
    return {minutes * 60, metres(minutes * 60, kJog, kEasy)};
}
Totals cooldown(double minutes) {
    return {minutes * 60, metres(minutes * 60, kEasy, kJog)};
}
Totals operator+(Totals a, Totals b) {
    return {a.s + b.s, a.m + b.m};
}
// n reps of `m` metres at v km/h.
Totals reps_of_distance(int n, double m, double v) {
    return {n * seconds(m, v), n * m};
}
Totals reps_of_time(int n, double s, double v) {
    return {n * s, n * metres(s, v)};
}

}  // namespace

TEST_CASE("library: every required id is built in, with metadata, and validates cleanly") {
    const std::vector<std::string> required = {
        "8x400m",         "12x200m",  "pyramid",   "hill-repeats",    "hill-ladder",   "fartlek",
        "fartlek-random", "easy-run", "tempo-run", "progression-run", "5k-time-trial", "bruce",
        "modified-bruce", "balke",    "gerkin",    "mile-time-trial"};
    CHECK(builtin_programs().size() == required.size());
    for (const auto& id : required) {
        CAPTURE(id);
        const BuiltinProgram* program = find_builtin(id);
        REQUIRE(program != nullptr);
        CHECK(program->id == id);
        const auto diagnostics = validate_program(program->yaml, id + ".yaml", MachineLimits{});
        for (const auto& d : diagnostics) INFO(d.to_string());
        CHECK_FALSE(has_errors(diagnostics));
        const Timeline t = load_builtin(id);
        CHECK(t.id == id);
        CHECK_FALSE(t.name.empty());
        CHECK(t.description.size() > 40);
        CHECK_FALSE(t.tags.empty());
        CHECK(t.total_s < 4 * 3600);
        for (const auto& step : t.steps) CHECK(step.speed_kmh > 0);
    }
    CHECK(find_builtin("no-such-program") == nullptr);
}

TEST_CASE("library: builtin_programs() is sorted by id") {
    const auto programs = builtin_programs();
    for (std::size_t i = 1; i < programs.size(); ++i) CHECK(programs[i - 1].id < programs[i].id);
}

TEST_CASE("library: interval programs expand to their hand-computed totals") {
    SUBCASE("8x400m: 8 x 400 m at 5K, 7 x 200 m jog (the last recovery dropped)") {
        const Timeline t = load_builtin("8x400m");
        CHECK(t.steps.size() == 1 + 8 + 7 + 1);
        check_totals(t, warmup(10) + reps_of_distance(8, 400, k5k) +
                            reps_of_distance(7, 200, kJog) + cooldown(10));
        CHECK(t.steps[1].speed_kmh == doctest::Approx(12.0));
        CHECK(t.steps[1].rep == 1);
        CHECK(t.steps[1].reps == 8);
        CHECK(t.steps[1].cue.find("1/8") != std::string::npos);
        CHECK(t.steps[15].rep == 8);
        CHECK(t.steps[16].step_class == StepClass::cooldown);
    }
    SUBCASE("12x200m: 12 x 200 m at mile, 11 x 200 m jog") {
        check_totals(load_builtin("12x200m"), warmup(12) + reps_of_distance(12, 200, kMile) +
                                                  reps_of_distance(11, 200, kJog) + cooldown(10));
    }
    SUBCASE("pyramid: per-rep distances and paces, recoveries of half the rep") {
        const Timeline t = load_builtin("pyramid");
        const double rep_m[] = {200, 400, 600, 800, 600, 400, 200};
        const double rep_v[] = {kMile, k5k, k5k, k10k, k5k, k5k, kMile};
        Totals expected = warmup(10) + cooldown(10);
        for (int i = 0; i < 7; ++i) {
            expected = expected + reps_of_distance(1, rep_m[i], rep_v[i]);
            if (i < 6) expected = expected + reps_of_distance(1, rep_m[i] / 2, kJog);
        }
        check_totals(t, expected);
        CHECK(t.steps[7].distance_m == doctest::Approx(800));  // rep 4, after 3 reps + 3 jogs
        CHECK(t.steps[7].speed_kmh == doctest::Approx(k10k));
    }
}

TEST_CASE("library: hill programs expand to their hand-computed totals and inclines") {
    SUBCASE("hill-repeats: 6 x 90 s at 6 % (90 % of 5K), 2 min flat jog between") {
        const Timeline t = load_builtin("hill-repeats");
        const double hill_kmh = std::round(0.9 * k5k * 10) / 10;
        check_totals(t, warmup(10) + reps_of_time(6, 90, hill_kmh) + reps_of_time(5, 120, kJog) +
                            cooldown(10));
        int hills = 0;
        for (const auto& step : t.steps)
            if (step.step_class == StepClass::run) {
                ++hills;
                CHECK(step.incline_pct == doctest::Approx(6.0));
                CHECK(step.duration_s == doctest::Approx(90));
            } else if (step.step_class == StepClass::recover) {
                CHECK(step.incline_pct == doctest::Approx(0.0));
            }
        CHECK(hills == 6);
        // A step's own incline does not leak into the next: the cool-down has defaults.incline.
        CHECK(t.steps.back().incline_pct == doctest::Approx(1.0));
    }
    SUBCASE("hill-ladder: 7 x 2 min at 2-4-6-8-6-4-2 %, 10K + 30 s/km") {
        const Timeline t = load_builtin("hill-ladder");
        const double climb_kmh = std::round(36000.0 / (5 * 60 + 15 + 30)) / 10;
        check_totals(t, warmup(10) + reps_of_time(7, 120, climb_kmh) + reps_of_time(6, 60, kJog) +
                            cooldown(8));
        const double inclines[] = {2, 4, 6, 8, 6, 4, 2};
        int rep = 0;
        for (const auto& step : t.steps)
            if (step.step_class == StepClass::run)
                CHECK(step.incline_pct == doctest::Approx(inclines[rep++]));
        CHECK(rep == 7);
    }
}

TEST_CASE("library: steady programs expand to their hand-computed totals") {
    SUBCASE("easy-run") {
        check_totals(load_builtin("easy-run"), reps_of_time(1, 300, kJog) +
                                                   reps_of_time(1, 1800, kEasy) +
                                                   Totals{300, metres(300, kJog, 5.0)});
    }
    SUBCASE("tempo-run") {
        check_totals(load_builtin("tempo-run"), warmup(12) + reps_of_time(1, 180, kMarathon) +
                                                    reps_of_time(1, 1200, kThreshold) +
                                                    cooldown(10));
    }
    SUBCASE("progression-run: 4 x 8 min getting faster") {
        const Timeline t = load_builtin("progression-run");
        check_totals(t, reps_of_time(1, 300, kJog) + reps_of_time(1, 480, kEasy) +
                            reps_of_time(1, 480, kMarathon) + reps_of_time(1, 480, kThreshold) +
                            reps_of_time(1, 480, k10k) + cooldown(5));
        for (std::size_t i = 2; i <= 4; ++i) CHECK(t.steps[i].speed_kmh > t.steps[i - 1].speed_kmh);
    }
    SUBCASE("5k-time-trial: strides, 5 km at 5K, an open walk counted at its max") {
        const Timeline t = load_builtin("5k-time-trial");
        check_totals(t, warmup(10) + reps_of_time(4, 20, kMile) + reps_of_time(4, 40, kJog) +
                            reps_of_distance(1, 5000, k5k) + reps_of_time(1, 180, 5.0) +
                            reps_of_time(1, 600, kJog));
        bool open_walk = false;
        for (const auto& step : t.steps)
            if (step.open) open_walk = step.step_class == StepClass::walk && step.extent == 180;
        CHECK(open_walk);
    }
    SUBCASE("mile-time-trial: strides, exactly one mile at the mile reference, walk, cool-down") {
        constexpr double kMileM = 1609.344;
        const Timeline t = load_builtin("mile-time-trial");
        check_totals(t, warmup(10) + reps_of_time(4, 20, kMile) + reps_of_time(4, 40, kJog) +
                            reps_of_distance(1, kMileM, kMile) + reps_of_time(1, 180, 5.0) +
                            reps_of_time(1, 600, kJog));
        REQUIRE(t.steps.size() == 1 + 8 + 1 + 1 + 1);
        const TimelineStep& trial = t.steps[9];
        CHECK(trial.step_class == StepClass::run);
        CHECK(trial.extent_kind == ExtentKind::distance);
        CHECK(trial.extent == doctest::Approx(kMileM).epsilon(1e-12));
        CHECK(trial.distance_m == doctest::Approx(kMileM).epsilon(1e-12));
        CHECK(trial.speed_kmh == doctest::Approx(kMile));
        CHECK_MESSAGE(trial.cue.find("1 mile at 4:31/km (13.3 km/h)") != std::string::npos,
                      trial.cue);  // 4:30/km on the 0.1 km/h grid
        for (std::size_t i = 1; i <= 7; i += 2)
            CHECK(t.steps[i].speed_kmh == doctest::Approx(kMile));
        CHECK(t.steps[10].open);

        // --pace mile=6:00/mi sets the trial and the strides; nothing else moves.
        const Timeline fast = load_builtin("mile-time-trial", 1, {{"mile", "6:00/mi"}});
        const double mile_kmh = std::round(10 * 1.609344 * 10) / 10;  // 16.1
        CHECK(fast.steps[9].speed_kmh == doctest::Approx(mile_kmh));
        CHECK(fast.steps[9].duration_s == doctest::Approx(seconds(kMileM, mile_kmh)));
        CHECK(fast.steps[9].extent == doctest::Approx(kMileM).epsilon(1e-12));
        CHECK(fast.steps[1].speed_kmh == doctest::Approx(mile_kmh));
        CHECK(fast.steps[0].speed_kmh == doctest::Approx(t.steps[0].speed_kmh));
        CHECK(fast.steps[11].speed_kmh == doctest::Approx(kJog));
    }
}
