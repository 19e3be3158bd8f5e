// ReopenPolicy: when a lost or never-opened link may be opened again (time passed in).
#include <doctest/doctest.h>

#include "protocols/reopen_policy.hpp"

using namespace treadmill;
using std::chrono::milliseconds;

namespace {
const TimePoint t0 = TimePoint{} + std::chrono::hours(1);
}

TEST_CASE("a link never opened is tried at once") {
    ReopenPolicy policy(milliseconds(500));
    CHECK(policy.due(t0));
    CHECK_FALSE(policy.next_attempt().has_value());
}

TEST_CASE("after a loss the first attempt waits one interval, not sooner") {
    ReopenPolicy policy(milliseconds(500));
    policy.attempted(t0, true);
    policy.lost(t0 + milliseconds(1000));
    CHECK_FALSE(policy.due(t0 + milliseconds(1000)));
    CHECK_FALSE(policy.due(t0 + milliseconds(1499)));
    CHECK(policy.due(t0 + milliseconds(1500)));
    CHECK(policy.next_attempt() == t0 + milliseconds(1500));
}

TEST_CASE("failed attempts are spaced by the interval, counted, and never retried at once") {
    ReopenPolicy policy(milliseconds(500));
    policy.lost(t0);
    TimePoint now = t0;
    int attempts = 0;
    // A control loop at 100 ms polling for 3 s: attempts at 0.5, 1.0 ... 3.0 s.
    for (int step = 0; step <= 30; ++step, now += milliseconds(100)) {
        if (!policy.due(now)) continue;
        policy.attempted(now, false);
        ++attempts;
    }
    CHECK(attempts == 6);
    CHECK(policy.failed_attempts() == 6);
    CHECK_FALSE(policy.due(t0 + milliseconds(3000)));
    CHECK(policy.due(t0 + milliseconds(3500)));
}

TEST_CASE("a successful attempt clears the wait and the count; a new loss waits again") {
    ReopenPolicy policy(milliseconds(500));
    policy.lost(t0);
    policy.attempted(t0 + milliseconds(500), false);
    policy.attempted(t0 + milliseconds(1000), true);
    CHECK(policy.failed_attempts() == 0);
    CHECK(policy.due(t0 + milliseconds(1000)));
    policy.lost(t0 + milliseconds(1200));
    CHECK_FALSE(policy.due(t0 + milliseconds(1600)));
    CHECK(policy.due(t0 + milliseconds(1700)));
}

TEST_CASE("the wait follows the configured interval") {
    ReopenPolicy policy(milliseconds(1000));
    CHECK(policy.interval() == milliseconds(1000));
    policy.lost(t0);
    CHECK_FALSE(policy.due(t0 + milliseconds(999)));
    CHECK(policy.due(t0 + milliseconds(1000)));
}
