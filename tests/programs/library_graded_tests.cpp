// The graded exercise tests consist of exactly their stages: speed (mph → km/h rounded to
// 0.1), incline and duration of each, and declare the incline (and speed) they need.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"

namespace {

using namespace treadmill::programs;

double mph_to_kmh(double mph) {
    return std::round(mph * 1.609344 * 10) / 10;
}

struct Stage {
    double mph, incline_pct, seconds;
};

// On a machine that meets every graded test's `requires:` (a test clamped is another test).
Timeline load_graded(std::string_view id) {
    const BuiltinProgram* program = find_builtin(id);
    REQUIRE(program != nullptr);
    ResolveOptions options;
    options.limits.max_incline_pct = 25;
    auto result = load_program(program->yaml, std::string(id) + ".yaml", id, options);
    for (const auto& d : result.diagnostics) INFO(d.to_string());
    REQUIRE(result.timeline.has_value());
    CHECK(result.diagnostics.empty());
    CHECK(unmet_requirements(result.timeline->requires_, options.limits).empty());
    return std::move(*result.timeline);
}

void check_stages(const Timeline& t, const std::vector<Stage>& stages, double total_s) {
    REQUIRE(t.steps.size() == stages.size());
    double elapsed = 0;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        CAPTURE(i);
        const auto& step = t.steps[i];
        CHECK(step.extent_kind == ExtentKind::time);
        CHECK(step.duration_s == doctest::Approx(stages[i].seconds));
        CHECK(step.speed_kmh == doctest::Approx(mph_to_kmh(stages[i].mph)));
        CHECK(step.speed_end_kmh == doctest::Approx(step.speed_kmh));
        CHECK(step.incline_pct == doctest::Approx(stages[i].incline_pct));
        CHECK(step.incline_end_pct == doctest::Approx(step.incline_pct));
        CHECK_FALSE(step.open);
        CHECK_FALSE(step.manual_speed);
        elapsed += stages[i].seconds;
    }
    CHECK(elapsed == doctest::Approx(total_s));
    CHECK(t.total_s == doctest::Approx(total_s));
    CHECK(t.description.find("supervised") != std::string::npos);
}

// The stages' own numbering: rep i of n on every stage of the repeat.
void check_stage_numbers(const Timeline& t, std::size_t first, int count) {
    for (int i = 0; i < count; ++i) {
        CHECK(t.steps[first + static_cast<std::size_t>(i)].rep == i + 1);
        CHECK(t.steps[first + static_cast<std::size_t>(i)].reps == count);
    }
}

const std::vector<Stage> kBruceStages = {{1.7, 10, 180}, {2.5, 12, 180}, {3.4, 14, 180},
                                         {4.2, 16, 180}, {5.0, 18, 180}, {5.5, 20, 180},
                                         {6.0, 22, 180}};

}  // namespace

TEST_CASE("graded: bruce is 7 x 3 min from 1.7 mph/10 % to 6.0 mph/22 % (1260 s)") {
    const Timeline t = load_graded("bruce");
    check_stages(t, kBruceStages, 1260);
    check_stage_numbers(t, 0, 7);
    REQUIRE(t.requires_.max_incline_pct.has_value());
    CHECK(*t.requires_.max_incline_pct == doctest::Approx(22));
    CHECK(unmet_requirements(t.requires_, MachineLimits{}).size() == 1);  // 22 % > 15 %
    MachineLimits steep;
    steep.max_incline_pct = 25;
    CHECK(unmet_requirements(t.requires_, steep).empty());
}

TEST_CASE("graded: modified-bruce adds 1.7 mph at 0 % and 5 % before Bruce (1620 s)") {
    std::vector<Stage> stages = {{1.7, 0, 180}, {1.7, 5, 180}};
    stages.insert(stages.end(), kBruceStages.begin(), kBruceStages.end());
    const Timeline t = load_graded("modified-bruce");
    check_stages(t, stages, 1620);
    check_stage_numbers(t, 0, 9);
    CHECK(t.requires_.max_incline_pct == 22);
}

TEST_CASE("graded: balke is 25 one-minute stages at 3.3 mph, 0 %, 2 %, then +1 % (1500 s)") {
    std::vector<Stage> stages = {{3.3, 0, 60}};
    for (int grade = 2; grade <= 25; ++grade)
        stages.push_back({3.3, static_cast<double>(grade), 60});
    const Timeline t = load_graded("balke");
    check_stages(t, stages, 1500);
    check_stage_numbers(t, 0, 25);
    CHECK(t.steps.back().incline_pct == doctest::Approx(25));
    CHECK(t.requires_.max_incline_pct == 25);
}

TEST_CASE("graded: gerkin is a 3-min warm-up then 11 one-minute stages to 7 mph/10 % (840 s)") {
    std::vector<Stage> stages = {{3.0, 0, 180}};
    double mph = 4.5, grade = 0;
    for (int minute = 1; minute <= 11; ++minute) {
        stages.push_back({mph, grade, 60});
        if (minute % 2 == 1)
            grade += 2;  // after each odd minute
        else
            mph += 0.5;  // after each even minute
    }
    const Timeline t = load_graded("gerkin");
    check_stages(t, stages, 840);
    CHECK(t.steps.front().step_class == StepClass::warmup);
    check_stage_numbers(t, 1, 11);
    CHECK(t.steps.back().speed_kmh == doctest::Approx(mph_to_kmh(7.0)));
    CHECK(t.steps.back().incline_pct == doctest::Approx(10));
    CHECK(t.requires_.max_incline_pct == 10);
}
