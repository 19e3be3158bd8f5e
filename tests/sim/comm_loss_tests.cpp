// The boards' dead-man (comm-loss) and the safety key, under virtual time.
#include <doctest/doctest.h>

#include "tests/sim/sim_test_helpers.hpp"

using namespace treadmill;
using namespace treadmill::sim::testing;
namespace m = treadmill::regmap::motor;
namespace in = treadmill::regmap::incline;

namespace {

// The belt at 30 Hz (10 km/h) with the drive's dead-man at 0.5 s and `treatment`.
void run_belt_with_dead_man(VirtualBench& b, std::uint16_t treatment) {
    b.write(1, m::kDecelTime, 20);  // 2.0 s from max frequency
    b.write(1, m::kCommLossTreatment, treatment);
    b.write(1, m::kCommLossTimeout, 5);
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 3000});
    for (int i = 0; i < 60; ++i) {  // keep polling for 6 s: the belt reaches speed
        b.run_for(100ms);
        b.read(1, m::kTelemetryStart, m::kTelemetryCount);
    }
    REQUIRE(b.sim.drive().output_hz() == doctest::Approx(30.0));
}

}  // namespace

TEST_CASE("no dead-man while polled") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossRampStop);
    CHECK(b.sim.drive().fault() == 0);
}

TEST_CASE("drive comm-loss, treatment 1: fault 49 and the belt ramps to 0 per Pr.01-13") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossRampStop);
    b.run_for(450ms);
    CHECK(b.sim.drive().fault() == 0);
    b.run_for(100ms);
    CHECK(b.sim.drive().fault() == m::kFaultCommTimeout);
    CHECK(b.sim.drive().output_active());  // a ramp, not a coast
    // 60 Hz per 2 s: 30 Hz/s, so 30 Hz stops in 1 s (tripped 0.05 s ago).
    b.run_for(500ms);
    CHECK(b.sim.drive().output_hz() == doctest::Approx(13.5).epsilon(0.05));
    b.run_for(700ms);
    CHECK(b.sim.drive().output_hz() == 0.0);
    CHECK(b.sim.physics().belt_kmh() < 0.1);
    CHECK(b.reg(1, m::kFaultWarning) == ((m::kWarningNone << 8) | m::kFaultCommTimeout));
    CHECK(b.reg(1, m::kCommand) == m::kCommandStop);
    // A reset clears it (the cause is gone), and the motor stays stopped.
    b.write(1, m::kControl, m::kControlFaultReset);
    CHECK(b.reg(1, m::kFaultWarning) == 0);
    b.run_for(1s);
    CHECK(b.sim.drive().output_hz() == 0.0);
}

TEST_CASE("drive comm-loss, treatment 2: fault 49 and the belt coasts") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossCoastStop);
    b.run_for(600ms);
    CHECK(b.sim.drive().fault() == m::kFaultCommTimeout);
    CHECK_FALSE(b.sim.drive().output_active());
    CHECK(b.sim.drive().output_hz() == 0.0);
    const double at_trip = b.sim.physics().belt_kmh();
    b.run_for(1500ms);  // one time constant
    CHECK(b.sim.physics().belt_kmh() == doctest::Approx(at_trip * 0.368).epsilon(0.15));
    b.run_for(10s);
    CHECK(b.sim.physics().belt_kmh() == 0.0);
}

TEST_CASE("drive comm-loss, treatment 0: warning 1 and the belt continues") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossWarnContinue);
    b.run_for(1s);
    CHECK(b.sim.drive().fault() == 0);
    CHECK(b.sim.drive().warning() == m::kWarningComm);
    CHECK(b.sim.drive().output_hz() == doctest::Approx(30.0));
    b.read(1, m::kStatus, 1);  // the link is back: the warning clears
    CHECK(b.sim.drive().warning() == 0);
}

TEST_CASE("drive comm-loss, treatment 3 ignores the silence") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossIgnore);
    b.run_for(2s);
    CHECK(b.sim.drive().fault() == 0);
    CHECK(b.sim.drive().warning() == 0);
}

TEST_CASE("requests for the other unit do not feed a board's dead-man") {
    VirtualBench b;
    run_belt_with_dead_man(b, m::kCommLossRampStop);
    for (int i = 0; i < 10; ++i) {
        b.run_for(100ms);
        b.read(2, in::kTelemetryStart, in::kTelemetryCount);
    }
    CHECK(b.sim.drive().fault() == m::kFaultCommTimeout);
}

TEST_CASE("incline comm-loss, treatment 1: fault 1 latches and the lift stops") {
    VirtualBench b;
    b.write(2, in::kCommLossTreatment, in::kCommLossStopLift);
    b.write(2, in::kCommLossTimeout, 5);
    b.write(2, in::kTarget, 100);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(400ms);
    CHECK(b.sim.incline().fault() == 0);
    b.run_for(200ms);
    CHECK(b.sim.incline().fault() == in::kFaultCommTimeout);
    const double stopped_at = b.sim.incline().actual_pct();
    CHECK(stopped_at > 0.2);
    b.run_for(2s);
    CHECK(b.sim.incline().actual_pct() == stopped_at);
    // Latched: talking again does not clear it, a reset does; the lift does not restart.
    const auto status = b.reg(2, in::kStatus);
    CHECK((status & in::kStatusFault) != 0);
    CHECK(b.reg(2, in::kFaultCode) == in::kFaultCommTimeout);
    b.write(2, in::kControl, in::kControlFaultReset);
    CHECK(b.reg(2, in::kFaultCode) == 0);
    CHECK(b.reg(2, in::kCommand) == in::kCommandStop);
}

TEST_CASE("incline comm-loss, treatment 0: status bit6 and the lift continues") {
    VirtualBench b;
    b.write(2, in::kCommLossTreatment, in::kCommLossWarnContinue);
    b.write(2, in::kCommLossTimeout, 5);
    b.write(2, in::kTarget, 30);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(6s);
    CHECK(b.sim.incline().fault() == 0);
    CHECK((b.sim.incline().status() & in::kStatusCommWarning) != 0);
    CHECK(b.sim.incline().actual_pct() == doctest::Approx(3.0));
}

TEST_CASE("key pull: the drive trips EF and coasts, the incline clears bit8 and halts") {
    VirtualBench b;
    b.write_many(1, m::kCommand, {m::kCommandRunForward, 6000});
    b.write(2, in::kTarget, 100);
    b.write(2, in::kCommand, in::kCommandMove);
    b.run_for(5s);
    const double incline_before = b.sim.incline().actual_pct();
    REQUIRE(incline_before > 2.0);
    REQUIRE(roller_kmh(b) > 5.0);
    CHECK(b.control({{"cmd", "key"}, {"present", false}})["ok"] == true);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == m::kFaultExternal);
    CHECK((b.reg(2, in::kStatus) & in::kStatusKeyPresent) == 0);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
    b.run_for(10s);
    CHECK(roller_kmh(b) == 0.0);
    CHECK(b.sim.incline().actual_pct() == doctest::Approx(incline_before).epsilon(0.01));
    // A reset is refused while the key is out; with the key back it clears, no restart.
    b.write(1, m::kControl, m::kControlFaultReset);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == m::kFaultExternal);
    b.control({{"cmd", "key"}, {"present", true}});
    CHECK((b.reg(2, in::kStatus) & in::kStatusKeyPresent) != 0);
    b.write(1, m::kControl, m::kControlFaultReset);
    CHECK((b.reg(1, m::kFaultWarning) & 0xFF) == 0);
    b.run_for(1s);
    CHECK(b.reg(1, m::kOutputFrequency) == 0);
}

TEST_CASE("the state reports when the key last changed, on the simulator's clock") {
    VirtualBench b;
    CHECK(b.control({{"cmd", "state"}})["state"]["key_changed_s"].is_null());
    b.run_for(2s);
    b.control({{"cmd", "key"}, {"present", false}});
    const double pulled = b.control({{"cmd", "state"}})["state"]["key_changed_s"].get<double>();
    CHECK(pulled == doctest::Approx(2.0));
    b.run_for(1s);
    b.control({{"cmd", "key"}, {"present", false}});  // already out: not a change
    auto state = b.control({{"cmd", "state"}})["state"];
    CHECK(state["key_changed_s"].get<double>() == doctest::Approx(pulled));
    CHECK(state["wall_s"].get<double>() == doctest::Approx(3.0));
    b.run_for(1s);
    b.control({{"cmd", "clear"}});  // puts the key back
    state = b.control({{"cmd", "state"}})["state"];
    CHECK(state["key_present"] == true);
    CHECK(state["key_changed_s"].get<double>() == doctest::Approx(4.0));
}
