// Rule S11: every set-point change with its cause, kept in a ring and handed to a sink.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace treadmill::controller {

enum class SetpointCause { program, user, api, safety };
enum class SetpointKind { speed, incline };

constexpr std::string_view to_string(SetpointCause c) {
    switch (c) {
        case SetpointCause::program:
            return "program";
        case SetpointCause::user:
            return "user";
        case SetpointCause::api:
            return "api";
        case SetpointCause::safety:
            return "safety";
    }
    return "unknown";
}

constexpr std::string_view to_string(SetpointKind k) {
    return k == SetpointKind::speed ? "speed" : "incline";
}

struct SetpointChange {
    TimePoint at{};
    double elapsed_s = 0;  // workout clock of the session, 0 outside one
    SetpointKind kind = SetpointKind::speed;
    double from = 0;  // km/h or % grade
    double to = 0;
    SetpointCause cause = SetpointCause::program;
    std::string detail;  // e.g. "step 3", "speed +0.5 km/h", "fault safety_key"
};

class SetpointLog {
  public:
    using Sink = std::function<void(const SetpointChange&)>;

    explicit SetpointLog(std::size_t capacity) : capacity_(capacity) {}

    void set_sink(Sink sink) { sink_ = std::move(sink); }
    // Records a change (dropping the oldest when full) and passes it to the sink.
    void record(SetpointChange change);
    const std::deque<SetpointChange>& entries() const { return entries_; }

  private:
    std::size_t capacity_;
    std::deque<SetpointChange> entries_;
    Sink sink_;
};

}  // namespace treadmill::controller
