// LinkMonitor: which boards a failure takes out of the cycle, and the bounded error list.
#include <doctest/doctest.h>

#include <string>

#include "controller/link_monitor.hpp"

using namespace treadmill;
using controller::LinkMonitor;

namespace {

LinkError failure(LinkError::Kind kind, std::string message = {}) {
    return LinkError{kind, 0, std::move(message)};
}

}  // namespace

TEST_CASE("a time-out takes every board on its bus out of the cycle; another failure its board") {
    LinkMonitor shared(true);
    shared.begin_cycle();
    shared.record_failure(Board::motor, failure(LinkError::Kind::timeout));
    CHECK(shared.failed_this_cycle(Board::motor));
    CHECK(shared.failed_this_cycle(Board::incline));
    CHECK(shared.observation(Board::incline).board_consecutive_failures == 0);
    shared.begin_cycle();
    CHECK_FALSE(shared.failed_this_cycle(Board::incline));
    shared.record_failure(Board::motor, failure(LinkError::Kind::crc));
    CHECK(shared.failed_this_cycle(Board::motor));
    CHECK_FALSE(shared.failed_this_cycle(Board::incline));

    LinkMonitor apart(false);
    apart.begin_cycle();
    apart.record_failure(Board::motor, failure(LinkError::Kind::timeout));
    CHECK(apart.failed_this_cycle(Board::motor));
    CHECK_FALSE(apart.failed_this_cycle(Board::incline));
}

TEST_CASE("connecting to a switched-off treadmill for an hour keeps the error list bounded") {
    LinkMonitor links(true);
    constexpr int kRetries = 3600;  // one a second, and no supervisor looks while connecting
    for (int i = 0; i < kRetries; ++i) {
        links.begin_cycle();
        links.record_failure(Board::motor, failure(LinkError::Kind::timeout, std::to_string(i)));
    }
    const auto seen = links.observation(Board::motor);
    CHECK(seen.errors_this_cycle.size() == LinkMonitor::kErrorsKept);
    CHECK(seen.errors_this_cycle.back().message == std::to_string(kRetries - 1));  // newest kept
    CHECK(seen.board_consecutive_failures == kRetries);  // the counts are not capped
    CHECK(links.stats(Board::motor).errors == static_cast<std::uint64_t>(kRetries));
    links.errors_seen();
    CHECK(links.observation(Board::motor).errors_this_cycle.empty());
}
