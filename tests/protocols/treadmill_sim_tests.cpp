// ModbusTreadmill (the TreadmillHardware seam) against the simulator: one shared bus or two,
// configure/verify, a control cycle's bus time, reconnects.
#include <doctest/doctest.h>

#include "protocols/bus_timing.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "protocols/register_map.hpp"
#include "tests/protocols/sim_bench.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using std::chrono::milliseconds;
namespace m = treadmill::regmap::motor;

namespace {

HardwareConfig config_for(const SimBench& bench) {
    HardwareConfig c;
    c.bus = bench.link();
    c.bus.response_timeout = milliseconds(200);  // about the boards, not about time-outs
    return c;
}

// One control cycle as the controller runs it: read both boards, write both.
void control_cycle(ModbusTreadmill& hw, double kmh) {
    REQUIRE(hw.read_drive(now()).ok());
    REQUIRE(hw.read_incline(now()).ok());
    REQUIRE(hw.write_drive(now(), DriveWrite{kmh > 0, kmh}).ok());
    REQUIRE(hw.write_incline(now(), InclineWrite{InclineWrite::Kind::move, 1.0}).ok());
}

void check_configure_and_cycle(ModbusTreadmill& hw) {
    auto limits = hw.configure(now(), BoardSettings{});
    REQUIRE_MESSAGE(limits.ok(), (limits.ok() ? "" : limits.error().error.message));
    CHECK(limits->max_frequency_hz == doctest::Approx(60.0));
    CHECK(limits->max_speed_kmh == doctest::Approx(20.0));
    CHECK(limits->min_incline_pct == doctest::Approx(0.0));
    CHECK(limits->max_incline_pct == doctest::Approx(15.0));
    CHECK(hw.last_configure().drive_written == 4);
    CHECK(hw.last_configure().incline_written == 2);
    control_cycle(hw, 3.0);
    for (auto board : {Board::motor, Board::incline}) {
        auto check = hw.verify(now(), board);
        REQUIRE(check.ok());
        CHECK(check->ok());
    }
    REQUIRE(hw.reset_fault(now(), Board::motor).ok());
    REQUIRE(hw.reset_fault(now(), Board::incline).ok());
    REQUIRE(hw.write_drive(now(), DriveWrite{}).ok());
    REQUIRE(hw.write_incline(now(), InclineWrite{}).ok());
}

}  // namespace

TEST_CASE("shared TCP bus: configure, a control cycle, verify, resets") {
    SimBench bench(Transport::tcp);
    ModbusTreadmill hw(config_for(bench));
    CHECK(hw.shared_bus());
    check_configure_and_cycle(hw);
    CHECK(&hw.link_statistics(Board::motor) == &hw.link_statistics(Board::incline));
    CHECK(hw.link_statistics(Board::motor).failures == 0);
    const TreadmillHardware& seam = hw;
    const auto health = seam.link_health(Board::incline);
    CHECK(health.open);
    CHECK(health.transactions == hw.link_statistics(Board::motor).transactions);
    CHECK(health.failures == 0);
    CHECK(health.last_good.has_value());
    CHECK(hw.fault_name(Board::motor, 6) == "external fault (EF)");
    CHECK(hw.fault_name(Board::incline, 1) == "comm time-out");
}

TEST_CASE("one bus per board: two links, separate statistics") {
    SimBench bench(Transport::tcp);
    HardwareConfig c = config_for(bench);
    c.motor_bus = c.bus;
    c.incline_bus = c.bus;
    // Not equal to the motor's link, so a second link to the same simulator.
    c.incline_bus->response_timeout += std::chrono::milliseconds(1);
    ModbusTreadmill hw(c);
    CHECK_FALSE(hw.shared_bus());
    check_configure_and_cycle(hw);
    const auto& motor = hw.link_statistics(Board::motor);
    const auto& incline = hw.link_statistics(Board::incline);
    CHECK(&motor != &incline);
    CHECK(motor.good > 0);
    CHECK(incline.good > 0);
    CHECK(motor.good + incline.good >= 20);
}

TEST_CASE("shared RTU bus at 19200 8E1 (emulated): a control cycle costs its wire time") {
    SimBench bench(Transport::rtu);
    ModbusTreadmill hw(config_for(bench));
    check_configure_and_cycle(hw);
    const auto t0 = now();
    for (int i = 0; i < 5; ++i) control_cycle(hw, 2.0);
    const double per_cycle_ms = bus::to_ms(now() - t0) / 5;
    // Best case on the wire: reads of 7 and 8 registers, two FC16 of 2 (about 64 ms; the
    // simulator's emulation waits one t3.5 per transaction, not two).
    const bus::SerialFormat f{19200, 8, true, 1};
    const double wire_ms =
        bus::to_ms(bus::transaction_time(f, bus::read_request_bytes(), bus::read_reply_bytes(7)) +
                   bus::transaction_time(f, bus::read_request_bytes(), bus::read_reply_bytes(8)) +
                   2 * bus::transaction_time(f, bus::write_multiple_request_bytes(2),
                                             bus::write_multiple_reply_bytes()));
    MESSAGE("RTU control cycle: " << per_cycle_ms << " ms, wire time " << wire_ms << " ms");
    CHECK(per_cycle_ms > 0.85 * wire_ms);  // the emulated wire time is really spent
    CHECK(per_cycle_ms < 2.5 * wire_ms);   // and little else (a loaded 2-core machine)
    // With S4's read-back: one more short read (at most 2 registers) per cycle.
    const auto t1 = now();
    for (std::size_t i = 0; i < 5; ++i) {
        control_cycle(hw, 2.0);
        const Board board = i < 4 ? Board::motor : Board::incline;
        REQUIRE(hw.verify_part(now(), board, i % 4).ok());
    }
    const double with_readback_ms = bus::to_ms(now() - t1) / 5;
    const double readback_wire_ms =
        bus::to_ms(bus::transaction_time(f, bus::read_request_bytes(), bus::read_reply_bytes(2)));
    MESSAGE("RTU control cycle with its read-back: " << with_readback_ms << " ms, wire time "
                                                     << wire_ms + readback_wire_ms << " ms");
    CHECK(with_readback_ms > 0.85 * (wire_ms + readback_wire_ms));
    CHECK(with_readback_ms < 2.5 * (wire_ms + readback_wire_ms));
    CHECK(wire_ms + readback_wire_ms < 100.0);  // even with both writes: within the period
    REQUIRE(hw.write_drive(now(), DriveWrite{}).ok());
}

TEST_CASE("the S4 read-back in parts of one transaction each; a factory reset shows in them") {
    SimBench bench(Transport::tcp);
    ModbusTreadmill hw(config_for(bench));
    REQUIRE(hw.configure(now(), BoardSettings{}).ok());
    // Pr.00-20/00-21, Pr.00-23, Pr.01-12/01-13, Pr.09-02/09-03; the incline's 0x0011/0x0012.
    REQUIRE(hw.readback_parts(Board::motor) == 4);
    REQUIRE(hw.readback_parts(Board::incline) == 1);
    for (auto board : {Board::motor, Board::incline}) {
        for (std::size_t part = 0; part < hw.readback_parts(board); ++part) {
            const auto before = hw.link_statistics(board).transactions;
            auto check = hw.verify_part(now(), board, part);
            REQUIRE(check.ok());
            CHECK(check->ok());
            CHECK(hw.link_statistics(board).transactions == before + 1);
        }
    }
    bench.control({{"cmd", "factory_reset"}, {"unit", 1}});
    const std::uint16_t first_differing[] = {m::kFrequencySource, m::kReverseDisable, m::kAccelTime,
                                             m::kCommLossTreatment};
    for (std::size_t part = 0; part < 4; ++part) {
        auto check = hw.verify_part(now(), Board::motor, part);
        REQUIRE(check.ok());
        CHECK(check->mismatch_address == first_differing[part]);
    }
    auto incline = hw.verify_part(now(), Board::incline, 0);
    REQUIRE(incline.ok());
    CHECK(incline->ok());
}

TEST_CASE("frequency_counts is the 0x2001 value written, which the drive echoes in 0x2102") {
    SimBench bench(Transport::tcp);
    ModbusTreadmill hw(config_for(bench));
    REQUIRE(hw.configure(now(), BoardSettings{}).ok());
    for (const DriveWrite w : {DriveWrite{true, 7.3}, DriveWrite{true, 25.0}, DriveWrite{}}) {
        REQUIRE(hw.write_drive(now(), w).ok());
        auto d = hw.read_drive(now());
        REQUIRE(d.ok());
        CHECK(d->frequency_command_counts == hw.frequency_counts(w));
    }
    CHECK(hw.frequency_counts(DriveWrite{true, 7.3}) == 2190);   // 21.90 Hz
    CHECK(hw.frequency_counts(DriveWrite{true, 25.0}) == 6000);  // clamped to Pr.01-00
    CHECK(hw.frequency_counts(DriveWrite{}) == 0);
}

TEST_CASE("a setting the board refuses fails configure with the exception") {
    SimBench bench(Transport::tcp);
    ModbusTreadmill hw(config_for(bench));
    BoardSettings s;
    s.incline_comm_treatment = 2;  // the incline board has no coast: exception 03
    auto limits = hw.configure(now(), s);
    REQUIRE_FALSE(limits.ok());
    CHECK(limits.error().board == Board::incline);
    CHECK(limits.error().error.kind == LinkError::Kind::exception);
    CHECK(limits.error().error.exception_code == regmap::exception::kIllegalValue);
}

TEST_CASE("no server: every operation is an I/O error value, never an exception") {
    HardwareConfig c;
    c.bus.host = "127.0.0.1";
    c.bus.port = free_tcp_port();
    ModbusTreadmill hw(c);
    auto limits = hw.configure(now(), BoardSettings{});
    REQUIRE_FALSE(limits.ok());
    CHECK(limits.error().board == Board::motor);
    CHECK(limits.error().error.kind == LinkError::Kind::io);
    auto d = hw.read_drive(now());
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().kind == LinkError::Kind::io);
}

TEST_CASE("a lost TCP connection is reopened by a later operation, at most once per interval") {
    const auto port = free_tcp_port();
    auto bench = std::make_unique<SimBench>(Transport::tcp, port);
    HardwareConfig c = config_for(*bench);
    c.reconnect_interval = milliseconds(200);
    ModbusTreadmill hw(c);
    REQUIRE(hw.read_drive(now()).ok());
    bench.reset();  // the simulator goes away
    auto lost = hw.read_drive(now());
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().kind == LinkError::Kind::io);
    CHECK_FALSE(hw.link_health(Board::motor).open);
    CHECK(hw.link_health(Board::motor).consecutive_failures == 1);
    bench = std::make_unique<SimBench>(Transport::tcp, port);
    const auto opens = hw.link_statistics(Board::motor).opens;
    // Reopened by read_drive once the interval has passed.
    CHECK(wait_until([&] { return hw.read_drive(now()).ok(); }, milliseconds(2000)));
    CHECK(hw.link_statistics(Board::motor).opens == opens + 1);
    CHECK(hw.read_incline(now()).ok());
}
