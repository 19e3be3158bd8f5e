// Checks shared by the console's WebSocket tests over plain HTTP and over TLS (doctest; the rig
// itself stays free of doctest, as the benchmarks use it too).
#pragma once

#include <chrono>

#include <doctest/doctest.h>

namespace treadmill::console_test {

// The daemon's watch stream relayed at ≥ 4 Hz: 8 `status` messages, all `idle`, within 3 s.
template <class Page>
void expect_idle_stream(Page& page) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 8; ++i) {
        auto s = page.next("status", std::chrono::seconds(2));
        REQUIRE(s);
        CHECK((*s)["msg"]["status"]["state"] == "idle");
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
}

}  // namespace treadmill::console_test
