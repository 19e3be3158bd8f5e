#include "controller/api/dispatcher.hpp"

namespace treadmill::api {

Reply CommandTable::dispatch(const std::string& cmd, const json& request) {
    const auto it = handlers_.find(cmd);
    if (it == handlers_.end()) {
        std::string known;
        for (const auto& [name, handler] : handlers_) known += (known.empty() ? "" : ", ") + name;
        return fail(ErrorCode::unknown_command,
                    "unknown command '" + cmd + "' (known: " + known + ", watch)");
    }
    return it->second(request);  // what it throws goes to the server's guard
}

}  // namespace treadmill::api
