// PDUs and reply checks of FC03/FC06/FC16.
#include <doctest/doctest.h>

#include <array>

#include "protocols/modbus_pdu.hpp"

using namespace treadmill;
using pdu::Bytes;

namespace {
constexpr int kEnobase = 112345678;
constexpr int kEmbbaddata = kEnobase + 11 + 2;
constexpr int kEmbbadexc = kEnobase + 11 + 3;
}  // namespace

TEST_CASE("requests are laid out as the Modbus spec says") {
    CHECK(pdu::read_registers_request(0x2100, 7) == Bytes{0x03, 0x21, 0x00, 0x00, 0x07});
    CHECK(pdu::write_register_request(0x2002, 0x0002) == Bytes{0x06, 0x20, 0x02, 0x00, 0x02});
    const std::array<std::uint16_t, 2> values{0x0012, 3000};
    CHECK(pdu::write_registers_request(0x2000, values) ==
          Bytes{0x10, 0x20, 0x00, 0x00, 0x02, 0x04, 0x00, 0x12, 0x0B, 0xB8});
    const std::array<std::uint8_t, 2> body{0x03, 0x00};
    CHECK(pdu::tcp_frame(0x1234, 2, body) ==
          Bytes{0x12, 0x34, 0x00, 0x00, 0x00, 0x03, 0x02, 0x03, 0x00});
}

TEST_CASE("a read reply must carry exactly the registers asked for") {
    const auto request = pdu::read_registers_request(0x0100, 2);
    CHECK(pdu::check_reply(request, Bytes{0x03, 0x04, 0x01, 0x00, 0x00, 0x2A}) == 0);
    CHECK(pdu::check_reply(request, Bytes{0x03, 0x02, 0x01, 0x00}) == kEmbbaddata);
    CHECK(pdu::check_reply(request, Bytes{0x03, 0x04, 0x01, 0x00}) == kEmbbaddata);
    CHECK(pdu::check_reply(request, Bytes{0x04, 0x04, 0x01, 0x00, 0x00, 0x2A}) == kEmbbaddata);
    std::array<std::uint16_t, 2> regs{};
    pdu::copy_registers(Bytes{0x03, 0x04, 0x01, 0x00, 0x00, 0x2A}, regs);
    CHECK(regs[0] == 0x0100);
    CHECK(regs[1] == 42);
}

TEST_CASE("exceptions map to MODBUS_ENOBASE + code; unknown codes to EMBBADEXC") {
    const auto request = pdu::read_registers_request(0x2107, 1);
    CHECK(pdu::check_reply(request, Bytes{0x83, 0x02}) == kEnobase + 2);
    CHECK(pdu::check_reply(request, Bytes{0x83, 0x06}) == kEnobase + 6);
    CHECK(pdu::check_reply(request, Bytes{0x83, 0x0B}) == kEnobase + 11);  // the last known
    CHECK(pdu::check_reply(request, Bytes{0x83}) == kEmbbadexc);
    // Codes libmodbus does not know (12 and up, and 0) are EMBBADEXC, as libmodbus's RTU path
    // reports them: never MODBUS_ENOBASE + code, which would collide with EMBBADCRC (12),
    // EMBBADSLAVE (17)...
    for (int code : {0x00, 0x0C, 0x11, 0xFF}) {
        CAPTURE(code);
        CHECK(pdu::check_reply(request, Bytes{0x83, static_cast<std::uint8_t>(code)}) ==
              kEmbbadexc);
    }
    CHECK(pdu::check_reply(request, Bytes{0x90, 0x02}) == kEmbbaddata);  // other function
}

TEST_CASE("write replies must echo the request") {
    const auto single = pdu::write_register_request(0x0001, 60);
    CHECK(pdu::check_reply(single, single) == 0);
    CHECK(pdu::check_reply(single, Bytes{0x06, 0x00, 0x01, 0x00, 0x3B}) == kEmbbaddata);
    const std::array<std::uint16_t, 2> values{2, 60};
    const auto multiple = pdu::write_registers_request(0x0000, values);
    CHECK(pdu::check_reply(multiple, Bytes{0x10, 0x00, 0x00, 0x00, 0x02}) == 0);
    CHECK(pdu::check_reply(multiple, Bytes{0x10, 0x00, 0x00, 0x00, 0x01}) == kEmbbaddata);
    CHECK(pdu::check_reply(multiple, Bytes{}) == kEmbbaddata);
}
