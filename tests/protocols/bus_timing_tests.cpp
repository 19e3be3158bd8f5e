// Bus timing helpers against the numbers of the register map.
#include <doctest/doctest.h>

#include "protocols/bus_timing.hpp"

using namespace treadmill;
using namespace treadmill::bus;

namespace {
const SerialFormat k19200_8E1{19200, 8, true, 1};
const SerialFormat k19200_8N1{19200, 8, false, 1};
const SerialFormat k38400_8E1{38400, 8, true, 1};
const SerialFormat k9600_8E1{9600, 8, true, 1};
}  // namespace

TEST_CASE("bits per character") {
    CHECK(bits_per_char(k19200_8E1) == 11);
    CHECK(bits_per_char(k19200_8N1) == 10);
    CHECK(bits_per_char(SerialFormat{19200, 8, false, 2}) == 11);
}

TEST_CASE("character time and t3.5 at 19200 8E1") {
    CHECK(to_ms(char_time(k19200_8E1)) == doctest::Approx(0.573).epsilon(0.001));
    CHECK(to_ms(t35(k19200_8E1)) == doctest::Approx(2.005).epsilon(0.001));
    CHECK(to_ms(t15(k19200_8E1)) == doctest::Approx(0.859).epsilon(0.001));
}

TEST_CASE("t3.5 and t1.5 are fixed above 19200 baud") {
    CHECK(to_ms(t35(k38400_8E1)) == doctest::Approx(1.75));
    CHECK(to_ms(t15(k38400_8E1)) == doctest::Approx(0.75));
    CHECK(to_ms(t35(SerialFormat{115200, 8, false, 1})) == doctest::Approx(1.75));
    CHECK(to_ms(t35(k9600_8E1)) == doctest::Approx(4.010).epsilon(0.001));
}

TEST_CASE("frame sizes of the functions the driver uses") {
    CHECK(read_reply_bytes(7) == 19);
    CHECK(read_reply_bytes(8) == 21);
    CHECK(write_multiple_request_bytes(2) == 13);
    CHECK(write_multiple_reply_bytes() == 8);
    CHECK(exception_reply_bytes() == 5);
    CHECK(read_reply_bytes(125) <= kRtuMaxAdu);
}

TEST_CASE("transaction times match the register map's budget") {
    // Read 7 registers ~ 19.5 ms, FC16 of 2 registers ~ 16 ms at 19200 8E1.
    const auto read7 = transaction_time(k19200_8E1, read_request_bytes(), read_reply_bytes(7));
    const auto fc16 =
        transaction_time(k19200_8E1, write_multiple_request_bytes(2), write_multiple_reply_bytes());
    CHECK(to_ms(read7) == doctest::Approx(19.5).epsilon(0.01));
    CHECK(to_ms(fc16) == doctest::Approx(16.0).epsilon(0.01));
    // A control cycle: two reads (7 and 8 registers) and two FC16 writes fits 55-70 ms.
    const auto read8 = transaction_time(k19200_8E1, read_request_bytes(), read_reply_bytes(8));
    const double cycle = to_ms(read7 + read8 + fc16 + fc16);
    CHECK(cycle > 55.0);
    CHECK(cycle < 75.0);
}

TEST_CASE("degenerate formats give zero, not a crash") {
    CHECK(char_time(SerialFormat{0, 8, true, 1}) == Duration::zero());
    CHECK(frame_time(k19200_8E1, 0) == Duration::zero());
}
