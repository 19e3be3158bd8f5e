// One strict JSON parser for every text that arrives from outside (API request lines, MQTT
// command payloads, the console's WebSocket messages, the simulator's control lines).
// nlohmann::json alone stops at a NUL byte as at the end of the text, so "{…}\0junk" would
// parse; here a NUL anywhere, invalid UTF-8 anywhere and anything after the value but white
// space are refused, each with a message naming where ("at column 22", or "at line 2, column 5"
// in a text of several lines).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace treadmill {

struct StrictJsonError {
    std::string message;     // e.g. "a NUL byte at column 22"
    std::size_t offset = 0;  // 0-based byte offset of the first bad byte
};

// The one JSON value `text` holds (white space around it allowed), or why it is not one.
Result<nlohmann::json, StrictJsonError> parse_strict_json(std::string_view text);

}  // namespace treadmill
