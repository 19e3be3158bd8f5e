// parse_strict_json: the one parser for JSON from outside. A NUL, invalid UTF-8 and junk after
// the value are refused with where they are; white space around the value is fine.
#include <doctest/doctest.h>

#include <string>

#include "common/strict_json.hpp"

using treadmill::parse_strict_json;

namespace {

std::string error_of(const std::string& text) {
    const auto parsed = parse_strict_json(text);
    return parsed ? std::string("(parsed)") : parsed.error().message;
}

}  // namespace

TEST_CASE("a JSON value, with white space around it, parses") {
    const auto parsed = parse_strict_json(" {\"cmd\":\"stop\",\"n\":[1,2.5,null]}\r\n");
    REQUIRE(parsed);
    CHECK((*parsed)["cmd"] == "stop");
    CHECK((*parsed)["n"][1] == 2.5);
    CHECK(parse_strict_json("\"H\xc3\xbcgel\"").value() == "H\xc3\xbcgel");
}

TEST_CASE("a NUL anywhere is refused at its column, whatever follows") {
    CHECK(error_of(std::string("{\"cmd\":\"stop\"}") + '\0' + "junk") == "a NUL byte at column 15");
    CHECK(error_of(std::string("{\"cmd\":\"st") + '\0' + "op\"}") == "a NUL byte at column 11");
    CHECK(error_of(std::string(1, '\0')) == "a NUL byte at column 1");
    const auto parsed = parse_strict_json(std::string("{}") + '\0');
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().offset == 2);
}

TEST_CASE("invalid UTF-8 is refused at its byte, in a string or outside one") {
    CHECK(error_of("{\"name\":\"H\xfcgel\"}") == "invalid UTF-8 (byte 0xFC) at column 11");
    CHECK(error_of("\xc0\xaf") == "invalid UTF-8 (byte 0xC0) at column 1");
    CHECK(error_of("{\"a\":1}\xff") == "invalid UTF-8 (byte 0xFF) at column 8");
}

TEST_CASE("junk after the value, and broken JSON, are refused with the column") {
    const std::string junk = error_of("{\"cmd\":\"stop\"} x");
    CHECK(junk.find("not valid JSON (") == 0);
    CHECK(junk.find(") at column 16") != std::string::npos);
    CHECK(error_of("{\"a\":1}{\"b\":2}").find("at column 8") != std::string::npos);
    CHECK(error_of("").find("not valid JSON") == 0);
    CHECK(error_of("{\"id\":1,").find("not valid JSON") == 0);
    // Several lines: the line and the column in it.
    CHECK(error_of("{\n  \"a\": 1,\n  \"b\": nope\n}").find("at line 3, column ") !=
          std::string::npos);
    CHECK(error_of(std::string("{\n\"a\":1}\n") + '\0') == "a NUL byte at line 3, column 1");
}
