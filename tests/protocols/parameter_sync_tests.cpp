// compare_parameters and link configuration helpers (pure parts).
#include <doctest/doctest.h>

#include "protocols/link_config.hpp"
#include "protocols/modbus_link.hpp"
#include "protocols/parameter_sync.hpp"

using namespace treadmill;

TEST_CASE("compare_parameters finds the first difference") {
    const std::vector<ParameterValue> wanted{{0x14, 1}, {0x15, 2}, {0x17, 1}};
    CHECK(compare_parameters(wanted, wanted).ok());
    const std::vector<ParameterValue> actual{{0x14, 1}, {0x15, 0}, {0x17, 0}};
    const auto check = compare_parameters(wanted, actual);
    CHECK_FALSE(check.ok());
    CHECK(*check.mismatch_address == 0x15);
    CHECK(check.expected == 2);
    CHECK(check.actual == 0);
    const std::vector<ParameterValue> short_read{{0x14, 1}};
    CHECK(*compare_parameters(wanted, short_read).mismatch_address == 0x15);
}

TEST_CASE("parity parsing and link descriptions") {
    CHECK(parse_parity("even") == Parity::even);
    CHECK(parse_parity("E") == Parity::even);
    CHECK(parse_parity("none") == Parity::none);
    CHECK(parse_parity("n") == Parity::none);
    CHECK(parse_parity("Odd") == Parity::odd);
    CHECK_FALSE(parse_parity("mark").has_value());
    LinkConfig rtu;
    rtu.transport = Transport::rtu;
    rtu.device = "/dev/ttyUSB0";
    CHECK(describe(rtu) == "rtu:/dev/ttyUSB0@19200,8E1");
    LinkConfig tcp;
    tcp.port = 1502;
    CHECK(describe(tcp) == "tcp:127.0.0.1:1502");
}

TEST_CASE("late-reply guard: t3.5 + the expected reply's wire time, bounded; TCP: none") {
    LinkConfig rtu;
    rtu.transport = Transport::rtu;
    const ModbusLink at19200(rtu);
    // 2.0 ms + 21 characters of 0.573 ms: the incline board's telemetry reply.
    CHECK(bus::to_ms(at19200.late_reply_guard(bus::read_reply_bytes(8))) ==
          doctest::Approx(14.0).epsilon(0.01));
    // 2.0 ms + 8 characters: a write's echo.
    CHECK(bus::to_ms(at19200.late_reply_guard(bus::write_multiple_reply_bytes())) ==
          doctest::Approx(6.6).epsilon(0.01));
    rtu.baud = 1200;
    CHECK(ModbusLink(rtu).late_reply_guard(bus::kRtuMaxAdu) == std::chrono::seconds(1));
    rtu.late_reply_guard = std::chrono::milliseconds(20);
    CHECK(ModbusLink(rtu).late_reply_guard(8) == std::chrono::milliseconds(20));
    LinkConfig tcp;
    tcp.response_timeout = std::chrono::milliseconds(80);
    CHECK(ModbusLink(tcp).late_reply_guard(8) == Duration::zero());
}

TEST_CASE("a link that is not open fails as I/O without touching anything") {
    LinkConfig tcp;
    ModbusLink link(tcp);
    CHECK_FALSE(link.is_open());
    auto r = link.read_registers(TimePoint{}, 1, 0x2100, 7);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == LinkError::Kind::io);
    CHECK(link.statistics().transactions == 0);
}

TEST_CASE("opening a TCP port where nobody listens is an I/O error value") {
    LinkConfig tcp;
    tcp.port = 1;  // privileged, closed
    ModbusLink link(tcp);
    auto opened = link.open(TimePoint{});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == LinkError::Kind::io);
    CHECK_FALSE(link.is_open());
}

TEST_CASE("opening a missing serial device is an I/O error value") {
    LinkConfig rtu;
    rtu.transport = Transport::rtu;
    rtu.device = "/nonexistent/ttyUSB9";
    ModbusLink link(rtu);
    auto opened = link.open(TimePoint{});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == LinkError::Kind::io);
}
