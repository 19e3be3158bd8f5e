// Bus-level fault injection.
#include "sim/fault_injector.hpp"

namespace treadmill::sim {

namespace {

const char* kind_name(FaultInjector::Kind kind) {
    switch (kind) {
        case FaultInjector::Kind::drop:
            return "drop";
        case FaultInjector::Kind::delay:
            return "delay";
        case FaultInjector::Kind::corrupt_crc:
            return "corrupt_crc";
        case FaultInjector::Kind::wrong_unit:
            return "wrong_unit";
        case FaultInjector::Kind::exception:
            return "exception";
        case FaultInjector::Kind::truncate:
            return "truncate";
        case FaultInjector::Kind::gap:
            return "gap";
    }
    return "?";
}

}  // namespace

void FaultInjector::clear() {
    pending_.clear();
    garbage_bytes_ = 0;
    silent_until_ = TimePoint{};
}

std::optional<int> FaultInjector::take(Kind kind, int unit) {
    auto it = pending_.find(kind);
    if (it == pending_.end()) return std::nullopt;
    Counted& c = it->second;
    if (c.unit && *c.unit != unit) return std::nullopt;
    const int amount = c.amount;
    if (--c.count <= 0) pending_.erase(it);
    return amount;
}

void FaultInjector::shape(int unit, ReplyPlan& plan) {
    if (auto ms = take(Kind::delay, unit)) plan.delay += std::chrono::milliseconds(*ms);
    if (take(Kind::corrupt_crc, unit)) plan.corrupt_crc = true;
    if (auto bytes = take(Kind::truncate, unit))
        plan.truncate_bytes = static_cast<std::size_t>(*bytes);
    if (auto ms = take(Kind::gap, unit)) plan.gap = std::chrono::milliseconds(*ms);
    if (take(Kind::wrong_unit, unit)) {
        plan.unit = static_cast<std::uint8_t>(unit == 1 ? 2 : unit == 2 ? 1 : unit + 1);
    }
    if (garbage_bytes_ > 0) {
        plan.garbage_bytes = static_cast<std::size_t>(garbage_bytes_);
        garbage_bytes_ = 0;
    }
}

nlohmann::json FaultInjector::describe(TimePoint now) const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [kind, c] : pending_) {
        j[kind_name(kind)] = {{"unit", c.unit ? nlohmann::json(*c.unit) : nlohmann::json()},
                              {"count", c.count},
                              {"amount", c.amount}};
    }
    if (garbage_bytes_ > 0) j["garbage"] = garbage_bytes_;
    if (silent(now)) j["silence_s"] = seconds_between(now, silent_until_);
    return j;
}

}  // namespace treadmill::sim
