#include "controller/api/request_timing.hpp"

#include <algorithm>

namespace treadmill::api {

namespace {

double milliseconds(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

void RequestTiming::record(const std::string& cmd, Duration took) {
    std::lock_guard lock(mutex_);
    ++requests_;
    max_ = std::max(max_, took);
    ++hist_[latency_bucket(took)];
    auto it = commands_.find(cmd);
    if (it == commands_.end()) {
        const bool room = commands_.size() + 1 < kMaxCommands;  // one name left for "other"
        it = commands_.try_emplace(room ? cmd : std::string("other")).first;
    }
    ++it->second.count;
    it->second.max = std::max(it->second.max, took);
}

nlohmann::json RequestTiming::to_json() const {
    std::lock_guard lock(mutex_);
    nlohmann::json commands = nlohmann::json::object();
    for (const auto& [name, c] : commands_)
        commands[name] = {{"count", c.count}, {"max_ms", milliseconds(c.max)}};
    return {{"requests", requests_},
            {"max_ms", milliseconds(max_)},
            {"hist", hist_},
            {"commands", std::move(commands)}};
}

}  // namespace treadmill::api
