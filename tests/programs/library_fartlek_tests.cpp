// The two fartlek built-ins: the seeded one is the same session every time and records its
// seed; the random one takes the drawn seed; both sum exactly to their block.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"

namespace {

using namespace treadmill::programs;

double pace_kmh(int minutes, int seconds) {
    return std::round(36000.0 / (minutes * 60 + seconds)) / 10.0;
}

Timeline load_with_seed(std::string_view id, std::uint64_t drawn_seed) {
    ResolveOptions options;
    options.drawn_seed = drawn_seed;
    auto result = load_program(find_builtin(id)->yaml, std::string(id) + ".yaml", id, options);
    for (const auto& d : result.diagnostics) INFO(d.to_string());
    REQUIRE(result.timeline.has_value());
    return std::move(*result.timeline);
}

bool is_multiple(double value, double step) {
    return std::abs(value / step - std::round(value / step)) < 1e-6;
}

// The steps of the block: everything between the warm-up and the cool-down.
struct Block {
    double seconds = 0, metres = 0;
    int surges = 0;
};

Block block_of(const Timeline& t) {
    REQUIRE(t.steps.size() >= 4);
    CHECK(t.steps.front().step_class == StepClass::warmup);
    CHECK(t.steps.back().step_class == StepClass::cooldown);
    CHECK(t.steps[t.steps.size() - 2].step_class == StepClass::recover);  // ends recovering
    Block b;
    for (std::size_t i = 1; i + 1 < t.steps.size(); ++i) {
        const auto& step = t.steps[i];
        b.seconds += step.duration_s;
        b.metres += step.distance_m;
        if (step.step_class == StepClass::run) ++b.surges;
        // Segments alternate, starting with a recovery.
        CHECK(step.step_class == (i % 2 == 1 ? StepClass::recover : StepClass::run));
    }
    return b;
}

}  // namespace

TEST_CASE("fartlek: seeded 20 min block, surges 5K..mile at 1-2 %, recoveries jog..easy") {
    const Timeline t = load_with_seed("fartlek", 99);
    REQUIRE(t.seeds.size() == 1);
    CHECK(t.seeds[0] == 2026);  // given in the file: the drawn seed is not used
    const Block b = block_of(t);
    CHECK(b.seconds == doctest::Approx(1200));
    CHECK(b.surges >= 5);
    CHECK(t.total_s == doctest::Approx(600 + 1200 + 600));
    for (std::size_t i = 1; i + 1 < t.steps.size(); ++i) {
        const auto& step = t.steps[i];
        CHECK(is_multiple(step.duration_s, 5));
        if (step.step_class == StepClass::run) {
            CHECK(step.duration_s >= 20);
            CHECK(step.duration_s <= 90);
            CHECK(step.speed_kmh >= pace_kmh(5, 0) - 1e-9);
            CHECK(step.speed_kmh <= pace_kmh(4, 30) + 1e-9);
            CHECK(step.incline_pct >= 1);
            CHECK(step.incline_pct <= 2);
            CHECK(is_multiple(step.incline_pct, 0.5));
        } else {
            // The last recovery may be a remainder (shorter) or take one (longer).
            if (i + 2 < t.steps.size()) CHECK(step.duration_s >= 45);
            CHECK(step.speed_kmh >= pace_kmh(7, 30) - 1e-9);
            CHECK(step.speed_kmh <= pace_kmh(6, 15) + 1e-9);
            CHECK(step.incline_pct == doctest::Approx(1));  // defaults.incline
        }
    }
    // The same seed is the same session, whatever seed would have been drawn.
    const Timeline again = load_with_seed("fartlek", 12345);
    REQUIRE(again.steps.size() == t.steps.size());
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
        CHECK(again.steps[i].duration_s == t.steps[i].duration_s);
        CHECK(again.steps[i].speed_kmh == t.steps[i].speed_kmh);
    }
}

TEST_CASE("fartlek-random: takes the drawn seed; its 4 km block sums exactly") {
    const Timeline a = load_with_seed("fartlek-random", 7);
    const Timeline b = load_with_seed("fartlek-random", 8);
    REQUIRE(a.seeds.size() == 1);
    CHECK(a.seeds[0] == 7);
    CHECK(b.seeds[0] == 8);
    const double warm_m = 600 * (pace_kmh(7, 30) + pace_kmh(6, 15)) / 2 / 3.6;
    for (const Timeline* t : {&a, &b}) {
        const Block block = block_of(*t);
        CHECK(block.metres == doctest::Approx(4000));
        CHECK(t->total_m == doctest::Approx(2 * warm_m + 4000));
        for (std::size_t i = 1; i + 1 < t->steps.size(); ++i) {
            CHECK(t->steps[i].extent_kind == ExtentKind::distance);
            CHECK(is_multiple(t->steps[i].distance_m, 50));
        }
    }
    bool differ = a.steps.size() != b.steps.size();
    for (std::size_t i = 0; !differ && i < a.steps.size(); ++i)
        differ = a.steps[i].distance_m != b.steps[i].distance_m ||
                 a.steps[i].speed_kmh != b.steps[i].speed_kmh;
    CHECK(differ);
}
