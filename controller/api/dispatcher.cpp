#include "controller/api/dispatcher.hpp"

#include <exception>

namespace treadmill::api {

Reply CommandTable::dispatch(const std::string& cmd, const json& request) {
    const auto it = handlers_.find(cmd);
    if (it == handlers_.end()) {
        std::string known;
        for (const auto& [name, handler] : handlers_) known += (known.empty() ? "" : ", ") + name;
        return fail(ErrorCode::unknown_command,
                    "unknown command '" + cmd + "' (known: " + known + ", watch)");
    }
    try {
        return it->second(request);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, e.what());
    }
}

}  // namespace treadmill::api
