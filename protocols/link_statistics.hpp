// Counters of one Modbus link: transactions, failures by kind, latency, last good exchange.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"
#include "protocols/link_error.hpp"

namespace treadmill {

inline constexpr std::size_t kLinkErrorKinds = 6;

struct LinkStatistics {
    std::uint64_t transactions = 0;  // every request sent (good or failed)
    std::uint64_t failures = 0;
    std::array<std::uint64_t, kLinkErrorKinds> failures_by_kind{};  // indexed by LinkError::Kind
    std::array<std::uint64_t, 256> exceptions_by_code{};
    std::uint64_t consecutive_failures = 0;
    // Latency of good transactions (request sent -> reply checked).
    Duration latency_min = Duration::max();
    Duration latency_max = Duration::zero();
    Duration latency_last = Duration::zero();
    Duration latency_total = Duration::zero();
    std::uint64_t good = 0;
    std::optional<TimePoint> last_good;  // the `now` passed with the last good transaction
    std::optional<LinkError> last_error;
    // Late-reply handling.
    std::uint64_t quiet_waits = 0;  // waits before a request after a failure
    Duration quiet_wait_total = Duration::zero();
    std::uint64_t flushed_bytes = 0;  // stale input discarded before requests
    std::uint64_t stale_replies = 0;  // TCP replies to an earlier request, skipped
    std::uint64_t opens = 0;

    std::uint64_t failures_of(LinkError::Kind kind) const {
        return failures_by_kind[static_cast<std::size_t>(kind)];
    }
    // Mean latency of the good transactions (zero before the first).
    Duration latency_mean() const {
        return good == 0 ? Duration::zero() : latency_total / static_cast<long>(good);
    }

    // Records one good transaction that took `latency`, at `now`.
    void record_good(TimePoint now, Duration latency);
    // Records one failed transaction.
    void record_failure(const LinkError& error);
};

}  // namespace treadmill
