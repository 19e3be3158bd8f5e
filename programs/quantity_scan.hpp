// Low-level scanning shared by the quantity parsers: numbers via std::from_chars, unit words,
// spaces. Internal to programs/.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace treadmill::programs::scan {

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
inline bool is_space(char c) {
    return c == ' ';
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

inline void skip_spaces(std::string_view& s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

// Reads [-]digits[.digits] (no exponent, no '+', no inf/nan); consumes it on success.
inline std::optional<double> number(std::string_view& s, bool allow_sign = false) {
    std::size_t i = 0;
    if (allow_sign && i < s.size() && s[i] == '-') ++i;
    const std::size_t digits_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    std::size_t digits = i - digits_start;
    if (i < s.size() && s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1])) {
        ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        digits = i - digits_start;
    }
    if (digits == 0 || digits > 30) return std::nullopt;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, value);
    if (ec != std::errc() || ptr != s.data() + i) return std::nullopt;
    s.remove_prefix(i);
    return value;
}

// Reads a unit word: the run of characters up to a space or a digit.
inline std::string_view unit(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && !is_space(s[i]) && !is_digit(s[i])) ++i;
    std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    return u;
}

inline std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

}  // namespace treadmill::programs::scan
