// Bus-level fault injection: per-unit counters for dropped, delayed, corrupted, truncated,
// gapped replies, forced exceptions, wrong unit ids, trailing garbage, and bus silence.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "sim/bus_model.hpp"

namespace treadmill::sim {

// How the framing layer sends one reply.
struct ReplyPlan {
    bool send = true;       // false: no reply at all
    std::uint8_t unit = 0;  // unit id put in the reply
    Pdu pdu;
    std::chrono::milliseconds delay{0};  // extra wait before the reply
    bool corrupt_crc = false;            // RTU
    std::size_t truncate_bytes = 0;      // bytes cut from the end of the frame
    std::chrono::milliseconds gap{0};    // pause in the middle of the frame
    std::size_t garbage_bytes = 0;       // random bytes after the frame
};

class FaultInjector {
  public:
    // An injection of `count` replies for `unit` (nullopt = any unit).
    struct Counted {
        std::optional<int> unit;
        int count = 0;
        int amount = 0;  // ms, bytes or exception code, by kind
    };
    enum class Kind { drop, delay, corrupt_crc, wrong_unit, exception, truncate, gap };

    void add(Kind kind, Counted injection) { pending_[kind] = injection; }
    void add_garbage(int bytes) { garbage_bytes_ = bytes; }
    void silence_until(TimePoint until) { silent_until_ = until; }
    bool silent(TimePoint now) const { return now < silent_until_; }
    void clear();

    // Takes one "drop" for `unit` if any is pending.
    bool take_drop(int unit) { return take(Kind::drop, unit).has_value(); }
    // Takes one forced exception code for `unit`, if pending.
    std::optional<int> take_exception(int unit) { return take(Kind::exception, unit); }
    // Applies the pending shaping injections for `unit` to `plan`.
    void shape(int unit, ReplyPlan& plan);

    nlohmann::json describe(TimePoint now) const;

  private:
    std::optional<int> take(Kind kind, int unit);

    std::map<Kind, Counted> pending_;
    int garbage_bytes_ = 0;
    TimePoint silent_until_{};
};

}  // namespace treadmill::sim
