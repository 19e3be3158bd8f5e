// A blocking client of the control API (for treadmillctl): one request at a time, or a watch
// stream. Failures are values with messages meant for the user.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace treadmill::api {

class ApiClient {
  public:
    // Connects; "treadmilld is not running" / "permission denied" messages on failure.
    static Result<ApiClient, std::string> connect(const std::string& socket_path);
    ApiClient(ApiClient&& other) noexcept;
    ApiClient& operator=(ApiClient&&) = delete;
    ~ApiClient();

    // Sends `request` (an "id" is added) and returns the reply, whatever its "ok".
    Result<nlohmann::json, std::string> call(nlohmann::json request);
    // Sends `watch` and hands each status to `on_status` until it returns false or the
    // daemon closes the stream.
    Result<Done, std::string> watch(const std::function<bool(const nlohmann::json&)>& on_status);

  private:
    explicit ApiClient(int fd) : fd_(fd) {}
    Result<std::string, std::string> read_line();
    bool send_line(const std::string& line);

    int fd_ = -1;
    int next_id_ = 1;
    std::string buffer_;
};

}  // namespace treadmill::api
