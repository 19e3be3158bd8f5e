// ModbusLink's in-process exchange (virtual-time runs): the request PDUs it hands over and the
// checks it applies to the replies, as over TCP.
#include <doctest/doctest.h>

#include <array>

#include "protocols/modbus_link.hpp"
#include "protocols/modbus_pdu.hpp"

using namespace treadmill;

namespace {

// A link whose exchange answers with `reply` and remembers the last request.
struct InProcessLink {
    ModbusLink link{LinkConfig{}};
    std::optional<ModbusLink::PduReply> reply;
    std::vector<std::uint8_t> last_request;
    int last_unit = -1;

    InProcessLink() {
        link.use_in_process([this](int unit, std::span<const std::uint8_t> request) {
            last_unit = unit;
            last_request.assign(request.begin(), request.end());
            return reply;
        });
    }
};

}  // namespace

TEST_CASE("an in-process link is closed until opened, then exchanges PDUs without a socket") {
    InProcessLink t;
    CHECK_FALSE(t.link.is_open());
    CHECK_FALSE(t.link.read_registers(TimePoint{}, 1, 0x2100, 2));
    REQUIRE(t.link.open(TimePoint{}));
    CHECK(t.link.is_open());
    t.reply = ModbusLink::PduReply{1, {0x03, 0x04, 0x00, 0x12, 0x0B, 0xB8}};
    const auto values = t.link.read_registers(TimePoint{}, 1, 0x2100, 2);
    REQUIRE(values);
    CHECK(*values == Registers{0x0012, 3000});
    CHECK(t.last_unit == 1);
    CHECK(t.last_request == pdu::read_registers_request(0x2100, 2));
    t.link.close();
    CHECK_FALSE(t.link.is_open());
}

TEST_CASE("an in-process link classifies no reply, a wrong unit and a bad reply as errors") {
    InProcessLink t;
    REQUIRE(t.link.open(TimePoint{}));
    const std::array<std::uint16_t, 2> values{0x0012, 3000};

    t.reply.reset();
    auto done = t.link.write_registers(TimePoint{}, 1, 0x2000, values);
    REQUIRE_FALSE(done);
    CHECK(done.error().kind == LinkError::Kind::timeout);

    t.reply = ModbusLink::PduReply{2, {0x10, 0x20, 0x00, 0x00, 0x02}};
    done = t.link.write_registers(TimePoint{}, 1, 0x2000, values);
    REQUIRE_FALSE(done);
    CHECK(done.error().kind == LinkError::Kind::wrong_unit);

    t.reply = ModbusLink::PduReply{1, {0x10, 0x20, 0x01, 0x00, 0x02}};  // wrong echo
    done = t.link.write_registers(TimePoint{}, 1, 0x2000, values);
    REQUIRE_FALSE(done);
    CHECK(done.error().kind == LinkError::Kind::bad_reply);

    t.reply = ModbusLink::PduReply{1, {0x10, 0x20, 0x00, 0x00, 0x02}};
    CHECK(t.link.write_registers(TimePoint{}, 1, 0x2000, values));
    CHECK(t.link.statistics().transactions == 4);
    CHECK(t.link.statistics().failures == 3);
}
