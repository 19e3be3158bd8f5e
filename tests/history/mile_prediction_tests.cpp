// The references proposed from a mile: Riegel's predictions against published values and hand
// arithmetic, the threshold as a one-hour race, easy and jog from the marathon pace.
#include <doctest/doctest.h>

#include "history/mile_prediction.hpp"

using namespace treadmill::history;

TEST_CASE("Riegel: a 6:00 mile predicts a 19:57 5 km and a 41:36 10 km") {
    // 360 · (5000 / 1609.344)^1.06 = 1197.3 s; (10000 / 1609.344)^1.06 → 2496.1 s.
    CHECK(riegel_time_s(360, kMileM, 5000) == doctest::Approx(1197.3).epsilon(0.0005));
    CHECK(riegel_time_s(360, kMileM, 10000) == doctest::Approx(2496.1).epsilon(0.0005));
    // The same distance is the same time; the inverse finds the distance back.
    CHECK(riegel_time_s(360, kMileM, kMileM) == doctest::Approx(360));
    CHECK(riegel_distance_m(360, kMileM, 1197.3) == doctest::Approx(5000).epsilon(0.0005));
}

TEST_CASE("references from a 6:00 mile: mile, 5k, 10k, threshold, easy, jog") {
    const auto r = references_from_mile(360);
    REQUIRE(r.size() == 6);
    CHECK(r.at("mile") == doctest::Approx(223.69).epsilon(0.0005));  // 3:44/km
    CHECK(r.at("5k") == doctest::Approx(239.46).epsilon(0.0005));    // 3:59/km
    CHECK(r.at("10k") == doctest::Approx(249.61).epsilon(0.0005));   // 4:10/km
    // One hour at Riegel's prediction: 14.12 km → 4:15/km.
    CHECK(r.at("threshold") == doctest::Approx(3600 / 14.1268).epsilon(0.0005));
    // Marathon 11483 s → 272.1 s/km; easy +20 % (5:27/km), jog +25 % (5:40/km).
    CHECK(r.at("easy") == doctest::Approx(272.15 * 1.20).epsilon(0.001));
    CHECK(r.at("jog") == doctest::Approx(272.15 * 1.25).epsilon(0.001));
    CHECK(pace_text(r.at("easy")) == "5:27/km");
    CHECK(pace_text(r.at("jog")) == "5:40/km");
    // Against Daniels' VDOT table for the runner a 6:00 mile makes (VDOT 49: E 8:40/mile =
    // 5:23/km, T 6:55/mile = 4:18/km): within 2 % (Riegel is a little more optimistic).
    CHECK(r.at("easy") == doctest::Approx(323).epsilon(0.02));
    CHECK(r.at("threshold") == doctest::Approx(258).epsilon(0.02));
    // Slower references for slower training: mile < 5k < 10k < threshold < easy < jog.
    CHECK(r.at("mile") < r.at("5k"));
    CHECK(r.at("10k") < r.at("threshold"));
    CHECK(r.at("threshold") < r.at("easy"));
    CHECK(r.at("easy") < r.at("jog"));
}

TEST_CASE("a faster mile gives faster references: race paces in proportion") {
    const auto slow = references_from_mile(420);
    const auto fast = references_from_mile(360);
    for (const auto& entry : fast) {
        const std::string& name = entry.first;
        const double pace = entry.second;
        CAPTURE(name);
        CHECK(pace < slow.at(name));
        // The threshold is a fixed hour, so a faster runner holds it over a longer distance:
        // its pace is not in proportion; every distance-based one is.
        if (name != "threshold") CHECK(pace == doctest::Approx(slow.at(name) * 360.0 / 420.0));
    }
}

TEST_CASE("pace_text rounds to whole seconds") {
    CHECK(pace_text(223.69) == "3:44/km");
    CHECK(pace_text(239.5) == "4:00/km");
    CHECK(pace_text(59.6) == "1:00/km");
}
