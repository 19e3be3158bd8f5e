#include "controller/api/dispatcher.hpp"

#include <memory>
#include <optional>
#include <set>

namespace treadmill::api {

std::string CommandTable::known_commands() const {
    std::set<std::string> names{"watch"};
    for (const auto& [name, handler] : handlers_) names.insert(name);
    for (const auto& [name, handler] : deferred_) names.insert(name);
    std::string known;
    for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
    return known;
}

Reply CommandTable::dispatch(const std::string& cmd, const json& request) {
    if (deferred_.count(cmd) > 0) {
        auto reply = std::make_shared<std::optional<Reply>>();
        dispatch_async(cmd, request, [reply](Reply r) { *reply = std::move(r); });
        if (*reply) return std::move(**reply);
        return fail(ErrorCode::internal, "'" + cmd + "' answers later; use dispatch_async");
    }
    const auto it = handlers_.find(cmd);
    if (it == handlers_.end()) {
        return fail(ErrorCode::unknown_command,
                    "unknown command '" + cmd + "' (known: " + known_commands() + ")");
    }
    return it->second(request);  // what it throws goes to the server's guard
}

void CommandTable::dispatch_async(const std::string& cmd, const json& request, Respond respond) {
    const auto it = deferred_.find(cmd);
    if (it == deferred_.end()) return respond(dispatch(cmd, request));
    it->second(request, std::move(respond));  // what it throws goes to the server's guard
}

}  // namespace treadmill::api
