// MotorDrive and InclineBoard against the simulator: telemetry, configure (read-compare-write),
// run/stop, the boards' comm-loss dead-man, the safety key, fault resets.
#include <doctest/doctest.h>

#include "protocols/incline_board.hpp"
#include "protocols/modbus_link.hpp"
#include "protocols/motor_drive.hpp"
#include "protocols/register_map.hpp"
#include "tests/protocols/sim_bench.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using nlohmann::json;
using std::chrono::milliseconds;
namespace m = treadmill::regmap::motor;
namespace inc = treadmill::regmap::incline;

namespace {

const SpeedScale kScale{60.0, 20.0};

// A generous time-out: these tests are about the boards, not about time-outs (a loaded
// machine, a sanitizer build).
LinkConfig relaxed(LinkConfig c) {
    c.response_timeout = milliseconds(200);
    return c;
}

// Both drivers over one link to a fresh simulator.
struct Rig {
    explicit Rig(Transport t) : bench(t), link(relaxed(bench.link())) {
        auto opened = link.open(now());
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    }
    SimBench bench;
    ModbusLink link;
    MotorDrive drive{link, 1, reference_drive_profile(), kScale};
    InclineBoard incline{link, 2};
};

// Fast ramps so the tests take little wall time.
BoardSettings fast_settings() {
    BoardSettings s;
    s.accel_kmh_per_s = 20.0;  // Pr.01-12 = 1.0 s
    return s;
}

DriveTelemetry drive_now(MotorDrive& d) {
    auto t = d.read_telemetry(now());
    REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message));
    return *t;
}

InclineTelemetry incline_now(InclineBoard& b) {
    auto t = b.read_telemetry(now());
    REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message));
    return *t;
}

// Runs the belt at `kmh` and polls until the drive's output reaches it.
void run_up_to(Rig& rig, double kmh) {
    REQUIRE(rig.drive.write(now(), DriveWrite{true, kmh}).ok());
    const double hz = kmh * 3.0;
    REQUIRE(wait_until([&] { return drive_now(rig.drive).output_frequency_hz >= hz - 0.05; },
                       milliseconds(3000)));
}

const std::set<int> kDriveParams{m::kFrequencySource, m::kRunSource, m::kReverseDisable,
                                 m::kAccelTime,       m::kDecelTime, m::kCommLossTreatment,
                                 m::kCommLossTimeout};
const std::set<int> kInclineParams{inc::kCommLossTimeout, inc::kCommLossTreatment};

void check_power_on_telemetry(Rig& rig) {
    const auto d = drive_now(rig.drive);
    CHECK(d.fault_code == 0);
    CHECK_FALSE(d.running);
    CHECK(d.output_frequency_hz == 0.0);
    const auto i = incline_now(rig.incline);
    CHECK(i.key_present);
    CHECK(i.calibrated);
    CHECK(i.fault_code == 0);
    CHECK(i.roller_speed_kmh == 0.0);
    CHECK(i.incline_pct == doctest::Approx(0.0).epsilon(0.01));
}

// configure writes what differs from factory once, then nothing; the sim's record proves it.
void check_read_compare_write(Rig& rig) {
    BoardSettings s;
    auto first = rig.drive.configure(now(), s);
    REQUIRE(first.ok());
    CHECK(first->written == 4);  // Pr.01-12, 01-13, 09-02, 09-03 differ from factory
    CHECK(first->check.ok());
    auto first_incline = rig.incline.configure(now(), s);
    REQUIRE(first_incline.ok());
    CHECK(first_incline->written == 2);
    const int drive_writes = rig.bench.writes_to(1, kDriveParams);
    const int incline_writes = rig.bench.writes_to(2, kInclineParams);
    CHECK(drive_writes == 4);
    CHECK(incline_writes == 2);
    const auto params = rig.bench.state()["drive"]["params"];
    CHECK(params["comm_loss_timeout"] == 5);
    CHECK(params["comm_loss_treatment"] == 1);
    CHECK(params["accel_time"] == 200);
    CHECK(params["decel_time"] == 57);
    auto second = rig.drive.configure(now(), s);
    auto second_incline = rig.incline.configure(now(), s);
    REQUIRE(second.ok());
    REQUIRE(second_incline.ok());
    CHECK(second->written == 0);
    CHECK(second_incline->written == 0);
    CHECK(rig.bench.writes_to(1, kDriveParams) == drive_writes);
    CHECK(rig.bench.writes_to(2, kInclineParams) == incline_writes);
    auto verified = rig.drive.verify(now());
    REQUIRE(verified.ok());
    CHECK(verified->ok());
    REQUIRE(rig.drive.limits().has_value());
    CHECK(rig.drive.limits()->max_frequency_hz == doctest::Approx(60.0));
    CHECK(rig.drive.limits()->max_speed_kmh == doctest::Approx(20.0));
    REQUIRE(rig.incline.limits().has_value());
    CHECK(rig.incline.limits()->max_pct == doctest::Approx(15.0));
    CHECK(rig.incline.limits()->min_pct == doctest::Approx(0.0));
}

}  // namespace

TEST_CASE("power-on telemetry over TCP and over RTU") {
    for (auto transport : {Transport::tcp, Transport::rtu}) {
        CAPTURE(static_cast<int>(transport));
        Rig rig(transport);
        check_power_on_telemetry(rig);
    }
}

TEST_CASE("configure is read-compare-write over TCP") {
    Rig rig(Transport::tcp);
    check_read_compare_write(rig);
}

TEST_CASE("configure is read-compare-write over RTU") {
    Rig rig(Transport::rtu);
    check_read_compare_write(rig);
}

TEST_CASE("verify finds a drive reset to factory settings") {
    Rig rig(Transport::tcp);
    REQUIRE(rig.drive.configure(now(), BoardSettings{}).ok());
    rig.bench.control({{"cmd", "factory_reset"}, {"unit", 1}});
    auto check = rig.drive.verify(now());
    REQUIRE(check.ok());
    REQUIRE_FALSE(check->ok());
    CHECK(kDriveParams.count(*check->mismatch_address) == 1);
    CHECK(check->expected != check->actual);
}

TEST_CASE("RUN and STOP: one FC16 with command and frequency; the roller follows") {
    Rig rig(Transport::tcp);
    REQUIRE(rig.drive.configure(now(), fast_settings()).ok());
    run_up_to(rig, 5.0);
    const auto d = drive_now(rig.drive);
    CHECK(d.running);
    CHECK(d.frequency_command_hz == doctest::Approx(15.0));
    CHECK(d.output_speed_kmh == doctest::Approx(5.0).epsilon(0.02));
    CHECK(wait_until([&] { return incline_now(rig.incline).roller_speed_kmh > 4.5; },
                     milliseconds(3000)));
    const auto odometer = incline_now(rig.incline).odometer_cm;
    REQUIRE(rig.drive.stop(now()).ok());
    CHECK(wait_until([&] { return drive_now(rig.drive).output_frequency_hz == 0.0; },
                     milliseconds(4000)));
    CHECK(incline_now(rig.incline).odometer_cm > odometer);
    // Only STOP and RUN forward ever reached 0x2000, each with the frequency in one write.
    const auto state = rig.bench.state();
    for (const auto& w : state["writes"]) {
        if (w["unit"] != 1 || w["address"] != m::kCommand) continue;
        REQUIRE(w["values"].size() == 2);
        const int command = w["values"][0];
        CHECK((command == m::kCommandStop || command == m::kCommandRunForward));
    }
}

static void check_comm_loss_ramp(Transport transport) {
    Rig rig(transport);
    REQUIRE(rig.drive.configure(now(), fast_settings()).ok());
    run_up_to(rig, 6.0);
    const auto silent_since = now();  // polling stops here
    REQUIRE(
        wait_until([&] { return rig.bench.state()["drive"]["fault"] == 49; }, milliseconds(3000)));
    CHECK(now() - silent_since >= milliseconds(450));
    const auto d = drive_now(rig.drive);
    CHECK(d.fault_code == m::kFaultCommTimeout);
    CHECK(rig.drive.fault_name(d.fault_code) == "comm time-out (CE10)");
    CHECK(d.output_frequency_hz > 0.0);  // ramping, not coasting
    bool saw_ramp = false;
    REQUIRE(wait_until(
        [&] {
            const double f = drive_now(rig.drive).output_frequency_hz;
            saw_ramp = saw_ramp || (f > 0.5 && f < 17.0);
            return f == 0.0;
        },
        milliseconds(4000)));
    CHECK(saw_ramp);
    CHECK(drive_now(rig.drive).fault_code == m::kFaultCommTimeout);  // latched
    REQUIRE(rig.drive.reset_fault(now()).ok());
    const auto after = drive_now(rig.drive);
    CHECK(after.fault_code == 0);
    CHECK_FALSE(after.running);  // a reset never restarts the motor
}

TEST_CASE("drive comm loss, treatment 2: fault 49 and the output coasts") {
    Rig rig(Transport::tcp);
    auto coast = fast_settings();
    coast.drive_comm_treatment = m::kCommLossCoastStop;
    REQUIRE(rig.drive.configure(now(), coast).ok());
    run_up_to(rig, 6.0);
    REQUIRE(
        wait_until([&] { return rig.bench.state()["drive"]["fault"] == 49; }, milliseconds(3000)));
    const auto d = drive_now(rig.drive);
    CHECK(d.fault_code == m::kFaultCommTimeout);
    CHECK(d.output_frequency_hz == 0.0);  // output off at once
    CHECK(rig.bench.state()["drive"]["output_active"] == false);
    CHECK(incline_now(rig.incline).roller_speed_kmh > 0.5);  // the belt still turns
}

static void check_incline_comm_latch(Transport transport) {
    Rig rig(transport);
    REQUIRE(rig.incline.configure(now(), BoardSettings{}).ok());
    REQUIRE(
        wait_until([&] { return rig.bench.state()["incline"]["fault"] == 1; }, milliseconds(3000)));
    auto t = incline_now(rig.incline);
    CHECK(t.fault_code == inc::kFaultCommTimeout);
    CHECK(t.fault_bit);
    CHECK(InclineBoard::fault_name(t.fault_code) == "comm time-out");
    // Polled again for longer than the time-out: still latched.
    const auto until = now() + milliseconds(700);
    while (now() < until) {
        CHECK(incline_now(rig.incline).fault_code == inc::kFaultCommTimeout);
        std::this_thread::sleep_for(milliseconds(100));
    }
    REQUIRE(rig.incline.reset_fault(now()).ok());
    t = incline_now(rig.incline);
    CHECK(t.fault_code == 0);
    CHECK_FALSE(t.fault_bit);
}

static void check_safety_key(Transport transport) {
    Rig rig(transport);
    rig.bench.control({{"cmd", "key"}, {"present", false}});
    auto d = drive_now(rig.drive);
    CHECK(d.fault_code == m::kFaultExternal);
    CHECK_FALSE(incline_now(rig.incline).key_present);
    rig.bench.control({{"cmd", "key"}, {"present", true}});
    CHECK(incline_now(rig.incline).key_present);
    CHECK(drive_now(rig.drive).fault_code == m::kFaultExternal);  // held until reset
    REQUIRE(rig.drive.reset_fault(now()).ok());
    CHECK(drive_now(rig.drive).fault_code == 0);
}

TEST_CASE("incline: move to a target (clamped to the board's limits), stop, roller read") {
    Rig rig(Transport::tcp);
    REQUIRE(rig.incline.read_limits(now()).ok());
    REQUIRE(rig.incline.write(now(), InclineWrite{InclineWrite::Kind::move, 0.6}).ok());
    CHECK(wait_until([&] { return incline_now(rig.incline).incline_pct >= 0.5; },
                     milliseconds(4000)));
    REQUIRE(rig.incline.write(now(), InclineWrite{InclineWrite::Kind::move, 99.0}).ok());
    CHECK(rig.bench.state()["incline"]["target"] == 150);
    REQUIRE(rig.incline.stop(now()).ok());
    CHECK(rig.bench.state()["incline"]["command"] == inc::kCommandStop);
    auto roller = rig.incline.read_roller(now());
    REQUIRE(roller.ok());
    CHECK(roller->speed_kmh == 0.0);
}

TEST_CASE("an injected drive fault is decoded with its name") {
    Rig rig(Transport::tcp);
    rig.bench.control({{"cmd", "fault"}, {"unit", 1}, {"code", 3}});
    const auto d = drive_now(rig.drive);
    CHECK(d.fault_code == m::kFaultOverHeat);
    CHECK(rig.drive.fault_name(d.fault_code) == "over-heat");
    rig.bench.control({{"cmd", "fault"}, {"unit", 2}, {"code", 2}});
    CHECK(incline_now(rig.incline).fault_code == inc::kFaultStall);
}

TEST_CASE("drive comm loss, treatment 1: fault 49 and the output ramps to 0 (TCP)") {
    check_comm_loss_ramp(Transport::tcp);
}
TEST_CASE("drive comm loss, treatment 1: fault 49 and the output ramps to 0 (RTU)") {
    check_comm_loss_ramp(Transport::rtu);
}

TEST_CASE("incline comm fault 1 latches until reset (TCP)") {
    check_incline_comm_latch(Transport::tcp);
}
TEST_CASE("incline comm fault 1 latches until reset (RTU)") {
    check_incline_comm_latch(Transport::rtu);
}

TEST_CASE("safety key: drive fault 6 and incline bit8 clear; back, reset (TCP)") {
    check_safety_key(Transport::tcp);
}
TEST_CASE("safety key: drive fault 6 and incline bit8 clear; back, reset (RTU)") {
    check_safety_key(Transport::rtu);
}
