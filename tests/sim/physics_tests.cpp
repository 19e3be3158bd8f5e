// Belt and lift physics, under virtual time.
#include <doctest/doctest.h>

#include <set>

#include "tests/sim/sim_test_helpers.hpp"

using namespace treadmill;
using namespace treadmill::sim::testing;
namespace m = treadmill::regmap::motor;
namespace in = treadmill::regmap::incline;

TEST_CASE("acceleration follows Pr.01-12 within 5 %") {
    VirtualBench b;
    b.write(1, m::kAccelTime, 60);  // 6.0 s from 0 to 60 Hz: 10 Hz/s, 3.33 km/h/s
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 6000});
    b.run_for(1s);
    const double v1 = b.sim.physics().belt_kmh();
    const double f1 = b.sim.drive().output_hz();
    b.run_for(3s);
    const double v2 = b.sim.physics().belt_kmh();
    const double f2 = b.sim.drive().output_hz();
    CHECK((f2 - f1) / 3.0 == doctest::Approx(10.0).epsilon(0.05));
    CHECK((v2 - v1) / 3.0 == doctest::Approx(10.0 / 3.0).epsilon(0.05));
    b.run_for(4s);
    CHECK(b.sim.drive().output_hz() == doctest::Approx(60.0));
    // Top speed: 20 km/h less a small slip under load.
    CHECK(roller_kmh(b) == doctest::Approx(20.0).epsilon(0.03));
    CHECK(roller_kmh(b) < 20.0);
}

TEST_CASE("deceleration follows Pr.01-13 on STOP") {
    VirtualBench b;
    b.write(1, m::kAccelTime, 10);
    b.write(1, m::kDecelTime, 40);  // 15 Hz/s
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 6000});
    b.run_for(2s);
    b.write(1, m::kCommand, m::kCommandStop);
    CHECK((b.reg(1, m::kStatus) & m::kStatusRunMask) == m::kStatusDecelerating);
    b.run_for(2s);
    CHECK(b.sim.drive().output_hz() == doctest::Approx(30.0).epsilon(0.02));
    b.run_for(2100ms);
    CHECK(b.sim.drive().output_hz() == 0.0);
    CHECK((b.reg(1, m::kStatus) & m::kStatusRunMask) == m::kStatusStopped);
}

TEST_CASE("time scale runs physics faster than the wall clock, comm-loss stays on wall time") {
    sim::SimOptions options;
    options.time_scale = 10.0;
    VirtualBench b(options);
    b.write(1, m::kAccelTime, 100);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 6000});
    b.run_for(500ms);  // 5 s of workout time: half way
    CHECK(b.sim.drive().output_hz() == doctest::Approx(30.0).epsilon(0.02));
    CHECK(b.sim.workout_seconds() == doctest::Approx(5.0));
    b.write(1, m::kCommLossTreatment, m::kCommLossRampStop);
    b.write(1, m::kCommLossTimeout, 5);
    b.run_for(400ms);
    CHECK(b.sim.drive().fault() == 0);
    b.run_for(200ms);
    CHECK(b.sim.drive().fault() == m::kFaultCommTimeout);
}

TEST_CASE("current rises with speed, incline and the runner's mass") {
    sim::SimOptions heavy;
    heavy.runner_mass_kg = 120.0;
    VirtualBench light, big(heavy);
    for (auto* b : {&light, &big}) {
        b->write(1, m::kAccelTime, 10);
        b->write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
        b->run_for(3s);
    }
    const double at_30 = light.reg(1, m::kOutputCurrent);
    CHECK(at_30 > 0);
    CHECK(big.reg(1, m::kOutputCurrent) > at_30);
    light.write(1, m::kFrequencyCommand, 6000);
    light.run_for(3s);
    const double at_60 = light.reg(1, m::kOutputCurrent);
    CHECK(at_60 > at_30);
    light.write(2, in::kTarget, 100);
    light.write(2, in::kCommand, in::kCommandMove);
    light.run_for(20s);
    CHECK(light.reg(1, m::kOutputCurrent) > at_60);
}

TEST_CASE("the roller's odometer counts the belt's distance (uint32, 0.01 m)") {
    VirtualBench b;
    b.write(1, m::kAccelTime, 0);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3600});  // 12 km/h less slip
    b.run_for(60s);
    const auto block = b.read(2, in::kTelemetryStart, in::kTelemetryCount);
    REQUIRE(block.values.size() == 8);
    const std::uint32_t odo = (std::uint32_t{block.values[6]} << 16) | block.values[7];
    const double metres = odo / 100.0;
    const double kmh = block.values[5] / 100.0;
    CHECK(metres == doctest::Approx(kmh / 3.6 * 60.0).epsilon(0.01));
    CHECK(metres > 190.0);
}

TEST_CASE("incline travels at 0.6 %/s with noise on the ADC and limit switches") {
    VirtualBench b;
    b.write(2, in::kTarget, 60);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(5s);
    CHECK(b.sim.incline().actual_pct() == doctest::Approx(3.0).epsilon(0.01));
    auto status = b.reg(2, in::kStatus);
    CHECK((status & in::kStatusMoving) != 0);
    CHECK((status & in::kStatusDirectionUp) != 0);
    CHECK((status & in::kStatusLowerLimit) == 0);
    b.run_for(6s);
    CHECK(b.reg(2, in::kActualIncline) == 60);
    status = b.reg(2, in::kStatus);
    CHECK((status & in::kStatusMoving) == 0);
    CHECK((status & in::kStatusAtTarget) != 0);
    // The ADC moves by at most one count around its mean, and does move.
    std::set<int> raws;
    for (int i = 0; i < 50; ++i) {
        b.run_for(20ms);
        raws.insert(b.reg(2, in::kRawPosition));
    }
    CHECK(raws.size() >= 2);
    CHECK(*raws.rbegin() - *raws.begin() <= 2);
    // Upper limit.
    b.write(2, in::kTarget, 150);
    b.run_for(20s);
    CHECK((b.reg(2, in::kStatus) & in::kStatusUpperLimit) != 0);
    // Down again at the same rate.
    b.write(2, in::kTarget, 90);
    b.run_for(5s);
    CHECK(b.sim.incline().actual_pct() == doctest::Approx(12.0).epsilon(0.01));
}

TEST_CASE("calibrate drives to the lower limit") {
    VirtualBench b;
    b.write(2, in::kTarget, 30);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(10s);
    b.write(2, in::kCommand, in::kCommandCalibrate);
    b.run_for(10s);
    CHECK(b.sim.incline().actual_pct() == 0.0);
    CHECK((b.reg(2, in::kStatus) & (in::kStatusLowerLimit | in::kStatusCalibrated)) ==
          (in::kStatusLowerLimit | in::kStatusCalibrated));
}

TEST_CASE("the roller reads faster when told a larger circumference than the true one") {
    VirtualBench b;
    b.write(1, m::kAccelTime, 0);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});  // ~10 km/h
    b.run_for(5s);
    const double at_true = b.reg(2, in::kRollerSpeed) / 100.0;
    REQUIRE(at_true > 9.0);
    b.write(2, in::kRollerCircumference, 2200);
    b.run_for(100ms);
    const double at_larger = b.reg(2, in::kRollerSpeed) / 100.0;
    CHECK(at_larger == doctest::Approx(at_true * 2200.0 / 2000.0).epsilon(0.01));
}
