// Link statistics bookkeeping.
#include "protocols/link_statistics.hpp"

#include <algorithm>

namespace treadmill {

void LinkStatistics::record_good(TimePoint now, Duration latency) {
    ++transactions;
    ++good;
    consecutive_failures = 0;
    latency_min = std::min(latency_min, latency);
    latency_max = std::max(latency_max, latency);
    latency_last = latency;
    latency_total += latency;
    last_good = now;
}

void LinkStatistics::record_failure(const LinkError& error) {
    ++transactions;
    ++failures;
    ++consecutive_failures;
    ++failures_by_kind[static_cast<std::size_t>(error.kind)];
    if (error.kind == LinkError::Kind::exception) ++exceptions_by_code[error.exception_code];
    last_error = error;
}

}  // namespace treadmill
