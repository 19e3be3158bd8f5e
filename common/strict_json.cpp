#include "common/strict_json.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace treadmill {

namespace {

// "column C" in a text of one line, "line L, column C" otherwise (1-based, in bytes).
std::string position_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const auto line_start = before.rfind('\n');
    const std::size_t column =
        offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    if (text.find('\n') == std::string_view::npos ||
        text.find('\n') == text.size() - 1)  // one line and its end
        return "column " + std::to_string(column);
    const auto line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

StrictJsonError error_at(std::string_view text, std::size_t offset, const std::string& what) {
    return {what + " at " + position_of(text, offset), offset};
}

// nlohmann's reason without its own prefix ("[json.exception.parse_error.101] parse error at
// line 1, column 5: ").
std::string reason_of(const nlohmann::json::parse_error& e) {
    const std::string what = e.what();
    const auto colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

Result<nlohmann::json, StrictJsonError> parse_strict_json(std::string_view text) {
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
        return Unexpected{error_at(text, nul, "a NUL byte")};
    if (const auto bad = find_invalid_utf8(text))
        return Unexpected{error_at(text, bad->offset, invalid_utf8_message(*bad))};
    try {
        return nlohmann::json::parse(text);  // strict: nothing but white space after the value
    } catch (const nlohmann::json::parse_error& e) {
        const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        return Unexpected{error_at(text, offset, "not valid JSON (" + reason_of(e) + ")")};
    }
}

}  // namespace treadmill
