#include "controller/api/protocol.hpp"

#include "common/json_text.hpp"
#include "common/utf8.hpp"

namespace treadmill::api {

std::string_view to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::bad_json:
            return "bad_json";
        case ErrorCode::bad_request:
            return "bad_request";
        case ErrorCode::unknown_command:
            return "unknown_command";
        case ErrorCode::bad_value:
            return "bad_value";
        case ErrorCode::refused:
            return "refused";
        case ErrorCode::internal:
            return "internal";
    }
    return "internal";
}

Result<json, ApiError> parse_request(std::string_view line) {
    // nlohmann::json stops at a NUL byte as at the end of the text, so "{…}\0anything" would
    // parse: a NUL anywhere makes the line malformed.
    if (const auto nul = line.find('\0'); nul != std::string_view::npos) {
        return Unexpected{
            ApiError{ErrorCode::bad_json,
                     "a NUL byte at column " + std::to_string(nul + 1) + " of the request"}};
    }
    if (const auto bad = find_invalid_utf8(line)) {
        return Unexpected{ApiError{ErrorCode::bad_json, invalid_utf8_message(*bad) + " at column " +
                                                            std::to_string(bad->column) +
                                                            " of the request"}};
    }
    json request = json::parse(line, nullptr, false);
    if (request.is_discarded()) return Unexpected{ApiError{ErrorCode::bad_json, "not valid JSON"}};
    return request;
}

json ok_reply(const json& id, const json& body) {
    json reply = {{"id", id}, {"ok", true}};
    if (body.is_object()) {
        for (const auto& [key, value] : body.items()) reply[key] = value;
    }
    return reply;
}

json error_reply(const json& id, const ApiError& error) {
    return {{"id", id},
            {"ok", false},
            {"error", {{"code", to_string(error.code)}, {"message", error.message}}}};
}

json serialized_fields(const json& fields) {
    return json(json_text(fields));
}

Result<std::optional<std::string>, ApiError> optional_string(const json& request, const char* key) {
    const auto it = request.find(key);
    if (it == request.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) {
        return Unexpected{
            ApiError{ErrorCode::bad_request, std::string("'") + key + "' must be a string"}};
    }
    return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string, ApiError> required_string(const json& request, const char* key) {
    auto value = optional_string(request, key);
    if (!value) return Unexpected{value.error()};
    if (!value->has_value()) {
        return Unexpected{ApiError{ErrorCode::bad_request, std::string("missing '") + key + "'"}};
    }
    return **value;
}

}  // namespace treadmill::api
