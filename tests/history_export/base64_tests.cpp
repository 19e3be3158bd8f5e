// Base64 as the export reply carries a file: RFC 4648's test vectors, every byte value round
// trips, and text that is not padded base64 is refused.
#include <doctest/doctest.h>

#include "common/base64.hpp"

using treadmill::base64_decode;
using treadmill::base64_encode;

TEST_CASE("base64: RFC 4648 test vectors both ways") {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& vector : vectors) {
        const auto& plain = vector.first;
        const auto& encoded = vector.second;
        CAPTURE(plain);
        CHECK(base64_encode(plain) == encoded);
        CHECK(base64_decode(encoded) == std::string(plain));
    }
}

TEST_CASE("base64: every byte value round trips, at each length modulo 3") {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    for (std::size_t cut = 0; cut < 3; ++cut) {
        const std::string part = bytes.substr(cut);
        CHECK(base64_decode(base64_encode(part)) == part);
    }
}

TEST_CASE("base64: text that is not padded base64 is refused") {
    for (const char* bad : {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "=Zm9", "Zm=v"}) {
        CAPTURE(bad);
        CHECK_FALSE(base64_decode(bad).has_value());
    }
}
