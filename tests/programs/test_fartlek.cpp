// Fartlek blocks: reproducible from the seed, exact totals, ending with a recovery.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include "program_test_helpers.hpp"
#include "programs/fartlek.hpp"
#include "programs/prng.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

namespace {

std::string fartlek_program(const std::string& block_extra, const std::string& extent = "24 min") {
    return "schema: treadmill-workout/1\nname: f\nsteps:\n  - fartlek: " + extent + "\n" +
           block_extra +
           "    surge: {for: 20 s..90 s, pace: 14 km/h..17 km/h, incline: 1%..2%}\n"
           "    recover: {for: 45 s..2 min, pace: 9 km/h..10 km/h}\n";
}

FartlekSpec timed_spec(std::uint64_t seed) {
    FartlekSpec spec;
    spec.total = 24 * 60 * 1000;
    spec.quantum = 5000;
    spec.surge = {20000, 90000, true, 14.0, 17.0, true, 1.0, 2.0, true};
    spec.recover = {45000, 120000, true, 9.0, 10.0, true, 0.0, 0.0, false};
    spec.seed = seed;
    return spec;
}

}  // namespace

TEST_CASE("fartlek: the same seed gives the same session") {
    ResolveOptions options;
    auto a = load_ok(fartlek_program("    seed: 42\n"), options);
    auto b = load_ok(fartlek_program("    seed: 42\n"), options);
    auto c = load_ok(fartlek_program("    seed: 43\n"), options);
    REQUIRE(a.steps.size() == b.steps.size());
    bool differs = a.steps.size() != c.steps.size();
    for (std::size_t i = 0; i < a.steps.size(); ++i) {
        CHECK(a.steps[i].extent == b.steps[i].extent);
        CHECK(a.steps[i].speed_kmh == b.steps[i].speed_kmh);
        CHECK(a.steps[i].incline_pct == b.steps[i].incline_pct);
        if (i < c.steps.size() && a.steps[i].extent != c.steps[i].extent) differs = true;
    }
    CHECK(differs);
    REQUIRE(a.seeds.size() == 1);
    CHECK(a.seeds[0] == 42);
}

TEST_CASE("fartlek: draws follow the normative algorithm (first segment by hand)") {
    // Seed 42: draw 1 is the recovery's extent, bounded((120000-45000)/5000+1 = 16).
    Xoshiro256StarStar rng(42);
    const std::uint64_t k = rng.bounded(16);
    const double u = rng.uniform();
    const double v = 9.0 + u * (10.0 - 9.0);
    auto segments = draw_fartlek(timed_spec(42), 1000);
    REQUIRE(!segments.empty());
    CHECK_FALSE(segments[0].surge);
    CHECK(segments[0].extent == 45000 + static_cast<std::int64_t>(k) * 5000);
    CHECK(segments[0].speed_kmh == std::round(10 * v) / 10);
    CHECK(segments[0].incline_pct == 0);
    CHECK(segments[1].surge);
}

TEST_CASE("fartlek: every session sums to its total and ends with a recovery") {
    for (std::uint64_t seed = 0; seed < 500; ++seed) {
        auto spec = timed_spec(seed);
        spec.start_with_surge = seed % 2 == 0;
        auto segments = draw_fartlek(spec, 10000);
        REQUIRE(!segments.empty());
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            sum += segments[i].extent;
            CHECK(segments[i].extent > 0);
            if (i > 0) CHECK(segments[i].surge != segments[i - 1].surge);
            if (segments[i].surge) {
                CHECK(segments[i].speed_kmh >= 14.0);
                CHECK(segments[i].speed_kmh <= 17.0);
                CHECK(std::fmod(segments[i].incline_pct * 2, 1.0) == 0);
            }
        }
        CHECK(sum == spec.total);
        CHECK_FALSE(segments.back().surge);
    }
}

TEST_CASE("fartlek: through the loader, by distance, drawn seed recorded") {
    ResolveOptions options;
    options.drawn_seed = 777;
    auto t = load_ok(
        "schema: treadmill-workout/1\nname: f\nsteps:\n  - fartlek: 5 km\n"
        "    surge: {for: 200 m..600 m, pace: 5k}\n"
        "    recover: {for: 200 m..400 m, pace: easy..jog}\n"
        "references: {5k: 16 km/h, easy: 10 km/h, jog: 8 km/h}\n",
        options);
    REQUIRE(t.seeds.size() == 1);
    CHECK(t.seeds[0] == 777);
    double metres = 0;
    for (const auto& s : t.steps) {
        CHECK(s.extent_kind == ExtentKind::distance);
        CHECK(std::fmod(std::round(s.extent * 1000), 10000) == 0);  // on the 10 m grid
        metres += s.extent;
        if (s.step_class == StepClass::run) CHECK(s.speed_kmh == doctest::Approx(16));
    }
    CHECK(metres == doctest::Approx(5000));
    CHECK(t.total_m == doctest::Approx(5000));
    CHECK(t.steps.back().step_class == StepClass::recover);
    auto again = load_ok(
        "schema: treadmill-workout/1\nname: f\nsteps:\n  - fartlek: 5 km\n"
        "    seed: 777\n"
        "    surge: {for: 200 m..600 m, pace: 5k}\n"
        "    recover: {for: 200 m..400 m, pace: easy..jog}\n"
        "references: {5k: 16 km/h, easy: 10 km/h, jog: 8 km/h}\n");
    REQUIRE(again.steps.size() == t.steps.size());
    for (std::size_t i = 0; i < t.steps.size(); ++i)
        CHECK(again.steps[i].extent == t.steps[i].extent);
}

TEST_CASE("fartlek: a segment that reaches the total is discarded; remainder to a recovery") {
    FartlekSpec spec;
    spec.total = 100000;
    spec.quantum = 5000;
    spec.surge = {60000, 60000, false, 15, 15, false, 0, 0, false};
    spec.recover = {30000, 30000, false, 9, 9, false, 0, 0, false};
    spec.start_with_surge = true;
    // surge 60 + recover 30 = 90; the next surge (60) passes 100: discarded; the remainder
    // (10 s) goes to the last recovery.
    auto s = draw_fartlek(spec, 100);
    REQUIRE(s.size() == 2);
    CHECK(s[0].extent == 60000);
    CHECK(s[1].extent == 40000);
    // recover first: 30, surge 60 -> 90; recover 30 passes -> discarded; the last emitted
    // is a surge, so the remainder becomes a new recovery.
    spec.start_with_surge = false;
    s = draw_fartlek(spec, 100);
    REQUIRE(s.size() == 3);
    CHECK(s[2].extent == 10000);
    CHECK_FALSE(s[2].surge);
    CHECK(s[2].speed_kmh == 9);
}

TEST_CASE("fartlek: through the loader, any seed sums exactly and ends with a recovery") {
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
        CAPTURE(seed);
        const std::string yaml =
            "schema: treadmill-workout/1\nname: f\nsteps:\n"
            "  - fartlek: 3.2 km\n    seed: " +
            std::to_string(seed) +
            "\n    quantize: 25 m\n    start_with: surge\n"
            "    surge: {for: 100 m..500 m, speed: 13 km/h..16 km/h, "
            "incline: 0%..3%}\n"
            "    recover: {for: 150 m..450 m, speed: 8 km/h..9 km/h}\n";
        auto t = load_ok(yaml);
        double metres = 0;
        for (const auto& s : t.steps) {
            metres += s.extent;
            if (s.step_class == StepClass::run) {
                CHECK(s.speed_kmh >= 13.0);
                CHECK(s.speed_kmh <= 16.0);
            }
        }
        CHECK(metres == doctest::Approx(3200).epsilon(1e-12));
        CHECK(t.steps.front().step_class == StepClass::run);
        CHECK(t.steps.back().step_class == StepClass::recover);
        CHECK(t.seeds == std::vector<std::uint64_t>{seed});
    }
}
