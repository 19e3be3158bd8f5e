// When a Modbus link that is down may be opened again. A link never opened is tried at once; a
// link that lost its connection (device gone, connection reset) waits `interval` after the loss
// was noticed, then is tried at most once per `interval` until an attempt succeeds. Never a
// retry loop: one attempt when due, time passed in.
#pragma once

#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace treadmill {

class ReopenPolicy {
  public:
    explicit ReopenPolicy(Duration interval) : interval_(interval) {}

    // Whether an open attempt may be made at `now`.
    bool due(TimePoint now) const { return !next_attempt_ || now >= *next_attempt_; }
    // The earliest time of the next attempt (nullopt: at once).
    std::optional<TimePoint> next_attempt() const { return next_attempt_; }

    // The link was found broken at `now` (once per loss): the next attempt waits an interval.
    void lost(TimePoint now);
    // An open attempt at `now` succeeded (true) or failed (false).
    void attempted(TimePoint now, bool opened);

    // Open attempts that failed since the last success.
    std::uint64_t failed_attempts() const { return failed_attempts_; }
    Duration interval() const { return interval_; }

  private:
    Duration interval_;
    std::optional<TimePoint> next_attempt_;
    std::uint64_t failed_attempts_ = 0;
};

}  // namespace treadmill
