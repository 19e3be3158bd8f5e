// Link configuration: numeric hosts only, so that a TCP re-open never resolves a name (DNS)
// on the control loop's thread.
#include <doctest/doctest.h>

#include "protocols/link_config.hpp"
#include "protocols/modbus_link.hpp"

using namespace treadmill;

TEST_CASE("numeric hosts: IPv4 and IPv6 literals are, names and junk are not") {
    for (const char* host : {"127.0.0.1", "192.168.1.50", "::1", "fe80::1", "2001:db8::5"})
        CHECK_MESSAGE(is_numeric_host(host), host);
    for (const char* host : {"localhost", "plc.local", "gateway", "", "192.168.1", "1.2.3.4.5",
                             "192.168.1.50:502", " 10.0.0.1"})
        CHECK_FALSE_MESSAGE(is_numeric_host(host), host);
}

TEST_CASE("a TCP link to a host name is refused at open, before libmodbus could resolve it") {
    LinkConfig c;
    c.transport = Transport::tcp;
    c.host = "plc.local";
    ModbusLink link(c);
    const auto opened = link.open(SteadyClock::now());
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == LinkError::Kind::io);
    CHECK(opened.error().message ==
          "open tcp:plc.local:502: the host must be a numeric IP address");
    CHECK_FALSE(link.is_open());
}
