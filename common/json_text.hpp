// JSON as text, the one way the project writes it: invalid UTF-8 inside a string becomes U+FFFD
// instead of an exception (nlohmann's dump() throws type_error 316 by default, and an exception
// on the daemon's event loop must never be what stops it). Use json_text(), never .dump().
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace treadmill {

// Compact (indent < 0) or indented text of `value`; never throws on bad UTF-8.
template <typename Json>
std::string json_text(const Json& value, int indent = -1) {
    return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace treadmill
