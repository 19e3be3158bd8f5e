// The Runner: boundaries by time and distance, ramps, open steps, skip, done, estimates.
#include <doctest/doctest.h>

#include "program_test_helpers.hpp"
#include "programs/runner.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

namespace {

Timeline sample() {
    return load_ok(R"(schema: treadmill-workout/1
name: r
steps:
  - warmup: 2 min
    speed: 9 km/h -> 12 km/h
    incline: 0% -> 2%
    cue: "go"
  - repeat: 2
    steps:
      - run: 400 m
        speed: 14.4 km/h
      - recover: 1 min
        speed: 7.2 km/h
  - run: open
    max: 5 min
    speed: manual
)");
}

}  // namespace

TEST_CASE("runner: time boundaries and ramp interpolation") {
    const Timeline t = sample();
    REQUIRE(t.steps.size() == 6);
    Runner r(t);
    auto s = r.update(0, 0);
    CHECK(s.step_index == 0);
    CHECK(s.target_speed_kmh == doctest::Approx(9));
    CHECK(s.cue == "go");
    s = r.update(60, 175);
    CHECK(s.step_index == 0);
    CHECK(s.target_speed_kmh == doctest::Approx(10.5));
    CHECK(s.target_incline_pct == doctest::Approx(1));
    CHECK(s.step_remaining_s == doctest::Approx(60));
    s = r.update(119.9, 349);
    CHECK(s.step_index == 0);
    s = r.update(120.0, 350);
    CHECK(s.step_index == 1);
    CHECK(s.rep == 1);
    CHECK(s.reps == 2);
    CHECK(s.target_speed_kmh == doctest::Approx(14.4));
}

TEST_CASE("runner: distance boundaries and estimates") {
    const Timeline t = sample();
    Runner r(t);
    r.update(120, 350);
    auto s = r.update(170, 550);  // 200 m into the 400 m rep
    CHECK(s.step_index == 1);
    CHECK(s.step_remaining_m == doctest::Approx(200));
    CHECK(s.step_remaining_s == doctest::Approx(50));  // 400 m at 14.4 km/h = 100 s, half left
    CHECK(s.total_remaining_s == doctest::Approx(50 + 60 + 100 + 60 + 300));
    s = r.update(221, 750.5);  // the 400 m ended at 750 m
    CHECK(s.step_index == 2);
    CHECK(s.step->step_class == StepClass::recover);
    // The recovery started at the boundary in distance and at the current time.
    s = r.update(280, 860);
    CHECK(s.step_index == 2);
    s = r.update(281, 862);
    CHECK(s.step_index == 3);
}

TEST_CASE("runner: several boundaries in one update, open step ends at max, done") {
    const Timeline t = sample();
    Runner r(t);
    // One jump from (0 s, 0 m) to (600 s, 2000 m), boundaries placed linearly in between:
    // warmup ends at 120 s (400 m), the rep at 800 m (240 s), the recovery at 300 s (1000 m),
    // the rep at 1400 m (420 s), the recovery at 480 s; the open step (max 5 min) ends at 780 s.
    auto s = r.update(600, 2000);
    CHECK(s.step_index == 5);
    CHECK(s.manual_speed);
    CHECK_FALSE(s.done);
    CHECK(s.step_remaining_s == doctest::Approx(180));
    s = r.update(779, 2400);
    CHECK(s.step_index == 5);
    s = r.update(780, 2500);
    CHECK(s.done);
    CHECK(r.done());
    CHECK(s.step == nullptr);
    CHECK(s.step_index == t.steps.size());
    CHECK(s.total_remaining_s == 0);
}

TEST_CASE("runner: skip ends the current step now") {
    const Timeline t = sample();
    Runner r(t);
    r.update(30, 80);
    r.skip(30, 80);
    auto s = r.update(30, 80);
    CHECK(s.step_index == 1);
    s = r.update(100, 470);  // the 400 m counts from 80 m
    CHECK(s.step_index == 1);
    s = r.update(110, 480);
    CHECK(s.step_index == 2);
    r.skip(111, 481);
    r.skip(112, 482);
    r.skip(113, 483);
    s = r.update(114, 484);
    CHECK(s.step_index == 5);
    r.skip(115, 485);  // the open step
    CHECK(r.done());
    CHECK(r.update(116, 486).done);
    r.skip(117, 487);  // harmless when done
    CHECK(r.step_index() == t.steps.size());
}

TEST_CASE("runner: an empty timeline is done at once") {
    Timeline t;
    Runner r(t);
    CHECK(r.update(0, 0).done);
}
