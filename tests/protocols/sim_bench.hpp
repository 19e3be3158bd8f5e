// A simulator plus the link config that reaches it: over TCP, or over RTU through a socat pty
// pair at 8N1 with the simulator emulating the wire time of 8E1 at `baud` (19200 unless told;
// none when `wire_time` is false: the pty's own speed).
#pragma once

#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "protocols/link_config.hpp"
#include "sim/embedded_simulator.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::testing {

class SimBench {
  public:
    explicit SimBench(Transport transport, std::uint16_t tcp_port = 0, int baud = 19200,
                      bool wire_time = true);
    ~SimBench();
    SimBench(const SimBench&) = delete;
    SimBench& operator=(const SimBench&) = delete;

    const LinkConfig& link() const { return link_; }
    // One control command; throws when the simulator answers ok:false.
    nlohmann::json control(const nlohmann::json& command);
    // The simulator's "state" object.
    nlohmann::json state();
    // Writes recorded by the simulator to any of `addresses` of `unit`.
    int writes_to(int unit, const std::set<int>& addresses);
    void stop() { sim_->stop(); }

  private:
    std::optional<PtyPair> pty_;  // declared before the simulator: destroyed after it
    std::unique_ptr<sim::EmbeddedSimulator> sim_;
    LinkConfig link_;
};

inline TimePoint now() {
    return SteadyClock::now();
}

}  // namespace treadmill::testing
