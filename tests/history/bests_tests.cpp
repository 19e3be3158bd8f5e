#include <doctest/doctest.h>

#include "history/bests.hpp"
#include "history/energy.hpp"
#include "tests/history/history_fixture.hpp"

using namespace treadmill::history;
using test::steady;

TEST_CASE("a steady run's 400 m takes distance / speed, interpolated between samples") {
    const auto samples = steady(0, 120, 14.4, 0);  // 4 m/s: 400 m in exactly 100 s
    const auto best = fastest_stretch(samples, 400);
    REQUIRE(best);
    CHECK(best->time_s == doctest::Approx(100.0));
    // 9 km/h = 2.5 m/s: 400 m in 160 s, which ends between samples for a start at 0.
    const auto slow = fastest_stretch(steady(0, 200, 9.0, 0), 400);
    REQUIRE(slow);
    CHECK(slow->time_s == doctest::Approx(160.0).epsilon(0.001));
}

TEST_CASE("the fastest stretch is found anywhere inside the session, not only from its start") {
    // 60 s at 10 km/h, then 150 s at 18 km/h (5 m/s): the 400 m best is 80 s, inside the fast part.
    auto samples = steady(0, 60, 10.0, 0);
    const auto fast = steady(60, 150, 18.0, samples.back().distance_mm);
    samples.insert(samples.end(), fast.begin() + 1, fast.end());
    const auto best = fastest_stretch(samples, 400);
    REQUIRE(best);
    CHECK(best->time_s == doctest::Approx(80.0).epsilon(0.001));
    CHECK(best->start_s >= 60.0);
    CHECK_FALSE(fastest_stretch(samples, 10000));  // never covered
}

TEST_CASE("a stretch that starts mid-interval is interpolated: speeding up inside a second") {
    // 0..10 s at 1 m/s, then 20 m/s: the best 100 m lies wholly in the fast part (5 s), and
    // it ends half-way between two samples for 110 m (5.5 s).
    std::vector<Sample> samples;
    std::int64_t mm = 0;
    for (int t = 0; t <= 20; ++t) {
        Sample s;
        s.elapsed_s = t;
        s.distance_mm = mm;
        samples.push_back(s);
        mm += t < 10 ? 1000 : 20000;
    }
    const auto best = fastest_stretch(samples, 100);
    REQUIRE(best);
    CHECK(best->time_s == doctest::Approx(5.0));
    const auto best_110 = fastest_stretch(samples, 110);
    REQUIRE(best_110);
    CHECK(best_110->time_s == doctest::Approx(5.5));
}

TEST_CASE("a best never spans a pause") {
    // 300 m, a pause, 300 m: no 400 m best at all, though the session covers 600 m.
    auto samples = steady(0, 75, 14.4, 0);
    const auto after = steady(75, 75, 14.4, samples.back().distance_mm + 5000);  // ramp-down gain
    samples.insert(samples.end(), after.begin() + 1, after.end());
    const std::vector<Event> events{{75.0, 0, "pause", ""}, {75.0, 0, "resume", ""}};
    CHECK(unpaused_runs(samples, events).size() == 2);
    const auto bests = session_bests(samples, events);
    CHECK_FALSE(bests[0]);
    // Without the pause the same samples would give a 400 m.
    CHECK(session_bests(samples, {})[0]);
}

TEST_CASE("distance gained while the workout clock stood still splits the run too") {
    auto samples = steady(0, 75, 14.4, 0);
    Sample jump = samples.back();
    jump.distance_mm += 200000;  // 200 m at the same elapsed time
    samples.push_back(jump);
    const auto after = steady(75, 10, 14.4, jump.distance_mm);
    samples.insert(samples.end(), after.begin() + 1, after.end());
    CHECK(unpaused_runs(samples, {}).size() == 2);
    CHECK_FALSE(session_bests(samples, {})[0]);
}

TEST_CASE("a mile at 6:40 pace is found with every shorter distance") {
    const double kmh = 1609.344 / 400.0 * 3.6;  // a mile in 400 s
    const auto bests = session_bests(steady(0, 420, kmh, 0), {});
    REQUIRE(bests[3]);
    CHECK(kBestDistances[3].label == "mile");
    CHECK(bests[3]->time_s == doctest::Approx(400.0).epsilon(0.001));
    CHECK(bests[0]);
    CHECK(bests[2]);
    CHECK_FALSE(bests[4]);
}

TEST_CASE("ACSM: running and walking equations, gross kcal at 5 kcal per litre of O2") {
    // 10 km/h level = 166.7 m/min: 0.2·166.7 + 3.5 = 36.8 mL/kg/min.
    CHECK(acsm_vo2(10000.0 / 60, 0) == doctest::Approx(36.833).epsilon(0.001));
    // 5 km/h at 10 % = 83.3 m/min walking: 8.33 + 1.8·83.3·0.1 + 3.5 = 26.83.
    CHECK(acsm_vo2(5000.0 / 60, 0.10) == doctest::Approx(26.833).epsilon(0.001));
    CHECK(acsm_vo2(5000.0 / 60, -0.05) == acsm_vo2(5000.0 / 60, 0));  // downhill as level
    // 10 min at 10 km/h, 70 kg: 36.83 · 70 / 1000 · 5 = 12.89 kcal/min → 128.9 kcal.
    CHECK(acsm_kcal(test::steady(0, 600, 10.0, 0), 70) == doctest::Approx(128.9).epsilon(0.002));
}
