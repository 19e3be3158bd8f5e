// The FIT container: CRC against the CRC-16/ARC check value, header layout, definitions,
// scaling and the FIT epoch.
#include <doctest/doctest.h>

#include "fit_reader.hpp"
#include "history/export/fit_writer.hpp"

namespace fit = treadmill::history::fit;
using treadmill::history::testing::read_fit;

TEST_CASE("the FIT CRC is CRC-16/ARC: check value 0xBB3D for \"123456789\"") {
    CHECK(fit::crc16("123456789") == 0xBB3D);
    CHECK(fit::crc16("") == 0);
    // Continuing a CRC equals computing it at once.
    CHECK(fit::crc16("6789", fit::crc16("12345")) == 0xBB3D);
}

TEST_CASE("an empty file is a 14-byte header with its CRC, then the file CRC") {
    const std::string file = fit::Writer{}.finish();
    REQUIRE(file.size() == 16);
    CHECK(file[0] == 14);
    CHECK(file[1] == 0x20);
    CHECK(file.substr(8, 4) == ".FIT");
    CHECK(fit::crc16(std::string_view(file).substr(0, 12)) ==
          (std::uint8_t(file[12]) | std::uint8_t(file[13]) << 8));
    CHECK(fit::crc16(file) == 0);
}

TEST_CASE("a definition precedes the first message of each layout, once") {
    fit::Writer w;
    w.message(20, {{253, fit::BaseType::uint32, 1000, {}}, {9, fit::BaseType::sint16, -150, {}}});
    w.message(20, {{253, fit::BaseType::uint32, 1001, {}}, {9, fit::BaseType::sint16, 250, {}}});
    w.message(23, {{27, fit::BaseType::string, 0, "abc"}});
    const std::string file = w.finish();
    // definition(5 + 2*3) + data(1+4+2) + data(7) + definition(5+3) + data(1+4)
    CHECK(file.size() == 14 + 1 + 11 + 7 + 7 + 1 + 8 + 5 + 2);
    CHECK(std::uint8_t(file[14]) == 0x40);  // definition, local type 0
    const auto parsed = read_fit(file);
    CHECK(parsed.header_crc_ok);
    CHECK(parsed.file_crc_ok);
    REQUIRE(parsed.messages.size() == 3);
    CHECK(parsed.messages[0].at(9) == -150);
    CHECK(parsed.messages[1].at(253) == 1001);
    CHECK(parsed.messages[2].global == 23);
    CHECK(parsed.messages[2].texts.at(27) == "abc");
}

TEST_CASE("a flipped bit breaks the file CRC") {
    fit::Writer w;
    w.message(20, {{253, fit::BaseType::uint32, 1000, {}}});
    std::string file = w.finish();
    file[16] ^= 0x01;
    CHECK_FALSE(read_fit(file).file_crc_ok);
}

TEST_CASE("scaled values are rounded, offset and clamped out of the invalid marker") {
    CHECK(fit::scaled(2.7778, 1000, 0, fit::BaseType::uint16) == 2778);
    CHECK(fit::scaled(10.0, 5, 500, fit::BaseType::uint16) == 2550);  // altitude
    CHECK(fit::scaled(-1.0, 1000, 0, fit::BaseType::uint16) == 0);
    CHECK(fit::scaled(1e9, 1000, 0, fit::BaseType::uint16) == 0xFFFE);
    CHECK(fit::scaled(-3.5, 100, 0, fit::BaseType::sint16) == -350);
    CHECK(fit::scaled(0.0, 1, 0, fit::BaseType::uint32z) == 1);
}

TEST_CASE("FIT time counts from 1989-12-31T00:00:00Z") {
    CHECK(fit::fit_time(631065600000) == 0);
    CHECK(fit::fit_time(1796626800000) == 1796626800 - 631065600);
}
