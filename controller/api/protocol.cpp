#include "controller/api/protocol.hpp"

#include "common/json_text.hpp"
#include "common/strict_json.hpp"

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

// One strict parser (common/strict_json.hpp): a NUL, invalid UTF-8 or trailing junk is
// bad_json with its column.
Result<json, ApiError> parse_request(std::string_view line) {
    auto request = parse_strict_json(line);
    if (!request)
        return Unexpected{
            ApiError{ErrorCode::bad_json, request.error().message + " of the request"}};
    return std::move(*request);
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
