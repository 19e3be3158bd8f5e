// Distance from the belt odometer: wrap-safe, robust to missed polls and board restarts.
#include <doctest/doctest.h>

#include "controller/odometer.hpp"
#include "controller/setpoint_log.hpp"

using treadmill::controller::Odometer;

TEST_CASE("odometer: advance between good reads, across the 2^32 wrap") {
    Odometer o(20.0);
    CHECK(o.update(0xFFFFFF00u, 0.0) == 0.0);  // the first read is the base
    // 0x100 + 0x10 = 272 cm later, after the wrap.
    CHECK(o.update(0x00000010u, 1.0) == doctest::Approx(2.72));
}

TEST_CASE("odometer: missed polls add up, a counter restart is not counted") {
    Odometer o(20.0);
    o.update(1000, 0.0);
    CHECK(o.update(1000 + 1500, 3.0) == doctest::Approx(15.0));  // 3 s without a good read
    CHECK(o.update(5, 3.1) == 0.0);                              // board rebooted: re-based
    CHECK(o.update(105, 3.5) == doctest::Approx(1.0));
}

TEST_CASE("S11: the set-point log keeps a ring and feeds its sink") {
    using namespace treadmill::controller;
    SetpointLog log(2);
    int seen = 0;
    log.set_sink([&](const SetpointChange&) { ++seen; });
    for (int i = 0; i < 3; ++i)
        log.record(
            SetpointChange{{}, 0, SetpointKind::speed, 0, double(i), SetpointCause::user, ""});
    CHECK(seen == 3);
    REQUIRE(log.entries().size() == 2);
    CHECK(log.entries().front().to == 1.0);
}
