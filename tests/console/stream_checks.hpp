// Checks shared by the console's WebSocket tests over plain HTTP and over TLS (doctest; the rig
// itself stays free of doctest, as the benchmarks use it too).
#pragma once

#include <chrono>

#include <doctest/doctest.h>

namespace treadmill::console_test {

// The daemon's watch stream relayed at ≥ 4 Hz, every `status` idle. The rate is taken over 15
// intervals between arrivals (about 3 s at the daemon's 5 Hz): the daemon sends on a fixed
// schedule, so a loaded machine delays single messages but hardly the rate over the window.
template <class Page>
void expect_idle_stream(Page& page) {
    using namespace std::chrono;
    constexpr int kIntervals = 15;
    REQUIRE(page.next("status", seconds(2)));  // perhaps the console's last one, sent at once
    REQUIRE(page.next("status", seconds(2)));
    const auto t0 = steady_clock::now();
    for (int i = 0; i < kIntervals; ++i) {
        auto s = page.next("status", seconds(2));
        REQUIRE(s);
        CHECK((*s)["msg"]["status"]["state"] == "idle");
    }
    const double hz = kIntervals / duration<double>(steady_clock::now() - t0).count();
    INFO("relayed at " << hz << " Hz");
    CHECK(hz >= 4.0);
}

}  // namespace treadmill::console_test
