// Is a text valid UTF-8, and if not, where is its first bad byte? One check shared by every
// loader (programs, profiles, config), treadmillctl and the API, so that text which cannot be
// encoded as JSON never gets in.
#pragma once

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace treadmill {

// The first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence).
struct Utf8Error {
    std::size_t offset = 0;  // 0-based byte offset in the text
    int line = 1;            // 1-based
    int column = 1;          // 1-based, in bytes (as every diagnostic counts columns)
    unsigned char byte = 0;  // the byte found there (the lead of a truncated sequence)
};

namespace utf8_detail {

// The length of the well-formed sequence starting at text[i], or 0 when there is none.
inline std::size_t sequence_length(std::string_view text, std::size_t i) {
    const auto at = [&](std::size_t k) {
        return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0x100u;
    };
    const unsigned lead = at(0);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // overlong
        if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // overlong
        if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
        return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (at(1) < low || at(1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (at(k) < 0x80 || at(k) > 0xBF) return 0;
    return length;
}

}  // namespace utf8_detail

// nullopt when `text` is valid UTF-8, else where it first is not.
inline std::optional<Utf8Error> find_invalid_utf8(std::string_view text) {
    Utf8Error at;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_detail::sequence_length(text, i);
        if (length == 0) {
            at.offset = i;
            at.column = static_cast<int>(i - line_start) + 1;
            at.byte = static_cast<unsigned char>(text[i]);
            return at;
        }
        if (text[i] == '\n') {
            ++at.line;
            line_start = i + 1;
        }
        i += length;
    }
    return std::nullopt;
}

// "invalid UTF-8 (byte 0xFC)": the diagnostic's message, the same everywhere.
inline std::string invalid_utf8_message(const Utf8Error& e) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(e.byte));
    return std::string("invalid UTF-8 (byte ") + byte + ")";
}

}  // namespace treadmill
