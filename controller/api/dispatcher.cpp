#include "controller/api/dispatcher.hpp"

#include <exception>
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
    try {
        return it->second(request);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, e.what());
    }
}

void CommandTable::dispatch_async(const std::string& cmd, const json& request, Respond respond) {
    const auto it = deferred_.find(cmd);
    if (it == deferred_.end()) return respond(dispatch(cmd, request));
    // `respond` is shared so that a handler throwing after it answered does not answer twice.
    auto answered = std::make_shared<bool>(false);
    auto once = [answered, respond = std::move(respond)](Reply reply) {
        if (*answered) return;
        *answered = true;
        respond(std::move(reply));
    };
    try {
        it->second(request, once);
    } catch (const std::exception& e) {
        once(fail(ErrorCode::internal, e.what()));
    }
}

}  // namespace treadmill::api
