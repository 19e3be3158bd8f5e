// ModbusTreadmill over RTU when the serial device vanishes (the pty pair removed) and comes back
// under the same path (a new pty behind the symlink): I/O errors at once, the link closed, a
// re-open no sooner than the reconnect interval, telemetry again once the device is back.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "protocols/modbus_treadmill.hpp"
#include "tests/protocols/sim_bench.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using std::chrono::milliseconds;

namespace {

std::unique_ptr<sim::EmbeddedSimulator> start_sim(const std::string& device) {
    sim::RtuEndpoint ep;
    ep.device = device;
    ep.parity = 'N';  // ptys at 8N1 (TOOLCHAIN.md)
    return sim::EmbeddedSimulator::start_rtu(ep);
}

HardwareConfig rtu_config(const std::string& device) {
    HardwareConfig c;
    c.bus.transport = Transport::rtu;
    c.bus.device = device;
    c.bus.baud = 19200;
    c.bus.parity = Parity::none;
    c.bus.response_timeout = milliseconds(100);
    c.reconnect_interval = milliseconds(300);
    return c;
}

}  // namespace

TEST_CASE("RTU device removed and restored: I/O error at once, link closed, re-opened later") {
    PtyPair pty;
    auto board = start_sim(pty.a());
    ModbusTreadmill hw(rtu_config(pty.b()));
    REQUIRE(hw.read_drive(now()).ok());
    CHECK(hw.link_health(Board::motor).opens == 1);

    pty.down();
    const auto before = now();
    auto gone = hw.read_drive(now());
    const auto took = now() - before;
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().kind == LinkError::Kind::io);
    MESSAGE("first read after the pty vanished: "
            << gone.error().message << " after " << seconds_between(before, now()) * 1000 << " ms");
    CHECK(took < milliseconds(100));  // an I/O error, not a response time-out
    CHECK_FALSE(hw.link_health(Board::motor).open);

    // Until the interval has passed nothing is opened: an immediate error, no time-out.
    auto waiting = hw.write_drive(now(), DriveWrite{});
    REQUIRE_FALSE(waiting.ok());
    CHECK(waiting.error().message.find("reopened every 300 ms") != std::string::npos);

    board.reset();  // the board's end is restarted with the pty
    REQUIRE(pty.up());
    board = start_sim(pty.a());
    const auto restored = now();
    REQUIRE(wait_until([&] { return hw.read_drive(now()).ok(); }, milliseconds(3000)));
    MESSAGE("telemetry again " << seconds_between(restored, now()) * 1000
                               << " ms after the pty came back");
    CHECK(hw.link_health(Board::motor).open);
    CHECK(hw.link_health(Board::motor).opens == 2);
    CHECK(hw.read_incline(now()).ok());
    CHECK(hw.write_drive(now(), DriveWrite{}).ok());
}

TEST_CASE("RTU device path absent at start: opens are tried once per interval, then succeed") {
    PtyPair pty;
    pty.down();
    ModbusTreadmill hw(rtu_config(pty.b()));
    auto first = hw.read_drive(now());
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().kind == LinkError::Kind::io);
    CHECK(hw.link_statistics(Board::motor).opens == 0);
    REQUIRE(pty.up());
    auto board = start_sim(pty.a());
    REQUIRE(wait_until([&] { return hw.read_drive(now()).ok(); }, milliseconds(3000)));
    CHECK(hw.link_statistics(Board::motor).opens == 1);
}

TEST_CASE("RTU pty holder killed (links left dangling), then made again: re-opened") {
    PtyPair pty;
    auto board = start_sim(pty.a());
    ModbusTreadmill hw(rtu_config(pty.b()));
    REQUIRE(hw.read_drive(now()).ok());
    pty.down(SIGKILL);
    auto gone = hw.read_drive(now());
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().kind == LinkError::Kind::io);
    CHECK_FALSE(hw.link_health(Board::motor).open);
    // Dangling links: the open attempts fail (ENOENT) and are spaced by the interval.
    const auto t0 = now();
    int failures = 0;
    while (now() - t0 < milliseconds(700)) {
        if (!hw.read_drive(now()).ok()) ++failures;
        std::this_thread::sleep_for(milliseconds(20));
    }
    CHECK(failures > 10);
    CHECK(hw.link_statistics(Board::motor).opens == 1);
    board.reset();
    REQUIRE(pty.up());
    board = start_sim(pty.a());
    REQUIRE(wait_until([&] { return hw.read_drive(now()).ok(); }, milliseconds(3000)));
    CHECK(hw.link_health(Board::motor).opens == 2);
}
