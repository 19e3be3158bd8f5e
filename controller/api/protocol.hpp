// The control API's wire format: newline-delimited JSON requests {"id":N,"cmd":"...",...} and
// replies {"id":N,"ok":true,...} or {"id":N,"ok":false,"error":{"code":"...","message":"..."}}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace treadmill::api {

using nlohmann::json;

enum class ErrorCode { bad_json, bad_request, unknown_command, bad_value, refused, internal };

std::string_view to_string(ErrorCode code);

struct ApiError {
    ErrorCode code = ErrorCode::internal;
    std::string message;
};

// What a command handler returns: the reply's extra fields (an object, may be empty), or why not.
using Reply = Result<json, ApiError>;

inline Reply fail(ErrorCode code, std::string message) {
    return Unexpected{ApiError{code, std::move(message)}};
}

// A request line as JSON: a line that is not valid UTF-8 is bad_json with the column of its first
// bad byte (checked before parsing, so a `yaml` text with a Latin-1 byte is refused with its
// place), any other unparsable line bad_json. The value may still be any JSON (not an object).
Result<json, ApiError> parse_request(std::string_view line);

// A successful reply line: {"id":id,"ok":true} plus the fields of `body`.
json ok_reply(const json& id, const json& body = json::object());
// An error reply line.
json error_reply(const json& id, const ApiError& error);
// A reply body whose fields are already serialised: a JSON string holding the text of an object
// ("{\"program\":{…}}"). A large reply is serialised where it is made (off the loop thread);
// the server puts the text into the reply line as it is.
json serialized_fields(const json& fields);

// Reading a request's arguments: absent → nullopt; present with the wrong type → bad_request.
Result<std::optional<std::string>, ApiError> optional_string(const json& request, const char* key);
// A required string argument.
Result<std::string, ApiError> required_string(const json& request, const char* key);

}  // namespace treadmill::api
