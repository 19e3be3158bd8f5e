// Our C++ driver (ModbusTreadmill) against the independent Python peer: configure, run the belt
// to 10 km/h and read it back at the roller, the comm-loss dead-man, and the safety key.
#include <doctest/doctest.h>

#include <cmath>
#include <thread>

#include "protocols/modbus_treadmill.hpp"
#include "tests/peers/peer_process.hpp"

using namespace treadmill;
using namespace treadmill::testing;

namespace {

HardwareConfig peer_config(const PeerProcess& peer, const std::optional<std::string>& rtu) {
    HardwareConfig config;
    if (rtu) {
        config.bus.transport = Transport::rtu;
        config.bus.device = *rtu;
        config.bus.parity = Parity::none;
        config.bus.rs485_mode = false;
    } else {
        config.bus.transport = Transport::tcp;
        config.bus.port = peer.port();
    }
    config.bus.response_timeout = std::chrono::milliseconds(300);  // Python under load
    return config;
}

struct Readings {
    DriveTelemetry drive;
    InclineTelemetry incline;
};

// Writes `w` to the drive and reads both boards every ~30 ms until `done(readings)` or timeout;
// like the daemon's control loop, it keeps the dead-men fed.
template <class Done>
std::optional<Readings> drive_until(ModbusTreadmill& hw, const DriveWrite& w, Done done,
                                    std::chrono::milliseconds timeout) {
    std::optional<Readings> last;
    wait_until(
        [&] {
            const auto now = SteadyClock::now();
            (void)hw.write_drive(now, w);
            auto drive = hw.read_drive(now);
            auto incline = hw.read_incline(now);
            if (!drive || !incline) return false;
            last = Readings{*drive, *incline};
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            return done(*last);
        },
        timeout);
    if (last && done(*last)) return last;
    return std::nullopt;
}

bool near(double a, double b, double tolerance) {
    return std::fabs(a - b) <= tolerance;
}

// configure() with the default settings; checks what the peer received.
void configure(ModbusTreadmill& hw, PeerProcess& peer) {
    auto limits = hw.configure(SteadyClock::now(), BoardSettings{});
    REQUIRE_MESSAGE(limits.ok(), (limits.ok() ? "" : limits.error().error.message));
    CHECK(near(limits->max_frequency_hz, 60.0, 1e-9));
    CHECK(near(limits->max_speed_kmh, 20.0, 1e-9));
    CHECK(near(limits->max_incline_pct, 15.0, 1e-9));
    auto state = peer.state();
    REQUIRE(state.is_object());
    CHECK(state["drive"]["params"]["comm_loss_timeout"] == 5);    // 0.5 s dead-man
    CHECK(state["drive"]["params"]["comm_loss_treatment"] == 1);  // ramp stop
    CHECK(state["incline"]["params"]["comm_loss_timeout"] == 5);
    CHECK(state["incline"]["params"]["comm_loss_treatment"] == 1);
}

const DriveWrite kRun10{true, 10.0};

// Runs the belt to 10 km/h and checks it at the roller (unit 2) and at the drive (unit 1).
void run_to_10_kmh(ModbusTreadmill& hw) {
    auto at_speed = drive_until(
        hw, kRun10,
        [](const Readings& r) {
            return near(r.drive.output_frequency_hz, 30.0, 0.011) &&
                   near(r.incline.roller_speed_kmh, 10.0, 0.05);
        },
        10s);
    REQUIRE(at_speed.has_value());
    INFO("output ", at_speed->drive.output_frequency_hz, " Hz, command ",
         at_speed->drive.frequency_command_hz, " Hz, roller ", at_speed->incline.roller_speed_kmh,
         " km/h, status ", at_speed->drive.status);
    CHECK(at_speed->drive.running);
    CHECK(near(at_speed->drive.frequency_command_hz, 30.0, 0.011));
    CHECK(near(at_speed->drive.output_frequency_hz, 30.0, 0.011));
    CHECK(at_speed->drive.fault_code == 0);
    CHECK(at_speed->incline.key_present);
    CHECK(at_speed->incline.odometer_cm > 0);
}

}  // namespace

TEST_CASE("driver over TCP: configure, 10 km/h at the roller, then the dead-man trips") {
    PeerProcess peer({.rtu_device = std::nullopt, .time_scale = 10.0, .wire = std::nullopt});
    REQUIRE(peer.ready());
    ModbusTreadmill hw(peer_config(peer, std::nullopt));
    configure(hw, peer);
    (void)hw.configure(SteadyClock::now(), BoardSettings{});
    CHECK(hw.last_configure().drive_written == 0);  // parameters already right: no EEPROM write
    CHECK(hw.last_configure().incline_written == 0);
    run_to_10_kmh(hw);

    // The driver stops polling: after 0.5 s the drive trips 49 and ramps (not coasts) to 0.
    bool saw_ramp = false;
    const bool stopped = wait_until(
        [&] {
            auto s = peer.state();
            if (!s.is_object()) return false;
            const double f = s["drive"]["output_hz"];
            if (s["drive"]["fault"] == 49 && f > 0 && f < 30 && s["drive"]["output_active"] == true)
                saw_ramp = true;
            return s["drive"]["fault"] == 49 && f == 0 && s["belt_kmh"] == 0;
        },
        10s);
    CHECK(stopped);
    CHECK(saw_ramp);
    auto state = peer.state();
    CHECK(state["incline"]["fault"] == 1);
    CHECK(state["drive"]["command"] == 1);  // the fault set 0x2000 to STOP

    const auto now = SteadyClock::now();
    auto drive = hw.read_drive(now);
    REQUIRE(drive.ok());
    CHECK(drive->fault_code == 49);
    CHECK_FALSE(drive->running);
    auto incline = hw.read_incline(now);
    REQUIRE(incline.ok());
    CHECK(incline->fault_code == 1);
    CHECK(incline->fault_bit);
    CHECK(hw.reset_fault(now, Board::motor).ok());
    CHECK(hw.reset_fault(now, Board::incline).ok());
    auto after = hw.read_drive(SteadyClock::now());
    REQUIRE(after.ok());
    CHECK(after->fault_code == 0);
    CHECK_FALSE(after->running);  // a reset never restarts the motor
}

TEST_CASE("driver over TCP: pulling the safety key trips EF and the belt coasts to 0") {
    PeerProcess peer({.rtu_device = std::nullopt, .time_scale = 10.0, .wire = std::nullopt});
    REQUIRE(peer.ready());
    ModbusTreadmill hw(peer_config(peer, std::nullopt));
    configure(hw, peer);
    run_to_10_kmh(hw);

    REQUIRE(peer.control({{"cmd", "key"}, {"present", false}})["ok"] == true);
    auto tripped = drive_until(
        hw, kRun10,
        [](const Readings& r) { return r.drive.fault_code == 6 && !r.incline.key_present; }, 5s);
    REQUIRE(tripped.has_value());
    CHECK(peer.state()["drive"]["output_active"] == false);  // EF coasts
    auto coasted = drive_until(
        hw, kRun10, [](const Readings& r) { return r.incline.roller_speed_kmh == 0.0; }, 10s);
    REQUIRE(coasted.has_value());
    CHECK(coasted->drive.fault_code == 6);  // RUN keeps being refused while the key is out

    // Key back: one reset clears EF; the belt stays stopped until RUN is written again.
    REQUIRE(peer.control({{"cmd", "key"}, {"present", true}})["ok"] == true);
    CHECK(hw.reset_fault(SteadyClock::now(), Board::motor).ok());
    auto cleared = drive_until(
        hw, DriveWrite{},
        [](const Readings& r) { return r.drive.fault_code == 0 && r.incline.key_present; }, 5s);
    REQUIRE(cleared.has_value());
    CHECK_FALSE(cleared->drive.running);
    CHECK(cleared->drive.output_frequency_hz == 0.0);
}

TEST_CASE("driver over RTU (socat pty pair, 8N1, wire time of 19200 8E1): 10 km/h at the roller") {
    PtyPair ptys;
    PeerProcess peer({.rtu_device = ptys.a(), .time_scale = 10.0, .wire = "19200,8E1"});
    REQUIRE(peer.ready());
    ModbusTreadmill hw(peer_config(peer, ptys.b()));
    configure(hw, peer);
    run_to_10_kmh(hw);
    auto stopped = drive_until(
        hw, DriveWrite{}, [](const Readings& r) { return r.incline.roller_speed_kmh == 0.0; }, 10s);
    REQUIRE(stopped.has_value());
    CHECK(stopped->drive.fault_code == 0);
}
