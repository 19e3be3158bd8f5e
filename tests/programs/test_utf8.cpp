// Text that is not valid UTF-8 (a file saved in Latin-1): the shared check finds the first bad
// byte with its line and column; programs and profiles are refused there; JSON text never throws.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "common/utf8.hpp"
#include "program_test_helpers.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;
using treadmill::find_invalid_utf8;

namespace {

// "name: Hügel" with ü as Latin-1 (0xFC), on line 2.
const std::string kLatin1Program =
    "schema: treadmill-workout/1\nname: H\xfcgel\nsteps:\n  - run: 1 km\n    speed: 10 km/h\n";

}  // namespace

TEST_CASE("utf8: well-formed text of every length passes") {
    CHECK_FALSE(find_invalid_utf8(""));
    CHECK_FALSE(find_invalid_utf8("plain ASCII\nand a second line\n"));
    CHECK_FALSE(find_invalid_utf8("H\xc3\xbcgel"));           // ü
    CHECK_FALSE(find_invalid_utf8("\xe2\x82\xac 5"));         // €
    CHECK_FALSE(find_invalid_utf8("\xf0\x9f\x8f\x83 run"));   // U+1F3C3
    CHECK_FALSE(find_invalid_utf8("\xef\xbb\xbfschema: x"));  // a byte-order mark
    CHECK_FALSE(find_invalid_utf8("\xf4\x8f\xbf\xbf"));       // U+10FFFF, the last
    CHECK_FALSE(find_invalid_utf8("\xed\x9f\xbf"));           // U+D7FF, below the surrogates
    CHECK_FALSE(find_invalid_utf8(std::string("nul \0 is UTF-8", 14)));
}

TEST_CASE("utf8: each kind of malformed sequence is found at its first byte") {
    struct Case {
        std::string text;
        std::size_t offset;
        unsigned char byte;
    };
    const Case cases[] = {
        {"ab\xfc", 2, 0xfc},            // Latin-1 ü
        {"\x80x", 0, 0x80},             // a lone continuation byte
        {"\xc0\x80", 0, 0xc0},          // overlong NUL
        {"\xc1\xbf", 0, 0xc1},          // overlong
        {"\xe0\x80\x80", 0, 0xe0},      // overlong 3-byte
        {"\xf0\x80\x80\x80", 0, 0xf0},  // overlong 4-byte
        {"\xed\xa0\x80", 0, 0xed},      // a surrogate (U+D800)
        {"\xf4\x90\x80\x80", 0, 0xf4},  // above U+10FFFF
        {"\xf5\x80\x80\x80", 0, 0xf5},  // no such lead byte
        {"\xff", 0, 0xff},              //
        {"ok \xe2\x82", 3, 0xe2},       // truncated at the end
        {"\xe2\x82 x", 0, 0xe2},        // truncated before ASCII
        {"\xc3\xbc\xc3", 2, 0xc3},      // good, then truncated
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const auto bad = find_invalid_utf8(c.text);
        REQUIRE(bad);
        CHECK(bad->offset == c.offset);
        CHECK(bad->byte == c.byte);
    }
}

TEST_CASE("utf8: line and column (1-based, columns in bytes) of the first bad byte") {
    const auto bad = find_invalid_utf8("first\nsecond \xc3\xbc line\n  x: \xe9t\xe9\n");
    REQUIRE(bad);
    CHECK(bad->line == 3);
    CHECK(bad->column == 6);
    CHECK(treadmill::invalid_utf8_message(*bad) == "invalid UTF-8 (byte 0xE9)");
    const auto first = find_invalid_utf8("\xa0");
    REQUIRE(first);
    CHECK(first->line == 1);
    CHECK(first->column == 1);
}

TEST_CASE("utf8: a Latin-1 program is refused at the bad byte, by load and by validate") {
    const auto loaded = load_program(kLatin1Program, "hill.yaml", "hill", {});
    CHECK_FALSE(loaded.timeline);
    REQUIRE(loaded.diagnostics.size() == 1);
    CHECK(loaded.diagnostics[0].to_string() ==
          "hill.yaml:2:8: error: invalid UTF-8 (byte 0xFC); save the file as UTF-8");

    const std::string cue =
        "schema: treadmill-workout/1\nname: ok\nsteps:\n  - run: 1 km\n    speed: 10 km/h\n"
        "    cue: \"bergauf, 5 \xb0 Steigung\"\n";
    const Diagnostics ds = validate_program(cue, "cue.yaml");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].to_string().rfind("cue.yaml:6:22: error: invalid UTF-8 (byte 0xB0)", 0) == 0);
}

TEST_CASE("utf8: a Latin-1 profile is refused at the bad byte") {
    const auto p = load_profile("schema: treadmill-profile/1\nname: J\xfcrgen\n", "me.yaml");
    CHECK_FALSE(p.profile);
    REQUIRE(p.diagnostics.size() == 1);
    CHECK(p.diagnostics[0].to_string().rfind("me.yaml:2:8: error: invalid UTF-8", 0) == 0);
}

TEST_CASE("json_text: invalid UTF-8 in a string becomes U+FFFD instead of an exception") {
    const nlohmann::json status = {{"program", {{"name", "H\xfcgel"}}}};
    CHECK_THROWS(status.dump());  // raw dump() on purpose: what made treadmilld exit mid-workout
    const std::string text = treadmill::json_text(status);
    CHECK(text == "{\"program\":{\"name\":\"H\xef\xbf\xbdgel\"}}");
    CHECK_FALSE(find_invalid_utf8(text));
    const nlohmann::ordered_json indented = {{"a", "\xff"}};
    CHECK(treadmill::json_text(indented, 2) == "{\n  \"a\": \"\xef\xbf\xbd\"\n}");
}
